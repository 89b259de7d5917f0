"""Load or update the countries and cities reference tables from talento.geo.data."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import column, delete, insert, select, table, update
from sqlalchemy.orm import Session, load_only

from talento.geo.data import city_code_candidates, iter_cities, iter_countries
from talento.geo.models import City, Country
from talento.geo.morocco import FOLDED_COUNTRIES, reference_cities, reference_code


@dataclass
class ReferenceDataChanges:
    countries_added: int = 0
    countries_updated: int = 0
    cities_added: int = 0
    cities_updated: int = 0

    @property
    def total(self) -> int:
        return (
            self.countries_added + self.countries_updated + self.cities_added + self.cities_updated
        )


def load_reference_data(session: Session) -> ReferenceDataChanges:
    """Insert missing rows and update changed names; never deletes (users point at cities)."""
    changes = ReferenceDataChanges()
    countries = {c.iso2: c for c in session.scalars(select(Country))}
    for record in iter_countries():
        row = countries.get(record.iso2)
        values = {
            "iso3": record.iso3,
            "name_fr": record.name_fr,
            "name_en": record.name_en,
            "name_ar": record.name_ar,
        }
        if row is None:
            row = Country(iso2=record.iso2, **values)
            session.add(row)
            countries[record.iso2] = row
            changes.countries_added += 1
        elif _update(row, values):
            changes.countries_updated += 1
    session.flush()
    fold_countries(session)

    rows = list(session.scalars(select(City)))
    existing = {(c.country_id, c.geonameid): c for c in rows if c.geonameid is not None}
    by_code = {(c.country_id, c.code): c for c in rows}
    codes_taken = set(by_code)
    for city in iter_cities():
        country = countries.get(city.country_iso2)
        if country is None:
            continue
        city_row = existing.get((country.id, city.geonameid)) if city.geonameid else None
        if city_row is None and city.fixed:
            city_row = by_code.get((country.id, city.code))
        if city_row is None:
            if (country.id, city.code) in codes_taken:
                continue  # a code already given to another city stays with it
            session.add(
                City(
                    country_id=country.id,
                    code=city.code,
                    name=city.name,
                    population=city.population,
                    geonameid=city.geonameid,
                    latitude=city.latitude,
                    longitude=city.longitude,
                )
            )
            codes_taken.add((country.id, city.code))
            changes.cities_added += 1
        elif _update(
            city_row,
            {
                "name": city.name,
                "population": city.population,
                "latitude": city.latitude,
                "longitude": city.longitude,
            },
        ):
            changes.cities_updated += 1
    session.flush()
    return changes


def fold_countries(session: Session) -> int:
    """Give Morocco its reference cities with their names and codes, fold "EH" into it.

    Idempotent; run by the reference loader and by migration 0008 on a database that holds
    users. A second row for a reference city (another spelling, "EH"'s copy) is merged into
    one: its users are re-pointed and it is deleted. A city holding a reference code it does
    not own gets another code. User codes are never touched. Returns rows changed.
    """
    changed = 0
    morocco = session.scalars(select(Country).where(Country.iso2 == "MA")).first()
    if morocco is None:
        return 0
    folded_ids = [
        c.id for c in session.scalars(select(Country).where(Country.iso2.in_(FOLDED_COUNTRIES)))
    ]
    country_ids = [morocco.id, *folded_ids]
    # Only the columns 0008 knew: migration 0008 runs this on a schema without the later ones
    # (cities.latitude/longitude come with 0011), and an unset column is left out of INSERTs.
    rows = list(
        session.scalars(
            select(City)
            .options(load_only(City.id, City.country_id, City.code, City.name, City.population))
            .where(City.country_id.in_(country_ids))
            .order_by(City.id)
        )
    )
    reference = reference_cities()
    owners: dict[str, list[City]] = {}
    for row in rows:
        code = reference_code(row.name)
        if code is not None:
            owners.setdefault(code, []).append(row)
    # The row keeping a reference city: the one already holding its code in Morocco, else the
    # most populous. The others merge into it.
    keep: dict[str, City] = {}
    for code, candidates in owners.items():
        candidates.sort(
            key=lambda r: (
                not (r.country_id == morocco.id and r.code == code),
                -(r.population or 0),
                r.id,
            )
        )
        keep[code] = candidates[0]
        for duplicate in candidates[1:]:
            users = _users()
            session.execute(
                update(users)
                .where(users.c.city_id == duplicate.id)
                .values(city_id=candidates[0].id, country_id=morocco.id)
            )
            session.delete(duplicate)
            rows.remove(duplicate)
            changed += 1
    session.flush()
    kept_ids = {row.id for row in keep.values()}
    used = {r.code for r in rows if r.country_id == morocco.id}
    # Rows that are not reference cities but hold a reference code (or clash once moved) give
    # it up first, so the reference rows can take theirs under the unique constraint.
    for row in rows:
        if row.id in kept_ids:
            continue
        clash = row.code in reference or (
            row.country_id != morocco.id
            and any(r.code == row.code for r in rows if r.country_id == morocco.id)
        )
        if clash:
            row.code = next(
                c for c in city_code_candidates(row.name) if c not in used and c not in reference
            )
            used.add(row.code)
            changed += 1
        if row.country_id != morocco.id:
            row.country_id = morocco.id
            changed += 1
        session.flush()
    moving = [(code, row) for code, row in keep.items() if row.code != code]
    for n, (_code, row) in enumerate(moving):  # free the codes being swapped (TAN, TNG…)
        row.code = f"~{n:02d}"
    session.flush()
    for code, row in keep.items():
        if _update(row, {"code": code, "name": reference[code], "country_id": morocco.id}):
            changed += 1
    session.flush()
    for code, name in reference.items():
        if code not in keep:
            # A Core insert of these columns only (see the select above about 0008).
            session.execute(
                insert(City).values(country_id=morocco.id, code=code, name=name, population=0)
            )
            changed += 1
    if folded_ids:
        users = _users()
        moved = session.execute(
            update(users).where(users.c.country_id.in_(folded_ids)).values(country_id=morocco.id)
        )
        changed += getattr(moved, "rowcount", 0) or 0
        profiles = _profiles()
        session.execute(
            update(profiles)
            .where(profiles.c.nationality_id.in_(folded_ids))
            .values(nationality_id=morocco.id)
        )
        session.execute(delete(Country).where(Country.id.in_(folded_ids)))
        changed += len(folded_ids)
    session.flush()
    return changed


def _users():
    """The columns of users that point here (accounts sits above geo: no import of its model)."""
    return table("users", column("city_id"), column("country_id"))


def _profiles():
    return table("talent_profiles", column("nationality_id"))


def _update(row, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def country_choices(session: Session, lang: str = "fr") -> list[tuple[str, str]]:
    """(iso2, localised name) sorted by name in that language, for select fields."""
    countries = session.scalars(select(Country)).all()
    return sorted(((c.iso2, c.name(lang)) for c in countries), key=lambda c: french_key(c[1]))


def french_key(text: str) -> tuple[str, str]:
    """How a French reader sorts: accents and case do not count (« Fès » with "Fes", before
    "Fnideq"; « Égypte » among the E's), the exact text only breaks ties."""
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return base, text


def cities_of(session: Session, iso2: str) -> list[City]:
    """The cities of a country, by name (an unknown country gives an empty list)."""
    if not (len(iso2) == 2 and iso2.isascii() and iso2.isalpha()):  # no NUL for PostgreSQL
        return []
    rows = session.scalars(select(City).join(Country).where(Country.iso2 == iso2))
    return sorted(rows, key=lambda city: french_key(city.name))


def find_city(session: Session, iso2: str, city_id: int | None) -> City | None:
    """The city only if it belongs to that country."""
    if not city_id:
        return None
    return session.scalars(
        select(City).join(Country).where(Country.iso2 == iso2, City.id == city_id)
    ).first()


def find_country(session: Session, iso2: str | None) -> Country | None:
    if not iso2:
        return None
    return session.scalars(select(Country).where(Country.iso2 == iso2.upper())).first()
