"""Aggregate figures for the admin dashboard: aggregate queries, never a load of every user.

:func:`dashboard_figures` gathers every figure of the page in five statements whatever the
number of accounts:

1. the ids of the few staff accounts (through the index on ``account_capabilities``), then
   one scan of ``users`` grouped by (country, city, talent or staff): the account totals, two
   of the completeness checks, and the top countries and cities (ranked here from the groups,
   a few hundred rows, never one row per user);
2. one scan of ``talent_profiles`` with the distinct counts of ``talent_skills`` and
   ``talent_languages``: the profile health and the other completeness checks;
3. one ``GROUP BY`` of ``talent_skills``: the top skills;
4. one index range scan of ``users.created_at``: the registrations over time.

Staff accounts (a handful) are left out by subtracting their share, reached by primary key
through their ids (statement 1), rather than by joining every row of the big tables to
``users`` or ``account_capabilities``. Every statement is
portable SQL (``COUNT … FILTER`` needs SQLite 3.30 or later): the same code runs on SQLite
and PostgreSQL, with no dialect-specific date function.

Definitions (what the page means by its words):

* a *talent* is an account holding the ``talent`` capability; the others (recruiters, presence
  operators, admins who are not also talents) are *staff*. Staff are found as holders of
  another capability without the talent one: an account holding no capability at all (the
  admin pages never leave one so) counts in the totals as staff but is not subtracted;
* *active* is ``is_active_account``; figures about talents count active and inactive ones;
* *new in N days* is ``created_at >= now - N days``; time is UTC throughout;
* *registrations* are talents' accounts by week (ISO weeks, Monday 00:00 UTC) or by calendar
  month, the current period included and empty periods counted as 0;
* *without photo* / *without CV* count talents lacking the file, those without a profile row
  included (they have no photo either); *without profile* counts the latter on their own;
* top lists rank by number of talents, most first, ties by name.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Subquery,
    and_,
    case,
    exists,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from talento.accounts.models import AccountCapability, Capability, User
from talento.extensions import utcnow
from talento.geo.models import City, Country
from talento.profiles.models import Skill, TalentLanguage, TalentProfile, talent_skills

Period = Literal["week", "month"]
PERIODS: tuple[Period, ...] = ("week", "month")
BUCKETS = 12
TOP_LIMIT = 10


@dataclass(frozen=True)
class Totals:
    """Account counts. ``users`` is every account, staff included."""

    users: int
    talents: int
    active: int
    inactive: int
    new_7_days: int
    new_30_days: int
    staff: int


@dataclass(frozen=True)
class ProfileHealth:
    """How complete talents' profiles are; ``average_completeness`` is None without talents."""

    average_completeness: float | None
    without_profile: int
    without_photo: int
    without_cv: int


@dataclass(frozen=True)
class Bucket:
    """Registrations in ``[start, end)`` (UTC dates)."""

    start: dt.date
    end: dt.date
    count: int


@dataclass(frozen=True)
class Ranked:
    """One line of a top list: a stable key (country ISO code, city id, skill slug), a name
    and a count; for a city, ``detail`` is its country's name and ``parent`` its ISO code."""

    key: str
    label: str
    count: int
    detail: str = ""
    parent: str = ""


@dataclass(frozen=True)
class Dashboard:
    totals: Totals
    profiles: ProfileHealth
    period: Period
    registrations: list[Bucket]
    top_countries: list[Ranked]
    top_cities: list[Ranked]
    top_skills: list[Ranked]


def dashboard_figures(
    session: Session,
    lang: str = "fr",
    period: Period = "week",
    now: dt.datetime | None = None,
) -> Dashboard:
    """Every figure of the admin dashboard (five SQL statements)."""
    now = now or utcnow()
    accounts = account_figures(session, lang, now)
    return Dashboard(
        totals=accounts.totals,
        profiles=profile_health(session, accounts),
        period=period,
        registrations=registrations(session, period, now, staff_ids=accounts.staff_ids),
        top_countries=accounts.top_countries,
        top_cities=accounts.top_cities,
        top_skills=top_skills(session, lang, accounts.staff_ids),
    )


def platform_totals(session: Session) -> Totals:
    """Account totals alone (one statement)."""
    return account_figures(session, "fr", utcnow()).totals


# -- completeness ----------------------------------------------------------------------------


def _filled(column) -> ColumnElement[bool]:
    """Python's truth test on an optional string column: not NULL and not ''."""
    return and_(column.is_not(None), column != "")


#: The checks of :func:`talento.profiles.services.completeness`, one for one and in its order.
#: Keep this list, the three below and that function in step.
COMPLETENESS_CHECKS = (
    "phone",
    "address",
    "photo",
    "cv",
    "bio",
    "skills",
    "languages",
    "experience",
    "education",
    "links",
)
#: Checks on the account row. Encrypted columns (phone, address, and links below) are tested
#: with ``IS NOT NULL``: nothing is decrypted, and the column type stores '' as NULL. The one
#: divergence from ``completeness()``: a value no configured key can decrypt counts here as
#: present, where ``completeness()`` reads it as unavailable (falsy), hence missing.
USER_CHECKS = {
    "phone": User.phone.is_not(None),
    "address": User.address.is_not(None),
}
#: Checks on the profile row (a talent without a profile fails them all).
PROFILE_CHECKS = {
    "photo": _filled(TalentProfile.photo_name),
    "cv": _filled(TalentProfile.cv_name),
    "bio": _filled(TalentProfile.bio),
    "experience": TalentProfile.years_experience.is_not(None),
    "education": _filled(TalentProfile.education),
    "links": TalentProfile.links.is_not(None),
}
#: Checks passed by having at least one row in a table keyed by ``user_id``.
ROW_CHECKS = {
    "skills": talent_skills.c.user_id,
    "languages": TalentLanguage.user_id,
}
assert sorted(COMPLETENESS_CHECKS) == sorted([*USER_CHECKS, *PROFILE_CHECKS, *ROW_CHECKS])


def average_completeness(passes: dict[str, int], talents: int) -> float | None:
    """The mean over talents of ``completeness()``, from how many talents pass each check.

    ``completeness()`` scores ``round(100 × passed / checks)``; by linearity the mean of the
    unrounded score is ``100 × (sum over the checks of the talents passing it) / (checks ×
    talents)``, and each term is one ``COUNT``. With ten checks every score is a multiple of
    ten, so the rounding changes nothing and the two agree exactly.
    """
    if not talents:
        return None
    return (
        100
        * sum(passes[name] for name in COMPLETENESS_CHECKS)
        / (len(COMPLETENESS_CHECKS) * talents)
    )


# -- statement 1: accounts, countries, cities ------------------------------------------------


@dataclass(frozen=True)
class AccountFigures:
    totals: Totals
    #: How many talents pass each of USER_CHECKS.
    passes: dict[str, int]
    top_countries: list[Ranked]
    top_cities: list[Ranked]
    #: Ids of the staff accounts (a handful): the other statements subtract their share.
    staff_ids: list[int]


def _sort_key(item: Ranked) -> tuple:
    """Most first, then by name (case and accents ignored), then by key."""
    plain = unicodedata.normalize("NFKD", item.label).encode("ascii", "ignore").decode()
    return (-item.count, plain.casefold(), item.label, item.key)


def _top(items, limit: int = TOP_LIMIT) -> list[Ranked]:
    return sorted((item for item in items if item.count), key=_sort_key)[:limit]


def staff_account_ids(session: Session) -> list[int]:
    """Ids of the accounts that are not talents: holders of another capability and not of the
    talent one (an index range scan of ``account_capabilities``, a handful of rows)."""
    talent = Capability.TALENT.value
    held = aliased(AccountCapability)
    is_talent = exists().where(held.user_id == AccountCapability.user_id, held.capability == talent)
    stmt = (
        select(AccountCapability.user_id)
        .where(AccountCapability.capability != talent, ~is_talent)
        .distinct()
    )
    return sorted(session.scalars(stmt))


def _talent(staff_ids: list[int]) -> ColumnElement[bool]:
    """SQL: the ``users`` row is a talent's (not one of the staff ids): a short list compared
    on each row, rather than a join of every user to their capabilities."""
    # Without staff, a condition that is true on every row but not a constant (PostgreSQL
    # refuses to GROUP BY a constant).
    return User.id.not_in(staff_ids) if staff_ids else User.id.is_not(None)


def account_figures(session: Session, lang: str, now: dt.datetime) -> AccountFigures:
    """One scan of ``users`` grouped by (country, city, talent or not); names joined to the
    groups only. The few staff ids come first, from a narrow query on the capability index:
    grouping by id would make PostgreSQL expect one group per row and sort 100,000 rows
    instead of hashing them.
    """
    staff_ids = staff_account_ids(session)
    talent = _talent(staff_ids)
    is_talent = talent.label("is_talent")
    groups = (
        select(
            User.country_id,
            User.city_id,
            is_talent,
            func.count().label("accounts"),
            func.count().filter(talent).label("talents"),
            func.count().filter(talent, User.is_active_account).label("active"),
            func.count().filter(talent, User.created_at >= now - dt.timedelta(days=7)),
            func.count().filter(talent, User.created_at >= now - dt.timedelta(days=30)),
            *(func.count().filter(talent, check) for check in USER_CHECKS.values()),
        )
        .group_by(User.country_id, User.city_id, talent)
        .subquery()
    )
    rows = session.execute(
        select(groups, Country.iso2, Country.name(lang), City.name)
        .outerjoin(Country, Country.id == groups.c.country_id)
        .outerjoin(City, City.id == groups.c.city_id)
    ).all()

    sums = [0] * (5 + len(USER_CHECKS))
    countries: dict[str, Ranked] = {}
    cities: dict[int, Ranked] = {}
    for _country_id, city_id, _is_talent, *counts, iso2, country, city in rows:
        sums = [a + b for a, b in zip(sums, counts, strict=True)]
        talents = counts[1]
        if iso2 is not None:
            known = countries.get(iso2)
            countries[iso2] = Ranked(iso2, country, talents + (known.count if known else 0))
        if city is not None:
            known = cities.get(city_id)
            talents += known.count if known else 0
            cities[city_id] = Ranked(str(city_id), city, talents, country or "", iso2 or "")
    accounts, talents, active, new7, new30, *passes = sums
    totals = Totals(
        users=accounts,
        talents=talents,
        active=active,
        inactive=talents - active,
        new_7_days=new7,
        new_30_days=new30,
        staff=accounts - talents,
    )
    return AccountFigures(
        totals=totals,
        passes=dict(zip(USER_CHECKS, passes, strict=True)),
        top_countries=_top(countries.values()),
        top_cities=_top(cities.values()),
        staff_ids=staff_ids,
    )


# -- statement 2: profile health ---------------------------------------------------------------


def _profile_counts(staff_ids: list[int] | None) -> Subquery:
    """Profiles and how many pass each of PROFILE_CHECKS: all of them, or staff's only
    (found by primary key)."""
    stmt = select(
        func.count().label("profiles"),
        *(func.count().filter(check).label(name) for name, check in PROFILE_CHECKS.items()),
    )
    if staff_ids is not None:
        stmt = stmt.where(TalentProfile.user_id.in_(staff_ids))
    return stmt.subquery("staff_profiles" if staff_ids is not None else "profiles")


def _users_with_rows(column, staff_ids: list[int] | None) -> ScalarSelect:
    """How many users have at least one row in `column`'s table (staff's only if given).

    Counted as the rows of ``GROUP BY user_id ORDER BY user_id`` rather than with
    ``COUNT(DISTINCT …)``: the order lets PostgreSQL walk the primary key in order instead of
    sorting or hashing every row, about twice as fast at 100,000 talents.
    """
    users = select(column).group_by(column).order_by(column)
    if staff_ids is not None:
        users = users.where(column.in_(staff_ids))
    return select(func.count()).select_from(users.subquery()).scalar_subquery()


def profile_health(session: Session, accounts: AccountFigures) -> ProfileHealth:
    """Counts over every profile (and skill and language row) minus the staff's share."""
    staff = accounts.staff_ids
    everyone, staff_only = _profile_counts(None), _profile_counts(staff)
    rows_checks = [
        _users_with_rows(column, ids) for column in ROW_CHECKS.values() for ids in (None, staff)
    ]
    row = session.execute(
        select(everyone, staff_only, *rows_checks).select_from(everyone).join(staff_only, true())
    ).one()
    width = 1 + len(PROFILE_CHECKS)
    profile_counts = [a - b for a, b in zip(row[:width], row[width : 2 * width], strict=True)]
    row_counts = row[2 * width :]
    profiles, *profile_passes = profile_counts
    passes = dict(accounts.passes)
    passes.update(zip(PROFILE_CHECKS, profile_passes, strict=True))
    passes.update(
        (name, row_counts[2 * i] - row_counts[2 * i + 1]) for i, name in enumerate(ROW_CHECKS)
    )
    talents = accounts.totals.talents
    return ProfileHealth(
        average_completeness=average_completeness(passes, talents),
        without_profile=talents - profiles,
        without_photo=talents - passes["photo"],
        without_cv=talents - passes["cv"],
    )


# -- statement 3: top skills -------------------------------------------------------------------


def top_skills(
    session: Session,
    lang: str = "fr",
    staff_ids: list[int] | None = None,
    limit: int = TOP_LIMIT,
) -> list[Ranked]:
    """Skills held by the most talents: every holder counted, minus staff holders (whose
    ids :func:`account_figures` gives; looked up here when not given)."""
    if staff_ids is None:
        staff_ids = staff_account_ids(session)
    name = Skill.name(lang)
    skill, holder = talent_skills.c.skill_id, talent_skills.c.user_id

    def per_skill(staff: bool) -> Subquery:
        stmt = select(skill.label("key"), func.count().label("n")).group_by(skill)
        if staff:
            stmt = stmt.where(holder.in_(staff_ids))
        return stmt.subquery()

    everyone, staff = per_skill(False), per_skill(True)
    n = everyone.c.n - func.coalesce(staff.c.n, 0)
    stmt = (
        select(Skill.slug, name, n)
        .join(everyone, everyone.c.key == Skill.id)
        .outerjoin(staff, staff.c.key == Skill.id)
        .where(n > 0)
        .order_by(n.desc(), name, Skill.slug)
        .limit(limit)
    )
    return [Ranked(slug, label, count) for slug, label, count in session.execute(stmt)]


# -- statement 4: registrations over time ----------------------------------------------------


def bucket_starts(period: Period, today: dt.date, count: int = BUCKETS) -> list[dt.date]:
    """The first day of the last `count` weeks (Mondays) or months, oldest first, the one
    containing `today` last; followed by the start of the next period (the end bound)."""
    if period == "month":
        index = today.year * 12 + today.month - 1
        return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 2)]
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=count - 1 - i) for i in range(count + 1)]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def registrations(
    session: Session,
    period: Period,
    now: dt.datetime,
    count: int = BUCKETS,
    staff_ids: list[int] | None = None,
) -> list[Bucket]:
    """Talents registered per week or month, empty periods included.

    The bucket bounds are computed here and the database only numbers each row's bucket with
    a ``CASE`` and groups by it: portable, and an index range scan on ``created_at``. Staff
    (found here unless `staff_ids` is given) are left out by id.
    """
    if staff_ids is None:
        staff_ids = staff_account_ids(session)
    starts = bucket_starts(period, now.astimezone(dt.UTC).date(), count)
    bounds = [_midnight(day) for day in starts]
    bucket = case(
        *((User.created_at >= bounds[i], i) for i in range(count - 1, 0, -1)),
        else_=0,
    ).label("bucket")
    rows = session.execute(
        select(bucket, func.count())
        .where(
            _talent(staff_ids),
            User.created_at >= bounds[0],
            User.created_at < bounds[-1],
        )
        .group_by(bucket)
    ).all()
    counts = {int(index): n for index, n in rows}
    return [Bucket(starts[i], starts[i + 1], counts.get(i, 0)) for i in range(count)]
