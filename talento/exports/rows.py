"""The rows of an export, read in batches so a worker's memory stays flat.

One SELECT of the chosen columns over the admin's filtered list (:func:`admin_select`, in the
list's order) runs with ``yield_per``: on PostgreSQL that is a server-side cursor (psycopg named
cursor) fetching :data:`BATCH_SIZE` rows at a time, so 100,000 rows never sit in memory at once.
It runs at Core level on the session's connection (no ORM row processing: a third faster).
Skills are many-to-many: they are read with one extra query per batch (``= ANY(array)`` on
PostgreSQL, ``IN`` elsewhere, over the batch's ids), never one per row; their names come from
the catalogue, read once. Values are rendered column by column (one tight loop per column).

Encrypted columns are decrypted by their column type as rows are read; a value no key can read
comes back as :class:`~talento.crypto.Unavailable` and is exported as « Donnée indisponible »
(with the usual once-per-value warning in the log), never as an error.

Rows come out rendered: ``str``, ``datetime.date``, naive-UTC ``datetime.datetime`` or None.
The format writers decide how each type looks in their file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, Select, any_, bindparam, null, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from talento.accounts.models import User, in_order
from talento.crypto import KeyRing, Unavailable, warn_unreadable
from talento.exports.columns import ExportColumn, utc_naive
from talento.geo.models import City, Country
from talento.i18n import gettext
from talento.profiles.models import Skill, TalentProfile, talent_skills
from talento.profiles.search.people import AdminFilters, admin_order, admin_select

#: Rows per fetch and per written chunk: a batch of rendered rows stays around a few hundred
#: kilobytes, and the 100 round trips of a 100,000-row export cost little.
BATCH_SIZE = 1000

Cell = str | int | float | dt.date | dt.datetime | None
Row = Sequence[Cell]


@dataclass(frozen=True)
class RenderContext:
    """Everything a row needs that depends on the language, resolved once before streaming
    (a streamed body must not depend on translation lookups per cell)."""

    lang: str
    unavailable: str
    choices: dict[str, dict[object, str]]

    @classmethod
    def build(cls, columns: Sequence[ExportColumn], lang: str) -> RenderContext:
        return cls(
            lang=lang,
            unavailable=gettext("Donnée indisponible"),
            choices={c.key: {k: str(v) for k, v in c.choices.items()} for c in columns},
        )


def statement(
    filters: AdminFilters, keyring: KeyRing, columns: Sequence[ExportColumn], lang: str
) -> Select:
    """``SELECT users.id, <one expression per column>`` of the filtered list, in the list's
    order. Skills are a NULL placeholder here, filled per batch."""
    expressions = [
        c.expression(lang) if c.expression is not None else null().label(c.key) for c in columns
    ]
    stmt = admin_select(filters, keyring).with_only_columns(User.id, *expressions)
    joins = {c.join for c in columns if c.join}
    if "city" in joins:
        stmt = stmt.outerjoin(City, City.id == User.city_id)
    if "country" in joins:
        stmt = stmt.outerjoin(Country, Country.id == User.country_id)
    if "profile" in joins:
        stmt = stmt.outerjoin(TalentProfile, TalentProfile.user_id == User.id)
    return stmt.order_by(*admin_order(filters.sort))


class SkillNames:
    """Skill names of a batch of users: the catalogue read once, then one query per batch
    for the (user, skill) pairs (``= ANY(array)`` on PostgreSQL: one parameter, not 1,000)."""

    def __init__(self, session: Session, lang: str):
        self.connection = session.connection()
        self.names = dict(self.connection.execute(select(Skill.id, Skill.name(lang))).all())
        pairs = select(talent_skills.c.user_id, talent_skills.c.skill_id)
        if self.connection.dialect.name == "postgresql":
            ids = bindparam("ids", type_=postgresql.ARRAY(Integer))
            self.query = pairs.where(talent_skills.c.user_id == any_(ids))
        else:
            self.query = pairs.where(talent_skills.c.user_id.in_(bindparam("ids", expanding=True)))

    def of(self, user_ids: Sequence[int]) -> dict[int, str]:
        """Comma-joined skill names of each of `user_ids`, alphabetical."""
        if not user_ids:
            return {}
        names = self.names
        found: dict[int, list[str]] = {}
        pairs = self.connection.execute(self.query, {"ids": list(user_ids)}).all()
        for user_id, skill_id in pairs:
            found.setdefault(user_id, []).append(names.get(skill_id, ""))
        return {uid: ", ".join(sorted(skills, key=str.casefold)) for uid, skills in found.items()}


def _fill(rows: list[list], index: int, column: ExportColumn, context: RenderContext) -> None:
    """Render column `index` of `rows` in place (column-wise: one tight loop per column)."""
    if column.kind == "choice":
        labels = context.choices[column.key]
        for row in rows:
            value = row[index]
            if value is not None:
                row[index] = labels.get(value, str(value))
    elif column.kind == "capabilities":
        labels = context.choices[column.key]
        for row in rows:
            value = row[index]
            if value:
                row[index] = ", ".join(labels.get(c, c) for c in in_order(value.split(",")))
    elif column.kind == "datetime":
        for row in rows:
            value = row[index]
            if value is not None:
                row[index] = utc_naive(value)
    elif column.kind == "encrypted":
        for row in rows:
            value = row[index]
            if isinstance(value, Unavailable):
                warn_unreadable("users", column.key, row[0], value.digest)
                row[index] = context.unavailable
            elif not value:
                row[index] = None


def export_rows(
    session: Session,
    filters: AdminFilters,
    keyring: KeyRing,
    columns: Sequence[ExportColumn],
    context: RenderContext,
    *,
    limit: int | None = None,
    batch_size: int | None = None,
) -> Iterator[list[Row]]:
    """Yield the rendered rows of the filtered list, one list per batch of `batch_size`
    (:data:`BATCH_SIZE` by default)."""
    batch_size = batch_size or BATCH_SIZE
    stmt = statement(filters, keyring, columns, context.lang)
    if limit is not None:
        stmt = stmt.limit(limit)
    # Result rows are (users.id, column 1, column 2…): column i sits at index i + 1.
    plain = {"text", "date"}
    to_render = [(i + 1, c) for i, c in enumerate(columns) if c.kind not in plain | {"skills"}]
    skill_indexes = [i + 1 for i, c in enumerate(columns) if c.kind == "skills"]
    skills = SkillNames(session, context.lang) if skill_indexes else None
    # Core execution (no ORM row processing) on the session's connection and transaction.
    result = session.connection().execute(stmt, execution_options={"yield_per": batch_size})
    try:
        for partition in result.partitions():
            rows = [list(row) for row in partition]
            for index, column in to_render:
                _fill(rows, index, column, context)
            if skills is not None:
                names = skills.of([row[0] for row in rows])
                for index in skill_indexes:
                    for row in rows:
                        row[index] = names.get(row[0])
            yield [row[1:] for row in rows]
    finally:
        result.close()
