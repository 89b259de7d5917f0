"""Changing one's e-mail address: the current password, a signed link to the NEW address (48
hours, bound to the old and the new one), nothing changed until the link's button is pressed,
then the new address verified, every other session ended, the change audited (not the
addresses) and a notice sent to the OLD address. Through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from sqlalchemy import select

from talento.accounts import email_change
from talento.accounts.models import User
from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db, utcnow
from tests.helpers import USER_PASSWORD, _csrf_from, login, smtp_settings
from tests.mail.smtp import text_and_html

CHANGE_LINK = re.compile(r"http://localhost(/auth/email-change/[A-Za-z0-9._=-]+)")


@pytest.fixture
def settings(database_url, smtp):
    return smtp_settings(database_url, smtp)


def _ask(client, new_email: str, password: str = USER_PASSWORD):
    token = _csrf_from(client.get("/profile/email").get_data(as_text=True))
    return client.post(
        "/profile/email",
        data={"new_email": new_email, "current_password": password, "csrf_token": token},
    )


def _email(app, user_id: int) -> tuple[str, dt.datetime | None]:
    with app.app_context():
        user = db.session.get(User, user_id)
        found = (user.email, user.email_verified_at)
        db.session.remove()
    return found


def _token(app, user_id: int, new_email: str, now: dt.datetime | None = None) -> str:
    with app.app_context():
        token = email_change.make_token(
            app.config["SECRET_KEY"],
            app.extensions["talento.keyring"],
            db.session.get(User, user_id),
            new_email,
            now,
        )
        db.session.remove()
    return token


def _confirm(client, path: str):
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = _csrf_from(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def test_the_whole_change_through_smtp(app, client, make_talent, inbox):
    user_id = make_talent(email="amina@example.org", code="MAF0001CAS", first_name="Amina")
    assert login(client, "amina@example.org").status_code == 302
    elsewhere = app.test_client()  # another device, signed in too
    assert login(elsewhere, "amina@example.org").status_code == 302

    asked = _ask(client, "Amina.New@Example.ma ")
    assert asked.status_code == 302
    me = client.get("/profile").get_data(as_text=True)
    assert "Un lien de confirmation a été envoyé à Amina.New@Example.ma." in me
    (message,) = inbox.wait_for(1)
    assert message["To"] == "Amina.New@Example.ma"
    assert message["Subject"] == "Confirmez votre nouvelle adresse e-mail"
    text, html_body = text_and_html(message)
    assert "48 heures" in text
    path = CHANGE_LINK.search(text).group(1)
    assert path in html_body
    assert "amina" not in path.lower()  # the URL names nobody (the new address is encrypted)
    # Until the link is used, nothing changes.
    assert _email(app, user_id)[0] == "amina@example.org"

    # Opening it shows a button (a mail scanner following links changes nothing).
    page = app.test_client().get(path)
    assert page.status_code == 200
    assert "Amina.New@Example.ma" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert _email(app, user_id)[0] == "amina@example.org"

    done = _confirm(client, path)
    assert done.status_code == 302
    assert done.location.endswith("/profile")
    email, verified_at = _email(app, user_id)
    assert email == "Amina.New@Example.ma"
    assert verified_at is not None
    # This browser is still signed in; the other device is not.
    assert client.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302
    # The notice goes to the old address, in the account's language.
    messages = inbox.wait_for(2)
    notice = messages[1]
    assert notice["To"] == "amina@example.org"
    assert notice["Subject"] == "Votre adresse e-mail a été changée"
    notice_text, _ = text_and_html(notice)
    assert "Votre adresse a été changée" in notice_text
    assert "Si ce n'est pas vous" in notice_text
    assert "Amina.New" not in notice_text
    # The trail says that the e-mail changed, never what to.
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.EMAIL_CHANGED.value)
        ).one()
        assert (event.subject_id, event.fields) == (user_id, "email")
        assert "@" not in json.dumps([event.detail, event.fields])
        db.session.remove()
    # Login with the new address (any case), not the old one.
    assert login(app.test_client(), "amina.new@example.ma").status_code == 302
    assert login(app.test_client(), "amina@example.org").status_code != 302

    # A second click: already done; nothing else is sent.
    again = app.test_client().get(path)
    assert again.status_code == 200
    assert "déjà fait" in again.get_data(as_text=True)
    assert len(inbox.wait_for(3, timeout=0.5)) == 2


def test_confirmed_from_another_browser_it_asks_to_sign_in(app, client, make_talent, inbox):
    user_id = make_talent(email="phone@example.org")
    path = f"/auth/email-change/{_token(app, user_id, 'phone.new@example.org')}"
    done = _confirm(client, path)
    assert done.status_code == 302
    assert done.location.endswith("/auth/login")
    assert _email(app, user_id)[0] == "phone.new@example.org"
    (notice,) = inbox.wait_for(1)
    assert notice["To"] == "phone@example.org"


def test_the_password_is_asked_and_wrong_ones_are_limited(app, client, make_talent, inbox):
    make_talent(email="guard@example.org")
    assert login(client, "guard@example.org").status_code == 302
    wrong = _ask(client, "thief@example.org", password="not-the-password")
    assert wrong.status_code == 401
    assert "Mot de passe actuel incorrect." in wrong.get_data(as_text=True)
    assert inbox.wait_for(1, timeout=0.5) == []


def test_same_or_taken_addresses_are_refused(app, client, make_talent, inbox):
    make_talent(email="first@example.org")
    make_talent(email="taken@example.org")
    assert login(client, "first@example.org").status_code == 302
    same = _ask(client, "FIRST@example.org")
    assert same.status_code == 400
    assert "C'est déjà votre adresse actuelle." in html.unescape(same.get_data(as_text=True))
    taken = _ask(client, "Taken@Example.org")
    assert taken.status_code == 400
    assert "Un compte existe déjà avec cette adresse e-mail." in taken.get_data(as_text=True)
    invalid = _ask(client, "not-an-address")
    assert invalid.status_code == 400
    assert inbox.wait_for(1, timeout=0.5) == []


def test_an_address_taken_after_the_link_was_sent_is_not_stolen(app, client, make_talent):
    user_id = make_talent(email="slow@example.org")
    path = f"/auth/email-change/{_token(app, user_id, 'wanted@example.org')}"
    make_talent(email="WANTED@example.org")
    response = client.get(path)
    assert response.status_code == 409
    assert "Un autre compte utilise désormais cette adresse" in response.get_data(as_text=True)
    assert _email(app, user_id)[0] == "slow@example.org"


def test_links_last_48_hours_and_follow_the_current_address(app, client, make_talent):
    user_id = make_talent(email="base@example.org")
    now = utcnow()
    old = _token(app, user_id, "late@example.org", now - dt.timedelta(hours=48, seconds=5))
    expired = client.get(f"/auth/email-change/{old}")
    assert expired.status_code == 410
    assert "Ce lien a expiré" in expired.get_data(as_text=True)
    recent = _token(app, user_id, "first-choice@example.org", now - dt.timedelta(hours=47))
    other = _token(app, user_id, "second-choice@example.org")
    assert _confirm(client, f"/auth/email-change/{other}").status_code == 302
    # The first link was made for the old address: it no longer changes anything.
    stale = client.get(f"/auth/email-change/{recent}")
    assert stale.status_code == 410
    assert _email(app, user_id)[0] == "second-choice@example.org"


@pytest.mark.parametrize("damage", ["signature", "payload", "garbage"])
def test_a_tampered_link_is_refused(app, client, make_talent, damage):
    user_id = make_talent(email="victim@example.org")
    token = _token(app, user_id, "attacker@example.org")
    if damage == "signature":
        token = f"{token[:-2]}xx"
    elif damage == "payload":
        from itsdangerous import URLSafeTimedSerializer

        forged = URLSafeTimedSerializer("x" * 48, salt=email_change.SALT).dumps(
            {"u": user_id, "o": "0" * 32, "n": "plain@example.org"}
        )
        token = forged
    else:
        token = "nothing-here"
    response = client.get(f"/auth/email-change/{token}")
    assert response.status_code == 400
    assert _email(app, user_id)[0] == "victim@example.org"
    token_form = _csrf_from(client.get("/auth/forgot").get_data(as_text=True))
    posted = client.post(f"/auth/email-change/{token}", data={"csrf_token": token_form})
    assert posted.status_code == 400
    assert _email(app, user_id)[0] == "victim@example.org"
