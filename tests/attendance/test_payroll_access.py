"""Who reads payroll and signs day sheets: casting staff and admins everything; the project's
company members read (exports, sheets, histories) but do not sign; a presence account only
its assigned days (exports cut to them, sheets and sign-off of those days); talents,
recruiters and other companies get the 404 of a project that does not exist."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.attendance.payroll_fixtures import (
    DAY,
    book,
    csrf,
    make_payroll,
    record,
    staff_client,
)
from tests.helpers import login, make_settings

NEXT = DAY + dt.timedelta(days=1)


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def two_days(app):
    payroll = make_payroll(app)
    book(app, payroll, "Amine Lundi", days=(DAY,))
    book(app, payroll, "Basma Deuxjours", days=(DAY, NEXT))
    record(
        app, payroll, "Amine Lundi", [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 17:00")]
    )
    record(
        app,
        payroll,
        "Basma Deuxjours",
        [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 15:00")],
    )
    record(
        app,
        payroll,
        "Basma Deuxjours",
        [("scan", "2025-06-17 07:00"), ("scan", "2025-06-17 16:00")],
        work_day=NEXT,
    )
    return payroll


def _account(app, make_user, email: str, capabilities: list[str], **rows):
    """An account (and its presence assignment or company membership), signed in."""
    from talento.extensions import db
    from talento.projects.models import CompanyMember, PresenceAssignment

    user_id = make_user(email=email, capabilities=capabilities)
    with app.app_context():
        if "assigned" in rows:
            project_id, day = rows["assigned"]
            db.session.add(PresenceAssignment(project_id=project_id, user_id=user_id, day=day))
        if "member_of" in rows:
            db.session.add(CompanyMember(company_id=rows["member_of"], user_id=user_id))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _csv_days(response) -> list[str]:
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8")[1:]), delimiter=";"))[1:]
    return sorted(row[0] for row in rows)


def _urls(payroll, day=DAY):
    role = payroll.roles["Nomades"]
    return {
        "csv": f"/attendance/{payroll.project_id}/payroll.csv?period=week&day={day.isoformat()}",
        "xlsx": f"/attendance/{payroll.project_id}/payroll.xlsx?period=day&day={day.isoformat()}",
        "sheet": f"/attendance/roles/{role}/{day.isoformat()}/sheet.pdf",
        "sign": f"/attendance/roles/{role}/{day.isoformat()}/signoff",
    }


def test_a_presence_account_reads_and_signs_only_its_assigned_day(app, make_user, two_days):
    from talento.attendance.models import DaySheetSignoff
    from talento.extensions import db

    client = _account(
        app,
        make_user,
        "presence-day@example.org",
        ["presence"],
        assigned=(two_days.project_id, NEXT),
    )
    assert _csv_days(client.get(_urls(two_days)["csv"])) == ["2025-06-17"]
    assert client.get(_urls(two_days, DAY)["sheet"]).status_code == 404
    assert client.get(_urls(two_days, NEXT)["sheet"]).status_code == 200
    token = csrf(client)
    assert client.post(_urls(two_days, DAY)["sign"], data={"csrf_token": token}).status_code == 404
    assert client.post(_urls(two_days, NEXT)["sign"], data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(DaySheetSignoff, (two_days.roles["Nomades"], NEXT)) is not None
        assert db.session.get(DaySheetSignoff, (two_days.roles["Nomades"], DAY)) is None
        db.session.remove()
    amine = two_days.people["Amine Lundi"][1]
    basma = two_days.people["Basma Deuxjours"][1]
    history = f"/attendance/{two_days.project_id}/talents/"
    assert client.get(f"{history}{amine}").status_code == 404  # booked on Monday only
    page = client.get(f"{history}{basma}").get_data(as_text=True)
    assert "mardi 17 juin 2025" in page
    assert "lundi 16 juin 2025" not in page


def test_a_presence_account_of_another_project_sees_nothing(app, make_user, two_days):
    other = make_payroll(app)
    client = _account(
        app,
        make_user,
        "presence-other@example.org",
        ["presence"],
        assigned=(other.project_id, None),
    )
    urls = _urls(two_days)
    for key in ("csv", "xlsx", "sheet"):
        assert client.get(urls[key]).status_code == 404, key
    assert client.post(urls["sign"], data={"csrf_token": csrf(client)}).status_code == 404


def test_a_company_member_reads_every_day_but_does_not_sign(app, make_user, two_days):
    client = _account(app, make_user, "member@example.org", [], member_of=two_days.company_id)
    assert _csv_days(client.get(_urls(two_days)["csv"])) == [
        "2025-06-16",
        "2025-06-16",
        "2025-06-17",
    ]
    assert client.get(_urls(two_days)["xlsx"]).status_code == 200
    assert client.get(_urls(two_days)["sheet"]).status_code == 200
    response = client.post(_urls(two_days)["sign"], data={"csrf_token": csrf(client)})
    assert response.status_code == 403


@pytest.mark.parametrize("capabilities", [["talent"], ["recruiter"], []])
def test_talents_recruiters_and_strangers_get_a_404(app, make_user, two_days, capabilities):
    client = _account(app, make_user, "stranger@example.org", capabilities)
    urls = _urls(two_days)
    for key in ("csv", "xlsx", "sheet"):
        assert client.get(urls[key]).status_code == 404, key
    talent = two_days.people["Amine Lundi"][1]
    assert client.get(f"/attendance/{two_days.project_id}/talents/{talent}").status_code == 404
    assert client.post(urls["sign"], data={"csrf_token": csrf(client)}).status_code == 404


def test_the_booked_talent_does_not_open_the_staff_pages(app, two_days):
    """The talent's own hours are in their space (« Mes présences »), not on staff pages."""
    from talento.accounts.models import User
    from talento.accounts.services import set_password
    from talento.extensions import db
    from tests.helpers import USER_PASSWORD

    talent = two_days.people["Amine Lundi"][1]
    with app.app_context():
        user = db.session.get(User, talent)
        user.capabilities = {"talent"}
        set_password(user, USER_PASSWORD, app.extensions["talento.passwords"])
        email = user.email
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    assert login(client, email).status_code == 302
    assert client.get(f"/attendance/{two_days.project_id}/talents/{talent}").status_code == 404
    assert client.get(_urls(two_days)["csv"]).status_code == 404


def test_anonymous_visitors_are_sent_to_login(app, two_days):
    client = app.test_client()
    for key in ("csv", "xlsx", "sheet"):
        response = client.get(_urls(two_days)[key])
        assert response.status_code == 302, key
        assert "/auth/login" in response.location


def test_a_deleted_project_is_a_404_even_for_staff(app, make_user, two_days):
    from talento.extensions import db, utcnow
    from talento.projects.models import Project

    with app.app_context():
        db.session.get(Project, two_days.project_id).deleted_at = utcnow()
        db.session.commit()
        db.session.remove()
    client = staff_client(app, make_user)
    for key in ("csv", "xlsx", "sheet"):
        assert client.get(_urls(two_days)[key]).status_code == 404, key


def test_the_project_page_offers_the_exports_and_the_booking_page_the_history(
    app, make_user, two_days
):
    """GET forms (no JavaScript): a period and a day, or a range; XLSX or CSV by button."""
    client = staff_client(app, make_user)
    html = client.get(f"/projects/{two_days.project_id}").get_data(as_text=True)
    assert 'id="payroll-period"' in html
    assert f'action="/attendance/{two_days.project_id}/payroll.xlsx"' in html
    assert f'formaction="/attendance/{two_days.project_id}/payroll.csv"' in html
    assert 'id="payroll-range"' in html
    booking_id, talent_id, _code = two_days.people["Amine Lundi"]
    html = client.get(f"/projects/bookings/{booking_id}").get_data(as_text=True)
    assert f'href="/attendance/{two_days.project_id}/talents/{talent_id}"' in html
    # The forms' own submissions work as they are sent.
    week = client.get(f"/attendance/{two_days.project_id}/payroll.csv?period=week&day=2025-06-16")
    assert _csv_days(week) == ["2025-06-16", "2025-06-16", "2025-06-17"]
