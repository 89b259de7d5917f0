"""The casting search's SQL: which profiles are searched, each criterion as a condition, the
distance around a city, the order, and one page of contact-sheet cards.

Searched profiles (casting/access.py): complete (``registration_step = 'done'``), not hidden by
their owner, of an active account (:func:`searchable_conditions`). The same SQL runs on SQLite
and PostgreSQL: ages become date bounds computed in Python; « à moins de N km de » becomes the
set of city ids within the radius, computed once in Python from the cities' coordinates
(:func:`cities_within`), so the query filters ``city_id IN (…)``.

The account's gender, date of birth, residence and active flag are read from the casting
profile's copy of them (migration 0013, kept by the database's triggers): matching needs
``users`` only for a name or code typed in the text box, and the page's cards (names).

Only public-safe columns are selected (never an entity): nothing encrypted is read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, exists, false, func, or_, select, text, true
from sqlalchemy.orm import Session, aliased

from talento.accounts.models import User
from talento.casting.models import (
    DONE,
    CastingAccent,
    CastingAsset,
    CastingPhoto,
    CastingProfile,
    CastingSkill,
    CastingTalentType,
)
from talento.casting.search.filters import PER_PAGE, CastingFilters
from talento.geo.models import City, Country
from talento.profiles.languages import levels_at_least
from talento.profiles.models import TalentLanguage, TalentProfile
from talento.profiles.search.directory import name_condition, years_before

EARTH_KM = 6371.0088
_CODE_RE = re.compile(r"^[A-Z0-9]{10}$")


def searchable_conditions() -> tuple:
    """A profile casting staff search: complete, not hidden, of an active account (the
    profile's copy of the account's flag)."""
    return (
        CastingProfile.registration_step == DONE,
        CastingProfile.visibility != "hidden",
        CastingProfile.is_active_account == true(),
    )


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


class _NearCache:
    """City ids within a radius, by (database, city, km): cities do not move (a bounded
    dict)."""

    def __init__(self, most: int = 512) -> None:
        self.most = most
        self._lock = threading.Lock()
        self._found: dict[tuple[str, int, int], tuple[int, ...]] = {}

    def get(self, key: tuple[str, int, int]) -> tuple[int, ...] | None:
        with self._lock:
            return self._found.get(key)

    def put(self, key: tuple[str, int, int], ids: tuple[int, ...]) -> None:
        with self._lock:
            if len(self._found) >= self.most:
                self._found.clear()
            self._found[key] = ids


near_cache = _NearCache()


def cities_within(session: Session, city_id: int, km: int) -> tuple[int, ...]:
    """Ids of the cities within `km` km of `city_id` (itself included), from a bounding box on
    the cities' coordinates then the great-circle distance. A city without coordinates is
    only itself; an unknown city is nothing."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    key = (str(getattr(engine, "url", "")), city_id, km)  # one database's city ids
    cached = near_cache.get(key)
    if cached is not None:
        return cached
    centre = session.execute(
        select(City.latitude, City.longitude).where(City.id == city_id)
    ).first()
    if centre is None:
        return ()
    lat, lon = centre
    if lat is None or lon is None:
        ids: tuple[int, ...] = (city_id,)
    else:
        dlat = math.degrees(km / EARTH_KM)
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        rows = session.execute(
            select(City.id, City.latitude, City.longitude).where(
                City.latitude.between(lat - dlat, lat + dlat),
                City.longitude.between(lon - dlon, lon + dlon),
            )
        )
        ids = tuple(
            sorted(
                {city_id}
                | {
                    cid
                    for cid, la, lo in rows
                    if la is not None and lo is not None and haversine_km(lat, lon, la, lo) <= km
                }
            )
        )
    near_cache.put(key, ids)
    return ids


def _country_id(iso2: str):
    return select(Country.id).where(Country.iso2 == iso2).scalar_subquery()


def _any_code(model, codes: tuple[str, ...]):
    return exists().where(model.user_id == CastingProfile.user_id, model.code.in_(codes))


def _every_code(model, codes: tuple[str, ...]) -> list:
    return [exists().where(model.user_id == CastingProfile.user_id, model.code == c) for c in codes]


#: Single-column closed criteria: filter name -> column.
COLUMNS = {
    "ethnicity": CastingProfile.ethnicity,
    "eyes": CastingProfile.eye_colour,
    "hair": CastingProfile.hair_colour,
    "hair_type": CastingProfile.hair_type,
    "hair_length": CastingProfile.hair_length,
    "skin": CastingProfile.skin_tone,
    "build": CastingProfile.build,
    "top": CastingProfile.top_size,
}
#: One-row-per-code tables: filter name -> model.
CODE_TABLES: dict[str, Any] = {
    "type": CastingTalentType,
    "skill": CastingSkill,
    "asset": CastingAsset,
    "accent": CastingAccent,
}


def has_photo():
    return exists().where(
        CastingPhoto.user_id == CastingProfile.user_id, CastingPhoto.is_primary == true()
    )


def conditions(session: Session, f: CastingFilters, today: dt.date) -> list:
    """The WHERE conditions of `f` (over casting_profiles; a text `q` also reads users)."""
    where: list = list(searchable_conditions())
    if f.q:
        code = f.q.upper()
        if _CODE_RE.match(code):
            where.append(or_(CastingProfile.code == code, User.code == code, name_condition(f.q)))
        else:
            where.append(name_condition(f.q))
    # Gender and age on the casting profile's copy (migration 0013): one table and its
    # partial index for the usual criteria, instead of a probe of users per candidate.
    if f.gender:
        where.append(CastingProfile.gender == f.gender)
    for name, column in COLUMNS.items():
        chosen = getattr(f, name)
        if chosen:
            where.append(column.in_(chosen))
    if f.type:
        where.append(_any_code(CastingTalentType, f.type))
    for name in ("skill", "asset", "accent"):
        where += _every_code(CODE_TABLES[name], getattr(f, name))
    levels = levels_at_least(f.level) if f.level else None
    for code in f.language:
        spoken = exists().where(
            TalentLanguage.user_id == CastingProfile.user_id, TalentLanguage.code == code
        )
        where.append(spoken.where(TalentLanguage.level.in_(levels)) if levels else spoken)
    if f.age_min is not None:  # at least age_min years old today
        where.append(CastingProfile.date_of_birth <= years_before(today, f.age_min))
    if f.age_max is not None:  # not yet age_max + 1 years old
        where.append(CastingProfile.date_of_birth > years_before(today, f.age_max + 1))
    # Playing age: the profile's range overlaps the asked one.
    if f.play_min is not None:
        where.append(CastingProfile.playing_age_max >= f.play_min)
    if f.play_max is not None:
        where.append(CastingProfile.playing_age_min <= f.play_max)
    if f.height_min is not None:
        where.append(CastingProfile.height_cm >= f.height_min)
    if f.height_max is not None:
        where.append(CastingProfile.height_cm <= f.height_max)
    if f.shoe_min is not None:
        where.append(CastingProfile.shoe_size >= f.shoe_min)
    if f.shoe_max is not None:
        where.append(CastingProfile.shoe_size <= f.shoe_max + 0.5)
    if f.nationality:
        where.append(
            exists().where(
                TalentProfile.user_id == CastingProfile.user_id,
                TalentProfile.nationality_id == _country_id(f.nationality),
            )
        )
    if f.country:
        where.append(CastingProfile.country_id == _country_id(f.country))
    if f.near:
        ids = cities_within(session, f.near, f.km)
        where.append(CastingProfile.city_id.in_(ids) if ids else false())
    elif f.city:
        where.append(CastingProfile.city_id == f.city)
    if f.card:
        where.append(CastingProfile.artist_card_verified_at.is_not(None))
    if f.photo:
        where.append(has_photo())
    if f.voice:
        where.append(CastingProfile.voice_reel_name.is_not(None))
    if f.months:
        since = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC) - dt.timedelta(
            days=round(30.44 * f.months)
        )
        where.append(CastingProfile.updated_at >= since)
    return where


def filtered_select(
    session: Session, f: CastingFilters, today: dt.date, *, users: bool = True
) -> Select:
    """``SELECT casting_profiles.user_id`` of the searched profiles matching `f` (no order),
    joined to ``users`` when the caller reads its columns (`users`) or `f` has a text."""
    stmt = select(CastingProfile.user_id)
    if users or f.q:
        stmt = stmt.join(User, User.id == CastingProfile.user_id)
    return stmt.where(*conditions(session, f, today))


def order_keys(f: CastingFilters) -> list[tuple]:
    """The sort as (expression, descending, nullable) triples; NULLs (no height, no date of
    birth) always last. Keys that cannot be NULL keep the default NULLS order, so that the
    partial index on (created_at DESC, user_id DESC) serves « newest first »."""
    newest = [(CastingProfile.created_at, True, False), (CastingProfile.user_id, True, False)]
    if f.sort == "newest":
        return newest
    if f.sort in ("height", "height_desc"):
        return [
            (CastingProfile.height_cm, f.sort == "height_desc", True),
            (CastingProfile.user_id, False, False),
        ]
    if f.sort in ("age", "age_desc"):  # youngest first: latest birth date first
        born = CastingProfile.date_of_birth  # the account's, copied (migration 0013)
        return [(born, f.sort == "age", True), (CastingProfile.user_id, False, False)]
    # Relevance: an exact code first, then profiles with a photo, then the newest.
    keys: list[tuple] = []
    code = f.q.upper()
    if f.q and _CODE_RE.match(code):
        exact = or_(CastingProfile.code == code, User.code == code)
        keys.append((case((exact, 0), else_=1), False, False))
    keys.append((case((has_photo(), 0), else_=1), False, False))
    return keys + newest


def directed(expression, descending: bool, nullable: bool):
    key = expression.desc() if descending else expression.asc()
    return key.nulls_last() if nullable else key


def order_by(f: CastingFilters) -> tuple:
    return tuple(directed(*key) for key in order_keys(f))


@dataclass(frozen=True)
class Card:
    """One face of the contact sheet (public-safe columns only)."""

    user_id: int
    code: str | None
    first_name: str
    last_name: str
    gender: str | None
    date_of_birth: dt.date | None
    height_cm: int | None
    thumb_name: str | None
    city: str | None

    def age(self, today: dt.date) -> int | None:
        born = self.date_of_birth
        if born is None:
            return None
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def initials(self) -> str:
        return "".join(part[:1] for part in (self.first_name, self.last_name)).upper()


def card_from(row, city: str | None) -> Card:
    """A card from a row starting with CARD_COLUMNS and the thumbnail's name."""
    uid, code, first, last, gender, born, height, thumb = row[:8]
    return Card(uid, code, first, last, gender, born, height, thumb, city)


@dataclass(frozen=True)
class ResultPage:
    items: list[Card]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def previous_page(self) -> int | None:
        return min(self.page - 1, self.pages) if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def _thumb():
    return (
        select(CastingPhoto.thumb_name)
        .where(CastingPhoto.user_id == CastingProfile.user_id, CastingPhoto.is_primary == true())
        .limit(1)
        .scalar_subquery()
    )


CARD_COLUMNS = (
    CastingProfile.user_id,
    CastingProfile.code,
    User.first_name,
    User.last_name,
    User.gender,
    User.date_of_birth,
    CastingProfile.height_cm,
)


def tune(session: Session) -> None:
    """PostgreSQL planner settings for this transaction's search statements: no JIT (its
    compilation costs more than these statements: hundreds of ms for a 50 ms query) and a
    random page cost for data in memory, so probes of the code tables' primary keys are
    preferred to reading them whole."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1"))


def search(
    session: Session,
    f: CastingFilters,
    today: dt.date,
    *,
    total: int,
    per_page: int = PER_PAGE,
    page_ids: list[int] | None = None,
) -> ResultPage:
    """One page of cards. `total` comes from the facets' statement, which counts the matches
    anyway: the page itself is one ordered, limited statement. The relevance order without a
    text (photos first, then the newest) reads the matches with a photo, then those without,
    each walking the newest first, instead of sorting every match; the matches with a photo
    are counted only for a page past the last of them (where the second walk starts).

    The ordered statement reads casting_profiles alone (ids only; users only for a text): the
    rows an OFFSET skips are never joined to users. The page's cards (names from users, the
    thumbnail, the city's name) come afterwards in one statement by id. `page_ids`: the ids
    the facets' statement already picked (few matches), in order."""
    pages = max(1, math.ceil(total / per_page))
    if page_ids is not None:
        return ResultPage(_cards(session, page_ids), total, f.page, pages, per_page)
    tune(session)
    offset = (f.page - 1) * per_page
    base = filtered_select(session, f, today, users=False)
    newest = (CastingProfile.created_at.desc(), CastingProfile.user_id.desc())
    ids: list[int] = []
    if f.sort == "relevance" and not f.q:
        stmt = base.where(has_photo()).order_by(*newest)
        ids += session.scalars(stmt.limit(per_page).offset(offset))
        if len(ids) < per_page and offset + len(ids) < total:
            # The photos ended on this page (or before it: then count them).
            with_photo = offset + len(ids)
            if not ids and offset:
                counted = select(func.count()).select_from(stmt.order_by(None).subquery())
                with_photo = session.scalar(counted) or 0
            stmt = base.where(~has_photo()).order_by(*newest)
            skip = max(0, offset - with_photo)
            ids += session.scalars(stmt.limit(per_page - len(ids)).offset(skip))
    else:
        stmt = base.order_by(*order_by(f)).limit(per_page).offset(offset)
        ids = list(session.scalars(stmt))
    return ResultPage(_cards(session, ids), total, f.page, pages, per_page)


def _cards(session: Session, user_ids: list[int]) -> list[Card]:
    """The cards of `user_ids`, in that order: their columns, primary thumbnail and city name
    in one statement."""
    if not user_ids:
        return []
    photo = aliased(CastingPhoto)
    stmt = (
        select(*CARD_COLUMNS, photo.thumb_name, City.name)
        .join(User, User.id == CastingProfile.user_id)
        .outerjoin(photo, (photo.user_id == CastingProfile.user_id) & (photo.is_primary == true()))
        .outerjoin(City, City.id == User.city_id)
        .where(CastingProfile.user_id.in_(user_ids))
    )
    by_id = {row[0]: card_from(row[:-1], row[-1]) for row in session.execute(stmt)}
    return [by_id[uid] for uid in user_ids if uid in by_id]


def matching_rows(session: Session, f: CastingFilters, today: dt.date, limit: int) -> Select:
    """The exports' statement: the same matches in the same order, at most `limit` rows,
    with the card's columns (the caller adds what it shows)."""
    tune(session)
    return (
        filtered_select(session, f, today)
        .with_only_columns(*CARD_COLUMNS, _thumb(), User.city_id)
        .order_by(*order_by(f))
        .limit(limit)
    )


__all__ = [
    "Card",
    "ResultPage",
    "cities_within",
    "conditions",
    "filtered_select",
    "matching_rows",
    "order_by",
    "search",
    "searchable_conditions",
]
