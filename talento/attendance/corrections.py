"""One person's working day as a record, its corrections, and the talent's sign-off (issue 15
point 5).

A correction never edits a scan: voiding stamps ``voided_at`` (the scan stays, struck
through), adding inserts a scan of source ``correction``, moving a time is both. Each writes an
``attendance_corrections`` row with who, when, the old and new value as people read them
(« arrivée 07:42 » → « arrivée 07:30 ») and the reason, which is required: the voucher's
second page. The day's row is locked first, like a scan, so a correction and a scan of the
same person never interleave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.attendance import rules
from talento.attendance.day import overtime_after
from talento.attendance.models import AttendanceCorrection, AttendanceDay, AttendanceScan
from talento.attendance.services import day_scans, lock_days, new_scan_id, to_rule_scans
from talento.attendance.texts import value_text
from talento.i18n import gettext as _
from talento.refusals import Refused

__all__ = [
    "CORRECTABLE_KINDS",
    "DayRecord",
    "TrailLine",
    "acknowledge",
    "correct",
    "day_record",
    "talent_days",
]

#: What an assistant adds by hand (a plain « scan » would be ambiguous on a record).
CORRECTABLE_KINDS = ("arrival", "departure", "meal_start", "meal_end")
REASON_MAX = 500


@dataclass(frozen=True)
class RecordEvent:
    scan: AttendanceScan
    meaning: str | None  # None: voided


@dataclass(frozen=True)
class TrailLine:
    correction: AttendanceCorrection
    by_name: str


@dataclass
class DayRecord:
    booking_id: int
    day: dt.date
    summary: rules.DaySummary
    events: list[RecordEvent] = field(default_factory=list)
    trail: list[TrailLine] = field(default_factory=list)
    acknowledged_at: dt.datetime | None = None
    acknowledged_minutes: int | None = None


def _summary(rows: Sequence[AttendanceScan], booking, day: dt.date, zone: ZoneInfo):
    return rules.day_summary(
        to_rule_scans(rows),
        call_at=rules.call_instant(day, booking.call_time, zone),
        overtime_after=overtime_after(booking.project),
    )


def _trail(session: Session, pairs: Sequence[tuple[int, dt.date]]) -> dict:
    from talento.accounts.models import User

    found: dict[tuple[int, dt.date], list[TrailLine]] = {pair: [] for pair in pairs}
    if not pairs:
        return found
    booking_ids = sorted({b for b, _d in pairs})
    for correction, first, last in session.execute(
        select(AttendanceCorrection, User.first_name, User.last_name)
        .outerjoin(User, User.id == AttendanceCorrection.corrected_by_id)
        .where(AttendanceCorrection.booking_id.in_(booking_ids))
        .order_by(AttendanceCorrection.corrected_at, AttendanceCorrection.id)
    ):
        key = (correction.booking_id, correction.work_day)
        if key in found:
            name = f"{first or ''} {last or ''}".strip() or _("compte supprimé")
            found[key].append(TrailLine(correction, name))
    return found


def _record(booking, day, rows, trail, marks: AttendanceDay | None, zone) -> DayRecord:
    summary = _summary(rows, booking, day, zone)
    meanings = {event.scan.id: event.meaning for event in summary.events}
    return DayRecord(
        booking_id=booking.id,
        day=day,
        summary=summary,
        events=[RecordEvent(row, meanings.get(row.scan_uuid)) for row in rows],
        trail=trail,
        acknowledged_at=marks.acknowledged_at if marks else None,
        acknowledged_minutes=marks.acknowledged_minutes if marks else None,
    )


def day_record(session: Session, booking, day: dt.date, zone: ZoneInfo) -> DayRecord:
    rows = day_scans(session, [(booking.id, day)])[(booking.id, day)]
    trail = _trail(session, [(booking.id, day)])[(booking.id, day)]
    marks = session.get(AttendanceDay, (booking.id, day))
    return _record(booking, day, rows, trail, marks, zone)


def _meaning_of(summary: rules.DaySummary, scan_uuid: str) -> str:
    return next((e.meaning for e in summary.events if e.scan.id == scan_uuid), "scan")


def correct(
    session: Session,
    booking,
    day: dt.date,
    *,
    action: str,
    reason: str,
    zone: ZoneInfo,
    now: dt.datetime,
    by_id: int | None,
    scan_uuid: str | None = None,
    at: dt.datetime | None = None,
    kind: str | None = None,
) -> AttendanceCorrection:
    """Move a time, add a forgotten scan, or void one; the trail row it wrote."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason", _("Indiquez la raison de la correction."))
    if len(reason) > REASON_MAX:
        raise Refused("reason", _("La raison ne doit pas dépasser 500 caractères."))
    if action not in ("add", "move", "void"):
        raise Refused("action", _("Choisissez une correction."))
    lock_days(session, [(booking.id, day)])
    rows = day_scans(session, [(booking.id, day)])[(booking.id, day)]
    before = _summary(rows, booking, day, zone)
    old: AttendanceScan | None = None
    if action in ("move", "void"):
        old = next((r for r in rows if r.scan_uuid == scan_uuid and r.voided_at is None), None)
        if old is None:
            raise Refused("scan", _("Choisissez un pointage de cette journée."))
    new: AttendanceScan | None = None
    if action in ("add", "move"):
        if at is None:
            raise Refused("time", _("Indiquez l'heure."))
        if not _within_day(at, day, zone):
            raise Refused("time", _("Cette heure n'appartient pas à cette journée de travail."))
        new_kind = old.kind if (action == "move" and old is not None) else kind
        if new_kind not in (*CORRECTABLE_KINDS, "scan"):
            raise Refused("kind", _("Choisissez le type de pointage."))
        new = AttendanceScan(
            scan_uuid=new_scan_id(),
            booking_id=booking.id,
            work_day=day,
            project_id=booking.project_id,
            kind=new_kind,
            source="correction",
            occurred_at=at,
            recorded_by_id=by_id,
        )
    old_value = None
    if old is not None:
        old_value = value_text(_meaning_of(before, old.scan_uuid), old.occurred_at, zone)
        old.voided_at = now
    new_value = None
    if new is not None:
        session.add(new)
        session.flush()
        after = _summary([*rows, new], booking, day, zone)
        new_value = value_text(_meaning_of(after, new.scan_uuid), new.occurred_at, zone)
    correction = AttendanceCorrection(
        booking_id=booking.id,
        work_day=day,
        action=action,
        old_scan_id=old.id if old is not None else None,
        new_scan_id=new.id if new is not None else None,
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        corrected_by_id=by_id,
        corrected_at=now,
    )
    session.add(correction)
    session.flush()
    return correction


def _within_day(at: dt.datetime, day: dt.date, zone: ZoneInfo) -> bool:
    """From the day's local midnight to noon the next day (a night shoot's small hours)."""
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), rules.NIGHT_ENDS, tzinfo=zone)
    return start <= at < end


def talent_days(session: Session, talent_id: int, zone: ZoneInfo, limit: int = 120):
    """The talent's own working days with a record, newest first (live projects only)."""
    from talento.projects.access import live_projects
    from talento.projects.models import Booking, Project

    live = live_projects().with_only_columns(Project.id)
    found = session.execute(
        select(AttendanceDay, Booking)
        .join(Booking, Booking.id == AttendanceDay.booking_id)
        .where(Booking.talent_id == talent_id, Booking.project_id.in_(live))
        .order_by(AttendanceDay.work_day.desc(), Booking.id)
        .limit(limit)
    ).all()
    pairs = [(marks.booking_id, marks.work_day) for marks, _b in found]
    scans = day_scans(session, pairs)
    trails = _trail(session, pairs)
    return [
        (
            booking,
            _record(
                booking,
                marks.work_day,
                scans[(booking.id, marks.work_day)],
                trails[(booking.id, marks.work_day)],
                marks,
                zone,
            ),
        )
        for marks, booking in found
    ]


def acknowledge(
    session: Session, talent_id: int, booking_id: int, day: dt.date, zone, now: dt.datetime
) -> AttendanceDay:
    """« Je confirme mes heures »: the talent's own day only; the hours they saw are kept."""
    from talento.projects.models import Booking

    booking = session.get(Booking, booking_id)
    marks = session.get(AttendanceDay, (booking_id, day))
    if booking is None or booking.talent_id != talent_id or marks is None:
        raise Refused(None, _("Cette journée n'existe pas."), status=404)
    rows = day_scans(session, [(booking_id, day)])[(booking_id, day)]
    summary = _summary(rows, booking, day, zone)
    if summary.on_set or summary.arrival_at is None:
        raise Refused(None, _("Cette journée n'est pas terminée : rien à confirmer."), status=409)
    marks.acknowledged_at = now
    marks.acknowledged_minutes = summary.worked_minutes
    return marks
