"""Load or update the countries and cities reference tables from talento.geo.data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.geo.data import iter_cities, iter_countries
from talento.geo.models import City, Country


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

    existing = {(c.country_id, c.geonameid): c for c in session.scalars(select(City))}
    codes_taken = {(c.country_id, c.code) for c in existing.values()}
    for city in iter_cities():
        country = countries.get(city.country_iso2)
        if country is None:
            continue
        city_row = existing.get((country.id, city.geonameid))
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
                )
            )
            codes_taken.add((country.id, city.code))
            changes.cities_added += 1
        elif _update(city_row, {"name": city.name, "population": city.population}):
            changes.cities_updated += 1
    session.flush()
    return changes


def _update(row, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def country_choices(session: Session, lang: str = "fr") -> list[tuple[str, str]]:
    """(iso2, localised name) sorted by name in that language, for select fields."""
    import unicodedata

    def sort_key(item: tuple[str, str]) -> str:  # "Égypte" sorts with the E's
        return unicodedata.normalize("NFKD", item[1]).encode("ascii", "ignore").decode().casefold()

    countries = session.scalars(select(Country)).all()
    return sorted(((c.iso2, c.name(lang)) for c in countries), key=sort_key)


def cities_of(session: Session, iso2: str) -> list[City]:
    """The cities of a country, by name (an unknown country gives an empty list)."""
    if not (len(iso2) == 2 and iso2.isascii() and iso2.isalpha()):  # no NUL for PostgreSQL
        return []
    return list(
        session.scalars(select(City).join(Country).where(Country.iso2 == iso2).order_by(City.name))
    )


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
