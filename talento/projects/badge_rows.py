"""What the badges and the talent list print, read in three queries whatever the number of
bookings: the live bookings with their role, talent name, CINEMA code and primary photo's
thumbnail (one query), their booked days (one query), and the project with its company.

Plain frozen rows, no ORM objects: the PDF builders take data, not sessions, and 300 rows of
tuples weigh nothing next to 300 loaded CastingProfiles with their selectin collections.
Only live bookings (pending or confirmed) are printed: a cancelled or declined person has no
badge and no line on the set's list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.casting.models import CastingPhoto, CastingProfile
from talento.projects.models import Booking, BookingDay, CastingRole, Project

LIVE_STATUSES = ("pending", "confirmed")

__all__ = [
    "LIVE_STATUSES",
    "BookingRow",
    "ProjectHeader",
    "booking_rows",
    "day_runs",
    "days_text",
    "project_header",
    "range_text",
    "span_text",
]


@dataclass(frozen=True)
class ProjectHeader:
    """The project and its company, as printed on every badge and list page."""

    project_id: int
    project_name: str
    company_name: str
    logo_name: str | None
    start_date: dt.date | None
    end_date: dt.date | None


@dataclass(frozen=True)
class BookingRow:
    """One live booking as printed: who, which role, which days, and the badge's photo."""

    booking_id: int
    code: str
    status: str
    project_id: int
    role_id: int
    role_name: str
    talent_type: str
    talent_id: int
    talent_code: str  # the account's code (audit rows name people by it)
    first_name: str
    last_name: str
    cinema_code: str | None
    thumb_name: str | None
    call_time: dt.time | None
    days: tuple[dt.date, ...]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def project_header(project: Project) -> ProjectHeader:
    return ProjectHeader(
        project_id=project.id,
        project_name=project.name,
        company_name=project.company.name,
        logo_name=project.company.logo_name,
        start_date=project.start_date,
        end_date=project.end_date,
    )


def booking_rows(
    session: Session,
    project_id: int,
    *,
    role_id: int | None = None,
    booking_id: int | None = None,
    on_days: set[dt.date] | None = None,
    live_only: bool = True,
) -> list[BookingRow]:
    """The project's bookings (of one role, or one booking), live ones only unless told,
    in print order: roles in their order, then people by name, then code. `on_days`: only
    bookings with at least one of these days (a presence account assigned to some days)."""
    query = (
        select(
            Booking.id,
            Booking.code,
            Booking.status,
            Booking.project_id,
            Booking.role_id,
            CastingRole.name,
            CastingRole.talent_type,
            Booking.talent_id,
            User.code,
            User.first_name,
            User.last_name,
            CastingProfile.code,
            CastingPhoto.thumb_name,
            Booking.call_time,
        )
        .join(CastingRole, CastingRole.id == Booking.role_id)
        .join(CastingProfile, CastingProfile.user_id == Booking.talent_id)
        .join(User, User.id == Booking.talent_id)
        .outerjoin(
            CastingPhoto,
            and_(CastingPhoto.user_id == Booking.talent_id, CastingPhoto.is_primary),
        )
        .where(Booking.project_id == project_id)
        .order_by(
            CastingRole.position,
            CastingRole.name,
            CastingRole.id,
            User.last_name,
            User.first_name,
            Booking.code,
        )
    )
    if role_id is not None:
        query = query.where(Booking.role_id == role_id)
    if booking_id is not None:
        query = query.where(Booking.id == booking_id)
    if live_only:
        query = query.where(Booking.status.in_(LIVE_STATUSES))
    if on_days is not None:
        query = query.where(
            exists().where(BookingDay.booking_id == Booking.id, BookingDay.day.in_(on_days))
        )
    found = session.execute(query).all()
    days: dict[int, list[dt.date]] = {}
    if found:
        ids = [row[0] for row in found]
        for start in range(0, len(ids), 1000):  # bounded IN lists
            for booking, day in session.execute(
                select(BookingDay.booking_id, BookingDay.day)
                .where(BookingDay.booking_id.in_(ids[start : start + 1000]))
                .order_by(BookingDay.booking_id, BookingDay.day)
            ):
                days.setdefault(booking, []).append(day)
    return [_row(tuple(row), tuple(days.get(row[0], ()))) for row in found]


def _row(values: tuple, days: tuple[dt.date, ...]) -> BookingRow:
    """A row of :func:`booking_rows`' query, in its column order, with its days."""
    (booking_id, code, status, project_id, role_id, role_name, talent_type, talent_id,
     talent_code, first_name, last_name, cinema_code, thumb_name, call_time) = values  # fmt: skip
    return BookingRow(
        booking_id=booking_id,
        code=code,
        status=status,
        project_id=project_id,
        role_id=role_id,
        role_name=role_name,
        talent_type=talent_type,
        talent_id=talent_id,
        talent_code=talent_code,
        first_name=first_name,
        last_name=last_name,
        cinema_code=cinema_code,
        thumb_name=thumb_name,
        call_time=call_time,
        days=days,
    )


def range_text(first: dt.date, last: dt.date, lang: str) -> str:
    """« 15 mars 2027 », « 15–17 mars 2027 », « 28 févr. – 2 mars 2027 » (Babel, CLDR)."""
    from babel.dates import format_date, format_interval

    if first == last:
        return format_date(first, "d MMMM y", locale=lang)
    return format_interval(first, last, "yMMMMd", locale=lang)


def day_runs(days: tuple[dt.date, ...] | list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days grouped: [15, 16, 17, 20 mars] → [(15, 17), (20, 20)]."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def days_text(days: tuple[dt.date, ...] | list[dt.date], lang: str) -> str:
    """Every booked day, consecutive ones as a range: « 15–17 mars 2027, 20 mars 2027 »."""
    return ", ".join(range_text(first, last, lang) for first, last in day_runs(days))


def span_text(days: tuple[dt.date, ...] | list[dt.date], lang: str) -> str:
    """From the first to the last booked day (the badge's validity), or "" without days."""
    if not days:
        return ""
    return range_text(min(days), max(days), lang)
