"""A set for the attendance tests: a company (initials AFM) with a member, project n° 1
(overtime after 10 h) with a presence account assigned to every day, two roles (« Nomades »,
call 07:00, and « Marchands »), booked talents with casting profiles, a standby person on
the shortlist, casting staff, and a signed-in client per account. Made with the ORM."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest

from talento.extensions import db
from tests.helpers import _csrf_from, login

#: A summer day: Africa/Casablanca is UTC+1 then (UTC+0 only during Ramadan).
DAY = dt.date(2027, 7, 15)
NEXT = DAY + dt.timedelta(days=1)
EMAILS = {
    "casting": "casting.att@example.ma",
    "presence": "presence.att@example.ma",
    "member": "member.att@example.ma",
    "recruiter": "recruiter.att@example.ma",
}
_numbers = itertools.count(1)


@dataclass(frozen=True)
class OnSet:
    project_id: int
    other_project_id: int
    nomads_id: int
    traders_id: int
    #: booking ids, and codes, in creation order: three nomads, one trader
    bookings: tuple[int, ...]
    codes: tuple[str, ...]
    talents: tuple[int, ...]
    standby_id: int
    other_booking_code: str
    cancelled_code: str
    casting: int
    presence: int
    member: int


def utc(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.fixture
def make_casting_talent(app, make_talent):
    from talento.casting.models import CastingProfile

    def factory(first_name: str, last_name: str) -> int:
        n = next(_numbers)
        user_id = make_talent(
            email=f"{first_name.lower()}.{last_name.lower()}@example.org",
            code=f"MAM{n:04d}ATT",
            first_name=first_name,
            last_name=last_name,
        )
        with app.app_context():
            db.session.add(
                CastingProfile(
                    user_id=user_id,
                    code=f"MAATT{n:04d}M",
                    registration_step="done",
                    completed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                )
            )
            db.session.commit()
            db.session.remove()
        return user_id

    return factory


@pytest.fixture
def on_set(app, make_user, make_casting_talent) -> OnSet:
    from talento.projects.models import (
        Booking,
        BookingDay,
        CastingRole,
        CompanyMember,
        PresenceAssignment,
        ProductionCompany,
        Project,
        ShortlistEntry,
    )

    casting = make_user(email=EMAILS["casting"], capabilities=["casting"], code="MAC0091CAS")
    presence = make_user(email=EMAILS["presence"], capabilities=["presence"], code="MAP0092CAS")
    member = make_user(email=EMAILS["member"], capabilities=[], code="MAM0093CAS")
    make_user(email=EMAILS["recruiter"], capabilities=["recruiter"], code="MAR0094CAS")
    people = [
        make_casting_talent("Youssef", "Amrani"),
        make_casting_talent("Fatima", "Benali"),
        make_casting_talent("Karim", "Chraibi"),
        make_casting_talent("Salma", "Douiri"),
        make_casting_talent("Omar", "Standby"),
        make_casting_talent("Nadia", "Annulee"),
    ]
    with app.app_context():
        company = ProductionCompany(name="Atlas Films", initials="AFM", last_project_number=2)
        db.session.add(company)
        db.session.flush()
        db.session.add(CompanyMember(company_id=company.id, user_id=member))
        project = Project(
            company_id=company.id,
            number=1,
            name="Le Grand Sud",
            overtime_after_hours=Decimal("10"),
            last_booking_number=10,
        )
        other = Project(company_id=company.id, number=2, name="Autre film", last_booking_number=5)
        db.session.add_all([project, other])
        db.session.flush()
        db.session.add(PresenceAssignment(project_id=project.id, user_id=presence))
        nomads = CastingRole(project_id=project.id, name="Nomades", talent_type="extra")
        traders = CastingRole(project_id=project.id, name="Marchands", talent_type="secondary")
        other_role = CastingRole(project_id=other.id, name="Foule", talent_type="extra")
        db.session.add_all([nomads, traders, other_role])
        db.session.flush()

        def book(code, role, talent, days, status="confirmed", project_id=project.id):
            booking = Booking(
                code=code,
                project_id=project_id,
                role_id=role.id,
                talent_id=talent,
                status=status,
                call_time=dt.time(7, 0),
                rate_per_day=Decimal("400"),
                booked_days=[BookingDay(day=d) for d in days],
            )
            db.session.add(booking)
            return booking

        made = [
            book("CCAFM0010001", nomads, people[0], [DAY, NEXT]),
            book("CCAFM0010002", nomads, people[1], [DAY]),
            book("CCAFM0010003", nomads, people[2], [DAY]),
            book("CCAFM0010004", traders, people[3], [DAY]),
        ]
        book("CCAFM0020001", other_role, people[0], [DAY], project_id=other.id)
        book("CCAFM0010005", nomads, people[5], [DAY], status="cancelled")
        db.session.add(ShortlistEntry(role_id=nomads.id, talent_id=people[4], status="available"))
        db.session.add(ShortlistEntry(role_id=nomads.id, talent_id=people[0], status="booked"))
        db.session.commit()
        result = OnSet(
            project_id=project.id,
            other_project_id=other.id,
            nomads_id=nomads.id,
            traders_id=traders.id,
            bookings=tuple(b.id for b in made),
            codes=tuple(b.code for b in made),
            talents=tuple(people[:4]),
            standby_id=people[4],
            other_booking_code="CCAFM0020001",
            cancelled_code="CCAFM0010005",
            casting=casting,
            presence=presence,
            member=member,
        )
        db.session.remove()
    return result


@pytest.fixture
def as_account(app, on_set):
    """``as_account("presence")`` or ``as_account("att1@example.org")``: a signed-in client."""

    def signed_in(who: str):
        client = app.test_client()
        response = login(client, EMAILS.get(who, who))
        assert response.status_code == 302, f"cannot sign in as {who}"
        return client

    return signed_in


def day_url(on_set: OnSet, day: dt.date = DAY) -> str:
    return f"/attendance/{on_set.project_id}/{day.isoformat()}"


def token_of(client, page: str) -> str:
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    return _csrf_from(response.get_data(as_text=True))
