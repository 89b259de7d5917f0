"""Hours that payroll can use (issue 15 point 6): one row per talent and working day, read
from the recorded scans and computed by attendance.rules, never re-derived here.

What a row says, for a booking on a working day (a date in the site's time zone,
``TIMEZONE``; a night shoot's hours after midnight stay on the day it started):

- arrival and departure as local times, meal minutes, late minutes against the call time;
- **hours worked**: time on set minus meals (rules.day_summary), in decimal hours rounded
  half-up to 2 places (7 h 20 min → 7.33);
- **overtime**: hours worked beyond the project's threshold (``overtime_after_hours``); none
  when the project sets no threshold;
- **amount**: the booking's day rate when the person came (an arrival is recorded), plus
  overtime **paid pro rata of the day rate over the threshold**: a day rate of 400 MAD for a
  10-hour threshold pays 40 MAD an hour beyond it (rate × overtime minutes ÷ threshold
  minutes, rounded half-up to the centime once, on the whole). A no-show is paid nothing; a
  person still on set (no departure) is paid the day rate, with no overtime yet; a booking
  without a day rate has no amount (the export says « tarif non précisé »).
- whether the talent acknowledged the day's hours in their space (and whether the hours
  changed after that).

Rows come for every day with a recorded scan (whatever the booking's status since: a person
who worked is paid even if the booking was cancelled afterwards) and for every booked day of
a live booking up to `today` without one (an absence, paid nothing). Voided scans are left
out, as corrections intend. Everything is read in a fixed number of queries whatever the
crowd: bookings, booked days, attendance days, scans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.attendance.models import AttendanceDay, AttendanceScan
from talento.attendance.rules import Scan, call_instant, day_summary
from talento.casting.models import CastingProfile
from talento.projects.models import Booking, BookingDay, CastingRole, Project

__all__ = [
    "CENT",
    "LIVE_STATUSES",
    "TalentDay",
    "Totals",
    "decimal_hours",
    "pay",
    "talent_days",
    "threshold_minutes",
    "totals",
]

LIVE_STATUSES = ("pending", "confirmed")
CENT = Decimal("0.01")


def decimal_hours(minutes: int) -> Decimal:
    """Minutes as decimal hours, half-up to 2 places: 440 → 7.33, 510 → 8.50."""
    return (Decimal(minutes) / Decimal(60)).quantize(CENT, rounding=ROUND_HALF_UP)


def threshold_minutes(project: Project) -> int | None:
    """The project's overtime threshold in minutes (None: no overtime)."""
    if project.overtime_after_hours is None:
        return None
    return int((Decimal(project.overtime_after_hours) * 60).to_integral_value(ROUND_HALF_UP))


def pay(
    rate: Decimal | None, present: bool, overtime_minutes: int, threshold: int | None
) -> tuple[Decimal | None, Decimal | None]:
    """(overtime amount, amount) of a day: see the module's docstring for the rule."""
    if rate is None:
        return None, None
    if not present:
        return Decimal("0.00"), Decimal("0.00")
    extra = Decimal(0)
    if threshold and overtime_minutes:
        extra = Decimal(rate) * Decimal(overtime_minutes) / Decimal(threshold)
    overtime = extra.quantize(CENT, rounding=ROUND_HALF_UP)
    return overtime, (Decimal(rate) + extra).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TalentDay:
    """One talent's one working day, as payroll reads it."""

    work_day: dt.date
    booking_id: int
    booking_code: str
    booking_status: str
    talent_id: int
    talent_code: str
    cinema_code: str | None
    first_name: str
    last_name: str
    role_id: int
    role_name: str
    project_id: int
    project_name: str
    call_time: dt.time | None
    #: Local times (aware, in the site's zone); None when not recorded.
    arrival: dt.datetime | None
    departure: dt.datetime | None
    on_set: bool
    meal_minutes: int
    worked_minutes: int
    overtime_minutes: int
    late_minutes: int
    day_rate: Decimal | None
    currency: str
    overtime_amount: Decimal | None
    amount: Decimal | None
    acknowledged: bool
    #: The talent acknowledged other hours than these (a correction came afterwards).
    changed_since_acknowledged: bool

    @property
    def present(self) -> bool:
        return self.arrival is not None

    @property
    def hours(self) -> Decimal:
        return decimal_hours(self.worked_minutes)

    @property
    def overtime_hours(self) -> Decimal:
        return decimal_hours(self.overtime_minutes)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Totals:
    """A set of rows summed: people booked, present, minutes, overtime, amount."""

    people: int
    present: int
    on_set: int
    worked_minutes: int
    overtime_minutes: int
    amount: Decimal
    currency: str

    @property
    def hours(self) -> Decimal:
        return decimal_hours(self.worked_minutes)

    @property
    def overtime_hours(self) -> Decimal:
        return decimal_hours(self.overtime_minutes)

    def as_json(self) -> dict:
        """What a sign-off keeps (day_sheet_signoffs.totals)."""
        return {
            "people": self.people,
            "present": self.present,
            "worked_minutes": self.worked_minutes,
            "overtime_minutes": self.overtime_minutes,
            "amount": str(self.amount),
            "currency": self.currency,
        }


def totals(rows: Iterable[TalentDay]) -> Totals:
    rows = list(rows)
    currencies = {row.currency for row in rows if row.amount is not None}
    return Totals(
        people=len({(row.booking_id, row.work_day) for row in rows}),
        present=sum(1 for row in rows if row.present),
        on_set=sum(1 for row in rows if row.on_set),
        worked_minutes=sum(row.worked_minutes for row in rows),
        overtime_minutes=sum(row.overtime_minutes for row in rows),
        amount=sum((row.amount for row in rows if row.amount is not None), Decimal("0.00")),
        currency=", ".join(sorted(currencies)) or "MAD",
    )


def _booking_query(project_id: int):
    return (
        select(
            Booking.id,
            Booking.code,
            Booking.status,
            Booking.talent_id,
            User.code,
            CastingProfile.code,
            User.first_name,
            User.last_name,
            Booking.role_id,
            CastingRole.name,
            Booking.call_time,
            Booking.rate_per_day,
            Booking.currency,
        )
        .join(CastingRole, CastingRole.id == Booking.role_id)
        .join(User, User.id == Booking.talent_id)
        .outerjoin(CastingProfile, CastingProfile.user_id == Booking.talent_id)
        .where(Booking.project_id == project_id)
    )


def talent_days(
    session: Session,
    project: Project,
    first: dt.date,
    last: dt.date,
    zone: ZoneInfo,
    *,
    today: dt.date,
    days: set[dt.date] | None = None,
    role_id: int | None = None,
    talent_id: int | None = None,
) -> list[TalentDay]:
    """The project's talent-days from `first` to `last` (working days, inclusive), of one role
    or one talent when told, on `days` only when given (a presence account's assigned days),
    ordered by day, role, name. `today` is the local date: booked days after it are not
    absences yet."""
    scope = [AttendanceDay.work_day >= first, AttendanceDay.work_day <= last]
    if days is not None:
        scope.append(AttendanceDay.work_day.in_(days))
    bookings_q = _booking_query(project.id)
    if role_id is not None:
        bookings_q = bookings_q.where(Booking.role_id == role_id)
    if talent_id is not None:
        bookings_q = bookings_q.where(Booking.talent_id == talent_id)
    booked_scope = [BookingDay.day >= first, BookingDay.day <= min(last, today)]
    if days is not None:
        booked_scope.append(BookingDay.day.in_(days))
    bookings_q = bookings_q.where(
        or_(
            Booking.id.in_(select(AttendanceDay.booking_id).where(*scope)),
            and_(
                Booking.status.in_(LIVE_STATUSES),
                Booking.id.in_(select(BookingDay.booking_id).where(*booked_scope)),
            ),
        )
    )
    bookings = {row[0]: tuple(row) for row in session.execute(bookings_q)}
    if not bookings:
        return []
    ids = list(bookings)
    keys: set[tuple[int, dt.date]] = set()
    for booking_id, day in session.execute(
        select(BookingDay.booking_id, BookingDay.day).where(
            BookingDay.booking_id.in_(ids), *booked_scope
        )
    ):
        if bookings[booking_id][2] in LIVE_STATUSES:
            keys.add((booking_id, day))
    acknowledged: dict[tuple[int, dt.date], int | None] = {}
    for booking_id, day, at, minutes in session.execute(
        select(
            AttendanceDay.booking_id,
            AttendanceDay.work_day,
            AttendanceDay.acknowledged_at,
            AttendanceDay.acknowledged_minutes,
        ).where(AttendanceDay.booking_id.in_(ids), *scope)
    ):
        keys.add((booking_id, day))
        if at is not None:
            acknowledged[(booking_id, day)] = minutes
    scans: dict[tuple[int, dt.date], list[Scan]] = {}
    for scan_id, booking_id, day, kind, at, device in session.execute(
        select(
            AttendanceScan.id,
            AttendanceScan.booking_id,
            AttendanceScan.work_day,
            AttendanceScan.kind,
            AttendanceScan.occurred_at,
            AttendanceScan.device_id,
        ).where(
            AttendanceScan.project_id == project.id,
            AttendanceScan.booking_id.in_(ids),
            AttendanceScan.work_day >= first,
            AttendanceScan.work_day <= last,
            AttendanceScan.voided_at.is_(None),
        )
    ):
        if days is not None and day not in days:
            continue
        scans.setdefault((booking_id, day), []).append(Scan(scan_id, kind, at, device))
    threshold = threshold_minutes(project)
    overtime_after = dt.timedelta(minutes=threshold) if threshold is not None else None
    rows = [
        _row(
            project,
            bookings[booking_id],
            day,
            scans.get((booking_id, day), []),
            zone,
            overtime_after,
            threshold,
            (booking_id, day) in acknowledged,
            acknowledged.get((booking_id, day)),
        )
        for booking_id, day in keys
    ]
    rows.sort(
        key=lambda r: (
            r.work_day,
            r.role_name,
            r.role_id,
            r.last_name,
            r.first_name,
            r.booking_code,
        )
    )
    return rows


def _row(
    project: Project,
    booking: tuple,
    day: dt.date,
    scans: list[Scan],
    zone: ZoneInfo,
    overtime_after: dt.timedelta | None,
    threshold: int | None,
    acknowledged: bool,
    acknowledged_minutes: int | None,
) -> TalentDay:
    (booking_id, code, status, talent_id, talent_code, cinema_code, first_name, last_name,
     role_id, role_name, call_time, rate, currency) = booking  # fmt: skip
    summary = day_summary(
        scans, call_at=call_instant(day, call_time, zone), overtime_after=overtime_after
    )
    present = summary.arrival_at is not None
    overtime_amount, amount = pay(rate, present, summary.overtime_minutes, threshold)
    return TalentDay(
        work_day=day,
        booking_id=booking_id,
        booking_code=code,
        booking_status=status,
        talent_id=talent_id,
        talent_code=talent_code,
        cinema_code=cinema_code,
        first_name=first_name or "",
        last_name=last_name or "",
        role_id=role_id,
        role_name=role_name,
        project_id=project.id,
        project_name=project.name,
        call_time=call_time,
        arrival=summary.arrival_at.astimezone(zone) if summary.arrival_at else None,
        departure=summary.departure_at.astimezone(zone) if summary.departure_at else None,
        on_set=summary.on_set,
        meal_minutes=summary.meal_minutes,
        worked_minutes=summary.worked_minutes,
        overtime_minutes=summary.overtime_minutes,
        late_minutes=summary.late_minutes,
        day_rate=rate,
        currency=currency or "MAD",
        overtime_amount=overtime_amount,
        amount=amount,
        acknowledged=acknowledged,
        changed_since_acknowledged=acknowledged
        and acknowledged_minutes is not None
        and acknowledged_minutes != summary.worked_minutes,
    )
