"""Fixtures of the productions tests: accounts of each kind, a company with a member, a project
(with a presence account assigned), and a signed-in client per account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.helpers import _csrf_from, login


@dataclass(frozen=True)
class Cast:
    """The accounts and rows of a test: ids and e-mails."""

    casting: int
    admin: int
    talent: int
    member: int
    presence: int
    recruiter: int
    company_id: int
    project_id: int


EMAILS = {
    "casting": "casting@example.ma",
    "admin": "admin@example.ma",
    "talent": "talent@example.ma",
    "member": "member@example.ma",
    "presence": "presence@example.ma",
    "recruiter": "recruiter@example.ma",
}


@pytest.fixture
def cast(app, make_user) -> Cast:
    from talento.extensions import db
    from talento.projects.models import (
        CompanyMember,
        PresenceAssignment,
        ProductionCompany,
        Project,
    )

    ids = {
        "casting": make_user(email=EMAILS["casting"], capabilities=["casting"]),
        "admin": make_user(email=EMAILS["admin"], capabilities=["admin"]),
        "talent": make_user(email=EMAILS["talent"], capabilities=["talent"]),
        "member": make_user(email=EMAILS["member"], capabilities=[]),
        "presence": make_user(email=EMAILS["presence"], capabilities=["presence"]),
        "recruiter": make_user(email=EMAILS["recruiter"], capabilities=["recruiter"]),
    }
    with app.app_context():
        company = ProductionCompany(name="Atlas Films", initials="AF", last_project_number=1)
        db.session.add(company)
        db.session.flush()
        db.session.add(CompanyMember(company_id=company.id, user_id=ids["member"]))
        project = Project(
            company_id=company.id,
            number=1,
            name="Le Désert",
            start_date=dt.date(2027, 3, 1),
            end_date=dt.date(2027, 3, 31),
        )
        db.session.add(project)
        db.session.flush()
        db.session.add(PresenceAssignment(project_id=project.id, user_id=ids["presence"]))
        db.session.commit()
        company_id, project_id = company.id, project.id
        db.session.remove()
    return Cast(**ids, company_id=company_id, project_id=project_id)


@pytest.fixture
def as_role(app, cast):
    """``as_role("casting")``: a test client signed in as that account."""

    def signed_in(role: str):
        client = app.test_client()
        response = login(client, EMAILS[role])
        assert response.status_code == 302, f"cannot sign in as {role}"
        return client

    return signed_in


def csrf(client) -> str:
    """A CSRF token of this client's session (every form of the session accepts it)."""
    return _csrf_from(client.get("/auth/forgot").get_data(as_text=True))
