"""The public talent directory: filters, search, and the choices of the filter form.

Only public data leaves this module (DESIGN "Who sees what"): the queries select explicit clear
columns, never an entity, so no encrypted column is read and nothing is decrypted.

Listed talents are active accounts with the capability ``talent``, a verified e-mail address
and a talent profile whose visibility is « public » (``listed_conditions``). The same SQL runs
on SQLite and PostgreSQL: ages become date bounds computed in Python, and name search is a
case-insensitive prefix match (``lower(col) LIKE 'term%'`` with the user's wildcards escaped).
The database's ``lower()`` folds both sides: PostgreSQL folds every letter, SQLite only ASCII
ones (there « Élo » finds « Élodie » but « élo » does not). Accents are never folded.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import Select, and_, event, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from talento.accounts.models import Capability, Gender, User, holds
from talento.geo.models import City, Country
from talento.geo.services import french_key
from talento.profiles.languages import LANGUAGES, levels_at_least
from talento.profiles.models import (
    Availability,
    Skill,
    SkillCategory,
    TalentLanguage,
    TalentProfile,
    Visibility,
    talent_skills,
)
from talento.profiles.search.query_args import COUNTRY_RE, SLUG_RE, QueryArgs

SORTS = ("recent", "name", "updated")
DEFAULT_SORT = "recent"
DEFAULT_PER_PAGE = 24
MAX_PER_PAGE = 100
MAX_PAGE = 10_000  # keeps OFFSET small and integer-sized whatever the URL says
MAX_AGE = 120
MAX_Q_LENGTH = 100
MAX_TERMS = 5
MAX_SKILLS = 20
MAX_LANGUAGES = 10
MAX_FILTER_LENGTH = 40
#: Minimum levels the language filter offers (« notions » is any level: no filter).
LEVELS = ("conversational", "fluent", "native")
CARD_SKILLS = 5
#: A search counts its matches up to here (or to the end of the page asked for, if further):
#: past it the page says « plus de 1 000 talents ». An exact count of a broad search (« ben »
#: matches 12,000 of 100,000) reads every match, which is the slowest part of the page.
COUNT_CAP = 1000

_CODE_RE = re.compile(r"^[A-Z]{2}[MFN][0-9A-Z]{4}[A-Z]{3}$")  # PPGNNNNVVV


@dataclass(frozen=True)
class DirectoryFilters:
    """What a visitor asked for, already validated (build it with :func:`parse_filters`)."""

    q: str = ""
    skills: tuple[str, ...] = ()
    country: str | None = None  # ISO 3166 alpha-2, upper case
    city: int | None = None
    availability: str | None = None
    gender: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    languages: tuple[str, ...] = ()  # codes of profiles.languages (every one is required)
    #: The lowest level accepted for each chosen language (None: any level); only with languages.
    level: str | None = None
    #: The text typed in the filter box of the language list and of the skill list: it narrows
    #: the lists shown (no JavaScript needed), never the results.
    language_filter: str = ""
    skill_filter: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def refined(self) -> bool:
        """True when a filter of the « more filters » panel is set (not q, not the sort)."""
        return bool(
            self.skills
            or self.country
            or self.availability
            or self.gender
            or self.age_min is not None
            or self.age_max is not None
            or self.languages
        )

    def query_args(self, **changes) -> list[tuple[str, str]]:
        """The query string pairs that reproduce these filters (defaults left out)."""
        f = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = [("q", f.q)] if f.q else []
        pairs += [("skill", slug) for slug in f.skills]
        singles = (
            ("country", f.country),
            ("city", f.city),
            ("availability", f.availability),
            ("gender", f.gender),
            ("age_min", f.age_min),
            ("age_max", f.age_max),
        )
        pairs += [(name, str(value)) for name, value in singles if value is not None]
        pairs += [("language", code) for code in f.languages]
        if f.level:
            pairs.append(("level", f.level))
        if f.sort != DEFAULT_SORT:
            pairs.append(("sort", f.sort))
        if f.per_page != DEFAULT_PER_PAGE:
            pairs.append(("per_page", str(f.per_page)))
        if f.page != 1:
            pairs.append(("page", str(f.page)))
        return pairs


@dataclass(frozen=True)
class DirectoryCard:
    """The public face of one talent in the directory: nothing else is ever selected."""

    code: str
    first_name: str
    last_name: str
    photo_name: str | None
    city: str | None
    country: str | None
    skills: tuple[str, ...]
    availability: str

    @property
    def initials(self) -> str:
        return "".join(part[:1] for part in (self.first_name, self.last_name)).upper()


@dataclass(frozen=True)
class DirectoryPage:
    items: list[DirectoryCard]
    total: int
    page: int
    pages: int
    per_page: int
    #: True when `total` is a floor: more talents match than were counted (see COUNT_CAP).
    more: bool = False

    @property
    def previous_page(self) -> int | None:
        """The page before, or the last page when this one is past the end."""
        return min(self.page - 1, self.pages) if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages or self.more else None


# -- input -------------------------------------------------------------------------------------


def parse_filters(args: Mapping[str, str | list]) -> DirectoryFilters:
    """Validate query parameters. Bad values are dropped or clamped, never an error."""
    read = QueryArgs(args)
    age_min, age_max = (read.integer(name, low=0, high=MAX_AGE) for name in ("age_min", "age_max"))
    if age_min is not None and age_max is not None and age_min > age_max:
        age_min, age_max = age_max, age_min
    country = read.token("country", COUNTRY_RE, fold=str.upper)
    languages = read.choices("language", LANGUAGES, fold=str.lower, most=MAX_LANGUAGES)
    return DirectoryFilters(
        q=read.text("q", max_length=MAX_Q_LENGTH),
        skills=read.tokens("skill", SLUG_RE, fold=str.lower, most=MAX_SKILLS),
        country=country,
        # A city is chosen within a country: without one, the city is ignored.
        city=read.integer("city", low=1, high=2**31 - 1) if country else None,
        availability=read.choice("availability", set(Availability)),
        gender=read.choice("gender", set(Gender), fold=str.upper),
        age_min=age_min,
        age_max=age_max,
        languages=languages,
        level=read.choice("level", LEVELS) if languages else None,
        language_filter=read.text("language_filter", max_length=MAX_FILTER_LENGTH),
        skill_filter=read.text("skill_filter", max_length=MAX_FILTER_LENGTH),
        sort=read.choice("sort", SORTS, DEFAULT_SORT),
        page=read.page(last=MAX_PAGE),
        per_page=read.per_page(default=DEFAULT_PER_PAGE, most=MAX_PER_PAGE),
    )


# -- search ------------------------------------------------------------------------------------


def listed_conditions() -> tuple:
    """Conditions of a listed talent (the query also joins talent_profiles): an active talent
    whose e-mail address is verified and who chose to be in the directory."""
    return (
        User.is_active_account == true(),
        holds(Capability.TALENT.value),
        User.email_verified_at.is_not(None),
        TalentProfile.visibility == Visibility.PUBLIC.value,
    )


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def prefix_match(column, term: str):
    # Both sides go through the database's lower(), so they fold letters the same way.
    return func.lower(column).like(func.lower(escape_like(term) + "%"), escape="\\")


def name_condition(q: str):
    terms = q.split()[:MAX_TERMS]
    by_name = and_(
        *(or_(prefix_match(User.last_name, t), prefix_match(User.first_name, t)) for t in terms)
    )
    if len(terms) == 1 and _CODE_RE.match(q.upper()):
        return or_(User.code == q.upper(), by_name)
    return by_name


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def filtered_select(filters: DirectoryFilters, today: dt.date | None = None) -> Select:
    """``SELECT users.id`` of the listed talents matching `filters` (no order, no limit)."""
    today = today or dt.datetime.now(dt.UTC).date()
    stmt = (
        select(User.id)
        .join(TalentProfile, TalentProfile.user_id == User.id)
        .where(*listed_conditions())
    )
    if filters.q:
        stmt = stmt.where(name_condition(filters.q))
    if filters.skills:
        chosen = select(Skill.id).where(Skill.slug.in_(filters.skills))
        stmt = stmt.where(
            exists().where(talent_skills.c.user_id == User.id, talent_skills.c.skill_id.in_(chosen))
        )
    if filters.country:
        country_id = select(Country.id).where(Country.iso2 == filters.country).scalar_subquery()
        stmt = stmt.where(User.country_id == country_id)
    if filters.city:
        stmt = stmt.where(User.city_id == filters.city)
    if filters.availability:
        stmt = stmt.where(TalentProfile.availability == filters.availability)
    if filters.gender:
        stmt = stmt.where(User.gender == filters.gender)
    if filters.age_min is not None:  # at least age_min years old today
        stmt = stmt.where(User.date_of_birth <= years_before(today, filters.age_min))
    if filters.age_max is not None:  # not yet age_max + 1 years old
        stmt = stmt.where(User.date_of_birth > years_before(today, filters.age_max + 1))
    levels = levels_at_least(filters.level) if filters.level else None
    for code in filters.languages:  # every chosen language (at the level asked, if any)
        spoken = exists().where(TalentLanguage.user_id == User.id, TalentLanguage.code == code)
        if levels:
            spoken = spoken.where(TalentLanguage.level.in_(levels))
        stmt = stmt.where(spoken)
    return stmt


def _order(sort: str) -> tuple:
    if sort == "name":
        return (func.lower(User.last_name), func.lower(User.first_name), User.id)
    if sort == "updated":
        return (TalentProfile.updated_at.desc(), User.id.desc())
    return (User.created_at.desc(), User.id.desc())


def sort_key(text: str) -> str:
    """Accent- and case-insensitive ordering key (« Égypte » sorts with « Espagne »)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def page_total(
    session: Session,
    base: Select,
    page: int,
    per_page: int,
    shown: int,
    known: Callable[[], int] | None = None,
) -> int:
    """How many rows `base` selects. A short page is the last one and tells the total without
    a COUNT; then a `known` total (a kept aggregate); otherwise count (the cost of an exact
    figure on a large list)."""
    if shown < per_page and (shown or page == 1):
        return (page - 1) * per_page + shown
    if known is not None:
        return known()
    return session.scalar(select(func.count()).select_from(base.subquery())) or 0


def search_directory(
    session: Session,
    filters: DirectoryFilters,
    lang: str,
    *,
    today: dt.date | None = None,
    listed: ListedPlaces | None = None,
) -> DirectoryPage:
    """One page of public cards, and how many talents match.

    With nothing chosen the page walks the newest listed talents and `listed` keeps their
    number (no count). Otherwise one query takes the first matches in order up to the cap
    (:data:`COUNT_CAP`, or the end of the asked page), counts them with a window and keeps the
    asked page: a narrow search is read once instead of twice (page, then count), a broad one
    stops at the cap instead of counting every match. Plus one query for the cards' skills.
    """
    base = filtered_select(filters, today)
    offset = (filters.page - 1) * filters.per_page
    if listed is not None and _nothing_chosen(filters):
        rows, total, more = _page_of_everyone(session, base, filters, offset, lang, listed)
    else:
        rows, total, more = _counted_page(session, base, filters, offset, lang)
    skills = _card_skills(session, [row[0] for row in rows], filters.skills, lang)
    items = [
        DirectoryCard(
            code=code,
            first_name=first,
            last_name=last,
            photo_name=photo,
            city=city,
            country=country,
            skills=skills.get(user_id, ()),
            availability=availability,
        )
        for user_id, code, first, last, photo, availability, city, country, *_ in rows
    ]
    pages = max(1, math.ceil(total / filters.per_page))
    return DirectoryPage(items, total, filters.page, pages, filters.per_page, more)


#: What a card shows of a talent, in this order (the rows are unpacked by position).
_CARD_COLUMNS = (
    User.id,
    User.code,
    User.first_name,
    User.last_name,
    TalentProfile.photo_name,
    TalentProfile.availability,
)


def _page_of_everyone(session, base, filters, offset, lang, listed) -> tuple[list, int, bool]:
    page_stmt = (
        base.with_only_columns(*_CARD_COLUMNS, City.name, Country.name(lang))
        .outerjoin(City, City.id == User.city_id)
        .outerjoin(Country, Country.id == User.country_id)
        .order_by(*_order(filters.sort))
        .limit(filters.per_page)
        .offset(offset)
    )
    rows = session.execute(page_stmt).all()
    total = page_total(
        session, base, filters.page, filters.per_page, len(rows), lambda: listed.total(session)
    )
    return list(rows), total, False


def _counted_page(session, base, filters, offset, lang) -> tuple[list, int, bool]:
    cap = max(COUNT_CAP, offset + filters.per_page) + 1
    first = (
        base.with_only_columns(
            *_CARD_COLUMNS,
            User.city_id,
            User.country_id,
            User.created_at,
            TalentProfile.updated_at,
        )
        .order_by(*_order(filters.sort))
        .limit(cap)
        .subquery()
    )
    c = first.c
    if filters.sort == "name":
        order: tuple = (func.lower(c.last_name), func.lower(c.first_name), c.id)
    elif filters.sort == "updated":
        order = (c.updated_at.desc(), c.id.desc())
    else:
        order = (c.created_at.desc(), c.id.desc())
    page_stmt = (
        select(
            c.id,
            c.code,
            c.first_name,
            c.last_name,
            c.photo_name,
            c.availability,
            City.name,
            Country.name(lang),
            func.count().over(),
        )
        .outerjoin(City, City.id == c.city_id)
        .outerjoin(Country, Country.id == c.country_id)
        .order_by(*order)
        .limit(filters.per_page)
        .offset(offset)
    )
    rows = session.execute(page_stmt).all()
    if rows:
        counted = rows[0][-1]
    else:  # past the end: how far the matches go (capped)
        counted = session.scalar(select(func.count()).select_from(base.limit(cap).subquery()))
        counted = counted or 0
    more = counted >= cap
    return list(rows), (cap - 1 if more else counted), more


def _nothing_chosen(filters: DirectoryFilters) -> bool:
    """True when only the order and the page differ from an empty search."""
    return not filters.q and not filters.refined


def _card_skills(
    session: Session, user_ids: list[int], chosen: tuple[str, ...], lang: str
) -> dict[int, tuple[str, ...]]:
    """At most CARD_SKILLS names per talent, the searched skills first, then by name."""
    if not user_ids:
        return {}
    stmt = (
        select(talent_skills.c.user_id, Skill.slug, Skill.name(lang))
        .join(Skill, Skill.id == talent_skills.c.skill_id)
        .where(talent_skills.c.user_id.in_(user_ids))
    )
    found: dict[int, list[tuple[bool, str, str]]] = {}
    for user_id, slug, name in session.execute(stmt):
        found.setdefault(user_id, []).append((slug not in chosen, sort_key(name), name))
    return {
        user_id: tuple(name for *_, name in sorted(entries)[:CARD_SKILLS])
        for user_id, entries in found.items()
    }


# -- the filter form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class SkillGroup:
    label: str
    skills: tuple[Choice, ...]


@dataclass(frozen=True)
class DirectoryForm:
    """Choices of the filter form, and the filters made consistent with them."""

    filters: DirectoryFilters
    skill_groups: tuple[SkillGroup, ...]
    countries: tuple[Choice, ...]
    cities: tuple[Choice, ...]


def _by_label(choices: Iterable[Choice]) -> tuple[Choice, ...]:
    return tuple(sorted(choices, key=lambda c: french_key(c.label)))


class ListedPlaces:
    """The (country, city) pairs that have a listed talent, from one ``GROUP BY`` over the
    listed talents, kept `ttl` seconds per process (the filter form's options).

    At 100,000 talents the aggregate reads every listed talent (tens of ms), so it is not run
    for each page. A flush or an ORM INSERT/UPDATE/DELETE touching users or talent profiles in this
    process drops the list at once; another process sees a change within `ttl` seconds.
    """

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._counts: dict[tuple[int | None, int | None], int] | None = None
        self._at = 0.0
        self._generation = -1

    def counts(self, session: Session) -> dict[tuple[int | None, int | None], int]:
        """Listed talents per (country id, city id)."""
        with self._lock:
            fresh = time.monotonic() - self._at < self.ttl
            if self._counts is not None and fresh and self._generation == _changes.count:
                return self._counts
            generation = _changes.count
        stmt = (
            select(User.country_id, User.city_id, func.count())
            .join(TalentProfile, TalentProfile.user_id == User.id)
            .where(*listed_conditions())
            .group_by(User.country_id, User.city_id)
        )
        counts = {(country, city): n for country, city, n in session.execute(stmt)}
        with self._lock:
            self._counts, self._at, self._generation = counts, time.monotonic(), generation
        return counts

    def pairs(self, session: Session) -> frozenset[tuple[int | None, int | None]]:
        return frozenset(self.counts(session))

    def total(self, session: Session) -> int:
        """Every listed talent: the unfiltered directory's total without a COUNT."""
        return sum(self.counts(session).values())


class _Changes:
    """A counter bumped whenever this process changes users or talent profiles."""

    count = 0


def _bump() -> None:
    _changes.count += 1


def local_changes() -> int:
    """How many times this process has changed talents (a cache's cheap freshness check)."""
    return _changes.count


_changes = _Changes()
_WATCHED = (User, TalentProfile, TalentLanguage)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, _WATCHED) for obj in touched):
        _bump()


@event.listens_for(Session, "do_orm_execute")
def _on_orm_execute(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and any(
        getattr(m, "class_", None) in _WATCHED for m in state.all_mappers
    ):
        _bump()


def directory_form(
    session: Session, filters: DirectoryFilters, lang: str, listed: ListedPlaces | None = None
) -> DirectoryForm:
    """Skills by category; countries (and cities of the chosen country) that have a listed
    talent, plus the chosen one. Unknown skills, countries and cities are dropped from
    `filters`, as is a city of another country. At most four statements whatever the number
    of countries: skills, the listed places (none while `listed` holds them), countries,
    cities."""
    groups: dict[int, tuple[str, list[Choice]]] = {}
    skill_rows = session.execute(
        select(SkillCategory.id, SkillCategory.name(lang), Skill.slug, Skill.name(lang)).join(
            Skill, Skill.category_id == SkillCategory.id
        )
    )
    for category_id, label, slug, name in skill_rows:
        groups.setdefault(category_id, (label, []))[1].append(Choice(slug, name))
    skill_groups = tuple(
        SkillGroup(label, _by_label(choices))
        for label, choices in sorted(groups.values(), key=lambda g: sort_key(g[0]))
    )
    known_skills = {c.value for group in skill_groups for c in group.skills}

    places = (listed or ListedPlaces(ttl=0)).pairs(session)
    country_ids = {country for country, _ in places if country is not None}
    chosen_country = Country.iso2 == filters.country if filters.country else false()
    country_rows = session.execute(
        select(Country.id, Country.iso2, Country.name(lang)).where(
            or_(Country.id.in_(country_ids), chosen_country)
        )
    ).all()
    countries = _by_label(Choice(iso2, name) for _, iso2, name in country_rows)
    country_id = next((cid for cid, iso2, _ in country_rows if iso2 == filters.country), None)

    cities: tuple[Choice, ...] = ()
    if country_id is not None:
        city_ids = {city for country, city in places if country == country_id and city}
        chosen_city = City.id == filters.city if filters.city else false()
        city_rows = session.execute(
            select(City.id, City.name).where(
                City.country_id == country_id, or_(City.id.in_(city_ids), chosen_city)
            )
        )
        cities = _by_label(Choice(str(cid), name) for cid, name in city_rows)
    clean = replace(
        filters,
        skills=tuple(s for s in filters.skills if s in known_skills),
        country=filters.country if country_id is not None else None,
        city=filters.city if str(filters.city) in {c.value for c in cities} else None,
    )
    return DirectoryForm(clean, skill_groups, countries, cities)
