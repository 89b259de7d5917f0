"""A production with its day on set, written as the recording side writes it: attendance
days and scan rows with explicit kinds and device times (real rows, not mocks), for the
payroll tests. Times are given as the set's local wall-clock times (Africa/Casablanca,
UTC+1 in June 2025; in 2027 UTC+0 until 14 March 03:00) and stored in UTC."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.helpers import _csrf_from, login
from tests.projects.badge_helpers import add_talents, make_production

ZONE = ZoneInfo("Africa/Casablanca")
DAY = dt.date(2025, 6, 16)  # a Monday, past: its absences are absences
STAFF_EMAIL = "payroll-casting@example.org"


def at(local: str) -> dt.datetime:
    """« 2025-06-16 07:42 » on the set's clock, as a UTC instant."""
    return dt.datetime.fromisoformat(local).replace(tzinfo=ZONE).astimezone(dt.UTC)


@dataclass
class Payroll:
    project_id: int
    company_id: int
    roles: dict[str, int]
    #: name → (booking id, talent id, booking code)
    people: dict[str, tuple[int, int, str]] = field(default_factory=dict)


def make_payroll(app, *, threshold: Decimal | None = Decimal("10")) -> Payroll:
    """A project (overtime after `threshold` hours) with roles « Nomades » and « Le Chef »."""
    from talento.extensions import db
    from talento.projects.models import Project

    production = make_production(app)
    with app.app_context():
        project = db.session.get(Project, production.project_id)
        project.overtime_after_hours = threshold
        project.start_date, project.end_date = dt.date(2025, 6, 1), dt.date(2025, 7, 31)
        db.session.commit()
        db.session.remove()
    return Payroll(production.project_id, production.company_id, dict(production.roles))


_counter = {"n": 500}


def book(
    app,
    payroll: Payroll,
    name: str,
    *,
    role: str = "Nomades",
    rate: str | None = "400",
    call: str | None = "07:00",
    days: tuple[dt.date, ...] = (DAY,),
    status: str = "confirmed",
) -> int:
    """A talent called `name` (« Prénom Nom ») booked on the role; returns the booking id."""
    from talento.extensions import db
    from talento.projects.models import Booking, BookingDay

    _counter["n"] += 1
    n = _counter["n"]
    (talent_id,) = add_talents(app, 1, start=n, photo=False, names=[name])
    code = f"CCAFB001{n:04d}"
    with app.app_context():
        booking = Booking(
            code=code,
            project_id=payroll.project_id,
            role_id=payroll.roles[role],
            talent_id=talent_id,
            status=status,
            rate_per_day=Decimal(rate) if rate is not None else None,
            call_time=dt.time.fromisoformat(call) if call else None,
            booked_days=[BookingDay(day=day) for day in days],
        )
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
        db.session.remove()
    payroll.people[name] = (booking_id, talent_id, code)
    return booking_id


def record(
    app,
    payroll: Payroll,
    name: str,
    scans: list[tuple[str, str] | tuple[str, str, str]],
    *,
    work_day: dt.date = DAY,
    acknowledged_minutes: int | None = None,
) -> list[int]:
    """The day's scans of `name`: (kind, local time) or (kind, local time, "void"), written as
    rows; the working day is the one attendance.rules gives the first scan (checked)."""
    from talento.attendance.models import AttendanceDay, AttendanceScan
    from talento.attendance.rules import work_day_for
    from talento.extensions import db, utcnow
    from talento.projects.models import BookingDay

    booking_id = payroll.people[name][0]
    with app.app_context():
        booked = set(
            db.session.scalars(db.select(BookingDay.day).where(BookingDay.booking_id == booking_id))
        )
        assert work_day_for(at(scans[0][1]), booked, ZONE) == work_day
        day = AttendanceDay(booking_id=booking_id, work_day=work_day)
        if acknowledged_minutes is not None:
            day.acknowledged_at = utcnow()
            day.acknowledged_minutes = acknowledged_minutes
        db.session.add(day)
        db.session.flush()
        rows = []
        for kind, local, *void in scans:
            rows.append(
                AttendanceScan(
                    scan_uuid=str(uuid.uuid4()),
                    booking_id=booking_id,
                    work_day=work_day,
                    project_id=payroll.project_id,
                    kind=kind,
                    source="camera",
                    occurred_at=at(local),
                    device_id="phone-1",
                    voided_at=utcnow() if void else None,
                )
            )
        db.session.add_all(rows)
        db.session.commit()
        ids = [row.id for row in rows]
        db.session.remove()
    return ids


def staff_client(app, make_user, email: str = STAFF_EMAIL, capabilities=("casting",)):
    make_user(email=email, capabilities=list(capabilities), first_name="Salma", last_name="Idrissi")
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def csrf(client) -> str:
    return _csrf_from(client.get("/auth/forgot").get_data(as_text=True))


def day_on_set(app) -> Payroll:
    """The day of tests/attendance/test_payroll_figures.py (its docstring has the figures):
    six extras of « Nomades » on DAY, five came."""
    payroll = make_payroll(app)
    book(app, payroll, "Amine Normal", rate="400")
    book(app, payroll, "Basma Repas", rate="350")
    book(app, payroll, "Chaimae Tard", rate="500")
    book(app, payroll, "Driss Nuit", rate="300", call="20:00")
    book(app, payroll, "Errachid Retour", rate="400")
    book(app, payroll, "Farah Absente", rate="400")
    record(
        app,
        payroll,
        "Amine Normal",
        [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 17:00")],
        acknowledged_minutes=600,
    )
    record(
        app,
        payroll,
        "Basma Repas",
        [
            ("scan", "2025-06-16 06:50"),
            ("meal_start", "2025-06-16 12:30"),
            ("meal_end", "2025-06-16 13:15"),
            ("scan", "2025-06-16 18:20"),
        ],
    )
    record(
        app, payroll, "Chaimae Tard", [("scan", "2025-06-16 07:25"), ("scan", "2025-06-16 19:45")]
    )
    record(app, payroll, "Driss Nuit", [("scan", "2025-06-16 19:55"), ("scan", "2025-06-17 02:10")])
    record(
        app,
        payroll,
        "Errachid Retour",
        [
            ("scan", "2025-06-16 07:00"),
            ("scan", "2025-06-16 09:00", "void"),
            ("scan", "2025-06-16 12:00"),
            ("scan", "2025-06-16 13:00"),
            ("scan", "2025-06-16 17:30"),
        ],
    )
    return payroll
