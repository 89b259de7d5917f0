"""Login by email or code in any case, generic failures, landing pages, logout, sessions."""

import logging

import pytest
from werkzeug.security import generate_password_hash

from talento.accounts.models import User
from talento.extensions import db
from tests.helpers import USER_PASSWORD, _csrf_from, login


def test_login_page_is_french_by_default(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="fr"' in html
    assert "Connexion" in html
    assert 'name="csrf_token"' in html
    assert 'name="identifier"' in html
    assert 'name="password"' in html


@pytest.mark.both_backends
@pytest.mark.parametrize(
    "identifier", ["talent1@example.org", "TALENT1@Example.ORG", "MAF0001CAS", "maf0001cas"]
)
def test_login_by_email_or_code_in_any_case(client, make_user, identifier):
    make_user(code="MAF0001CAS", email="talent1@example.org", phone="+212612345678")
    response = login(client, identifier)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/profile")
    profile = client.get("/profile").get_data(as_text=True)
    assert "MAF0001CAS" in profile
    assert "+212612345678" in profile


def test_wrong_password_and_unknown_account_get_the_same_generic_message(client, make_user):
    make_user(email="known@example.org")
    wrong = login(client, "known@example.org", "not-the-password")
    unknown = login(client, "nobody@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    message = "Identifiant ou mot de passe incorrect."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_unknown_account_still_verifies_a_hash(app, client, monkeypatch):
    """Same work whether or not the account exists: a dummy verification is spent."""
    passwords = app.extensions["talento.passwords"]
    calls = []
    original = passwords.burn_time
    monkeypatch.setattr(passwords, "burn_time", lambda: calls.append(1) or original())
    login(client, "nobody@example.org", "whatever-password")
    assert calls == [1]


def test_inactive_account_gets_a_clear_message(client, make_user):
    make_user(email="off@example.org", is_active_account=False)
    response = login(client, "off@example.org")
    assert response.status_code == 403
    assert "Ce compte est désactivé" in response.get_data(as_text=True)


@pytest.mark.both_backends
def test_admin_lands_on_admin_and_users_cannot_enter_it(client, make_user):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB")
    make_user(email="user@example.org")
    response = login(client, "boss@example.org")
    assert response.headers["Location"].endswith("/admin")
    assert client.get("/admin").status_code == 200
    other = client.application.test_client()
    login(other, "user@example.org")
    forbidden = other.get("/admin")
    assert forbidden.status_code == 403
    assert "Accès refusé" in forbidden.get_data(as_text=True)  # the French 403 page


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profile?tab=1", "/profile?tab=1"),
        ("https://evil.example/", "/profile"),
        ("//evil.example/", "/profile"),
        ("/\\evil.example", "/profile"),
    ],
)
def test_next_is_honoured_only_for_same_site_paths(client, make_user, target, expected):
    make_user(email="n@example.org")
    page = client.get("/auth/login")
    token = _csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"identifier": "n@example.org", "password": USER_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == expected


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user(email="c@example.org")
    response = client.post(
        "/auth/login", data={"identifier": "c@example.org", "password": USER_PASSWORD}
    )
    assert response.status_code == 400
    assert "Requête invalide" in response.get_data(as_text=True)


def test_logout_is_a_csrf_protected_post(client, make_user):
    make_user(email="out@example.org")
    login(client, "out@example.org")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no CSRF token
    token = _csrf_from(client.get("/profile").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/profile").status_code == 302


@pytest.mark.both_backends
def test_legacy_werkzeug_hash_verifies_and_is_upgraded(app, client, make_user):
    user_id = make_user(email="legacy@example.org")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.password_hash = generate_password_hash(USER_PASSWORD, method="pbkdf2:sha256")
        db.session.commit()
    assert login(client, "legacy@example.org").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).password_hash.startswith("$argon2id$")


def test_changing_the_password_ends_other_sessions(app, client, make_user):
    from talento.accounts.services import set_password

    user_id = make_user(email="s@example.org")
    login(client, "s@example.org")
    assert client.get("/profile").status_code == 200
    with app.app_context():
        set_password(
            db.session.get(User, user_id), "New-password-2026!", app.extensions["talento.passwords"]
        )
        db.session.commit()
    assert client.get("/profile").status_code == 302


def test_session_cookie_flags(client, make_user):
    make_user(email="f@example.org")
    response = login(client, "f@example.org")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_decrypts_nothing_and_logs_no_personal_data(
    app, client, make_user, caplog, monkeypatch
):
    import talento.crypto as crypto

    make_user(email="quiet@example.org", phone="+212600000001", address="12 rue Secrète")
    calls = []
    original = crypto.KeyRing.decrypt_with_fingerprint
    monkeypatch.setattr(
        crypto.KeyRing,
        "decrypt_with_fingerprint",
        lambda self, s: calls.append(s) or original(self, s),
    )
    caplog.set_level(logging.DEBUG)
    assert login(client, "quiet@example.org").status_code == 302
    assert calls == []
    text = caplog.text
    for secret in ("quiet@example.org", USER_PASSWORD, "+212600000001", "Secrète"):
        assert secret not in text
