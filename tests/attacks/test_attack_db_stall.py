"""A database that stops answering cannot take the site down (issue 11, point 3).

The attack: PostgreSQL is reached through a TCP proxy that stalls the established connections
(they stay open, nothing is forwarded: a stuck server, or a proxy that accepts and forwards
nothing) and holds new ones unanswered. TCP still acknowledges everything there, so only the
client's own bounds (talento.web.db_guard) end the waits: every request that needs the
database gets the French 503 within 1.5 x DATABASE_TIMEOUT, then at once while the breaker is
open, and /healthz and static files keep answering.
"""

from __future__ import annotations

import http.client
import logging
import runpy
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from talento.extensions import db
from talento.settings import PROJECT_ROOT
from tests.deploy.test_gunicorn import (
    DEPLOY,
    GUNICORN,
    clean_env,
    free_port,
    start,
    wait_ready,
)
from tests.helpers import USER_PASSWORD, _csrf_from, login
from tests.outage_proxy import (
    DB_PASSWORD,
    EMAIL,
    INTERNALS,
    LAST_NAME,
    Outage,
    assert_clean_503,
    outage_app,
    proxied_url,
    proxy_for,
    until_ok,
)

pytestmark = [pytest.mark.committed]

TIMEOUT = 1.0  # DATABASE_TIMEOUT of the apps under attack: the client gives up after 2 s
#: Generous bound for "within a few seconds" on a loaded 2-core machine.
FEW_SECONDS = 10.0


@pytest.fixture
def talent(make_talent, database_url) -> int:
    if not database_url.startswith("postgresql"):
        pytest.skip("a stalled server is a PostgreSQL matter")
    return make_talent(email=EMAIL, last_name=LAST_NAME)


@pytest.fixture
def stalled(database_url, settings, talent, tmp_path) -> Iterator[Outage]:
    with outage_app(database_url, settings, tmp_path, database_timeout=TIMEOUT) as state:
        yield state


def timed(call):
    """(result, seconds) of `call`, failing instead of hanging when it never returns (the
    stalled proxy would hold it forever: the bug this file guards against)."""
    box: list = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: box.append(call()), daemon=True)
    thread.start()
    thread.join(timeout=3 * FEW_SECONDS)
    assert box, f"no answer after {3 * FEW_SECONDS:g} s: the request waits on the database"
    return box[0], time.monotonic() - started


def test_stalled_connections_give_the_503_in_seconds_then_at_once(stalled, caplog):
    proxy = stalled.proxy
    client = stalled.app.test_client()
    assert client.get("/talents").status_code == 200  # a pooled connection, now stalled
    proxy.stall()
    caplog.set_level(logging.INFO)

    response, elapsed = timed(lambda: client.get("/talents"))
    assert_clean_503(response)
    assert elapsed < FEW_SECONDS

    # The breaker is open: no connection is even tried, the answer does not wait.
    tried = proxy.accepted
    for path in ("/talents", "/talents?q=Amina", "/readyz"):
        assert timed(lambda path=path: client.get(path))[0].status_code == 503
    assert proxy.accepted == tried
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/talento.css").status_code == 200

    proxy.restore()
    assert until_ok(lambda: client.get("/talents"), seconds=FEW_SECONDS).status_code == 200
    assert LAST_NAME in client.get("/talents").get_data(as_text=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "talento.database"]
    assert messages[0].startswith("Base de données sans réponse")
    assert messages[-1] == "Base de données de nouveau joignable."


def test_error_paths_of_a_signed_in_user_while_the_database_stalls(stalled):
    """A forged form, a missing page, a static file that is not there: each needs the user
    (the gates load them) or must not, and none waits longer than the bound."""
    client = stalled.app.test_client()
    assert login(client, EMAIL).status_code == 302
    stalled.proxy.stall()
    response, elapsed = timed(lambda: client.post("/profile/edit", data={"csrf_token": "x"}))
    assert_clean_503(response)
    assert elapsed < FEW_SECONDS
    response, elapsed = timed(lambda: client.get("/nulle-part"))
    assert_clean_503(response)  # the breaker is open: not even tried
    response, elapsed = timed(lambda: client.get("/static/absent.css"))
    assert response.status_code == 404  # no user loaded for a static file, even to say 404
    assert elapsed < FEW_SECONDS


def test_a_slow_statement_is_cancelled_by_the_server_and_opens_nothing(stalled):
    """statement_timeout: the server ends the statement, the connection and the site stay up."""
    app = stalled.app

    @app.get("/t/slow")
    def slow():
        db.session.execute(text("SELECT pg_sleep(30)"))
        return "done"

    client = app.test_client()
    response, elapsed = timed(lambda: client.get("/t/slow"))
    assert_clean_503(response)
    assert elapsed < FEW_SECONDS
    assert not app.extensions["talento.db_breaker"].is_open
    assert client.get("/talents").status_code == 200


def test_a_lock_held_elsewhere_is_waited_for_a_bounded_time(stalled, database_url, talent):
    app = stalled.app

    @app.get("/t/locked")
    def locked():
        db.session.execute(text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": talent})
        return "locked"

    other = create_engine(database_url)
    try:
        with other.begin() as holder:
            holder.execute(text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": talent})
            response, elapsed = timed(lambda: app.test_client().get("/t/locked"))
        assert_clean_503(response)
        assert elapsed < FEW_SECONDS
        assert app.test_client().get("/t/locked").status_code == 200
    finally:
        other.dispose()


def test_the_bounds_reach_the_server(stalled):
    with stalled.app.app_context():
        shown = {
            name: db.session.execute(text(f"SHOW {name}")).scalar()
            for name in (
                "statement_timeout",
                "lock_timeout",
                "idle_in_transaction_session_timeout",
            )
        }
        db.session.rollback()
    assert shown == {
        "statement_timeout": "1s",
        "lock_timeout": "1s",
        "idle_in_transaction_session_timeout": "5min",
    }


# --- a real gunicorn (the deploy configuration: gthread) -------------------------------------


@pytest.fixture
def gunicorns() -> Iterator[list]:
    started: list = []
    yield started
    for server in started:
        server.kill()


def fetch(port: int, path: str, cookie: str = "", method: str = "GET", form: dict | None = None):
    """(status, headers, body, seconds) of one request on a new connection."""
    body = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode("utf-8", "replace")
        return response.status, response.headers, data, time.monotonic() - started
    finally:
        connection.close()


def sign_in(port: int) -> str:
    """The session cookie of the talent, signed in through the login form."""
    status, headers, html, _ = fetch(port, "/auth/login")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    form = {"identifier": EMAIL, "password": USER_PASSWORD, "csrf_token": _csrf_from(html)}
    status, headers, _, _ = fetch(port, "/auth/login", cookie, "POST", form)
    assert status == 302, "login refused"
    return headers["Set-Cookie"].split(";", 1)[0]


def assert_french_503(status: int, headers, html: str) -> None:
    assert status == 503, html[:300]
    assert int(headers["Retry-After"]) >= 29
    assert "Service momentanément indisponible" in html
    assert 'lang="fr"' in html
    for secret in (*INTERNALS, EMAIL, LAST_NAME, DB_PASSWORD):
        assert secret not in html


def test_gunicorn_answers_health_static_and_503s_while_the_database_stalls(
    database_url, settings, talent, tmp_path, gunicorns
):
    """2 x the threads of one gthread worker wait on a stalled database; meanwhile /healthz
    and a static file, asked by the signed-in talent, answer within seconds; every waiting
    request gets the French 503; the site recovers when the database does, without restart."""
    threads = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["threads"]
    proxy = proxy_for(database_url)
    port = free_port()
    env = clean_env(
        tmp_path,
        DATABASE_URL=proxied_url(database_url, proxy),
        DATABASE_TIMEOUT=str(TIMEOUT),
        ENCRYPTION_KEY=settings.encryption_key,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    server = start(
        gunicorns, tmp_path, "stall", [GUNICORN, "-c", "deploy/gunicorn.conf.py", "app:app"], env
    )
    try:
        wait_ready(server, port)
        cookie = sign_in(port)
        for _ in range(threads):  # every thread has used the database: pooled connections
            assert fetch(port, "/talents")[0] == 200
        assert fetch(port, "/profile", cookie)[0] == 200

        proxy.stall()
        answers: list[tuple] = [()] * (2 * threads)

        def ask(index: int) -> None:
            path = "/profile" if index % 2 else "/talents?q=Amina"
            answers[index] = fetch(port, path, cookie if index % 2 else "")

        waiting = [threading.Thread(target=ask, args=(i,)) for i in range(2 * threads)]
        for thread in waiting:
            thread.start()
        time.sleep(0.5)  # all of them are in gunicorn's hands: the threads, then its queue

        health = fetch(port, "/healthz", cookie)
        static = fetch(port, "/static/css/talento.css", cookie)
        for thread in waiting:
            thread.join(timeout=60)
        assert all(answers), "requests still waiting on the database after 60 s"
        assert health[0] == 200
        assert health[3] < FEW_SECONDS, f"/healthz took {health[3]:.1f} s"
        assert static[0] == 200
        assert "text/css" in static[1]["Content-Type"]
        assert static[3] < FEW_SECONDS, f"the static file took {static[3]:.1f} s"
        for status, headers, html, seconds in answers:
            assert_french_503(status, headers, html)
            assert seconds < FEW_SECONDS + 5

        proxy.restore()
        deadline = time.monotonic() + FEW_SECONDS
        while fetch(port, "/talents")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert fetch(port, "/talents")[0] == 200
        status, _, html, _ = fetch(port, "/profile", cookie)
        assert status == 200  # still signed in
        assert LAST_NAME in html
        assert server.stop() == 0
    finally:
        proxy.stop()
    log = server.log()
    assert "Base de données sans réponse" in log
    assert "Base de données de nouveau joignable." in log
    for secret in ("Traceback", EMAIL, LAST_NAME, DB_PASSWORD):
        assert secret not in log


def test_the_talento_commands_lift_the_bounds_and_the_web_app_keeps_them(
    database_url, settings, talent, tmp_path
):
    """Long jobs (backups, key re-encryption, migrations: the `talento` commands, through
    data_app) run without DATABASE_TIMEOUT; an app built for the web has it."""
    probe = (
        "from sqlalchemy import text\n"
        "from talento import boot\n"
        "from talento.cli.base import data_app\n"
        "from talento.extensions import db\n"
        "for app in (boot(startup_checks=False), data_app(check_keys=False)):\n"
        "    with app.app_context():\n"
        "        shown = db.session.execute(text('SHOW statement_timeout')).scalar()\n"
        "        print(shown, app.extensions['talento.db_breaker'] is not None)\n"
    )
    env = clean_env(
        tmp_path,
        DATABASE_URL=database_url,
        DATABASE_TIMEOUT="3",
        ENCRYPTION_KEY=settings.encryption_key,
        LOG_LEVEL="ERROR",
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["3s True", "0 False"]
