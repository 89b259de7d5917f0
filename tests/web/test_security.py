"""Security headers, the idle session timeout, and login limits shared through Redis."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from talento.web.security import CONTENT_SECURITY_POLICY
from tests.helpers import (
    PROJECT_ROOT,
    RATELIMIT_KEY_PREFIX,
    USER_PASSWORD,
    login,
    make_settings,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_every_page_gets_the_security_headers(client):
    for path in ("/", "/auth/login", "/talents", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert csp == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "microphone=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # not in testing, not over http


def test_hsts_in_production_over_https(database_url):
    from talento.web import build_app

    app = build_app(make_settings(database_url, flask_env="production"))
    client = app.test_client()
    secure = client.get("/auth/login", base_url="https://talento.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = client.get("/auth/login", base_url="http://talento.example")
    assert "Strict-Transport-Security" not in plain.headers


@pytest.fixture
def settings(database_url):
    return make_settings(database_url, session_idle_minutes=30)


def test_an_idle_session_ends_and_a_used_one_lasts(client, make_user):
    make_user(email="t@example.ma")
    assert login(client, "t@example.ma").status_code == 302
    assert client.get("/profile").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 29 * 60  # used 29 minutes ago: still open
    assert client.get("/profile").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60  # idle for 31 minutes: ended
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=/profile")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre session a expiré" in page
    assert client.get("/profile").status_code == 302  # really logged out


@pytest.mark.committed
def test_login_limits_hold_across_processes_through_redis(database_url, make_user):
    """Two processes (like two gunicorn workers) share one Redis: the failures counted by the
    first one count in the second. The keys carry this test process's prefix, so parallel test
    workers sharing the Redis database never count each other's failures."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    ours = f"*{RATELIMIT_KEY_PREFIX}*"

    def forget() -> None:
        for key in connection.scan_iter(match=ours):
            connection.delete(key)

    forget()
    make_user(email="target@example.ma")
    overrides = dict(
        secret_key="shared-by-the-workers-" + "k" * 16,  # the buckets' names are keyed with it
        ratelimit_storage_uri=REDIS_URL,
        ratelimit_key_prefix=RATELIMIT_KEY_PREFIX,
        login_limit_per_identifier="3 per minute",
        login_limit_per_ip="1000 per minute",
    )
    script = textwrap.dedent(
        f"""
        import sys
        from tests.helpers import login, make_settings
        from talento.web import build_app
        app = build_app(make_settings({database_url!r}, **{overrides!r}))
        client = app.test_client()
        statuses = [login(client, "target@example.ma", "wrong-password").status_code
                    for _ in range(int(sys.argv[1]))]
        print(" ".join(map(str, statuses)))
        """
    )

    def worker(attempts: int) -> list[int]:
        result = subprocess.run(
            [sys.executable, "-c", script, str(attempts)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return [int(s) for s in result.stdout.split()]

    try:
        assert worker(2) == [401, 401]
        assert worker(2) == [401, 429]  # the third failure is the limit, the fourth refused
        assert list(connection.scan_iter(match=ours))  # really in Redis
    finally:
        forget()
        connection.close()


def test_the_right_password_is_not_refused_by_other_accounts_limits(client, make_user):
    make_user(email="a@example.ma")
    make_user(email="b@example.ma")
    for _ in range(3):
        login(client, "a@example.ma", "wrong")
    assert login(client, "b@example.ma", USER_PASSWORD).status_code == 302
