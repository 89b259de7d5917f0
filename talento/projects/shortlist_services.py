"""A role's shortlist: adding faces (one, a selection, a whole search), removing, ordering,
statuses, notes (issue 14 point 4).

Casting staff only (projects.access.can_manage, checked by the views): a talent never sees a
shortlist or a note about them. Adding is one bulk ``INSERT … ON CONFLICT DO NOTHING`` (both
PostgreSQL and SQLite have it), so a 300-person crowd role filled from a search is one
statement, and two people adding the same face at once never fail: the second add is a no-op.
New faces are appended after the last position, in the order given (the search's order).
Positions are an order, not a dense numbering: moves rewrite the role's positions as 0…n-1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from talento.casting.models import CastingProfile
from talento.casting.search.filters import CastingFilters
from talento.casting.search.query import filtered_select, order_by, tune
from talento.extensions import rowcount, table_of, utcnow
from talento.i18n import gettext as _
from talento.projects.access import live_projects
from talento.projects.models import CastingRole, Project, ShortlistEntry, ShortlistNote
from talento.projects.vocabulary import NOTE_VISIBILITIES, SHORTLIST_STATUSES
from talento.refusals import Refused

#: The most faces « Tout ajouter » takes from one search (a crowd role is at most 5000).
MAX_FROM_SEARCH = 5000
#: The most faces one selection posts (a page of results is 48).
MAX_SELECTION = 500
MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True)
class Added:
    """What an add did: faces newly on the list, faces already there."""

    added: int
    already: int


def live_role(session: Session, role_id: int) -> CastingRole | None:
    """The role, if it and its project and company are not deleted (else None: a 404)."""
    role = session.get(CastingRole, role_id)
    if role is None:
        return None
    live = session.scalar(
        live_projects().with_only_columns(Project.id).where(Project.id == role.project_id)
    )
    return role if live is not None else None


def live_entry(session: Session, entry_id: int) -> ShortlistEntry | None:
    entry = session.get(ShortlistEntry, entry_id)
    if entry is None or live_role(session, entry.role_id) is None:
        return None
    return entry


def _lock_role(session: Session, role: CastingRole) -> None:
    """Serialise appends to one shortlist (positions), on PostgreSQL; SQLite writes one at a
    time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(CastingRole.id).where(CastingRole.id == role.id).with_for_update())


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    table = table_of(ShortlistEntry)
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def add_talents(
    session: Session, role: CastingRole, talent_ids: Sequence[int], added_by_id: int | None
) -> Added:
    """Append these casting profiles to the role's shortlist, in this order; ids that are not
    casting profiles are ignored, faces already on the list stay where they are."""
    wanted = list(dict.fromkeys(int(i) for i in talent_ids))
    if not wanted:
        return Added(0, 0)
    existing: set[int] = set()
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        existing |= set(
            session.scalars(select(CastingProfile.user_id).where(CastingProfile.user_id.in_(chunk)))
        )
    wanted = [i for i in wanted if i in existing]
    if not wanted:
        return Added(0, 0)
    _lock_role(session, role)
    last = session.scalar(
        select(func.max(ShortlistEntry.position)).where(ShortlistEntry.role_id == role.id)
    )
    start = -1 if last is None else last
    now = utcnow()
    rows = [
        {
            "role_id": role.id,
            "talent_id": talent_id,
            "position": start + 1 + index,
            "status": "suggested",
            "added_by_id": added_by_id,
            "created_at": now,
            "updated_at": now,
        }
        for index, talent_id in enumerate(wanted)
    ]
    added = 0
    for batch in range(0, len(rows), 1000):
        stmt = (
            _insert(session)
            .values(rows[batch : batch + 1000])
            .on_conflict_do_nothing(index_elements=["role_id", "talent_id"])
            .returning(table_of(ShortlistEntry).c.id)
        )
        added += len(session.execute(stmt).all())  # RETURNING: the rows really inserted
    return Added(added, len(wanted) - added)


def search_ids(
    session: Session, f: CastingFilters, today: dt.date, limit: int = MAX_FROM_SEARCH
) -> list[int]:
    """The user ids of a casting search's whole result set (not one page), in its order, at
    most `limit`: the same query the search page runs."""
    tune(session)
    stmt = filtered_select(session, f, today).order_by(*order_by(f)).limit(limit)
    return list(session.scalars(stmt))


def add_search(
    session: Session,
    role: CastingRole,
    f: CastingFilters,
    today: dt.date,
    added_by_id: int | None,
) -> tuple[Added, bool]:
    """« Tout ajouter »: every result of the search's criteria; True when more than
    :data:`MAX_FROM_SEARCH` matched and the rest were left out."""
    ids = search_ids(session, f, today, MAX_FROM_SEARCH + 1)
    cut = len(ids) > MAX_FROM_SEARCH
    return add_talents(session, role, ids[:MAX_FROM_SEARCH], added_by_id), cut


def on_list(session: Session, role_id: int, talent_ids: Iterable[int]) -> frozenset[int]:
    """Which of these talents are already on the role's shortlist."""
    ids = list(talent_ids)
    if not ids:
        return frozenset()
    return frozenset(
        session.scalars(
            select(ShortlistEntry.talent_id).where(
                ShortlistEntry.role_id == role_id, ShortlistEntry.talent_id.in_(ids)
            )
        )
    )


def count(session: Session, role_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ShortlistEntry)
            .where(ShortlistEntry.role_id == role_id)
        )
        or 0
    )


def remove(session: Session, entry: ShortlistEntry) -> None:
    session.delete(entry)
    session.flush()


def _ordered_ids(session: Session, role_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ShortlistEntry.id)
            .where(ShortlistEntry.role_id == role_id)
            .order_by(ShortlistEntry.position, ShortlistEntry.id)
        )
    )


def _write_order(session: Session, role_id: int, before: list[int], after: list[int]) -> None:
    """Positions 0…n-1 in `after`'s order, written only where they change."""
    current = dict(
        session.execute(
            select(ShortlistEntry.id, ShortlistEntry.position).where(
                ShortlistEntry.role_id == role_id
            )
        ).all()
    )
    for position, entry_id in enumerate(after):
        if current.get(entry_id) != position:
            session.execute(
                update(ShortlistEntry)
                .where(ShortlistEntry.id == entry_id)
                .values(position=position, updated_at=utcnow()),
                execution_options={"synchronize_session": False},
            )
    session.expire_all()


def move(session: Session, entry: ShortlistEntry, direction: str) -> None:
    """« Monter » / « Descendre »: swap the face with its neighbour."""
    if direction not in ("up", "down"):
        raise Refused("direction", _("Choisissez « Monter » ou « Descendre »."))
    _lock_role(session, entry.role)
    ids = _ordered_ids(session, entry.role_id)
    index = ids.index(entry.id)
    other = index - 1 if direction == "up" else index + 1
    after = list(ids)
    if 0 <= other < len(ids):
        after[index], after[other] = after[other], after[index]
    _write_order(session, entry.role_id, ids, after)


def reorder(session: Session, role: CastingRole, entry_ids: Sequence[int]) -> None:
    """The order sent by drag and drop (one page of the list): the entries named take the
    places they held between them, in the order sent; every other entry keeps its place.
    Unknown ids and ids of other roles are ignored."""
    _lock_role(session, role)
    ids = _ordered_ids(session, role.id)
    known = set(ids)
    named = [i for i in dict.fromkeys(entry_ids) if i in known]
    slots = [index for index, entry_id in enumerate(ids) if entry_id in set(named)]
    after = list(ids)
    for slot, entry_id in zip(slots, named, strict=True):
        after[slot] = entry_id
    _write_order(session, role.id, ids, after)


def index_of(session: Session, role_id: int, entry_id: int) -> int:
    """The entry's place in its list (0 for the first), or 0 if it is gone."""
    ids = _ordered_ids(session, role_id)
    return ids.index(entry_id) if entry_id in ids else 0


def set_status(session: Session, role_id: int, entry_ids: Iterable[int], status: str) -> int:
    """The status of some faces of one role's shortlist; how many changed."""
    if status not in SHORTLIST_STATUSES:
        raise Refused("status", _("Choisissez un statut de la liste."))
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        raise Refused("entry", _("Cochez au moins un talent."))
    result = session.execute(
        update(ShortlistEntry)
        .where(ShortlistEntry.role_id == role_id, ShortlistEntry.id.in_(ids))
        .values(status=status, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()
    return rowcount(result) or 0


def add_note(
    session: Session, entry: ShortlistEntry, author_id: int, body: str, visibility: str
) -> ShortlistNote:
    text = (body or "").strip()
    if not text:
        raise Refused("body", _("Écrivez la note."))
    if len(text) > MAX_NOTE_LENGTH:
        raise Refused("body", _("Une note fait au plus %(num)s caractères.", num=MAX_NOTE_LENGTH))
    if visibility not in NOTE_VISIBILITIES:
        raise Refused("visibility", _("Choisissez qui lit la note."))
    note = ShortlistNote(entry_id=entry.id, author_id=author_id, body=text, visibility=visibility)
    session.add(note)
    session.flush()
    return note


__all__ = [
    "MAX_FROM_SEARCH",
    "MAX_SELECTION",
    "Added",
    "add_note",
    "add_search",
    "add_talents",
    "count",
    "index_of",
    "live_entry",
    "live_role",
    "move",
    "on_list",
    "remove",
    "reorder",
    "search_ids",
    "set_status",
]
