"""The admin's list of accounts: one search box, filters, sort, pages.

The search box understands what it is given: an e-mail (contains « @ », prefix match), a
talent code (exact), a phone number (exact, through the blind index: nothing is decrypted) or
names (prefix of first or last name). The same :func:`admin_select` feeds the list page and the
exports, so an export is always « the current filtered list ».
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from sqlalchemy import Select, exists, false, func, or_, select
from sqlalchemy.orm import Session

from talento.accounts.models import Capability, User, capability_list, holds, in_order
from talento.crypto import KeyRing
from talento.geo.models import City, Country
from talento.profiles.models import Availability, Skill, TalentProfile, talent_skills
from talento.profiles.phones import InvalidPhone, to_e164
from talento.profiles.search.directory import escape_like, name_condition, page_total
from talento.profiles.search.query_args import COUNTRY_RE, SLUG_RE, QueryArgs

SORTS = ("recent", "oldest", "name", "code", "last_login")
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200
MAX_PAGE = 10_000
STATUSES = ("active", "inactive")
VERIFIED = ("yes", "no")
MAX_Q_LENGTH = 120
_PHONE_RE = re.compile(r"^\+?[\d\s().-]{6,25}$")
_CODE_RE = re.compile(r"^[A-Z]{2}[MFN][0-9A-Z]{4}[A-Z]{3}$")


@dataclass(frozen=True)
class AdminFilters:
    q: str = ""
    capability: str | None = None
    status: str | None = None
    verified: str | None = None  # "yes" or "no": the e-mail address
    country: str | None = None
    city: int | None = None
    skill: str | None = None
    availability: str | None = None
    registered_from: dt.date | None = None
    registered_to: dt.date | None = None
    sort: str = "recent"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def query_args(self, **changes) -> list[tuple[str, str]]:
        """Query-string pairs reproducing these filters (defaults left out)."""
        current = replace(self, **changes) if changes else self
        defaults = AdminFilters()
        pairs = []
        for f in fields(self):
            value = getattr(current, f.name)
            if value not in (None, "") and value != getattr(defaults, f.name):
                pairs.append(
                    (f.name, value.isoformat() if isinstance(value, dt.date) else str(value))
                )
        return pairs

    @property
    def search_kind(self) -> str:
        return search_kind(self.q)


def search_kind(q: str) -> str:
    """« email », « code », « phone », « name » or « » (empty box)."""
    if not q:
        return ""
    if "@" in q:
        return "email"
    if _CODE_RE.match(q.upper()):
        return "code"
    if _PHONE_RE.match(q) and sum(c.isdigit() for c in q) >= 6:
        return "phone"
    return "name"


def parse_admin_filters(args: Mapping) -> AdminFilters:
    """Validate query parameters; bad values are dropped, never an error."""
    read = QueryArgs(args)
    country = read.token("country", COUNTRY_RE, fold=str.upper)
    start, end = read.date_range("registered_from", "registered_to")
    return AdminFilters(
        q=read.text("q", max_length=MAX_Q_LENGTH),
        capability=read.choice("capability", set(Capability)),
        status=read.choice("status", STATUSES),
        verified=read.choice("verified", VERIFIED),
        country=country,
        city=read.integer("city", low=1, high=2**31 - 1) if country else None,
        skill=read.token("skill", SLUG_RE, fold=str.lower),
        availability=read.choice("availability", set(Availability)),
        registered_from=start,
        registered_to=end,
        sort=read.choice("sort", SORTS, "recent"),
        page=read.page(last=MAX_PAGE),
        per_page=read.per_page(default=DEFAULT_PER_PAGE, most=MAX_PER_PAGE),
    )


def phone_condition(q: str, region: str | None, keyring: KeyRing):
    """Exact match of a phone or WhatsApp number through the blind indexes."""
    try:
        e164 = to_e164(q, region)
    except InvalidPhone:
        return false()
    candidates = keyring.blind_index_candidates(e164)
    return or_(User.phone_index.in_(candidates), User.whatsapp_index.in_(candidates))


def _search_condition(q: str, region: str | None, keyring: KeyRing):
    kind = search_kind(q)
    if kind == "email":
        term = escape_like(q.lower())
        return func.lower(User.email).like(term + "%", escape="\\")
    if kind == "code":
        return User.code == q.upper()
    if kind == "phone":
        return phone_condition(q, region, keyring)
    return name_condition(q)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def admin_select(filters: AdminFilters, keyring: KeyRing) -> Select:
    """``SELECT users.id`` of the accounts matching `filters` (no order, no limit)."""
    stmt = select(User.id)
    if filters.q:
        stmt = stmt.where(_search_condition(filters.q, filters.country, keyring))
    if filters.capability:
        stmt = stmt.where(holds(filters.capability))
    if filters.status:
        stmt = stmt.where(User.is_active_account == (filters.status == "active"))
    if filters.verified:
        verified = User.email_verified_at.is_not(None)
        stmt = stmt.where(verified if filters.verified == "yes" else ~verified)
    if filters.country:
        country_id = select(Country.id).where(Country.iso2 == filters.country).scalar_subquery()
        stmt = stmt.where(User.country_id == country_id)
    if filters.city:
        stmt = stmt.where(User.city_id == filters.city)
    if filters.skill:
        chosen = select(Skill.id).where(Skill.slug == filters.skill).scalar_subquery()
        stmt = stmt.where(
            exists().where(talent_skills.c.user_id == User.id, talent_skills.c.skill_id == chosen)
        )
    if filters.availability:
        stmt = stmt.where(
            exists().where(
                TalentProfile.user_id == User.id,
                TalentProfile.availability == filters.availability,
            )
        )
    if filters.registered_from:
        stmt = stmt.where(User.created_at >= _day_start(filters.registered_from))
    if filters.registered_to:
        next_day = filters.registered_to + dt.timedelta(days=1)
        stmt = stmt.where(User.created_at < _day_start(next_day))
    return stmt


def admin_order(sort: str) -> tuple:
    if sort == "name":
        return (func.lower(User.last_name), func.lower(User.first_name), User.id)
    if sort == "code":
        return (User.code,)
    if sort == "oldest":
        return (User.created_at, User.id)
    if sort == "last_login":
        return (User.last_login_at.desc().nulls_last(), User.id.desc())
    return (User.created_at.desc(), User.id.desc())


@dataclass(frozen=True)
class AdminRow:
    """One line of the admin list: clear columns only (nothing decrypted)."""

    id: int
    code: str
    first_name: str
    last_name: str
    email: str
    #: Comma-separated capabilities as the database aggregates them (see `capabilities`).
    capability_text: str | None
    is_active: bool
    city: str | None
    country: str | None
    created_at: dt.datetime
    last_login_at: dt.datetime | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def capabilities(self) -> list[str]:
        return in_order((self.capability_text or "").split(",")) if self.capability_text else []


@dataclass(frozen=True)
class AdminPage:
    items: list[AdminRow]
    total: int
    page: int
    pages: int
    per_page: int


def search_users(
    session: Session, filters: AdminFilters, keyring: KeyRing, lang: str = "fr"
) -> AdminPage:
    base = admin_select(filters, keyring)
    offset = (filters.page - 1) * filters.per_page
    # Plain Select: with_only_columns types its first 8 columns only, and mypy cannot spread
    # such a row (typed head, untyped tail) over AdminRow's 11 fields.
    stmt: Select = (
        base.with_only_columns(
            User.id,
            User.code,
            User.first_name,
            User.last_name,
            User.email,
            capability_list(),
            User.is_active_account,
            City.name,
            Country.name(lang),
            User.created_at,
            User.last_login_at,
        )
        .outerjoin(City, City.id == User.city_id)
        .outerjoin(Country, Country.id == User.country_id)
        .order_by(*admin_order(filters.sort))
        .limit(filters.per_page)
        .offset(offset)
    )
    rows = [AdminRow(*row) for row in session.execute(stmt)]
    total = page_total(session, base, filters.page, filters.per_page, len(rows))
    pages = max(1, math.ceil(total / filters.per_page))
    return AdminPage(rows, total, filters.page, pages, filters.per_page)


def matching_ids(
    session: Session, filters: AdminFilters, keyring: KeyRing, limit: int
) -> list[int]:
    """Ids of the filtered list, in list order, at most `limit` (bulk selection « all »)."""
    stmt = admin_select(filters, keyring).order_by(*admin_order(filters.sort)).limit(limit)
    return list(session.scalars(stmt))


def same_phone_accounts(
    session: Session, user_id: int | None, e164: str, keyring: KeyRing
) -> list[str]:
    """Codes of other accounts that registered `e164` as phone or WhatsApp."""
    candidates = keyring.blind_index_candidates(e164)
    stmt = select(User.code).where(
        or_(User.phone_index.in_(candidates), User.whatsapp_index.in_(candidates))
    )
    if user_id is not None:
        stmt = stmt.where(User.id != user_id)
    return list(session.scalars(stmt.order_by(User.code).limit(10)))
