"""Rows and clients for the availability, booking and « Mes engagements » tests: a company
(initials AFM), its project n° 1, a role with two shooting days a month ahead, talents with
casting profiles on its shortlist, a casting account. Made with the ORM, no page involved.

Fixture functions end in ``_fixture`` (their names, given with ``name=``, do not): test
modules import them without shadowing the arguments that use them."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from talento.extensions import db, utctoday
from tests.helpers import _csrf_from, login, smtp_settings

CASTING_EMAIL = "casting.booker@example.org"
_codes = itertools.count(1)


@dataclass(frozen=True)
class Production:
    company_id: int
    project_id: int
    role_id: int
    days: tuple[dt.date, ...]


@pytest.fixture(name="settings")
def settings_fixture(database_url, smtp):
    """Mail goes to the test SMTP server (the ``smtp`` / ``inbox`` fixtures)."""
    return smtp_settings(database_url, smtp)


@pytest.fixture(name="production")
def production_fixture(app) -> Production:
    return make_production(app)


def make_production(
    app,
    *,
    initials: str = "AFM",
    project_number: int = 1,
    rate: Decimal | None = Decimal("450"),
    days: tuple[dt.date, ...] | None = None,
) -> Production:
    from talento.projects.models import CastingRole, ProductionCompany, Project, RoleShootingDay

    days = days or (utctoday() + dt.timedelta(days=30), utctoday() + dt.timedelta(days=31))
    with app.app_context():
        company = ProductionCompany(
            name="Atlas Films", initials=initials, last_project_number=project_number
        )
        db.session.add(company)
        db.session.flush()
        project = Project(company_id=company.id, number=project_number, name="Le Grand Sud")
        db.session.add(project)
        db.session.flush()
        role = CastingRole(
            project_id=project.id,
            name="Caravaniers",
            talent_type="extra",
            people_needed=50,
            rate_per_day=rate,
            shooting_days=[RoleShootingDay(day=day) for day in days],
        )
        db.session.add(role)
        db.session.commit()
        made = Production(company.id, project.id, role.id, tuple(days))
        db.session.remove()
    return made


@pytest.fixture(name="make_cast")
def make_cast_fixture(app, make_talent):
    """A talent with a complete casting profile, on nobody's shortlist yet; returns the id.
    ``born`` makes a minor; ``guardian_email`` / ``guardian_name`` their guardian."""
    from talento.casting.models import CastingProfile

    def factory(
        email: str,
        *,
        born: dt.date | None = None,
        guardian_email: str | None = None,
        guardian_name: str | None = None,
        **account,
    ) -> int:
        n = next(_codes)
        user_id = make_talent(email=email, code=f"MAM{n:04d}OZZ", **account)
        with app.app_context():
            from talento.accounts.models import User

            if born is not None:
                db.session.get(User, user_id).date_of_birth = born
            db.session.add(
                CastingProfile(
                    user_id=user_id,
                    code=f"MAOZZ{n:04d}M",
                    registration_step="done",
                    completed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                    guardian_name=guardian_name,
                    guardian_email=guardian_email,
                    guardian_relationship="mother" if guardian_name else None,
                )
            )
            db.session.commit()
            db.session.remove()
        return user_id

    return factory


def shortlist(app, role_id: int, *talent_ids: int) -> list[int]:
    """Put the talents on the role's shortlist (status « présélectionné »); the entry ids."""
    from talento.projects.models import ShortlistEntry

    with app.app_context():
        entries = [
            ShortlistEntry(role_id=role_id, talent_id=talent_id, position=n, status="shortlisted")
            for n, talent_id in enumerate(talent_ids)
        ]
        db.session.add_all(entries)
        db.session.commit()
        ids = [entry.id for entry in entries]
        db.session.remove()
    return ids


@pytest.fixture(name="casting_id")
def casting_id_fixture(make_user) -> int:
    return make_user(email=CASTING_EMAIL, capabilities=["casting"], code="MAC0099CAS")


@pytest.fixture(name="staff")
def staff_fixture(app, casting_id):
    """A client signed in as a casting account."""
    client = app.test_client()
    assert login(client, CASTING_EMAIL).status_code == 302
    return client


def csrf(client, page: str) -> str:
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    return _csrf_from(response.get_data(as_text=True))


def entry_status(app, entry_id: int) -> str:
    from talento.projects.models import ShortlistEntry

    with app.app_context():
        status = db.session.scalar(
            select(ShortlistEntry.status).where(ShortlistEntry.id == entry_id)
        )
        db.session.remove()
    return status
