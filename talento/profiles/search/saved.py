"""Recruiters' side of the directory: the filters only they use, and saved searches.

A saved search is a name and a directory query string. The query is stored as the directory
would put it in its own links (:meth:`DirectoryFilters.query_args` of what
:func:`parse_filters` read, without the page), and it is parsed again by that same parser each
time it is shown or run: a saved search can never hold what a URL could not, and a filter that
no longer exists (a deleted skill) is dropped the same way a URL's would be.

At most :data:`MAX_SAVED` per account; names are unique per account (case ignored). Services
take a session and plain data and raise :class:`~talento.refusals.Refused`; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.geo.models import City, Country
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import AVAILABILITY_LABELS, GENDER_LABELS, LANGUAGES
from talento.profiles.models import SavedSearch, Skill
from talento.profiles.search.directory import DirectoryFilters, parse_filters
from talento.profiles.search.query_args import clean_text
from talento.refusals import Refused

MAX_SAVED = 50
MAX_NAME = 80
MAX_QUERY = 1000
#: Directory filters that only recruiters (and admins) see and use (see :func:`for_viewer`).
RECRUITER_FILTERS = ("availability",)


def for_viewer(filters: DirectoryFilters, recruiter: bool) -> DirectoryFilters:
    """`filters` as a visitor may use them: without the recruiters' filters unless
    `recruiter` (a hand-written ``availability=`` from anyone else is ignored, like any
    unknown argument)."""
    return filters if recruiter else replace(filters, availability=None)


def query_of(filters: DirectoryFilters) -> str:
    """The query string that reproduces `filters`, first page (what a saved search stores)."""
    return urlencode(filters.query_args(page=1))


def filters_of(query: str) -> DirectoryFilters:
    """A stored query read back through the directory's one parser, first page."""
    args: dict[str, list[str]] = {}
    for name, value in parse_qsl(query[:MAX_QUERY], keep_blank_values=False):
        args.setdefault(name, []).append(value)
    return replace(parse_filters(args), page=1)


@dataclass(frozen=True)
class SavedSearchInput:
    """What the directory's « save this search » form sends: a name, and the query string of
    the search on screen (parsed here, never trusted)."""

    name: str
    query: str


@dataclass(frozen=True)
class SavedSearchView:
    id: int
    name: str
    created_at: dt.datetime
    filters: DirectoryFilters
    #: (label, value) of each filter in use, for the list.
    summary: tuple[tuple[str, str], ...]

    @property
    def query(self) -> str:
        return query_of(self.filters)


def save_search(session: Session, user_id: int, data: SavedSearchInput) -> SavedSearch:
    """Store `data` for `user_id`. Refused: no name, a name already used, a search longer than
    a stored query may be, or :data:`MAX_SAVED` searches already kept."""
    name = clean_text(data.name, MAX_NAME)
    if not name:
        raise Refused("name", _("Donnez un nom à cette recherche."))
    query = query_of(filters_of(data.query))
    if len(query) > MAX_QUERY:
        raise Refused("query", _("Cette recherche est trop longue pour être enregistrée."))
    # The account's row is locked (PostgreSQL) so two saves at once cannot pass the cap together.
    session.execute(select(User.id).where(User.id == user_id).with_for_update())
    names = session.scalars(select(SavedSearch.name).where(SavedSearch.user_id == user_id)).all()
    if len(names) >= MAX_SAVED:
        raise Refused(
            "name",
            _(
                "Vous avez déjà %(num)d recherches enregistrées : supprimez-en une d'abord.",
                num=MAX_SAVED,
            ),
        )
    if name.casefold() in {n.casefold() for n in names}:
        raise Refused("name", _("Vous avez déjà une recherche de ce nom : choisissez-en un autre."))
    saved = SavedSearch(user_id=user_id, name=name, query=query)
    session.add(saved)
    session.flush()
    return saved


def count_searches(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).where(SavedSearch.user_id == user_id)) or 0


def delete_search(session: Session, user_id: int, search_id: int) -> str | None:
    """Delete `user_id`'s search `search_id`; its name, or None when they have no such search
    (someone else's is « not found » too)."""
    name = session.scalar(
        select(SavedSearch.name).where(SavedSearch.id == search_id, SavedSearch.user_id == user_id)
    )
    if name is not None:
        session.execute(
            delete(SavedSearch).where(SavedSearch.id == search_id, SavedSearch.user_id == user_id)
        )
    return name


def list_searches(session: Session, user_id: int, lang: str) -> list[SavedSearchView]:
    """`user_id`'s searches, newest first, each re-parsed and described (three small queries
    for the names of the skills, countries and cities they use, whatever their number)."""
    rows = session.execute(
        select(SavedSearch.id, SavedSearch.name, SavedSearch.created_at, SavedSearch.query)
        .where(SavedSearch.user_id == user_id)
        .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
    ).all()
    parsed = [(row, filters_of(row.query)) for row in rows]
    names = _Names.load(session, [f for _, f in parsed], lang)
    return [
        SavedSearchView(row.id, row.name, row.created_at, f, names.describe(f)) for row, f in parsed
    ]


@dataclass(frozen=True)
class _Names:
    skills: Mapping[str, str]
    countries: Mapping[str, str]
    cities: Mapping[int, str]

    @classmethod
    def load(cls, session: Session, filters: Sequence[DirectoryFilters], lang: str) -> _Names:
        slugs = {s for f in filters for s in f.skills}
        isos = {f.country for f in filters if f.country}
        city_ids = {f.city for f in filters if f.city}
        skills = _pairs(session, select(Skill.slug, Skill.name(lang)), Skill.slug, slugs)
        countries = _pairs(session, select(Country.iso2, Country.name(lang)), Country.iso2, isos)
        cities = _pairs(session, select(City.id, City.name), City.id, city_ids)
        return cls(skills, countries, cities)

    def describe(self, f: DirectoryFilters) -> tuple[tuple[str, str], ...]:
        shown: list[tuple[object, str]] = []
        if f.q:
            shown.append((_l("Nom ou code"), f.q))
        if f.skills:
            shown.append((_l("Compétences"), ", ".join(self.skills.get(s, s) for s in f.skills)))
        if f.country:
            place = self.countries.get(f.country, f.country)
            if f.city:
                place = f"{self.cities.get(f.city, '?')}, {place}"
            shown.append((_l("Lieu"), place))
        if f.availability:
            shown.append((_l("Disponibilité"), str(AVAILABILITY_LABELS[f.availability])))
        if f.gender:
            shown.append((_l("Genre"), str(GENDER_LABELS[f.gender])))
        if f.age_min is not None or f.age_max is not None:
            shown.append((_l("Âge"), _ages(f.age_min, f.age_max)))
        if f.languages:
            shown.append((_l("Langues"), ", ".join(str(LANGUAGES[c]) for c in f.languages)))
        return tuple((str(label), value) for label, value in shown)


def _pairs(session: Session, stmt, key, wanted: set) -> dict:
    """key → name for the `wanted` keys (no query when there are none)."""
    if not wanted:
        return {}
    return {k: name for k, name in session.execute(stmt.where(key.in_(wanted)))}


def _ages(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("de %(low)d à %(high)d ans", low=low, high=high)
    if low is not None:
        return _("%(low)d ans et plus", low=low)
    return _("jusqu'à %(high)d ans", high=high)
