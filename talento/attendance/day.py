"""A working day's roster as the set sees it: who is expected, present, gone or missing, late
or not, grouped by role; the no-show list with each role's standby people; « tous présents »
/ « tous partis » for a role or a ticked selection (issue 15 point 4).

Read in a fixed number of queries whatever the crowd (badge_rows' query, one for the scans,
one for the standby people)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from talento.attendance import rules
from talento.attendance.services import (
    Batch,
    ScanInput,
    Where,
    day_scans,
    new_scan_id,
    record_scans,
    to_rule_scans,
)
from talento.attendance.texts import local_time
from talento.i18n import gettext as _
from talento.projects.badge_rows import BookingRow, booking_rows
from talento.projects.models import Booking, Project, ShortlistEntry

__all__ = ["Line", "RoleGroup", "Standby", "day_roster", "group_action", "overtime_after"]

#: Shortlist statuses of a role's standby people (not booked, said yes or picked).
STANDBY_STATUSES = ("available", "shortlisted")


@dataclass
class Line:
    row: BookingRow
    summary: rules.DaySummary
    status: str  # expected, present, left, absent
    status_text: str
    call_text: str
    late_minutes: int

    @property
    def name(self) -> str:
        return self.row.full_name


@dataclass(frozen=True)
class Standby:
    talent_id: int
    name: str
    cinema_code: str | None
    status: str


@dataclass
class RoleGroup:
    role_id: int
    name: str
    talent_type: str
    lines: list[Line] = field(default_factory=list)
    standby: list[Standby] = field(default_factory=list)

    @property
    def present(self) -> int:
        return sum(1 for line in self.lines if line.status == "present")

    @property
    def no_shows(self) -> list[Line]:
        return [line for line in self.lines if line.summary.arrival_at is None]


def overtime_after(project: Project) -> dt.timedelta | None:
    hours = project.overtime_after_hours
    return None if hours is None else dt.timedelta(hours=float(hours))


def _status(summary: rules.DaySummary, call_at: dt.datetime | None, now: dt.datetime, zone):
    if summary.on_set:
        return "present", _("présent depuis %(time)s", time=local_time(summary.arrival_at, zone))
    if summary.departure_at is not None:
        return "left", _("parti %(time)s", time=local_time(summary.departure_at, zone))
    if call_at is not None and now > call_at:
        return "absent", _("absent")
    return "expected", _("attendu")


def day_roster(
    session: Session,
    project: Project,
    day: dt.date,
    zone: ZoneInfo,
    now: dt.datetime,
    *,
    with_standby: bool = True,
) -> list[RoleGroup]:
    """The live bookings booked on `day`, by role, with each person's day so far."""
    rows = booking_rows(session, project.id, on_days={day})
    scans = day_scans(session, [(row.booking_id, day) for row in rows])
    overtime = overtime_after(project)
    groups: dict[int, RoleGroup] = {}
    for row in rows:
        call_at = rules.call_instant(day, row.call_time, zone)
        summary = rules.day_summary(
            to_rule_scans(scans.get((row.booking_id, day), [])),
            call_at=call_at,
            overtime_after=overtime,
        )
        status, text = _status(summary, call_at, now, zone)
        group = groups.setdefault(
            row.role_id, RoleGroup(row.role_id, row.role_name, row.talent_type)
        )
        group.lines.append(
            Line(
                row=row,
                summary=summary,
                status=status,
                status_text=text,
                call_text=row.call_time.strftime("%H:%M") if row.call_time else "",
                late_minutes=summary.late_minutes,
            )
        )
    if with_standby and groups:
        for role_id, standby in _standby(session, list(groups)).items():
            groups[role_id].standby = standby
    return list(groups.values())


def _standby(session: Session, role_ids: Sequence[int]) -> dict[int, list[Standby]]:
    """Each role's shortlisted or available people who hold no live booking of it."""
    from talento.accounts.models import User
    from talento.casting.models import CastingProfile

    booked = exists().where(
        and_(
            Booking.role_id == ShortlistEntry.role_id,
            Booking.talent_id == ShortlistEntry.talent_id,
            Booking.status.in_(("pending", "confirmed")),
        )
    )
    found: dict[int, list[Standby]] = {}
    for role_id, talent_id, first, last, code, status in session.execute(
        select(
            ShortlistEntry.role_id,
            ShortlistEntry.talent_id,
            User.first_name,
            User.last_name,
            CastingProfile.code,
            ShortlistEntry.status,
        )
        .join(User, User.id == ShortlistEntry.talent_id)
        .join(CastingProfile, CastingProfile.user_id == ShortlistEntry.talent_id)
        .where(
            ShortlistEntry.role_id.in_(role_ids),
            ShortlistEntry.status.in_(STANDBY_STATUSES),
            ~booked,
        )
        .order_by(ShortlistEntry.role_id, ShortlistEntry.position, ShortlistEntry.id)
    ):
        found.setdefault(role_id, []).append(
            Standby(talent_id, f"{first} {last}".strip(), code, status)
        )
    return found


def group_action(
    session: Session,
    where: Where,
    booking_ids: Sequence[int],
    kind: str,
    at: dt.datetime,
) -> Batch:
    """« Tous présents » (arrival), « tous partis » (departure), a meal's start or end, for
    these bookings of the day: only those whose state it changes (an arrival for someone
    already on set would be a line of noise on their record)."""
    codes = dict(
        session.execute(
            select(Booking.id, Booking.code).where(
                Booking.id.in_(list(booking_ids)), Booking.project_id == where.project_id
            )
        ).all()
    )
    scans = day_scans(session, [(b, where.day) for b in codes])
    items = []
    for booking_id, code in sorted(codes.items()):
        summary = rules.day_summary(to_rule_scans(scans.get((booking_id, where.day), [])))
        if kind == "arrival" and summary.on_set:
            continue
        if kind in ("departure", "meal_start", "meal_end") and not summary.on_set:
            continue
        items.append(ScanInput(new_scan_id(), at, code=code, kind=kind, source="group"))
    return record_scans(session, where, items)
