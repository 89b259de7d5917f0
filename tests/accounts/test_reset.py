"""Password reset by e-mail: same answer for every address, signed links that work once, for
one hour, and the password policy; e-mails go through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import logging
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from talento.accounts.models import User
from talento.accounts.reset import SALT, account_fingerprint, issue_set_password_link, make_token
from talento.extensions import db
from tests.helpers import USER_PASSWORD, _csrf_from, login, make_settings, smtp_settings
from tests.mail.smtp import text_and_html

NEW_PASSWORD = "Une phrase de passe solide 2026"
SENT = "Si un compte existe pour cette adresse, un e-mail vient d'être envoyé"
LINK = re.compile(r"http://localhost(/auth/reset/[A-Za-z0-9._-]+)")


@pytest.fixture
def settings(database_url, smtp):
    return smtp_settings(database_url, smtp)


def ask_reset(client, email: str):
    """POST /auth/forgot. Buffered: the e-mail leaves when the response is closed."""
    token = _csrf_from(client.get("/auth/forgot").get_data(as_text=True))
    return client.post("/auth/forgot", data={"email": email, "csrf_token": token}, buffered=True)


def choose_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = _csrf_from(page.get_data(as_text=True))
    return client.post(
        path,
        data={
            "password": password,
            "password_confirm": password if confirm is None else confirm,
            "csrf_token": token,
        },
    )


def token_for(app, user_id: int) -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        token = make_token(app.extensions["talento.settings"].secret_key, user)
        db.session.remove()
    return token


def test_login_page_links_to_the_forgotten_password_page(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in html
    assert "Mot de passe oublié ?" in html


@pytest.mark.both_backends
def test_full_reset_flow_through_smtp(client, make_user, inbox):
    make_user(email="amina@example.org", first_name="Amina", code="MAF0001CAS")
    form = client.get("/auth/forgot")
    assert form.status_code == 200
    assert 'name="email"' in form.get_data(as_text=True)

    response = ask_reset(client, "Amina@Example.org ")
    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)

    (message,) = inbox.wait_for(1)
    assert message["To"] == "amina@example.org"
    assert message["Subject"] == "Réinitialisation de votre mot de passe Talento"
    text, html = text_and_html(message)
    assert "Bonjour Amina," in text
    assert "une heure" in text
    path = LINK.search(text).group(1)
    assert f"http://localhost{path}" in html

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert 'name="password_confirm"' in page.get_data(as_text=True)

    done = choose_password(client, path)
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/auth/login")
    landing = client.get("/auth/login").get_data(as_text=True)
    assert "Votre mot de passe a été modifié" in landing

    assert login(client, "amina@example.org", USER_PASSWORD).status_code == 401
    assert login(client, "MAF0001CAS", NEW_PASSWORD).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_email(client, make_user, inbox):
    make_user(email="known@example.org")
    make_user(email="off@example.org", is_active_account=False)
    unknown = ask_reset(client, "nobody@example.org")
    inactive = ask_reset(client, "off@example.org")
    assert inbox.envelopes == []
    known = ask_reset(client, "known@example.org")
    assert unknown.status_code == inactive.status_code == known.status_code == 200
    assert unknown.get_data() == inactive.get_data() == known.get_data()
    assert SENT in known.get_data(as_text=True)
    assert [m["To"] for m in inbox.wait_for(1)] == ["known@example.org"]


def test_a_link_works_once(app, client, make_user):
    user_id = make_user(email="once@example.org")
    path = f"/auth/reset/{token_for(app, user_id)}"
    assert choose_password(client, path).status_code == 302

    again = client.get(path)
    assert again.status_code == 410
    html = again.get_data(as_text=True)
    assert "Ce lien a déjà servi" in html
    assert 'href="/auth/forgot"' in html
    assert 'name="password"' not in html
    token = _csrf_from(client.get("/auth/forgot").get_data(as_text=True))
    replay = client.post(
        path,
        data={
            "password": "Autre phrase secrète 99",
            "password_confirm": "Autre phrase secrète 99",
            "csrf_token": token,
        },
    )
    assert replay.status_code == 410
    assert login(client, "once@example.org", NEW_PASSWORD).status_code == 302


def test_a_link_ends_when_the_password_changes_another_way(app, client, make_user):
    from talento.accounts.services import set_password

    user_id = make_user(email="changed@example.org")
    path = f"/auth/reset/{token_for(app, user_id)}"
    with app.app_context():
        user = db.session.get(User, user_id)
        set_password(user, "Changée ailleurs 2026", app.extensions["talento.passwords"])
        db.session.commit()
    assert client.get(path).status_code == 410


def test_a_link_ends_when_the_email_changes(app, client, make_user):
    user_id = make_user(email="old@example.org")
    path = f"/auth/reset/{token_for(app, user_id)}"
    with app.app_context():
        db.session.get(User, user_id).email = "new@example.org"
        db.session.commit()
    assert client.get(path).status_code == 410


def _aged_token(app, user_id: int, age: int) -> str:
    """A token signed `age` seconds ago: the signer's clock is moved back, not the app's."""

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age

    secret = app.extensions["talento.settings"].secret_key
    signer = URLSafeTimedSerializer(secret, salt=SALT, signer=SignedLongAgo)
    with app.app_context():
        user = db.session.get(User, user_id)
        token = signer.dumps({"u": user.id, "f": account_fingerprint(secret, user)})
        db.session.remove()
    return token


@pytest.mark.both_backends
def test_an_expired_link_is_refused(app, client, make_user):
    user_id = make_user(email="late@example.org")
    expired = client.get(f"/auth/reset/{_aged_token(app, user_id, 3601)}")
    assert expired.status_code == 410
    html = expired.get_data(as_text=True)
    assert "Ce lien a expiré" in html
    assert 'href="/auth/forgot"' in html
    assert client.get(f"/auth/reset/{_aged_token(app, user_id, 3590)}").status_code == 200


@pytest.mark.parametrize("damage", ["payload", "signature", "other-secret", "garbage", "long"])
def test_a_tampered_link_is_refused(app, client, make_user, damage):
    user_id = make_user(email="tamper@example.org")
    token = token_for(app, user_id)
    payload, stamp, signature = token.split(".")
    if damage == "payload":
        other_id = make_user(email="victim@example.org")
        forged = URLSafeTimedSerializer("x" * 48, salt=SALT).dumps({"u": other_id, "f": "0" * 32})
        token = f"{forged.split('.')[0]}.{stamp}.{signature}"
    elif damage == "signature":
        token = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    elif damage == "other-secret":
        with app.app_context():
            user = db.session.get(User, user_id)
            token = make_token("another-secret-key-of-32-characters!", user)
    elif damage == "garbage":
        token = "not-a-token"
    else:
        token = "a" * 2000
    response = client.get(f"/auth/reset/{token}")
    assert response.status_code == 400
    assert "Ce lien n'est pas valide" in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_use_its_link(app, client, make_user):
    user_id = make_user(email="gone@example.org")
    path = f"/auth/reset/{token_for(app, user_id)}"
    with app.app_context():
        db.session.get(User, user_id).is_active_account = False
        db.session.commit()
    assert client.get(path).status_code == 400


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("court", None, "Le mot de passe doit contenir au moins 12 caractères."),
        ("motdepasse123", None, "Ce mot de passe est trop courant"),
        ("azerty123", None, "au moins 12 caractères"),
        ("marocmaroc2024", None, "Ce mot de passe est trop courant"),
        ("Soleil2024!!", None, "Ce mot de passe est trop courant"),
        ("policy.user2026", None, "ne doit pas ressembler à votre nom ou à votre adresse e-mail"),
        ("Une phrase de passe solide 2026", "Une autre phrase", "ne correspondent pas"),
    ],
)
def test_password_policy_errors_are_shown_next_to_the_field(
    app, client, make_user, password, confirm, message
):
    user_id = make_user(email="policy.user@example.org", first_name="Nadia")
    path = f"/auth/reset/{token_for(app, user_id)}"
    response = choose_password(client, path, password, confirm)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = "password_confirm" if confirm else "password"
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert error
    assert message in error.group(1).replace("&#39;", "'")
    assert f'aria-describedby="{field}-hint {field}-error"' in html or (
        f'aria-describedby="{field}-error"' in html
    )
    assert login(client, "policy.user@example.org", USER_PASSWORD).status_code == 302


def test_requests_are_limited_per_address(client, make_user, inbox):
    make_user(email="flood@example.org")
    for _ in range(3):
        assert ask_reset(client, "flood@example.org").status_code == 200
    blocked = ask_reset(client, "FLOOD@example.org")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    page = blocked.get_data(as_text=True)
    assert "Trop de demandes pour cette adresse." in page
    assert 'value="FLOOD@example.org"' in page  # the form again, the address kept
    assert len(inbox.wait_for(3)) == 3
    assert ask_reset(client, "other@example.org").status_code == 200


def test_requests_are_limited_per_ip(client):
    """A high ceiling (RESET_LIMIT_PER_IP, 60 per hour): a shared address is not blocked."""
    for n in range(60):
        assert ask_reset(client, f"person{n}@example.org").status_code == 200
    blocked = ask_reset(client, "person99@example.org")
    assert blocked.status_code == 429
    assert "Trop de demandes de réinitialisation depuis votre connexion." in blocked.get_data(
        as_text=True
    )
    assert client.get("/auth/forgot").status_code == 200  # only the POSTs count


def test_set_password_link_for_an_account_created_by_an_admin(app, client, make_user, inbox):
    user_id = make_user(email="new.talent@example.org", first_name="Youssef", code="MAM0007CAS")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.password_hash = ""  # created by an admin: no password yet
        db.session.commit()
        issue_set_password_link(db.session, app.extensions["talento.settings"], user)
        db.session.commit()  # the mail leaves only after the commit
        db.session.remove()
    (message,) = inbox.wait_for(1)
    assert message["To"] == "new.talent@example.org"
    assert message["Subject"] == "Votre compte Talento a été créé"
    text, html = text_and_html(message)
    assert "MAM0007CAS" in text
    assert "Bonjour Youssef," in html
    assert "Aucun mot de passe ne vous sera jamais envoyé" in text
    path = LINK.search(text).group(1)
    assert choose_password(client, path).status_code == 302
    assert login(client, "MAM0007CAS", NEW_PASSWORD).status_code == 302


def test_the_mail_follows_the_account_language(client, make_user, inbox):
    make_user(email="en@example.org", language="en")
    ask_reset(client, "en@example.org")
    (message,) = inbox.wait_for(1)
    assert message["Content-Language"] == "en"


def test_a_failing_smtp_server_still_gets_the_same_answer(app, client, make_user, smtp, caplog):
    make_user(email="down@example.org")
    smtp_controller_port = smtp[1]
    settings = app.extensions["talento.settings"]
    assert settings.mail_port == smtp_controller_port
    app.extensions["talento.settings"] = make_settings(
        settings.database_url, mail_server="127.0.0.1", mail_port=1, mail_use_tls=False
    )
    caplog.set_level(logging.INFO)
    try:
        response = ask_reset(client, "down@example.org")
    finally:
        app.extensions["talento.settings"] = settings
    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)
    assert "non envoyé" in caplog.text


def test_the_reset_flow_logs_no_address_and_no_token(app, client, make_user, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    make_user(email="discreet@example.org")
    ask_reset(client, "discreet@example.org")
    ask_reset(client, "unknown.person@example.org")
    (message,) = inbox.wait_for(1)
    path = LINK.search(text_and_html(message)[0]).group(1)
    choose_password(client, path)
    talento_lines = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith("talento")
    )
    assert "Mot de passe réinitialisé" in talento_lines
    for secret in ("discreet", "unknown.person", path.rsplit("/", 1)[1], NEW_PASSWORD):
        assert secret not in caplog.text
