"""Bookings (issue 14, point 6): the code (``CC`` + initials + project number + sequence,
base 36 after 9999), « Engager » from the shortlist with the confirmation e-mail and its link,
one live booking per talent per role (a clear message, also when two casting users book the
same person at the same instant), 50 bookings at once with 50 codes, cancellation with a
reason (e-mailed) and booking again, the read-only page of a company member."""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from talento.extensions import db, utcnow
from talento.projects import booking_services as service
from talento.projects.booking_codes import format_booking_code
from talento.projects.models import Booking, CastingRole, CompanyMember, Project
from talento.refusals import Refused
from tests.helpers import _csrf_from, login
from tests.mail.smtp import text_and_html
from tests.projects.booking_fixtures import (  # noqa: F401  (fixtures)
    casting_id_fixture,
    csrf,
    entry_status,
    make_cast_fixture,
    production_fixture,
    settings_fixture,
    shortlist,
    staff_fixture,
)

TALENT = "youssef@example.org"
LINK_RE = re.compile(r"http://localhost/booking/[\w.\-]+")


def _new_page(production, *entry_ids) -> str:
    query = "&".join(f"entry={i}" for i in entry_ids)
    return f"/projects/roles/{production.role_id}/bookings/new?{query}"


def _book(staff, production, *entry_ids, days=None, **fields):
    page = _new_page(production, *entry_ids)
    token = csrf(staff, page)
    data = {
        "csrf_token": token,
        "entry": list(entry_ids),
        "days": [d.isoformat() for d in (production.days if days is None else days)],
        "rate_per_day": "450",
        "call_time": "06:30",
        "meeting_point": "Parking des studios, Ouarzazate",
        "what_to_bring": "Tenue sombre, CIN",
        **fields,
    }
    return staff.post(page, data=data, buffered=True)


def _bookings(app) -> list[Booking]:
    with app.app_context():
        rows = list(db.session.scalars(select(Booking).order_by(Booking.id)))
        for row in rows:
            _ = row.days
        db.session.expunge_all()
        db.session.remove()
    return rows


# -- codes -------------------------------------------------------------------------------------


def test_the_code_format():
    assert format_booking_code("AFM", 1, 1) == "CCAFM0010001"
    assert format_booking_code("afm", 12, 9999) == "CCAFM0129999"
    assert format_booking_code("AF", 7, 10000) == "CCAF007A000"
    assert format_booking_code("ATLS", 123, 10001) == "CCATLS123A001"


@pytest.mark.both_backends
def test_codes_follow_each_other_in_a_project(app, staff, make_cast, production, inbox):
    entries = shortlist(app, production.role_id, make_cast(TALENT), make_cast("karim@example.org"))
    assert _book(staff, production, entries[0]).status_code == 302
    assert _book(staff, production, entries[1]).status_code == 302
    assert [b.code for b in _bookings(app)] == ["CCAFM0010001", "CCAFM0010002"]


def test_after_9999_the_sequence_goes_on_in_base_36(app, staff, make_cast, production, inbox):
    with app.app_context():
        db.session.get(Project, production.project_id).last_booking_number = 9999
        db.session.commit()
        db.session.remove()
    entries = shortlist(app, production.role_id, make_cast(TALENT), make_cast("karim@example.org"))
    _book(staff, production, *entries)
    assert [b.code for b in _bookings(app)] == ["CCAFM001A000", "CCAFM001A001"]


# -- booking, confirming ------------------------------------------------------------------------


def test_booking_mails_the_talent_who_confirms_through_the_link(
    app, staff, make_cast, production, inbox
):
    talent = make_cast(TALENT, first_name="Youssef")
    (entry,) = shortlist(app, production.role_id, talent)
    form = staff.get(_new_page(production, entry)).get_data(as_text=True)
    assert 'value="450.00"' in form  # the role's rate by default
    response = _book(staff, production, entry)
    assert response.status_code == 302
    (booking,) = _bookings(app)
    assert response.location.endswith(f"/projects/bookings/{booking.id}")
    assert booking.code == "CCAFM0010001"
    assert booking.status == "pending"
    assert booking.days == list(production.days)
    assert str(booking.rate_per_day) == "450.00"
    assert booking.call_time.isoformat() == "06:30:00"
    assert entry_status(app, entry) == "booked"

    page = unescape(staff.get(response.location).get_data(as_text=True))
    assert "CCAFM0010001" in page
    assert "450 MAD" in page
    assert "6h30" in page
    assert "Parking des studios, Ouarzazate" in page

    (message,) = inbox.wait_for(1)
    assert message["To"] == TALENT
    text, html = text_and_html(message)
    assert "Bonjour Youssef," in text
    assert "Code d'engagement : CCAFM0010001" in text
    assert "Tarif : 450 MAD par jour" in text
    assert "Heure de convocation : 6h30" in text
    (link,) = set(LINK_RE.findall(text))
    assert f'href="{link}"' in html

    visitor = app.test_client()
    path = urlsplit(link).path
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Je confirme" in page.get_data(as_text=True)
    token = _csrf_from(page.get_data(as_text=True))
    confirmed = visitor.post(path, data={"csrf_token": token, "action": "confirm"})
    assert confirmed.status_code == 302
    (booking,) = _bookings(app)
    assert booking.status == "confirmed"
    assert booking.confirmed_at is not None
    assert "Confirmé" in visitor.get(path).get_data(as_text=True)


def test_declining_through_the_link(app, staff, make_cast, production, inbox):
    (entry,) = shortlist(app, production.role_id, make_cast(TALENT))
    _book(staff, production, entry)
    (link,) = set(LINK_RE.findall(text_and_html(inbox.wait_for(1)[0])[0]))
    visitor = app.test_client()
    path = urlsplit(link).path
    token = _csrf_from(visitor.get(path).get_data(as_text=True))
    assert visitor.post(path, data={"csrf_token": token, "action": "decline"}).status_code == 302
    (booking,) = _bookings(app)
    assert booking.status == "declined"
    assert entry_status(app, entry) == "declined"
    again = visitor.post(path, data={"csrf_token": token, "action": "confirm"})
    assert again.status_code == 409
    assert "Vous avez déjà décliné cet engagement." in again.get_data(as_text=True)


def test_a_forged_booking_link_is_404(app, staff, make_cast, production, inbox):
    (entry,) = shortlist(app, production.role_id, make_cast(TALENT))
    _book(staff, production, entry)
    (link,) = set(LINK_RE.findall(text_and_html(inbox.wait_for(1)[0])[0]))
    path = urlsplit(link).path
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200
    assert visitor.get(path[:-2] + "xx").status_code == 404
    assert visitor.get("/booking/1").status_code == 404


def test_a_minor_s_booking_mail_goes_to_the_guardian(app, staff, make_cast, production, inbox):
    from talento.extensions import utctoday

    today = utctoday()
    minor = make_cast(
        "rayan@example.org",
        first_name="Rayan",
        born=today.replace(year=today.year - 13),
        guardian_name="Naima Rayan",
        guardian_email="maman.rayan@example.org",
    )
    (entry,) = shortlist(app, production.role_id, minor)
    assert _book(staff, production, entry).status_code == 302
    (message,) = inbox.wait_for(1)
    assert message["To"] == "maman.rayan@example.org"
    assert "Bonjour Naima Rayan," in text_and_html(message)[0]


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_booking_the_same_talent_twice_on_a_role_says_so(app, staff, make_cast, production):
    (entry,) = shortlist(app, production.role_id, make_cast(TALENT))
    assert _book(staff, production, entry).status_code == 302
    again = _book(staff, production, entry)
    assert again.status_code == 409
    assert "Ce talent est déjà engagé sur ce rôle." in again.get_data(as_text=True)
    assert len(_bookings(app)) == 1
    page = unescape(staff.get(_new_page(production, entry)).get_data(as_text=True))
    assert "Déjà engagé sur ce rôle" in page


def test_days_must_be_the_role_s(app, staff, make_cast, production):
    (entry,) = shortlist(app, production.role_id, make_cast(TALENT))
    nothing = _book(staff, production, entry, days=[])
    assert nothing.status_code == 422
    assert "Cochez au moins un jour de tournage." in nothing.get_data(as_text=True)
    other = _book(staff, production, entry, days=[dt.date(2001, 1, 1)])
    assert other.status_code == 400  # not a choice of the form
    negative = _book(staff, production, entry, rate_per_day="-5")
    assert negative.status_code == 400
    for odd in ("NaN", "sNaN", "Infinity"):  # comparing NaN would raise: never a 500
        refused = _book(staff, production, entry, rate_per_day=odd)
        assert refused.status_code == 400, odd
        assert "Indiquez un tarif positif" in unescape(refused.get_data(as_text=True)), odd
    assert _book(staff, production, entry, rate_per_day="1e400").status_code == 400
    assert _bookings(app) == []
    assert entry_status(app, entry) == "shortlisted"


def test_cancel_needs_a_reason_then_the_talent_can_be_booked_again(
    app, staff, make_cast, production, inbox
):
    (entry,) = shortlist(app, production.role_id, make_cast(TALENT, first_name="Youssef"))
    booked = _book(staff, production, entry)
    (booking,) = _bookings(app)
    token = csrf(staff, booked.location)
    cancel = f"/projects/bookings/{booking.id}/cancel"
    empty = staff.post(cancel, data={"csrf_token": token, "reason": "   "}, buffered=True)
    assert empty.status_code in (400, 422)
    assert "Indiquez la raison de l" in unescape(empty.get_data(as_text=True))
    assert _bookings(app)[0].status == "pending"

    done = staff.post(
        cancel,
        data={"csrf_token": token, "reason": "Scène coupée au montage du plan de travail."},
        buffered=True,
    )
    assert done.status_code == 302
    (booking,) = _bookings(app)
    assert booking.status == "cancelled"
    assert booking.cancel_reason == "Scène coupée au montage du plan de travail."
    assert entry_status(app, entry) == "shortlisted"
    messages = inbox.wait_for(2)
    cancelled = next(m for m in messages if "annulé" in m["Subject"])
    assert "Scène coupée au montage du plan de travail." in text_and_html(cancelled)[0]

    again = staff.post(cancel, data={"csrf_token": token, "reason": "Encore"})
    assert again.status_code == 409
    assert _book(staff, production, entry).status_code == 302
    assert [(b.code, b.status) for b in _bookings(app)] == [
        ("CCAFM0010001", "cancelled"),
        ("CCAFM0010002", "pending"),
    ]


def test_a_company_member_reads_the_booking_without_the_cancel_form(
    app, staff, make_user, make_cast, production
):
    (entry,) = shortlist(app, production.role_id, make_cast(TALENT))
    _book(staff, production, entry)
    (booking,) = _bookings(app)
    member = make_user(email="membre@example.org", capabilities=[], code="MAN0042CAS")
    outsider = make_user(email="autre@example.org", capabilities=[], code="MAN0043CAS")
    with app.app_context():
        db.session.add(CompanyMember(company_id=production.company_id, user_id=member))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    assert login(client, "membre@example.org").status_code == 302
    page = client.get(f"/projects/bookings/{booking.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "CCAFM0010001" in html
    assert "cancel-form" not in html
    assert "/booking/" not in html  # the talent's link is staff's to hand out
    other = app.test_client()
    assert login(other, "autre@example.org").status_code == 302
    assert other.get(f"/projects/bookings/{booking.id}").status_code == 404
    assert outsider


# -- concurrency (PostgreSQL, real commits) -----------------------------------------------------


def _book_in_thread(app, role_id: int, entry_id: int, start: threading.Barrier, hold: float):
    """One casting user's request: book, keep the transaction open `hold` seconds, commit."""
    import time

    with app.app_context():
        try:
            start.wait(timeout=10)
            role = db.session.get(CastingRole, role_id)
            report = service.book(
                db.session,
                app.extensions["talento.settings"],
                app.config["SECRET_KEY"],
                role,
                [entry_id],
                service.BookingInput(days=role.days, rate_per_day=None),
                None,
                utcnow(),
            )
            time.sleep(hold)
            db.session.commit()
            return report.booked[0].code
        except Refused as refusal:
            db.session.rollback()
            return refusal
        finally:
            db.session.remove()


@pytest.mark.committed
def test_two_simultaneous_bookings_of_one_talent_one_wins(app, make_cast, production):
    (entry,) = shortlist(app, production.role_id, make_cast(TALENT))
    start = threading.Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(
                lambda hold: _book_in_thread(app, production.role_id, entry, start, hold),
                (0.5, 0.5),
            )
        )
    codes = [r for r in results if isinstance(r, str)]
    refusals = [r for r in results if isinstance(r, Refused)]
    assert len(codes) == 1, results
    assert len(refusals) == 1, results
    assert refusals[0].message == "Ce talent est déjà engagé sur ce rôle."
    assert refusals[0].status == 409
    assert [b.code for b in _bookings(app)] == codes


@pytest.mark.committed
def test_fifty_simultaneous_bookings_in_a_project_get_fifty_codes(app, make_cast, production):
    talents = [make_cast(f"figurant{n}@example.org") for n in range(50)]
    entries = shortlist(app, production.role_id, *talents)

    def one(entry_id: int):
        return _book_in_thread(app, production.role_id, entry_id, threading.Barrier(1), 0)

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(one, entries))
    assert all(isinstance(code, str) for code in codes), codes
    assert len(set(codes)) == 50
    assert sorted(codes) == [f"CCAFM001{n:04d}" for n in range(1, 51)]
    assert {b.code for b in _bookings(app)} == set(codes)


def test_staff_can_send_the_confirmation_on_whatsapp_audited(
    app, staff, make_cast, production, casting_id
):
    import json
    from urllib.parse import parse_qs

    from talento.audit.models import AuditAction, AuditEvent
    from talento.projects import links

    talent = make_cast(TALENT, first_name="Youssef", whatsapp="+212 6 12 34 56 78")
    (entry,) = shortlist(app, production.role_id, talent)
    page_url = _book(staff, production, entry).location
    (booking,) = _bookings(app)

    def views():
        with app.app_context():
            rows = db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == AuditAction.PERSONAL_DATA_VIEW.value)
            ).all()
            found = [(e.actor_id, e.subject_id, e.fields, json.loads(e.detail)) for e in rows]
            db.session.remove()
        return found

    html = staff.get(page_url).get_data(as_text=True)
    assert "Préparer le message WhatsApp" in html
    assert "wa.me" not in html
    assert views() == []  # nothing decrypted until asked

    html = unescape(staff.get(f"{page_url}?whatsapp=1").get_data(as_text=True))
    (href,) = re.findall(r'href="(https://wa\.me/[^"]+)"', html)
    parts = urlsplit(href)
    assert parts.path == "/212612345678"
    (message,) = parse_qs(parts.query)["text"]
    token = links.make_token(app.config["SECRET_KEY"], "booking", booking.id)
    assert f"http://localhost/booking/{token}" in message
    assert "code CCAFM0010001" in message
    assert views() == [
        (casting_id, talent, "whatsapp", {"booking_id": booking.id, "purpose": "booking_whatsapp"})
    ]
