"""CINEMA figures of the admin dashboard: casting profiles counted in two aggregate queries.

1. One scan of ``casting_profiles`` joined to ``users`` (its primary key), grouped by
   (complete, gender, country, age band): a few hundred groups at most, whatever the number of
   profiles; the figures are sums over these groups, done here. Beside them, computed once
   (PostgreSQL's InitPlans): how many profiles have a photo, and a talent type (the
   ``GROUP BY user_id ORDER BY user_id`` count of admin.services, an index walk in order).
2. One ``GROUP BY code`` of ``casting_talent_types`` (an index-only scan of its (code,
   user_id) index): profiles per talent type (a profile may have several).

Age bands are computed from the real date of birth (``users.date_of_birth``) on `today`: the
bounds are dates computed here, so the database compares dates only (portable SQL, the same on
SQLite and PostgreSQL). A profile without a date of birth is in the band « unknown ».
Figures count every casting profile, complete or not (the page says so).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.admin.services import Ranked, _top, _users_with_rows
from talento.casting import vocabulary as v
from talento.casting.models import DONE, CastingPhoto, CastingProfile, CastingTalentType
from talento.geo.models import Country

#: Age bands: (key, lowest age, highest age or None).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("minor", 0, 17),
    ("18_25", 18, 25),
    ("26_35", 26, 35),
    ("36_50", 36, 50),
    ("51_65", 51, 65),
    ("66_plus", 66, None),
)
UNKNOWN = "unknown"
BAND_KEYS = tuple(key for key, _low, _high in AGE_BANDS)
GENDERS = ("F", "M", "N")
TOP_COUNTRIES = 8


def born_before(today: dt.date, years: int) -> dt.date:
    """The latest date of birth of someone aged at least `years` on `today` (29 February
    counts as 28 February in a year without it)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def band_condition(band: str, today: dt.date) -> ColumnElement[bool]:
    """SQL: ``users.date_of_birth`` is in `band` on `today` (for the admin list's filter)."""
    born = User.date_of_birth
    if band == UNKNOWN:
        return born.is_(None)
    _key, low, high = next(b for b in AGE_BANDS if b[0] == band)
    conditions: list[ColumnElement[bool]] = (
        [born <= born_before(today, low)] if low else [born.is_not(None)]
    )
    if high is not None:
        conditions.append(born > born_before(today, high + 1))
    return and_(*conditions)


def _band_case(today: dt.date):
    """SQL CASE naming the band of ``users.date_of_birth``."""
    whens: list[tuple[ColumnElement[bool], str]] = [(User.date_of_birth.is_(None), UNKNOWN)]
    for key, _low, high in AGE_BANDS[:-1]:
        assert high is not None
        whens.append((User.date_of_birth > born_before(today, high + 1), key))
    return case(*whens, else_=AGE_BANDS[-1][0])


@dataclass(frozen=True)
class CinemaFigures:
    total: int
    complete: int
    in_progress: int
    with_photo: int
    without_photo: int
    without_type: int
    minors: int
    card_pending: int
    #: (code, count) for every talent type, in the vocabulary's order.
    by_type: list[tuple[str, int]]
    #: (gender code or "unknown", count): F, M, N, then unknown when any.
    by_gender: list[tuple[str, int]]
    #: The top countries of residence, then how many profiles live elsewhere (or nowhere known).
    top_countries: list[Ranked]
    other_countries: int
    #: (band key, count) in age order, then "unknown" when any.
    by_band: list[tuple[str, int]]


def cinema_figures(session: Session, lang: str, today: dt.date) -> CinemaFigures:
    """Every CINEMA figure of the dashboard (two SQL statements)."""
    complete = (CastingProfile.registration_step == DONE).label("complete")
    band = _band_case(today).label("band")
    card_pending = and_(
        CastingProfile.artist_card_number.is_not(None),
        CastingProfile.artist_card_verified_at.is_(None),
    )
    groups = (
        select(
            complete,
            User.gender,
            User.country_id,
            band,
            func.count().label("n"),
            func.count().filter(card_pending).label("card_pending"),
        )
        .select_from(CastingProfile)
        .join(User, User.id == CastingProfile.user_id)
        .group_by(complete, User.gender, User.country_id, band)
        .subquery()
    )
    rows = session.execute(
        select(
            groups.c.complete,
            groups.c.gender,
            groups.c.band,
            groups.c.n,
            groups.c.card_pending,
            Country.iso2,
            Country.name(lang),
            _users_with_rows(CastingPhoto.user_id, None),
            _users_with_rows(CastingTalentType.user_id, None),
        ).outerjoin(Country, Country.id == groups.c.country_id)
    ).all()

    total = done = photos = typed = pending = 0
    genders: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    countries: dict[str, Ranked] = {}
    for is_complete, gender, band_key, n, card, iso2, name, with_photo, with_type in rows:
        total += n
        done += n if is_complete else 0
        photos, typed = with_photo, with_type  # the same on every row
        pending += card
        genders[gender if gender in GENDERS else UNKNOWN] += n
        bands[band_key] += n
        if iso2 is not None:
            known = countries.get(iso2)
            countries[iso2] = Ranked(iso2, name, n + (known.count if known else 0))
    top = _top(countries.values(), TOP_COUNTRIES)
    per_type = dict(
        session.execute(
            select(CastingTalentType.code, func.count()).group_by(CastingTalentType.code)
        ).all()
    )
    return CinemaFigures(
        total=total,
        complete=done,
        in_progress=total - done,
        with_photo=photos,
        without_photo=total - photos,
        without_type=total - typed,
        minors=bands["minor"],
        card_pending=pending,
        by_type=[(code, per_type.get(code, 0)) for code in v.TALENT_TYPES],
        by_gender=[(g, genders[g]) for g in GENDERS]
        + ([(UNKNOWN, genders[UNKNOWN])] if genders[UNKNOWN] else []),
        top_countries=top,
        other_countries=total - sum(item.count for item in top),
        by_band=[(key, bands[key]) for key in BAND_KEYS]
        + ([(UNKNOWN, bands[UNKNOWN])] if bands[UNKNOWN] else []),
    )
