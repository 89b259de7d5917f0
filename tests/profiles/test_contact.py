"""The contact relay: a visitor reaches a talent through Talento without seeing their address.

Real PostgreSQL and a real SMTP server (aiosmtpd): the talent receives the message with
Reply-To set to the sender, the sender a copy, and nothing the sender sees (pages, redirects,
the copy) carries the talent's e-mail or phone. Spam traps send nothing and say nothing,
header injection is refused, the « report abuse » link records one audit row per message.
The limits are tested in tests/attacks/test_attack_contact_limits.py.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import select

from talento.accounts.models import User
from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db
from talento.profiles import contact, contact_reports, contact_traps
from talento.profiles.models import TalentProfile, Visibility
from tests.helpers import _csrf_from, login, smtp_settings
from tests.mail.smtp import text_and_html as _text_and_html

CODE = "MAF0001CAS"  # make_user's first code
TALENT_EMAIL = "amina.secret@example.org"
TALENT_PHONE = "+212612345678"
SENDER = "karim@studio-atlas.ma"
BODY = (
    "Bonjour Amina,\nnous préparons un court métrage à Marrakech en mars <b>&</b> "
    "cherchons une comédienne. Seriez-vous disponible ?"
)
REPORT = re.compile(r"http://localhost(/contact/report/[A-Za-z0-9._-]+)")


@pytest.fixture
def settings(database_url, smtp):
    return smtp_settings(database_url, smtp)


@pytest.fixture
def talent(make_talent):
    return make_talent(
        email=TALENT_EMAIL,
        first_name="Amina",
        last_name="Alaoui",
        phone=TALENT_PHONE,
        whatsapp="+212698765432",
    )


def stamp(app, code: str = CODE, age: float = 30) -> str:
    """The form's signed time stamp, as if it had been shown `age` seconds ago."""
    secret = app.extensions["talento.settings"].secret_key
    return contact_traps.form_stamp(secret, code, time.time() - age)


def send(app, client, code: str = CODE, age: float = 30, **fields):
    """GET the form (its CSRF token), then POST it as a person would after `age` seconds."""
    page = client.get(f"/p/{code}/contact")
    assert page.status_code == 200, page.status_code
    data = {
        "name": "Karim Benali",
        "organisation": "Studio Atlas",
        "email": SENDER,
        "message": BODY,
        "website": "",
        "stamp": stamp(app, code, age),
        "csrf_token": _csrf_from(page.get_data(as_text=True)),
    }
    data.update(fields)
    return client.post(f"/p/{code}/contact", data=data)


def events(app, action: AuditAction) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def set_profile(app, user_id: int, **values) -> None:
    with app.app_context():
        profile = db.session.scalars(select(TalentProfile).filter_by(user_id=user_id)).one()
        user = db.session.get(User, user_id)
        for name, value in values.items():
            setattr(user if hasattr(User, name) else profile, name, value)
        db.session.commit()
        db.session.remove()


def text_and_html(message) -> tuple[str, str]:
    """The two parts, line breaks as typed (SMTP carries CRLF)."""
    text, html = _text_and_html(message)
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def assert_private(text: str) -> None:
    """Nothing of the talent's contact data in what the sender sees."""
    assert TALENT_EMAIL not in text
    assert "amina.secret" not in text
    assert TALENT_PHONE not in text
    assert "612345678" not in text
    assert "698765432" not in text


# -- the relay --------------------------------------------------------------------------------


def test_a_visitor_reaches_the_talent_and_never_sees_their_address(app, client, talent, inbox):
    public = client.get(f"/p/{CODE}").get_data(as_text=True)
    assert f'id="public-contact" href="/p/{CODE}/contact"' in public
    form = client.get(f"/p/{CODE}/contact")
    assert form.status_code == 200
    assert_private(form.get_data(as_text=True))
    assert "Contacter Amina Alaoui" in form.get_data(as_text=True)

    response = send(app, client)
    assert response.status_code == 302
    assert response.location.endswith(f"/p/{CODE}/contact/sent")
    assert_private(str(response.headers) + response.get_data(as_text=True))
    sent = client.get(response.location)
    assert sent.status_code == 200
    assert "Votre message a été transmis à Amina Alaoui." in sent.get_data(as_text=True)
    assert_private(sent.get_data(as_text=True))

    messages = inbox.wait_for(2)
    assert len(messages) == 2
    (relayed,) = [m for m in messages if m["To"] == TALENT_EMAIL]
    (copy,) = [m for m in messages if m["To"] == SENDER]
    # The talent's mail: from the platform, Reply-To the sender, the message as typed.
    assert relayed["From"] == "Talento <no-reply@localhost>"
    assert relayed["Reply-To"].addresses[0].addr_spec == SENDER
    assert relayed["Reply-To"].addresses[0].display_name == "Karim Benali"
    assert relayed["Subject"] == "Talento : message de Karim Benali"
    assert relayed["Content-Language"] == "fr"
    text, html = text_and_html(relayed)
    assert "Message transmis par Talento depuis votre page publique" in text
    assert "De : Karim Benali (Studio Atlas)" in text
    assert BODY in text
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html
    assert "<b>&</b>" not in html
    assert REPORT.search(text)
    assert REPORT.search(html)
    # The sender's copy: to the sender only, with the message, without the talent's address.
    assert copy["Reply-To"] is None
    assert copy["Cc"] is None
    assert copy["Bcc"] is None
    copy_text, copy_html = text_and_html(copy)
    assert BODY in copy_text
    assert "Amina Alaoui (code MAF0001CAS)" in copy_text
    assert_private(copy.as_string())
    assert "/contact/report/" not in copy.as_string()
    # SMTP envelopes: each mail to its one recipient.
    assert sorted(tuple(e.rcpt_tos) for e in inbox.envelopes) == [(TALENT_EMAIL,), (SENDER,)]


def test_the_relay_is_audited_without_the_message(app, client, talent, inbox):
    send(app, client)
    (row,) = events(app, AuditAction.CONTACT_RELAYED)
    assert (row.subject_id, row.subject_code) == (talent, CODE)
    assert row.actor_id is None
    assert row.actor_code is None
    assert row.fields == ""
    assert json.loads(row.detail) == {"recruiter": False}
    stored = " ".join(str(getattr(row, column.key)) for column in AuditEvent.__table__.columns)
    for secret in ("court métrage", "Karim", SENDER, "Studio Atlas", TALENT_EMAIL):
        assert secret not in stored


def test_an_account_writes_pre_filled_from_its_own_address(app, client, talent, make_user, inbox):
    make_user(
        code="MAM0002CAS",
        email="youssef@example.org",
        first_name="Youssef",
        last_name="Idrissi",
        gender="M",
    )
    assert login(client, "youssef@example.org").status_code == 302
    page = client.get(f"/p/{CODE}/contact").get_data(as_text=True)
    assert 'value="Youssef Idrissi"' in page
    assert re.search(r'<input[^>]*name="email"[^>]*readonly', page) or re.search(
        r'<input[^>]*readonly[^>]*name="email"', page
    )
    assert 'value="youssef@example.org"' in page
    # A typed address is ignored: an account answers at its own.
    assert send(app, client, email="someone-else@example.org").status_code == 302
    messages = inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == [TALENT_EMAIL, "youssef@example.org"]
    relayed = next(m for m in messages if m["To"] == TALENT_EMAIL)
    assert relayed["Reply-To"].addresses[0].addr_spec == "youssef@example.org"
    (row,) = events(app, AuditAction.CONTACT_RELAYED)
    assert row.actor_code == "MAM0002CAS"


def test_the_talent_gets_the_mail_in_their_language(app, client, make_talent, inbox):
    make_talent(email=TALENT_EMAIL, language="en")
    assert send(app, client).status_code == 302
    relayed = next(m for m in inbox.wait_for(2) if m["To"] == TALENT_EMAIL)
    assert relayed["Content-Language"] == "en"


# -- who can be contacted ---------------------------------------------------------------------


def test_contact_off_means_no_button_and_a_refused_form(app, client, talent, inbox):
    set_profile(app, talent, contact_enabled=False)
    public = client.get(f"/p/{CODE}")
    assert public.status_code == 200
    assert "public-contact" not in public.get_data(as_text=True)
    assert f"/p/{CODE}/contact" not in public.get_data(as_text=True)
    assert client.get(f"/p/{CODE}/contact").status_code == 404
    token = _csrf_from(client.get("/auth/forgot").get_data(as_text=True))
    data = {
        "name": "Karim",
        "email": SENDER,
        "message": BODY,
        "stamp": stamp(app),
        "csrf_token": token,
    }
    assert client.post(f"/p/{CODE}/contact", data=data).status_code == 404
    assert client.get(f"/p/{CODE}/contact/sent").status_code == 404
    assert inbox.wait_for(1, timeout=0.5) == []
    assert events(app, AuditAction.CONTACT_RELAYED) == []


@pytest.mark.parametrize(
    "change",
    [
        {"visibility": Visibility.PUBLIC.value},
        {"visibility": Visibility.LINK.value},
        {"visibility": Visibility.HIDDEN.value},
        {"email_verified_at": None},
        {"is_active_account": False},
    ],
    ids=["public", "link", "hidden", "unverified", "deactivated"],
)
def test_the_form_is_there_exactly_when_the_public_page_is(app, client, talent, change):
    """Whatever rule hides a public page hides its contact form: the form has no rule of its
    own besides the talent's switch."""
    set_profile(app, talent, **change)
    page = client.get(f"/p/{CODE}")
    form = client.get(f"/p/{CODE}/contact")
    assert form.status_code == page.status_code
    assert form.status_code in (200, 404)
    if page.status_code == 200:
        assert "public-contact" in page.get_data(as_text=True)


def test_an_unknown_code_has_no_form(client):
    assert client.get("/p/MAF9999XXX/contact").status_code == 404


# -- refusals keep what was typed ------------------------------------------------------------


def test_a_refused_message_comes_back_with_everything_typed(app, client, talent, inbox):
    response = send(app, client, message="Trop court", name="Karim Benali")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Votre message est trop court (20 caractères au moins)." in page
    assert 'value="Karim Benali"' in page
    assert 'value="Studio Atlas"' in page
    assert f'value="{SENDER}"' in page
    assert "Trop court</textarea>" in page
    assert_private(page)
    assert inbox.wait_for(1, timeout=0.5) == []


def test_a_missing_field_is_said_on_its_field(app, client, talent):
    response = send(app, client, email="")
    assert response.status_code == 400
    assert "Indiquez votre adresse e-mail" in response.get_data(as_text=True)


def test_a_form_left_open_for_days_is_sent_again_by_its_author(app, client, talent, inbox):
    response = send(app, client, age=contact_traps.FORM_MAX_AGE_SECONDS + 60)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Ce formulaire est resté ouvert longtemps" in page
    assert "cherchons une comédienne" in page
    # The page carries a fresh stamp: sent again (after a human's pause), it goes.
    fresh = re.search(r'name="stamp" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="stamp" name="stamp" type="hidden" value="([^"]+)"', page
    )
    assert fresh
    secret = app.extensions["talento.settings"].secret_key
    assert 0 <= contact_traps.stamp_age(secret, fresh.group(1), CODE) < 5
    assert inbox.wait_for(1, timeout=0.5) == []


# -- spam traps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"website": "http://cheap-pills.example"}, "honeypot"),
        ({"age": 0.5}, "too_fast"),
        ({"stamp": ""}, "stamp"),
        ({"stamp": "forged.stamp"}, "stamp"),
    ],
    ids=["honeypot", "too-fast", "no-stamp", "forged-stamp"],
)
def test_a_trapped_submission_looks_sent_and_sends_nothing(
    app, client, talent, inbox, fields, reason
):
    response = send(app, client, **fields)
    genuine = send(app, app.test_client())  # a person's, for comparison
    assert response.status_code == genuine.status_code == 302
    assert response.location == genuine.location
    assert len(inbox.wait_for(3, timeout=1)) == 2  # the person's message and copy only
    (trapped,) = events(app, AuditAction.CONTACT_TRAPPED)
    assert json.loads(trapped.detail) == {"reason": reason}
    assert trapped.subject_id == talent
    assert len(events(app, AuditAction.CONTACT_RELAYED)) == 1


def test_the_honeypot_is_hidden_from_people(client, talent):
    page = client.get(f"/p/{CODE}/contact").get_data(as_text=True)
    trap = re.search(r'<div class="contact-trap" aria-hidden="true">(.*?)</div>', page, re.S)
    assert trap
    assert 'tabindex="-1"' in trap.group(1)
    assert "Ne remplissez pas ce champ" in trap.group(1)
    assert 'autocomplete="off"' in trap.group(1)


def test_a_stamp_for_another_talent_is_a_robots(app):
    secret = app.extensions["talento.settings"].secret_key
    other = contact_traps.form_stamp(secret, "MAM0002CAS", time.time() - 60)
    assert contact_traps.trap_reason(secret, CODE, other, "") == "stamp"
    assert contact_traps.trap_reason(secret, "MAM0002CAS", other, "") is None


# -- header injection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Karim\r\nBcc: victim@example.org"),
        ("name", "Karim\nSubject: free money"),
        ("organisation", "Atlas\r\nBcc: victim@example.org"),
        ("email", "karim@studio.ma\r\nBcc: victim@example.org"),
        ("email", "karim@studio.ma, victim@example.org"),
        ("email", '"Karim" <karim@studio.ma>'),
        ("email", "karim@studio.ma\nContent-Type: text/html"),
    ],
)
def test_header_injection_is_refused_and_nothing_leaves(app, client, talent, inbox, field, value):
    response = send(app, client, **{field: value})
    assert response.status_code in (400, 422)
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert inbox.wait_for(1, timeout=0.5) == []
    assert events(app, AuditAction.CONTACT_RELAYED) == []


def test_the_reply_to_header_is_built_from_checked_parts():
    address = contact.reply_address("Karim Benali — Studio", "karim@studio-atlas.ma")
    assert address.addr_spec == "karim@studio-atlas.ma"
    for name, email in [
        ("Karim\r\nBcc: x@y.ma", "karim@studio.ma"),
        ("Karim", "karim@studio.ma\r\nBcc: x@y.ma"),
        ("Karim", "karim@@studio.ma"),
        ("Karim\u202e", "karim@studio.ma"),
    ]:
        with pytest.raises(ValueError, match="expéditeur invalide"):
            contact.reply_address(name, email)


# -- report abuse -----------------------------------------------------------------------------


def _report_path(inbox) -> str:
    relayed = next(m for m in inbox.wait_for(2) if m["To"] == TALENT_EMAIL)
    text, _html = text_and_html(relayed)
    match = REPORT.search(text)
    assert match
    return match.group(1)


def test_the_talent_reports_a_message_once_and_the_admin_sees_it(
    app, client, talent, inbox, make_user
):
    send(app, client)
    path = _report_path(inbox)
    talent_browser = app.test_client()
    page = talent_browser.get(path)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert events(app, AuditAction.CONTACT_REPORTED) == []  # a GET (a mail scanner) records nothing
    token = _csrf_from(page.get_data(as_text=True))
    done = talent_browser.post(path, data={"csrf_token": token})
    assert done.status_code == 200
    assert "votre signalement a été enregistré" in done.get_data(as_text=True)
    again = talent_browser.post(path, data={"csrf_token": token})
    assert "avait déjà été signalé" in again.get_data(as_text=True)
    (report,) = events(app, AuditAction.CONTACT_REPORTED)
    (relayed,) = events(app, AuditAction.CONTACT_RELAYED)
    assert (report.actor_id, report.actor_code) == (talent, CODE)
    assert json.loads(report.detail) == {"relay": relayed.id}

    make_user(code="MAA0009CAS", email="admin@example.org", capabilities=["admin"])
    admin = app.test_client()
    assert login(admin, "admin@example.org").status_code == 302
    listing = admin.get("/admin/audit?action=contact.abuse_reported").get_data(as_text=True)
    assert "1 événement" in listing
    assert "Message signalé comme abusif" in listing
    assert f'"relay":{relayed.id}' in listing.replace("&#34;", '"')


def test_a_tampered_report_link_is_refused(app, client, talent, inbox):
    send(app, client)
    path = _report_path(inbox)
    for bad in (
        path[:-2] + ("AA" if not path.endswith("AA") else "BB"),
        "/contact/report/x",
        "/contact/report/" + "a" * 600,
    ):
        response = client.get(bad)
        assert response.status_code == 400, bad
        assert "Ce lien de signalement n&#39;est pas valide" in response.get_data(as_text=True)
    assert events(app, AuditAction.CONTACT_REPORTED) == []


def test_a_report_link_expires(app, talent):
    secret = app.extensions["talento.settings"].secret_key
    token = contact_reports.report_token(secret, 1, talent)
    with app.app_context():
        assert contact_reports.check_report_token(db.session(), secret, token).problem is None
        old = contact_reports.check_report_token(db.session(), secret, token, max_age=-1)
        assert old.problem == "expired"
        forged = contact_reports.check_report_token(db.session(), "x" * 40, token)
        assert forged.problem == "invalid"
        db.session.remove()


def test_the_report_page_is_reached_without_login(app, client, talent):
    """A valid link is enough (the talent reads it in their mailbox)."""
    secret = app.extensions["talento.settings"].secret_key
    token = contact_reports.report_token(secret, 1, talent)
    assert client.get(f"/contact/report/{token}").status_code == 200


def test_a_deleted_talents_report_link_is_refused(app, client, talent):
    secret = app.extensions["talento.settings"].secret_key
    token = contact_reports.report_token(secret, 1, 999_999)
    assert client.get(f"/contact/report/{token}").status_code == 400
