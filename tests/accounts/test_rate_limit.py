"""Failed logins are limited per identifier and per IP; the 429 page is French with Retry-After."""

import pytest

from tests.helpers import login, make_settings


@pytest.fixture
def settings(database_url):
    return make_settings(
        database_url, login_limit_per_identifier="3 per minute", login_limit_per_ip="5 per minute"
    )


def test_failures_per_identifier_are_limited(client, make_user):
    make_user(email="target@example.org")
    for _ in range(3):
        assert login(client, "target@example.org", "wrong-password").status_code == 401
    blocked = login(client, "target@example.org", "wrong-password")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    # even the right password waits: the limit is checked before the password
    assert login(client, "target@example.org").status_code == 429
    # another identifier from the same IP is not blocked yet
    assert login(client, "other@example.org", "wrong-password").status_code == 401


def test_failures_per_ip_are_limited_across_identifiers(client):
    for n in range(5):
        assert login(client, f"u{n}@example.org", "wrong-password").status_code == 401
    assert login(client, "u9@example.org", "wrong-password").status_code == 429


def test_successful_logins_do_not_count(client, make_user):
    make_user(email="ok@example.org")
    for _ in range(5):
        assert login(client, "ok@example.org").status_code == 302
        client.delete_cookie("talento_session")
