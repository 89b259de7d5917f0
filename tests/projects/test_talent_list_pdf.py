"""The project's talent list PDF (/projects/<id>/talents.pdf): every live booking on as many
pages as needed — 300 of them read back from the pages, none lost after page one — the
headings on every page, the empty « Notes » column, French days, the audit row."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select

from tests.helpers import login, make_settings
from tests.projects.badge_helpers import add_booking, add_talents, make_production, page_texts

STAFF_EMAIL = "list-casting@example.org"
HEADINGS = ("RÔLE", "RÉSERVATION", "CODE CINEMA", "NOM", "JOURS", "CONVOCATION", "NOTES")


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def staff(app, make_user):
    make_user(email=STAFF_EMAIL, capabilities=["casting"], code="MAF0911CAS")
    client = app.test_client()
    assert login(client, STAFF_EMAIL).status_code == 302
    return client


def _bulk_bookings(app, production, talents: list[int], role: str, first: int) -> list[str]:
    """One confirmed booking per talent, in one transaction (300 bookings in a second)."""
    from talento.extensions import db
    from talento.projects.models import Booking, BookingDay

    codes = []
    with app.app_context():
        for offset, talent_id in enumerate(talents):
            code = f"CCAFB001{first + offset:04d}"
            days = [dt.date(2027, 3, 15) + dt.timedelta(days=d) for d in range(offset % 4 + 1)]
            db.session.add(
                Booking(
                    code=code,
                    project_id=production.project_id,
                    role_id=production.roles[role],
                    talent_id=talent_id,
                    status="confirmed" if offset % 2 else "pending",
                    call_time=dt.time(6, 30),
                    booked_days=[BookingDay(day=day) for day in days],
                )
            )
            codes.append(code)
        db.session.commit()
        db.session.remove()
    return codes


def test_three_hundred_rows_all_present_across_pages_with_headings_on_each(app, staff):
    production = make_production(app)
    talents = add_talents(app, 300, start=100, photo=False)
    codes = _bulk_bookings(app, production, talents[:280], "Nomades", 1)
    codes += _bulk_bookings(app, production, talents[280:], "Le Chef", 281)
    response = staff.get(f"/projects/{production.project_id}/talents.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    texts = page_texts(response.data)
    assert len(texts) > 10
    whole = "\n".join(texts)
    printed = re.findall(r"CCAFB001\d{4}", whole)
    assert sorted(printed) == sorted(codes), "every booking exactly once, none after page one lost"
    assert len(set(re.findall(r"MATNG\d{4}M", whole))) == 300
    for number, text in enumerate(texts, start=1):
        for heading in HEADINGS:
            assert heading in text, (number, heading)
        assert "Liste des talents — Le Désert des Tartares" in text
        assert f"Page {number} sur {len(texts)}" in text
    # Every page but the last is full; the rows of a page follow the previous page's.
    per_page = [re.findall(r"CCAFB001\d{4}", text) for text in texts]
    assert all(len(rows) >= 10 for rows in per_page[:-1])
    assert [code for rows in per_page for code in rows] == codes  # role order, then name
    assert "Atlas Films Badges · 15–30 mars 2027 · 300 talents" in texts[0]


def test_a_row_says_role_code_name_days_and_call_time_and_leaves_notes_empty(app, staff):
    production = make_production(app)
    one, two, three = add_talents(app, 3, start=10, photo=False)
    add_booking(
        app,
        production,
        "Le Chef",
        one,
        "CCAFB0010010",
        days=tuple(dt.date(2027, 3, day) for day in (15, 16, 17, 20)),
        call_time=dt.time(6, 45),
    )
    add_booking(app, production, "Nomades", two, "CCAFB0010011", status="cancelled")
    add_booking(app, production, "Nomades", three, "CCAFB0010012", status="declined")
    (page,) = page_texts(staff.get(f"/projects/{production.project_id}/talents.pdf").data)
    text = " ".join(page.split())  # a cell's wrapped lines, joined
    assert "CCAFB0010010" in text
    assert "MATNG0010M" in text
    assert "Fatima-Zahra Bennani 0010" in text
    assert "15–17 mars 2027, 20 mars 2027" in text
    assert "06:45" in text
    assert "Le Chef" in text
    assert "CCAFB0010011" not in text
    assert "CCAFB0010012" not in text
    notes_column = text.split("NOTES", 1)[1]
    assert notes_column.strip().startswith("Le Chef"), "nothing printed under « Notes »"
    assert "1 talent" in text


def test_an_empty_project_prints_a_page_that_says_so(app, staff):
    production = make_production(app)
    (text,) = page_texts(staff.get(f"/projects/{production.project_id}/talents.pdf").data)
    assert "Aucune réservation en cours pour ce projet." in text


def test_printing_the_list_is_audited(app, staff):
    from talento.audit.models import AuditAction, AuditEvent
    from talento.extensions import db

    production = make_production(app)
    (talent,) = add_talents(app, 1, start=20, photo=False)
    add_booking(app, production, "Nomades", talent, "CCAFB0010020")
    assert staff.get(f"/projects/{production.project_id}/talents.pdf").status_code == 200
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.TALENT_LIST_PRINTED.value)
        ).all()
        assert event.actor_code == "MAF0911CAS"
        assert json.loads(event.detail) == {"bookings": 1, "project_id": production.project_id}
