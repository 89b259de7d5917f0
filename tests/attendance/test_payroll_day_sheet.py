"""A role's day sheet PDF (one line per person, the totals row, the sign-off line), signing it
off at wrap (stored with its figures, audited, refused while someone is on set, signed again
after a correction), and one talent's history page."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.attendance.payroll_fixtures import (
    DAY,
    book,
    csrf,
    day_on_set,
    make_payroll,
    record,
    staff_client,
)
from tests.helpers import make_settings
from tests.projects.badge_helpers import page_texts

FIGURES = {
    "people": 6,
    "present": 5,
    "worked_minutes": 2930,  # 600 + 645 + 740 + 375 + 570
    "overtime_minutes": 185,  # 45 + 140
    "amount": "2092.92",  # 400 + 376.25 + 616.67 + 300 + 400
    "currency": "MAD",
}


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _flat(text: str) -> str:
    """PDF text with its spaces (French thousands use a narrow no-break space) removed."""
    return re.sub(r"\s", "", text.replace("\u202f", "").replace("\xa0", ""))


def _sheet(client, payroll, day=DAY):
    return client.get(f"/attendance/roles/{payroll.roles['Nomades']}/{day.isoformat()}/sheet.pdf")


def _sign(client, payroll, day=DAY):
    return client.post(
        f"/attendance/roles/{payroll.roles['Nomades']}/{day.isoformat()}/signoff",
        data={"csrf_token": csrf(client)},
    )


def _flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def test_the_day_sheet_lists_everyone_with_the_hand_computed_totals(app, make_user):
    payroll = day_on_set(app)
    client = staff_client(app, make_user)
    response = _sheet(client, payroll)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    (text,) = page_texts(response.data)
    assert "Feuille de présence — Nomades — lundi 16 juin 2025" in text
    assert "heures supplémentaires au-delà de 10 h" in text
    for name, (_booking_id, _talent, code) in payroll.people.items():
        assert code in text, name
        assert name in text, name
    flat = _flat(text)
    assert "Total:5présentssur6" in flat
    assert "48,833,082092,92MAD" in flat  # hours, overtime hours, amount, in that order
    assert "376,25MAD" in flat
    assert "616,67MAD" in flat
    assert "02:10(+1)" in flat  # the night shoot's departure, the next morning
    assert "Absent" in text
    assert "Non signée" in text


def test_signing_off_stores_the_figures_and_is_audited(app, make_user):
    from talento.attendance.models import DaySheetSignoff
    from talento.audit.models import AuditAction, AuditEvent
    from talento.extensions import db

    payroll = day_on_set(app)
    client = staff_client(app, make_user)
    response = _sign(client, payroll)
    assert response.status_code == 302
    assert response.location.endswith(f"/attendance/{payroll.project_id}/2025-06-16")
    assert _flashes(client) == ["Feuille de présence « Nomades » signée."]
    with app.app_context():
        signed = db.session.get(DaySheetSignoff, (payroll.roles["Nomades"], DAY))
        assert signed.totals == FIGURES
        assert signed.amount == Decimal("2092.92")
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.DAY_SHEET_SIGNED.value)
        ).all()
        assert json.loads(event.detail) == {
            "project_id": payroll.project_id,
            "role_id": payroll.roles["Nomades"],
            "day": "2025-06-16",
            "people": 6,
            "present": 5,
            "worked_minutes": 2930,
            "overtime_minutes": 185,
            "amount_cents": 209292,
        }
        db.session.remove()
    (text,) = page_texts(_sheet(client, payroll).data)
    assert "Signé par Salma Idrissi le " in text
    assert "Non signée" not in text

    # Signing again unchanged figures is refused (nothing stored, nothing audited) …
    _sign(client, payroll)
    assert _flashes(client) == ["Cette feuille est déjà signée avec ces chiffres."]
    # … a correction changes them: the sheet says so, and it can be signed again.
    from talento.attendance.models import AttendanceScan
    from talento.extensions import utcnow

    with app.app_context():
        booking_id = payroll.people["Amine Normal"][0]
        last = db.session.scalars(
            select(AttendanceScan)
            .where(AttendanceScan.booking_id == booking_id)
            .order_by(AttendanceScan.occurred_at.desc())
        ).first()
        last.voided_at = utcnow()
        db.session.commit()
        db.session.remove()
    (text,) = page_texts(_sheet(client, payroll).data)
    assert "Les chiffres ont changé depuis la signature" in text
    assert "1 personne est encore sur le plateau" in _sign_message(client, payroll)


def _sign_message(client, payroll) -> str:
    _sign(client, payroll)
    return " ".join(_flashes(client))


def test_signing_again_after_a_correction_replaces_the_figures(app, make_user):
    from talento.attendance.models import AttendanceScan, DaySheetSignoff
    from talento.audit.models import AuditAction, AuditEvent
    from talento.extensions import db, utcnow

    payroll = make_payroll(app)
    book(app, payroll, "Amine Normal")
    record(
        app, payroll, "Amine Normal", [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 17:00")]
    )
    client = staff_client(app, make_user)
    _sign(client, payroll)
    with app.app_context():  # the departure was 16:00: voided, and a 16:00 scan added
        booking_id = payroll.people["Amine Normal"][0]
        departure = db.session.scalars(
            select(AttendanceScan).order_by(AttendanceScan.occurred_at.desc())
        ).first()
        departure.voided_at = utcnow()
        db.session.add(
            AttendanceScan(
                scan_uuid="00000000-0000-4000-8000-000000000016",
                booking_id=booking_id,
                work_day=DAY,
                project_id=payroll.project_id,
                kind="departure",
                source="correction",
                occurred_at=departure.occurred_at.replace(hour=departure.occurred_at.hour - 1),
            )
        )
        db.session.commit()
        db.session.remove()
    assert "Les chiffres ont changé" in page_texts(_sheet(client, payroll).data)[0]
    _sign(client, payroll)
    assert _flashes(client)[-1] == "Feuille de présence « Nomades » signée."
    with app.app_context():
        signed = db.session.get(DaySheetSignoff, (payroll.roles["Nomades"], DAY))
        assert signed.totals["worked_minutes"] == 540
        assert signed.amount == Decimal("400.00")
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == AuditAction.DAY_SHEET_SIGNED.value)
            .order_by(AuditEvent.id)
        ).all()
        assert len(events) == 2
        second = json.loads(events[1].detail)
        assert second["resigned"] is True
        assert second["previous_worked_minutes"] == 600
        assert second["worked_minutes"] == 540
        db.session.remove()
    assert "Les chiffres ont changé" not in page_texts(_sheet(client, payroll).data)[0]


def test_a_sheet_with_someone_on_set_cannot_be_signed(app, make_user):
    from talento.attendance.models import DaySheetSignoff
    from talento.extensions import db

    payroll = make_payroll(app)
    book(app, payroll, "Amine Normal")
    record(app, payroll, "Amine Normal", [("scan", "2025-06-16 07:00")])
    client = staff_client(app, make_user)
    assert _sign(client, payroll).status_code == 302
    assert _flashes(client) == [
        "1 personne est encore sur le plateau : enregistrez son départ avant de signer."
    ]
    with app.app_context():
        assert db.session.get(DaySheetSignoff, (payroll.roles["Nomades"], DAY)) is None
        db.session.remove()
    text = page_texts(_sheet(client, payroll).data)[0]
    assert "sur le plateau" in text


def test_a_day_without_anyone_prints_an_empty_sheet_and_cannot_be_signed(app, make_user):
    payroll = make_payroll(app)
    client = staff_client(app, make_user)
    (text,) = page_texts(_sheet(client, payroll).data)
    assert "Personne n'est engagé ce jour-là dans ce rôle." in text
    assert re.search(r"Total : 0 présents? sur 0", text)
    _sign(client, payroll)
    assert _flashes(client) == ["Personne n'est engagé ce jour-là dans ce rôle."]


def test_a_bad_day_in_the_url_is_a_404(app, make_user):
    payroll = make_payroll(app)
    client = staff_client(app, make_user)
    role = payroll.roles["Nomades"]
    assert client.get(f"/attendance/roles/{role}/2025-02-30/sheet.pdf").status_code == 404
    assert client.get(f"/attendance/roles/{role}/demain/sheet.pdf").status_code == 404
    assert client.get("/attendance/roles/999999/2025-06-16/sheet.pdf").status_code == 404


def test_printing_the_sheet_is_audited(app, make_user):
    from talento.audit.models import AuditAction, AuditEvent
    from talento.extensions import db

    payroll = day_on_set(app)
    client = staff_client(app, make_user)
    _sheet(client, payroll)
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.DAY_SHEET_PRINTED.value)
        ).all()
        assert json.loads(event.detail) == {
            "project_id": payroll.project_id,
            "rows": 6,
            "first": "2025-06-16",
            "role_id": payroll.roles["Nomades"],
        }
        db.session.remove()


def test_a_talent_history_shows_days_worked_hours_and_amounts(app, make_user):
    from talento.audit.models import AuditAction, AuditEvent
    from talento.extensions import db

    payroll = make_payroll(app)
    later = DAY.replace(day=17)
    book(app, payroll, "Basma Repas", rate="350", days=(DAY, later, DAY.replace(day=18)))
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
        app,
        payroll,
        "Basma Repas",
        [("scan", "2025-06-17 08:00"), ("scan", "2025-06-17 16:30")],
        work_day=later,
    )
    _booking, talent_id, _code = payroll.people["Basma Repas"]
    client = staff_client(app, make_user)
    response = client.get(f"/attendance/{payroll.project_id}/talents/{talent_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Présences de Basma Repas" in html
    assert re.search(r'id="days-worked">\s*2\s*<', html)  # the 18th: absent
    assert re.search(r'id="hours-worked">\s*19,25\s*<', html)  # 10.75 + 8.50
    assert re.search(r'id="overtime-hours">\s*0,75\s*<', html)
    assert "726,25" in html  # 376.25 + 350
    assert "lundi 16 juin 2025" in html
    assert "Absent" in html
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.ATTENDANCE_HISTORY_VIEW.value)
        ).all()
        assert event.subject_id == talent_id
        db.session.remove()
    # someone not booked on the project: a 404, as for a talent that does not exist
    assert client.get(f"/attendance/{payroll.project_id}/talents/999999").status_code == 404


def test_a_long_sheet_repeats_its_headings_on_every_page_and_ends_with_the_totals(app, make_user):
    """70 people: several pages, every page with the title and the headings, every booking
    once, the totals row and the sign-off line after the last one."""
    import uuid

    from talento.attendance.models import AttendanceDay, AttendanceScan
    from talento.extensions import db
    from talento.projects.models import Booking, BookingDay
    from tests.attendance.payroll_fixtures import at
    from tests.projects.badge_helpers import add_talents

    payroll = make_payroll(app)
    talents = add_talents(app, 70, start=2000, photo=False)
    codes = []
    with app.app_context():
        for n, talent_id in enumerate(talents):
            booking = Booking(
                code=f"CCAFB002{n:04d}",
                project_id=payroll.project_id,
                role_id=payroll.roles["Nomades"],
                talent_id=talent_id,
                status="confirmed",
                rate_per_day=Decimal("300"),
                booked_days=[BookingDay(day=DAY)],
            )
            db.session.add(booking)
            db.session.flush()
            codes.append(booking.code)
            db.session.add(AttendanceDay(booking_id=booking.id, work_day=DAY))
            db.session.flush()
            for local in ("2025-06-16 07:00", "2025-06-16 19:00"):  # 12 h: 2 h over
                db.session.add(
                    AttendanceScan(
                        scan_uuid=str(uuid.uuid4()),
                        booking_id=booking.id,
                        work_day=DAY,
                        project_id=payroll.project_id,
                        kind="scan",
                        occurred_at=at(local),
                    )
                )
        db.session.commit()
        db.session.remove()
    client = staff_client(app, make_user)
    texts = page_texts(_sheet(client, payroll).data)
    assert len(texts) >= 3
    whole = "\n".join(texts)
    assert sorted(re.findall(r"CCAFB002\d{4}", whole)) == sorted(codes)
    for number, text in enumerate(texts, start=1):
        assert "Feuille de présence — Nomades" in text, number
        assert "RÉSERVATION" in text, number
        assert "MONTANT" in text, number
        assert f"Page {number} sur {len(texts)}" in text
    flat = _flat(texts[-1])
    # 70 × 12 h = 840 h; 70 × 2 h = 140 h over; 70 × (300 + 300 × 120 / 600) = 70 × 360
    assert "Total:70présentssur70840,00140,0025200,00MAD" in flat
    assert "Nonsignée" in flat


def test_the_day_page_macro_offers_the_sheet_and_the_signoff_to_signers_only(app):
    from flask import render_template_string

    page = (
        '{% from "attendance/_day_sheet_actions.html" import day_sheet_actions %}'
        "{{ day_sheet_actions(7, day, can_sign, signed) }}"
    )
    with app.test_request_context():
        signer = render_template_string(page, day=DAY, can_sign=True, signed=None)
        reader = render_template_string(page, day=DAY, can_sign=False, signed=None)
        again = render_template_string(page, day=DAY, can_sign=True, signed=object())
    assert 'href="/attendance/roles/7/2025-06-16/sheet.pdf"' in signer
    assert 'action="/attendance/roles/7/2025-06-16/signoff"' in signer
    assert 'name="csrf_token"' in signer
    assert "Signer la feuille" in signer
    assert "signoff" not in reader
    assert "Signer à nouveau" in again


def test_may_sign(app, make_user):
    from talento.accounts.models import User
    from talento.attendance.signoff import may_sign
    from talento.extensions import db
    from talento.projects.models import CompanyMember, PresenceAssignment

    payroll = make_payroll(app)
    ids = {
        "casting": make_user(email="s-casting@example.org", capabilities=["casting"]),
        "admin": make_user(email="s-admin@example.org", capabilities=["admin"]),
        "every": make_user(email="s-every@example.org", capabilities=["presence"]),
        "monday": make_user(email="s-monday@example.org", capabilities=["presence"]),
        "member": make_user(email="s-member@example.org", capabilities=[]),
        "talent": make_user(email="s-talent@example.org", capabilities=["talent"]),
    }
    with app.app_context():
        db.session.add(PresenceAssignment(project_id=payroll.project_id, user_id=ids["every"]))
        db.session.add(
            PresenceAssignment(project_id=payroll.project_id, user_id=ids["monday"], day=DAY)
        )
        db.session.add(CompanyMember(company_id=payroll.company_id, user_id=ids["member"]))
        db.session.flush()
        tuesday = DAY.replace(day=17)
        result = {
            name: (
                may_sign(db.session(), db.session.get(User, user_id), payroll.project_id, DAY),
                may_sign(db.session(), db.session.get(User, user_id), payroll.project_id, tuesday),
            )
            for name, user_id in ids.items()
        }
        db.session.rollback()
        db.session.remove()
    assert result == {
        "casting": (True, True),
        "admin": (True, True),
        "every": (True, True),
        "monday": (True, False),
        "member": (False, False),
        "talent": (False, False),
    }


def _sign_in_thread(app, payroll, start, hold: float):
    """One assistant's sign-off: sign, keep the transaction open `hold` seconds, commit."""
    import time

    from talento.attendance.payroll import talent_days
    from talento.attendance.signoff import sign_day_sheet
    from talento.audit.services import Actor
    from talento.extensions import db, utcnow
    from talento.projects.models import Project
    from talento.refusals import Refused
    from tests.attendance.payroll_fixtures import ZONE

    with app.app_context():
        try:
            start.wait(timeout=10)
            project = db.session.get(Project, payroll.project_id)
            rows = talent_days(
                db.session(), project, DAY, DAY, ZONE, today=DAY, role_id=payroll.roles["Nomades"]
            )
            sign_day_sheet(
                db.session(),
                role_id=payroll.roles["Nomades"],
                project_id=payroll.project_id,
                day=DAY,
                rows=rows,
                signer_id=None,
                actor=Actor(),
                now=utcnow(),
            )
            time.sleep(hold)
            db.session.commit()
            return "signed"
        except Refused as refusal:
            db.session.rollback()
            return refusal.message
        finally:
            db.session.remove()


@pytest.mark.committed
def test_two_phones_signing_at_once_store_one_signoff(app):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from talento.attendance.models import DaySheetSignoff
    from talento.extensions import db

    payroll = make_payroll(app)
    book(app, payroll, "Amine Normal")
    record(
        app, payroll, "Amine Normal", [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 17:00")]
    )
    start = threading.Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(lambda _n: _sign_in_thread(app, payroll, start, 0.5), (1, 2)))
    assert results == ["Cette feuille vient d'être signée par quelqu'un d'autre.", "signed"]
    with app.app_context():
        assert len(db.session.scalars(select(DaySheetSignoff)).all()) == 1
        db.session.remove()
