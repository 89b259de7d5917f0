"""Facet counts of the casting search: for each closed vocabulary, how many profiles of the
current result set have each value (gender, ethnicity, eyes, hair colour, type and length, skin
tone, build, top size, talent types, languages, accents, skills, assets).

One statement: the matches go into a CTE (PostgreSQL materialises it once: it is referenced by
every branch) and a ``UNION ALL`` of small ``GROUP BY`` reads it, the column facets from the
CTE's own columns, the code tables (talent types, skills…) through their primary keys
``(user_id, code)``. When the matches are few (PAGE_CAP), the same statement also sorts them and
returns the ids of the asked page (:attr:`Facets.page_ids`): the page is not matched a second
time by a statement walking an index past every non-matching profile. The unfiltered counts
(every searched profile) are kept `ttl` seconds per process (:class:`AllFacets`) and dropped at
once when this process changes a casting profile, as profiles/search/facets.py does for the
directory.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, case, cast, event, func, literal, select, true, union_all
from sqlalchemy.orm import Session, aliased

from talento.accounts.models import User
from talento.casting.models import (
    CastingAccent,
    CastingAsset,
    CastingPhoto,
    CastingProfile,
    CastingSkill,
    CastingTalentType,
)
from talento.casting.search.filters import CastingFilters
from talento.casting.search.query import (
    CODE_TABLES,
    COLUMNS,
    directed,
    filtered_select,
    order_keys,
    searchable_conditions,
    tune,
)
from talento.profiles.models import TalentLanguage

#: Largest result set whose code-table facets (types, skills, assets, accents, languages) are
#: counted; broader searches show those lists without numbers. Column facets (gender, eyes,
#: hair…) and the total are always counted, in one pass over the matches.
CODE_FACET_CAP = 5000
#: Largest result set whose page is picked by the facets' statement (sorted there); past it
#: the matches are dense enough for query.search to walk an index in the asked order.
PAGE_CAP = CODE_FACET_CAP


@dataclass(frozen=True)
class Facets:
    """Counts by facet name (the filter's query-string name) then code; `total` matches."""

    counts: dict[str, dict[str, int]]
    total: int
    #: The asked page's ids in order, when the statement picked them (few matches, no text);
    #: None: query.search reads the page itself.
    page_ids: list[int] | None = None

    @property
    def codes_counted(self) -> bool:
        """False when the code tables (types, skills, languages…) were not counted (too many
        matches: CODE_FACET_CAP); their lists are then offered without numbers."""
        return self.total <= CODE_FACET_CAP or "skill" in self.counts

    def of(self, name: str) -> dict[str, int]:
        return self.counts.get(name, {})


def facet_counts(
    session: Session, f: CastingFilters, today: dt.date, *, page: tuple[int, int] | None = None
) -> Facets:
    """The facets of the profiles matching `f`, in one statement; with `page` (offset,
    limit), also that page's ids when the matches are few (:attr:`Facets.page_ids`)."""
    tune(session)
    matches = (
        filtered_select(session, f, today, users=False)
        .with_only_columns(
            CastingProfile.user_id.label("id"),
            CastingProfile.gender.label("gender"),
            CastingProfile.country_id.label("country_id"),
            *(column.label(name) for name, column in COLUMNS.items()),
            *(column.label(f"sort_{key}") for key, column in _SORT_COLUMNS.items()),
        )
        .cte("matches")
    )
    m = matches.c
    names = ("gender", "country_id", *COLUMNS)
    if session.get_bind().dialect.name == "postgresql":
        # One pass over the matches for every column facet: GROUPING SETS, then one small
        # branch per column over its few groups.
        sets = (
            select(*(m[name] for name in names), func.count().label("n"))
            .group_by(func.grouping_sets(*(m[name] for name in names)))
            .cte("sets")
        )
        parts = [
            select(literal(name), cast(sets.c[name], String), sets.c.n).where(
                sets.c[name].is_not(None)
            )
            for name in names
        ]
    else:
        parts = [
            select(literal(name), cast(m[name], String), func.count())
            .select_from(matches)
            .group_by(m[name])
            for name in names
        ]
    tables: dict[str, Any] = {**CODE_TABLES, "language": TalentLanguage}
    if not f.chosen:
        # Every searched profile: each casting code table counted whole along its (code,
        # user_id) index, minus the rows of the few profiles not searched (hidden, incomplete,
        # inactive), instead of joining 90 % of the profiles to each table.
        parts += _everyone_codes(matches)
        tables = {"language": TalentLanguage}
    # Past CODE_FACET_CAP matches the code tables are not counted (a one-time filter: the
    # branch is never run): reading 20,000 profiles' skills would cost more than the page.
    # The matches are counted once (`size`), for the cap of every branch and the total.
    size = select(func.count().label("n")).select_from(matches).cte("size")
    small = select(size.c.n).scalar_subquery() <= CODE_FACET_CAP
    parts += [
        select(literal(name), cast(model.code, String), func.count())
        .select_from(matches)
        .join(model, model.user_id == m.id)
        .where(small if f.chosen else true())
        .group_by(model.code)
        for name, model in tables.items()
    ]
    parts.append(select(literal("*"), literal("total"), size.c.n))
    picked = page is not None and not f.q
    if picked:
        assert page is not None
        few = select(size.c.n).scalar_subquery() <= PAGE_CAP
        parts.append(_page_part(f, matches, few, *page))
    counts: dict[str, dict[str, int]] = {}
    total = 0
    ranked: list[tuple[int, int]] = []
    for name, code, n in session.execute(union_all(*parts)):
        if name == "*":
            total = n
        elif name == "@page":
            ranked.append((n, int(code)))
        elif code is not None:
            found = counts.setdefault(name, {})
            found[code] = found.get(code, 0) + n
    page_ids = [uid for _, uid in sorted(ranked)] if picked and total <= PAGE_CAP else None
    counts = {k: {c: n for c, n in v.items() if n} for k, v in counts.items()}
    return Facets(counts, total, page_ids)


#: The sort keys of query.order_keys, as columns of the matches (by the column's key).
_SORT_COLUMNS = {
    "created_at": CastingProfile.created_at,
    "height_cm": CastingProfile.height_cm,
    "date_of_birth": CastingProfile.date_of_birth,
}


def _page_part(f: CastingFilters, matches, few, offset: int, limit: int):
    """The branch that sorts the matches as query.order_keys(f) does and keeps one page,
    as ('@page', id, position) rows; never run past PAGE_CAP matches (a one-time filter)."""
    m = matches.c
    photo = aliased(CastingPhoto)
    keys = []
    stmt = select(m.id).select_from(matches)
    for expression, descending, nullable in order_keys(f):
        key = getattr(expression, "key", None)
        if key == "user_id":
            column = m.id
        elif key in _SORT_COLUMNS:
            column = m[f"sort_{key}"]
        else:  # relevance without a text: profiles with a primary photo first
            stmt = stmt.outerjoin(photo, (photo.user_id == m.id) & (photo.is_primary == true()))
            column = case((photo.user_id.is_not(None), 0), else_=1)
        keys.append(directed(column, descending, nullable))
    ordered = (
        stmt.add_columns(func.row_number().over(order_by=keys).label("position"))
        .where(few)
        .order_by(*keys)
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return select(literal("@page"), cast(ordered.c.id, String), ordered.c.position)


def _everyone_codes(matches) -> list:
    unsearched = (
        select(CastingProfile.user_id).where(~and_(*searchable_conditions())).subquery("unsearched")
    )
    parts = []
    for name, model in CODE_TABLES.items():
        parts.append(
            select(literal(name), cast(model.code, String), func.count()).group_by(model.code)
        )
        parts.append(
            select(literal(name), cast(model.code, String), -func.count())
            .join(unsearched, unsearched.c.user_id == model.user_id)
            .group_by(model.code)
        )
    return parts


class AllFacets:
    """The unfiltered facets (every searched profile), kept `ttl` seconds per process."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._facets: Facets | None = None
        self._at = 0.0
        self._generation = -1

    def get(self, session: Session, today: dt.date) -> Facets:
        with self._lock:
            fresh = time.monotonic() - self._at < self.ttl
            if self._facets is not None and fresh and self._generation == _changes.count:
                return self._facets
            generation = _changes.count
        facets = facet_counts(session, CastingFilters(), today)
        with self._lock:
            self._facets, self._at, self._generation = facets, time.monotonic(), generation
        return facets


class _Changes:
    count = 0


_changes = _Changes()
_WATCHED = (
    CastingProfile,
    CastingTalentType,
    CastingSkill,
    CastingAsset,
    CastingAccent,
    CastingPhoto,
    User,
    TalentLanguage,
)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, _WATCHED) for obj in touched):
        _changes.count += 1


@event.listens_for(Session, "do_orm_execute")
def _on_orm_execute(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and any(
        getattr(m, "class_", None) in _WATCHED for m in state.all_mappers
    ):
        _changes.count += 1


def facets_for(
    session: Session,
    f: CastingFilters,
    today: dt.date,
    cache: AllFacets,
    *,
    page: tuple[int, int] | None = None,
) -> Facets:
    """The facets of `f`: the kept unfiltered ones when nothing is chosen (then never a
    page: every profile is no small result)."""
    if not f.chosen:
        return cache.get(session, today)
    return facet_counts(session, f, today, page=page)
