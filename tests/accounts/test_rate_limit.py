"""Failed logins are limited per address and per identifier at an address (a French 429 with
Retry-After); past the identifier's ceiling over every address, the login page offers an
e-mailed sign-in link instead of refusing the owner. The parallel attacks are in
tests/attacks/test_attack_login_limits.py."""

import re

import pytest

from tests.helpers import USER_PASSWORD, _csrf_from, login, make_settings
from tests.mail.smtp import free_port

OFFER = 'id="sign-in-link-offer"'


@pytest.fixture
def settings(database_url):
    return make_settings(
        database_url,
        login_limit_per_identifier="3 per minute",
        login_limit_per_ip="5 per minute",
        login_ceiling_per_identifier="4 per hour",
    )


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_failures_per_identifier_are_limited(client, make_user):
    make_user(email="target@example.org")
    for _ in range(3):
        assert login(client, "target@example.org", "wrong-password").status_code == 401
    blocked = login(client, "target@example.org", "wrong-password")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    page = blocked.get_data(as_text=True)
    assert "Trop de tentatives sur ce compte depuis votre adresse. Réessayez dans 1 minute." in page
    # even the right password waits: the limit is checked before the password
    assert login(client, "target@example.org").status_code == 429
    # another spelling of the same account is the same account
    assert login(client, "MAF0001CAS", "wrong-password").status_code == 429
    # another identifier from the same IP is not blocked yet
    assert login(client, "other@example.org", "wrong-password").status_code == 401


def test_failures_per_ip_are_limited_across_identifiers(client):
    for n in range(5):
        assert login(client, f"u{n}@example.org", "wrong-password").status_code == 401
    blocked = login(client, "u9@example.org", "wrong-password")
    assert blocked.status_code == 429
    assert "Trop de tentatives de connexion depuis votre adresse." in blocked.get_data(as_text=True)


def test_successful_logins_do_not_count(client, make_user):
    make_user(email="ok@example.org")
    for _ in range(5):
        assert login(client, "ok@example.org").status_code == 302
        client.delete_cookie("talento_session")


def test_the_short_limit_at_one_address_does_not_refuse_the_owner_elsewhere(app, make_user):
    make_user(email="target@example.org")
    attacker = from_address(app, "198.51.100.7")
    for _ in range(3):
        assert login(attacker, "target@example.org", "wrong-password").status_code == 401
    assert login(attacker, "target@example.org").status_code == 429
    owner = from_address(app, "192.0.2.10")
    assert login(owner, "target@example.org").status_code == 302


def test_past_the_ceiling_the_owner_is_offered_a_link_not_refused(app, make_user):
    make_user(email="target@example.org")
    for n in range(4):
        attacker = from_address(app, f"203.0.113.{n + 1}")
        assert login(attacker, "target@example.org", "wrong-password").status_code == 401
    owner = from_address(app, "192.0.2.10")
    offered = login(owner, "target@example.org")  # the right password, not checked any more
    assert offered.status_code == 429
    page = offered.get_data(as_text=True)
    assert OFFER in page
    assert 'action="/auth/sign-in-link"' in page
    assert 'name="identifier" value="target@example.org"' in page
    assert owner.get("/profile").status_code == 302
    # an identifier without an account gets the very same offer past its ceiling
    for n in range(4):
        attacker = from_address(app, f"203.0.113.{n + 1}")
        assert login(attacker, "nobody@example.org", "wrong-password").status_code == 401
    assert OFFER in login(owner, "nobody@example.org").get_data(as_text=True)


def _ask_link(client, identifier: str):
    token = _csrf_from(client.get("/auth/login").get_data(as_text=True))
    return client.post(
        "/auth/sign-in-link", data={"identifier": identifier, "csrf_token": token}, buffered=True
    )


def test_asking_for_a_link_tells_nothing_about_the_account(app, make_user):
    make_user(email="target@example.org")
    known = _ask_link(from_address(app, "192.0.2.10"), "target@example.org")
    unknown = _ask_link(from_address(app, "192.0.2.11"), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200

    def body(response) -> str:
        return re.sub(r'value="[^"]+"', "", response.get_data(as_text=True))

    assert body(known) == body(unknown)
    assert "un lien de connexion vient d'être envoyé" in body(known)


def test_link_requests_are_limited(app, make_user):
    make_user(email="target@example.org")
    statuses = [
        _ask_link(from_address(app, f"192.0.2.{n}"), "target@example.org").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]  # 3 per hour per identifier: no mail bombing
    same_address = from_address(app, "198.51.100.7")
    statuses = [_ask_link(same_address, f"u{n}@example.org").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]  # 5 per hour per address


def test_a_limits_storage_that_does_not_answer_is_a_503(database_url):
    """Never a skipped limit, never a 500."""
    from talento.extensions import db
    from talento.web import build_app

    app = build_app(
        make_settings(database_url, ratelimit_storage_uri=f"redis://127.0.0.1:{free_port()}/0")
    )
    response = login(app.test_client(), "target@example.org", "wrong-password")
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    with app.app_context():
        db.engine.dispose()


def test_a_stolen_session_cannot_guess_the_current_password(client, make_user):
    """The current password asked again by /profile/password is limited per account like a
    login ("3 per minute" here): the fourth guess is refused before the password is checked."""
    make_user(email="owner@example.org", password=USER_PASSWORD)
    login(client, "owner@example.org")

    def attempt(password: str):
        page = client.get("/profile/password").get_data(as_text=True)
        return client.post(
            "/profile/password",
            data={
                "csrf_token": _csrf_from(page),
                "current_password": password,
                "new_password": "Another-long-secret-9",
                "new_password_confirm": "Another-long-secret-9",
            },
        )

    assert [attempt(f"guess-{n}").status_code for n in range(3)] == [401] * 3
    refused = attempt(USER_PASSWORD)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
