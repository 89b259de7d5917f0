"""A database that stops answering cannot take the site down (issue 11, point 3).

The attack: PostgreSQL is reached through a TCP proxy that stalls the established connections
(they stay open, nothing is forwarded: a stuck server, or a proxy that accepts and forwards
nothing) and holds new ones unanswered. TCP still acknowledges everything there, so only the
client's own bounds (talento.web.db_guard) end the waits: every request that needs the
database gets the French 503 within DATABASE_TIMEOUT + 1 s, then at once while the breaker is
open, and /healthz and static files keep answering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from talento.extensions import db
from tests.outage_proxy import (
    EMAIL,
    LAST_NAME,
    Outage,
    assert_clean_503,
    outage_app,
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
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


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
        assert client.get(path).status_code == 503
    assert proxy.accepted == tried
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/talento.css").status_code == 200

    proxy.restore()
    assert until_ok(lambda: client.get("/talents"), seconds=FEW_SECONDS).status_code == 200
    assert LAST_NAME in client.get("/talents").get_data(as_text=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "talento.database"]
    assert messages[0].startswith("Base de données sans réponse")
    assert messages[-1] == "Base de données de nouveau joignable."


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
