"""Writing, reading, exporting and purging the audit trail. No Flask request in here: views
pass an :class:`Actor` built by :func:`talento.audit.web.current_actor`."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import delete, event, func, select, text
from sqlalchemy.orm import Session

from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import rowcount, utcnow

#: Names of personal fields an audit row may list (names only, never values).
PERSONAL_FIELDS = frozenset(
    {
        "email",
        "phone",
        "whatsapp",
        "address",
        "date_of_birth",
        "links",
        "cv",
        "id_number",
        "id_photo",
        "artist_card_number",
    }
)
#: Detail strings are identifiers (capability names, formats, ISO dates, column keys): no spaces, no
#: « + » or « @ », no run of 6 digits, so a phone number, an e-mail or a sentence cannot pass.
_DETAIL_TEXT_RE = re.compile(r"(?!.*\d{6})[\w.:/-]{0,64}", re.ASCII)
EXPORT_COLUMNS = (
    "id",
    "created_at",
    "action",
    "actor_id",
    "actor_code",
    "subject_id",
    "subject_code",
    "fields",
    "ip",
    "request_id",
    "detail",
)


class AuditValueRefused(ValueError):
    """A detail value that could carry personal data (free text) was passed to the trail."""


@dataclass(frozen=True)
class Actor:
    """Who did it, from where. `id`/`code` are None for anonymous or system actions."""

    id: int | None = None
    code: str | None = None
    ip: str | None = None
    request_id: str | None = None


SYSTEM = Actor(code=None, ip="cli")


def _checked_detail(detail: dict | None) -> str:
    """Details are identifiers and counts. Free text is refused: it could be a decrypted value."""
    clean: dict[str, object] = {}
    for key, value in (detail or {}).items():
        if not re.fullmatch(r"[a-z_]{1,32}", key):
            raise AuditValueRefused(f"detail key {key!r}")
        if isinstance(value, bool | int | float) or value is None:
            clean[key] = value
        elif isinstance(value, str) and _DETAIL_TEXT_RE.fullmatch(value):
            clean[key] = value
        elif isinstance(value, list | tuple) and all(
            isinstance(v, str) and _DETAIL_TEXT_RE.fullmatch(v) for v in value
        ):
            clean[key] = list(value)[:50]
        else:
            raise AuditValueRefused(f"detail value for {key!r}")
    return json.dumps(clean, sort_keys=True, separators=(",", ":"))


def detail_text(detail: dict | None) -> str:
    """The stored form of a detail (sorted, compact JSON): rows can be looked up by it."""
    return _checked_detail(detail)


def record(
    session: Session,
    action: AuditAction,
    actor: Actor | None,
    *,
    subject_id: int | None = None,
    subject_code: str | None = None,
    fields: Iterable[str] = (),
    detail: dict | None = None,
) -> AuditEvent:
    """Add one event to `session` (committed with the caller's unit of work)."""
    names = sorted(set(fields))
    unknown = [name for name in names if name not in PERSONAL_FIELDS]
    if unknown:
        raise AuditValueRefused(f"unknown personal fields {unknown}")
    actor = actor or Actor()
    event_row = AuditEvent(
        action=AuditAction(action).value,
        actor_id=actor.id,
        actor_code=actor.code,
        subject_id=subject_id,
        subject_code=subject_code,
        fields=",".join(names),
        ip=(actor.ip or None) and actor.ip[:45],
        request_id=(actor.request_id or None) and actor.request_id[:64],
        detail=_checked_detail(detail),
        created_at=utcnow(),
    )
    session.add(event_row)
    return event_row


def about(user) -> dict:
    """Keyword arguments naming `user` as the subject of an event."""
    return {"subject_id": user.id, "subject_code": user.code}


def as_actor(user, ip: str | None = None, request_id: str | None = None) -> Actor:
    return Actor(id=user.id, code=user.code, ip=ip, request_id=request_id)


def record_now(session: Session, action: AuditAction, actor: Actor | None, **kwargs) -> None:
    """Record and commit at once, for events that must stay even if the caller's work fails
    (a failed login is the failure)."""
    record(session, action, actor, **kwargs)
    session.commit()


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, flush_context, instances) -> None:
    """The ORM never updates or deletes an audit row (the purge uses a bulk DELETE)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("the audit trail is append-only")


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """What the admin's audit page asks for (parsed from its URL by the admin view)."""

    action: str | None = None
    person: str | None = None  # a user code: as actor or as subject
    since: dt.date | None = None
    until: dt.date | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEvent]
    total: int
    page: int
    pages: int


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _filtered(filters: AuditFilters):
    stmt = select(AuditEvent)
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.person:
        stmt = stmt.where(
            (AuditEvent.actor_code == filters.person) | (AuditEvent.subject_code == filters.person)
        )
    if filters.since:
        stmt = stmt.where(AuditEvent.created_at >= _day_start(filters.since))
    if filters.until:
        stmt = stmt.where(AuditEvent.created_at < _day_start(filters.until + dt.timedelta(days=1)))
    return stmt


def audit_page(session: Session, filters: AuditFilters) -> AuditPage:
    stmt = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(
        session.scalars(
            stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(filters.per_page)
            .offset((filters.page - 1) * filters.per_page)
        )
    )
    pages = max(1, math.ceil(total / filters.per_page))
    return AuditPage(items, total, filters.page, pages)


def iter_events(session: Session, since: dt.date | None) -> Iterator[AuditEvent]:
    stmt = _filtered(AuditFilters(since=since)).order_by(AuditEvent.id)
    yield from session.scalars(stmt.execution_options(yield_per=1000))


def _row(event_row: AuditEvent) -> dict:
    return {
        name: (
            getattr(event_row, name).isoformat()
            if name == "created_at"
            else getattr(event_row, name)
        )
        for name in EXPORT_COLUMNS
    }


def write_export(session: Session, since: dt.date | None, fmt: str, out: TextIO) -> int:
    """Write events since `since` as CSV or JSON lines to `out`; return the count."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for event_row in iter_events(session, since):
            writer.writerow(_row(event_row))
            count += 1
    else:
        for event_row in iter_events(session, since):
            out.write(json.dumps(_row(event_row), ensure_ascii=False) + "\n")
            count += 1
    return count


# -- retention ---------------------------------------------------------------------------------


def purge(session: Session, retention_days: int, actor: Actor = SYSTEM) -> int:
    """Delete events older than `retention_days`; the purge itself is recorded."""
    cutoff = utcnow() - dt.timedelta(days=retention_days)
    if session.get_bind().dialect.name == "postgresql":
        # The trigger of migration 0004 refuses DELETE unless this transaction says it purges.
        session.execute(text("SET LOCAL talento.audit_purge = 'on'"))
    result = session.execute(
        delete(AuditEvent).where(AuditEvent.created_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    removed = rowcount(result) or 0
    record(
        session,
        AuditAction.AUDIT_PURGE,
        actor,
        detail={"removed": removed, "retention_days": retention_days},
    )
    session.commit()
    return removed
