"""Database outages: a French 503 (never a 500, never a trace), /readyz 503, recovery with no
restart.

PostgreSQL is reached through a TCP proxy (tests/outage_proxy.py) that the tests really cut and
restore. SQLite has no server to lose: its outage is the database folder disappearing (a lost
mount), with the pooled connections closed as a database restart would close them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
from collections.abc import Iterator

import pytest
from flask import render_template_string
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from talento.accounts.models import User
from talento.extensions import db
from talento.web import build_app
from tests.helpers import _csrf_from, login
from tests.outage_proxy import (
    DB_PASSWORD,
    EMAIL,
    LAST_NAME,
    Outage,
    TcpProxy,
    assert_clean_503,
    outage_app,
    sqlite_copy,
    until_ok,
)

# The app under outage is a second app (through the proxy, or on a copy of the SQLite file):
# it reads the talent the test's own app committed.
pytestmark = pytest.mark.committed


@pytest.fixture
def talent(make_talent) -> int:
    return make_talent(email=EMAIL, last_name=LAST_NAME, bio="Comédienne")


@pytest.fixture
def outage(database_url, settings, talent, tmp_path) -> Iterator[Outage]:
    with outage_app(database_url, settings, tmp_path) as state:
        yield state


def _pg_only(outage: Outage) -> TcpProxy:
    if outage.proxy is None:
        pytest.skip("SQLite has no connection to cut in the middle of a request")
    return outage.proxy


# --- pages, /readyz, /healthz -------------------------------------------------------------


@pytest.mark.both_backends
def test_pages_answer_a_french_503_while_the_database_is_away_then_recover(outage):
    client = outage.app.test_client()
    assert client.get("/talents").status_code == 200  # the pool holds a live connection
    token = _csrf_from(client.get("/auth/login").get_data(as_text=True))

    outage.cut()
    assert_clean_503(client.get("/talents"))
    assert_clean_503(client.get("/talents?q=Amina"))
    assert_clean_503(
        client.post("/auth/login", data={"identifier": EMAIL, "password": "x", "csrf_token": token})
    )
    assert client.get("/").status_code == 200  # the anonymous home page needs no database

    outage.restore()
    recovered = until_ok(lambda: client.get("/talents"))
    assert recovered.status_code == 200
    assert LAST_NAME in client.get("/talents").get_data(as_text=True)


def test_the_503_page_follows_the_visitor_language(outage):
    client = outage.app.test_client()
    outage.cut()
    html = assert_clean_503(client.get("/talents?lang=en"), lang="en")
    assert "Service temporarily unavailable" in html
    assert "Service momentanément" not in html
    assert_clean_503(client.get("/talents?lang=fr"))


@pytest.mark.both_backends
def test_readyz_says_unreachable_and_healthz_stays_up(outage):
    probe = outage.app.test_client()  # monitoring: no session cookie
    assert probe.get("/readyz").status_code == 200

    outage.cut()
    ready = probe.get("/readyz")
    assert ready.status_code == 503
    assert ready.is_json
    assert ready.json["checks"]["database"] == "unreachable"
    assert ready.json["failed"][0] == "database"
    assert probe.get("/healthz").status_code == 200

    outage.restore()
    back = until_ok(lambda: probe.get("/readyz"))
    assert back.status_code == 200, back.json
    assert back.json["checks"] == {"database": "ok", "migrations": "ok", "key_canary": "ok"}


def test_a_signed_in_user_gets_the_503_page_and_keeps_the_session(outage):
    """The failure happens in Flask-Login's user loader, before any view runs."""
    client = outage.app.test_client()
    assert login(client, EMAIL).status_code == 302
    assert LAST_NAME in client.get("/profile").get_data(as_text=True)

    outage.cut()
    for path in ("/profile", "/profile/edit", "/", "/profile/my-data.json?lang=en"):
        response = client.get(path)
        assert_clean_503(response, lang="en" if "lang=en" in path else "fr")
    assert client.get("/healthz").status_code == 200  # never loads the signed-in user
    assert client.get("/readyz").json["checks"]["database"] == "unreachable"
    assert "Se déconnecter" not in client.get("/profile?lang=fr").get_data(as_text=True)

    outage.restore()
    assert until_ok(lambda: client.get("/profile")).status_code == 200
    assert LAST_NAME in client.get("/profile").get_data(as_text=True)  # still signed in


def test_outage_log_lines_name_the_failure_without_secrets_or_personal_data(outage, caplog):
    client = outage.app.test_client()
    login(client, EMAIL)
    outage.cut()
    caplog.clear()
    caplog.set_level(logging.INFO)
    client.get("/profile")
    client.get("/talents?q=Benkirane")

    outage_lines = [
        r for r in caplog.records if r.name == "talento.errors" and r.levelno == logging.ERROR
    ]
    assert [r.getMessage() for r in outage_lines] == [
        f"Base de données injoignable (OperationalError, {driver}.OperationalError) : "
        f"GET {endpoint} répond 503"
        for driver, endpoint in (
            ("psycopg" if outage.proxy else "sqlite3", "profiles.me"),
            ("psycopg" if outage.proxy else "sqlite3", "directory.index"),
        )
    ]
    everything = "\n".join(r.getMessage() for r in caplog.records) + caplog.text  # + traces
    for secret in (DB_PASSWORD, EMAIL, LAST_NAME, "Benkirane"):
        assert secret not in everything


def test_a_template_that_queries_the_database_still_gets_a_plain_503(outage, caplog):
    """A context processor that queries the database is not run for the outage page (none
    is: the signed-in user's would load the user), so the full French page still answers."""
    app = outage.app

    @app.context_processor
    def talent_count() -> dict:
        return {"talent_count": db.session.scalar(select(func.count()).select_from(User))}

    client = app.test_client()
    assert client.get("/talents").status_code == 200
    outage.cut()
    html = assert_clean_503(client.get("/talents"))
    assert "Service momentanément indisponible" in html
    assert 'class="site-footer"' in html  # the site's page, not the bare fallback
    assert "Page d'erreur 503 impossible à afficher" not in caplog.text
    outage.restore()
    assert until_ok(lambda: client.get("/talents")).status_code == 200


# --- PostgreSQL: connections dropped at precise moments ---------------------------------------


def test_connections_killed_between_requests_are_replaced_silently(outage):
    """A database restart while the pool is idle: pool_pre_ping reconnects, nobody sees it."""
    proxy = _pg_only(outage)
    client = outage.app.test_client()
    assert client.get("/talents").status_code == 200
    assert proxy.live >= 1
    proxy.drop_live()
    assert client.get("/talents").status_code == 200


def test_first_request_after_a_cut_is_a_503_and_the_next_after_restore_a_200(outage):
    proxy = _pg_only(outage)
    client = outage.app.test_client()
    for _ in range(3):
        assert client.get("/talents").status_code == 200
    proxy.cut()
    assert_clean_503(client.get("/talents"))
    proxy.restore()
    assert client.get("/talents").status_code == 200  # the dead pooled connections are gone


def test_connection_lost_in_the_middle_of_a_request(outage, talent):
    """Queries succeeded, then the connection dies: a lazy load in the template, a commit,
    or code that swallowed the failed flush (PendingRollbackError) — each is a 503."""
    proxy = _pg_only(outage)
    app = outage.app

    def first_user() -> User:
        return db.session.get(User, talent)

    @app.get("/t/lazy-load")
    def lazy_load():
        user = first_user()
        proxy.cut()
        return render_template_string("{{ user.profile.bio }}", user=user)

    @app.get("/t/commit")
    def commit():
        user = first_user()
        proxy.cut()
        user.first_name = "Changé"
        db.session.commit()
        return "committed"

    @app.get("/t/swallowed")
    def swallowed():
        user = first_user()
        proxy.cut()
        user.first_name = "Changé"
        with contextlib.suppress(OperationalError):  # the bug guarded against: going on
            db.session.flush()
        return str(db.session.get(User, user.id + 1000))

    client = app.test_client()
    for path in ("/t/lazy-load", "/t/commit", "/t/swallowed"):
        assert_clean_503(client.get(path))
        proxy.restore()
        assert client.get("/talents").status_code == 200
    with app.app_context():
        assert db.session.get(User, first_user().id).first_name == "Amina"


def test_failure_after_the_user_loader_succeeded_renders_for_an_anonymous_visitor(outage):
    """The signed-in user's rows are expired by the rollback: the 503 page must not reload
    them (that would raise again inside the error handler, a 500)."""
    proxy = _pg_only(outage)
    app = outage.app

    cuts = [proxy.cut]

    @app.get("/t/signed-in")
    def signed_in():
        from flask_login import current_user

        name = current_user.last_name  # the loader ran, the user is loaded
        while cuts:
            cuts.pop()()
        db.session.execute(select(User.id)).all()
        return name

    client = app.test_client()
    login(client, EMAIL)
    html = assert_clean_503(client.get("/t/signed-in"))
    assert "Se connecter" in html  # rendered for an anonymous visitor
    proxy.restore()
    assert client.get("/t/signed-in").get_data(as_text=True) == LAST_NAME


def test_a_silent_database_host_times_out_instead_of_hanging(outage, caplog):
    """The host accepts TCP and never answers (a vanished server): connect_timeout ends the
    wait with a ConnectionTimeout. Without it the proxy would hold the connection 30 s and
    then close it, a different error."""
    proxy = _pg_only(outage)
    client = outage.app.test_client()
    assert client.get("/talents").status_code == 200
    proxy.hang()
    caplog.set_level(logging.ERROR, logger="talento.errors")
    assert_clean_503(client.get("/talents"))
    assert "psycopg.errors.ConnectionTimeout" in caplog.text
    proxy.restore()
    assert until_ok(lambda: client.get("/talents")).status_code == 200


# --- SQLite: the folder went away before the first connection ----------------------------------


@pytest.mark.sqlite_only
def test_sqlite_database_folder_missing_at_start_is_a_503_until_it_is_back(
    database_url, settings, talent, tmp_path
):
    folder = tmp_path / "db"
    folder.mkdir()
    sqlite_copy(make_url(database_url).database, folder / "talento.db")
    app = build_app(
        dataclasses.replace(settings, database_url=f"sqlite:///{folder / 'talento.db'}")
    )
    hidden = tmp_path / "elsewhere"
    shutil.move(folder, hidden)
    client = app.test_client()
    try:
        assert_clean_503(client.get("/talents"))
        assert client.get("/readyz").json["checks"]["database"] == "unreachable"
        assert not folder.exists()  # SQLite did not create an empty database instead
        shutil.move(hidden, folder)
        assert until_ok(lambda: client.get("/talents")).status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
