"""Availability checks (issue 14, point 6): sent by e-mail through the test SMTP server (a
minor's guardian instead of the child) with a working answer link, a wa.me link with the
number's digits and the encoded message (its display audited), the talent's three answers,
an expired link (410), a forged one (404), and the shortlist's view of the answers."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select, update

from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db, utcnow, utctoday
from talento.projects import links
from talento.projects.availability_services import (
    latest_answers,
    whatsapp_digits,
    whatsapp_url,
)
from talento.projects.booking_texts import weekday_label
from talento.projects.models import AvailabilityRequest
from tests.helpers import _csrf_from
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

ADULT = "youssef@example.org"
MINOR = "rayan@example.org"
GUARDIAN = "maman.rayan@example.org"
LINK_RE = re.compile(r"http://localhost/availability/[\w.\-]+")


def _send(staff, production, *entry_ids, note: str = ""):
    page = f"/projects/roles/{production.role_id}/availability"
    query = "&".join(f"entry={i}" for i in entry_ids)
    token = csrf(staff, f"{page}?{query}")
    return staff.post(
        page,
        data={"csrf_token": token, "entry": list(entry_ids), "note": note},
        buffered=True,  # the mails leave once the response is sent
    )


def _requests(app) -> list[AvailabilityRequest]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(AvailabilityRequest).order_by(AvailabilityRequest.id))
        )
        db.session.expunge_all()
        db.session.remove()
    return rows


def _people(app, make_cast, production):
    adult = make_cast(ADULT, first_name="Youssef", whatsapp="+212 6 12-34-56-78")
    today = utctoday()
    minor = make_cast(
        MINOR,
        first_name="Rayan",
        born=today.replace(year=today.year - 12),
        guardian_name="Naima Rayan",
        guardian_email=GUARDIAN,
        whatsapp="+212 6 99 99 99 99",
    )
    return adult, minor, shortlist(app, production.role_id, adult, minor)


def _answer_link(inbox, to: str) -> str:
    for message in inbox.messages:
        if message["To"] == to:
            text, html = text_and_html(message)
            (link,) = set(LINK_RE.findall(text))
            assert f'href="{link}"' in html
            return link
    raise AssertionError(f"no mail to {to}")


def test_the_compose_page_lists_who_will_be_asked(app, staff, make_cast, production):
    _adult, _minor, (adult_entry, minor_entry) = _people(app, make_cast, production)
    page = staff.get(
        f"/projects/roles/{production.role_id}/availability"
        f"?entry={adult_entry}&entry={minor_entry}&entry=999999&entry=x"
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 personnes choisies" in html
    assert "Youssef" in html
    assert "Rayan" in html
    assert "WhatsApp : oui" in html
    assert "Mineur : l'e-mail part au parent ou tuteur." in unescape(html)
    for day in production.days:
        assert weekday_label(day) in html
    assert "+212" not in html  # nothing decrypted before sending


def test_sending_mails_each_person_and_the_link_answers(app, staff, make_cast, production, inbox):
    _adult, _minor, (adult_entry, minor_entry) = _people(app, make_cast, production)
    response = _send(
        staff, production, adult_entry, minor_entry, note="Transport depuis Marrakech."
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Demande de disponibilité envoyée à 2 personnes." in html
    assert "E-mail envoyé au parent ou tuteur" in html
    assert re.search(r"E-mail envoyé</span>", html)
    messages = inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == [GUARDIAN, ADULT]
    assert [tuple(e.rcpt_tos) for e in inbox.envelopes if MINOR in e.rcpt_tos] == []
    text, _html = text_and_html(next(m for m in messages if m["To"] == ADULT))
    assert "Bonjour Youssef," in text
    assert "Transport depuis Marrakech." in text
    assert "Caravaniers" in text
    assert "Le Grand Sud" in text
    guardian_text, _ = text_and_html(next(m for m in messages if m["To"] == GUARDIAN))
    assert "Bonjour Naima Rayan," in guardian_text
    assert "si Rayan est disponible" in guardian_text
    assert entry_status(app, adult_entry) == entry_status(app, minor_entry) == "contacted"
    assert all(r.emailed_at is not None for r in _requests(app))

    # The link works for someone with no account.
    visitor = app.test_client()
    page = visitor.get(urlsplit(_answer_link(inbox, ADULT)).path)
    assert page.status_code == 200
    assert "Êtes-vous disponible ?" in page.get_data(as_text=True)


def test_the_whatsapp_link_has_digits_and_the_encoded_message_and_is_audited(
    app, staff, make_cast, production, casting_id
):
    adult, minor, (adult_entry, minor_entry) = _people(app, make_cast, production)
    html = _send(staff, production, adult_entry, minor_entry).get_data(as_text=True)
    links_found = re.findall(r'href="(https://wa\.me/[^"]+)"', html)
    assert len(links_found) == 1  # the minor has none: only the guardian is contacted
    url = links_found[0].replace("&amp;", "&")
    parts = urlsplit(url)
    assert parts.path == "/212612345678"
    (message,) = parse_qs(parts.query)["text"]
    assert "Bonjour Youssef" in message
    assert "« Caravaniers »" in message
    (request_row,) = [r for r in _requests(app) if r.entry_id == adult_entry]
    token = links.make_token(app.config["SECRET_KEY"], "availability", request_row.id)
    assert f"http://localhost/availability/{token}" in message
    assert " " not in parts.query  # encoded
    assert "«" not in parts.query
    assert "Mineur : pas de WhatsApp" in html

    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.PERSONAL_DATA_VIEW.value)
        ).all()
        rows = [(e.actor_id, e.subject_id, e.fields, json.loads(e.detail)) for e in events]
        db.session.remove()
    assert rows == [
        (
            casting_id,
            adult,
            "whatsapp",
            {"purpose": "availability_whatsapp", "request_id": request_row.id},
        )
    ]
    assert minor not in [row[1] for row in rows]

    # Shown again later (?request=): audited again.
    again = staff.get(f"/projects/roles/{production.role_id}/availability?request={request_row.id}")
    assert "https://wa.me/212612345678?text=" in again.get_data(as_text=True)
    with app.app_context():
        count = len(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == AuditAction.PERSONAL_DATA_VIEW.value)
            ).all()
        )
        db.session.remove()
    assert count == 2


def test_whatsapp_digits_and_url():
    assert whatsapp_digits("+212 6 12-34-56-78") == "212612345678"
    assert whatsapp_digits("00212612345678") == "212612345678"
    assert whatsapp_digits("12") is None
    assert whatsapp_digits(None) is None
    assert (
        whatsapp_url("212612345678", "Bonjour & à bientôt ? https://x/y?a=1")
        == "https://wa.me/212612345678?text=Bonjour%20%26%20%C3%A0%20bient%C3%B4t%20%3F%20"
        "https%3A%2F%2Fx%2Fy%3Fa%3D1"
    )


def _answer(app, link_path: str, **data):
    client = app.test_client()
    token = _csrf_from(client.get(link_path).get_data(as_text=True))
    return client.post(link_path, data={"csrf_token": token, **data})


def _one_sent(app, staff, make_cast, production, inbox) -> tuple[int, str]:
    adult = make_cast(ADULT, first_name="Youssef")
    (entry,) = shortlist(app, production.role_id, adult)
    assert _send(staff, production, entry).status_code == 200
    inbox.wait_for(1)
    return entry, urlsplit(_answer_link(inbox, ADULT)).path


def test_answer_available(app, staff, make_cast, production, inbox):
    entry, path = _one_sent(app, staff, make_cast, production, inbox)
    response = _answer(app, path, answer="available", comment="Avec plaisir")
    assert response.status_code == 302
    (row,) = _requests(app)
    assert row.answer == "available"
    assert row.available_days == [day.isoformat() for day in production.days]
    assert row.comment == "Avec plaisir"
    assert entry_status(app, entry) == "available"
    with app.app_context():
        assert latest_answers(db.session, production.role_id)[entry].answer == "available"
        db.session.remove()


def test_answer_unavailable(app, staff, make_cast, production, inbox):
    entry, path = _one_sent(app, staff, make_cast, production, inbox)
    assert _answer(app, path, answer="unavailable").status_code == 302
    (row,) = _requests(app)
    assert (row.answer, row.available_days) == ("unavailable", [])
    assert entry_status(app, entry) == "declined"


def test_answer_some_days(app, staff, make_cast, production, inbox):
    entry, path = _one_sent(app, staff, make_cast, production, inbox)
    first, second = production.days
    refused = _answer(app, path, answer="partial")
    assert refused.status_code == 422
    assert "Cochez les jours où vous êtes disponible." in refused.get_data(as_text=True)
    assert _requests(app)[0].answer is None
    tampered = _answer(app, path, answer="partial", days=[second.isoformat(), "2001-01-01"])
    assert tampered.status_code == 400  # a day that was not asked is not a choice
    assert _requests(app)[0].answer is None
    response = _answer(app, path, answer="partial", days=[second.isoformat()])
    assert response.status_code == 302
    (row,) = _requests(app)
    assert (row.answer, row.available_days) == ("partial", [second.isoformat()])
    assert entry_status(app, entry) == "available"
    page = app.test_client().get(path).get_data(as_text=True)
    assert "Votre réponse : Disponible certains jours." in page
    assert weekday_label(second) in page
    # Every day ticked is simply « available ».
    _answer(app, path, answer="partial", days=[first.isoformat(), second.isoformat()])
    assert _requests(app)[0].answer == "available"


def test_an_expired_request_says_so_with_410(app, staff, make_cast, production, inbox):
    _entry, path = _one_sent(app, staff, make_cast, production, inbox)
    with app.app_context():
        db.session.execute(
            update(AvailabilityRequest).values(expires_at=utcnow() - dt.timedelta(minutes=1))
        )
        db.session.commit()
        db.session.remove()
    page = app.test_client().get(path)
    assert page.status_code == 410
    assert "Cette demande a expiré" in page.get_data(as_text=True)
    client = app.test_client()
    token = _csrf_from(client.get("/auth/forgot").get_data(as_text=True))
    late = client.post(path, data={"csrf_token": token, "answer": "available"})
    assert late.status_code == 410
    assert _requests(app)[0].answer is None


def test_a_forged_or_altered_link_is_404(app, staff, make_cast, production, inbox):
    _entry, path = _one_sent(app, staff, make_cast, production, inbox)
    token = path.rsplit("/", 1)[1]
    client = app.test_client()
    assert client.get(path[:-1] + ("A" if path[-1] != "A" else "B")).status_code == 404
    assert client.get("/availability/not-a-token").status_code == 404
    request_id = _requests(app)[0].id
    as_booking = links.make_token(app.config["SECRET_KEY"], "booking", request_id)
    assert client.get(f"/availability/{as_booking}").status_code == 404
    other_key = links.make_token("another-secret-key-0123456789", "availability", request_id)
    assert client.get(f"/availability/{other_key}").status_code == 404
    assert client.get(f"/availability/{token}").status_code == 200


def test_a_role_without_shooting_days_cannot_be_asked(app, staff, make_cast):
    from tests.projects.booking_fixtures import make_production

    past = make_production(app, days=(utctoday() - dt.timedelta(days=3),))
    adult = make_cast(ADULT)
    (entry,) = shortlist(app, past.role_id, adult)
    response = _send(staff, past, entry)
    assert response.status_code == 422
    assert "Les jours de tournage de ce rôle sont tous passés." in response.get_data(as_text=True)
    assert _requests(app) == []


def test_latest_answers_keeps_each_entry_s_latest_request(app, staff, make_cast, production, inbox):
    adult = make_cast(ADULT)
    other = make_cast("karim@example.org")
    entries = shortlist(app, production.role_id, adult, other)
    _send(staff, production, entries[0])
    _send(staff, production, *entries)
    with app.app_context():
        latest = latest_answers(db.session, production.role_id)
        ids = {entry_id: row.id for entry_id, row in latest.items()}
        db.session.remove()
    all_rows = _requests(app)
    assert set(ids) == set(entries)
    assert ids[entries[0]] == max(r.id for r in all_rows if r.entry_id == entries[0])
    assert all(row.answer is None for row in all_rows)
