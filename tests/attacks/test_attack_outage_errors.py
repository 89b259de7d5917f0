"""Every error path during an outage is a 503, never a 500 (issue 11, point 4).

The attack: PostgreSQL is cut (the proxy resets every connection) and each error path of the
request is taken as a signed-in user and as a visitor: a CSRF refusal, 404, 405, 413, 429, a
commit or a rollback that fails at the end of the request, the session's teardown, an error
page whose own rendering needs the database. Each answers the French 503 (or its proper 4xx
rendered without the database), with a body, never a 500; the failures of the request's end
are logged by class name only.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator

import pytest
from flask import Response, abort, stream_with_context
from sqlalchemy import func, select

from talento.accounts.models import User
from talento.extensions import db
from tests.helpers import _csrf_from, login
from tests.outage_proxy import (
    DB_PASSWORD,
    EMAIL,
    INTERNALS,
    LAST_NAME,
    Outage,
    assert_clean_503,
    outage_app,
)

pytestmark = [pytest.mark.committed]

BIO = "Comédienne, secret de la bio"


@pytest.fixture
def talent(make_talent, database_url) -> int:
    if not database_url.startswith("postgresql"):
        pytest.skip("the proxy cuts PostgreSQL connections")
    return make_talent(email=EMAIL, last_name=LAST_NAME, bio=BIO)


@pytest.fixture
def outage(database_url, settings, talent, tmp_path) -> Iterator[Outage]:
    with outage_app(database_url, settings, tmp_path, login_limit_per_ip="3 per minute") as state:
        add_probes(state, talent)
        yield state


def add_probes(outage: Outage, talent: int) -> None:
    """Routes that lose the database at a precise moment (registered before any request)."""
    app = outage.app
    wants = app.extensions.setdefault("probe", {})

    @app.context_processor
    def talent_count() -> dict:
        """A context processor that queries the database, when a test asks for one."""
        if not wants.get("query_in_context"):
            return {}
        return {"talent_count": db.session.scalar(select(func.count()).select_from(User))}

    @app.get("/t/commit")
    def commit():
        db.session.get(User, talent).first_name = "Changé"
        outage.cut()
        return "ok"

    @app.get("/t/rollback/<int:status>")
    def rollback(status: int):
        db.session.get(User, talent).first_name = "Changé"
        db.session.flush()
        outage.cut()
        if status == 500:
            raise RuntimeError("a bug, while the database is away")
        return "refusé", status

    @app.get("/t/stream")
    def stream():
        """A streamed body (as the admin export) reads after the request's commit: its
        transaction is still open when the request's session is closed, at the stream's end."""

        def body():
            yield "début "
            db.session.execute(select(User.id)).all()
            wants["cut_in_teardown"] = True
            yield "fin"

        return Response(stream_with_context(body()), mimetype="text/plain")

    @app.teardown_appcontext  # registered last: runs first, before the session is closed
    def cut_in_teardown(_error=None):
        if wants.pop("cut_in_teardown", False):
            outage.cut()

    @app.get("/t/refused")
    def refused():
        from flask_login import current_user

        assert current_user.last_name == LAST_NAME
        db.session.expire(current_user._get_current_object())
        outage.cut()
        abort(403)

    @app.get("/t/bug")
    def bug():
        outage.cut()
        db.session.expire_all()
        raise RuntimeError("a bug")


@pytest.fixture
def signed_in(outage):
    client = outage.app.test_client()
    assert login(client, EMAIL).status_code == 302
    assert client.get("/profile").status_code == 200
    return client


def assert_error_page(response, *statuses: int) -> str:
    """One of `statuses` (503 always allowed), a whole French page, nothing internal."""
    html = response.get_data(as_text=True)
    assert response.status_code in (*statuses, 503), (response.status_code, html[:300])
    if response.status_code == 503:
        return assert_clean_503(response)
    assert response.content_type.startswith("text/html")
    assert 'lang="fr"' in html
    assert 'class="site-footer"' in html
    for secret in (*INTERNALS, EMAIL, LAST_NAME, DB_PASSWORD):
        assert secret not in html
    return html


def no_secrets_logged(caplog) -> None:
    everything = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    for secret in (EMAIL, LAST_NAME, BIO, DB_PASSWORD, "SELECT", "UPDATE"):
        assert secret not in everything, secret


# --- refusals before any view runs ------------------------------------------------------------


@pytest.mark.parametrize("who", ["signed-in", "visitor"])
def test_csrf_refusal_during_an_outage(outage, signed_in, who):
    client = signed_in if who == "signed-in" else outage.app.test_client()
    outage.cut()
    response = client.post("/profile/edit", data={"first_name": "X", "csrf_token": "forged"})
    assert_error_page(response, 400, 302)


@pytest.mark.parametrize("who", ["signed-in", "visitor"])
def test_not_found_and_method_not_allowed_during_an_outage(outage, signed_in, who):
    client = signed_in if who == "signed-in" else outage.app.test_client()
    outage.cut()
    assert_error_page(client.get("/nulle-part"), 404)
    assert_error_page(client.get("/static/absent.css"), 404)
    assert_error_page(client.delete("/talents"), 405)


@pytest.mark.parametrize("who", ["signed-in", "visitor"])
def test_too_large_a_body_during_an_outage(outage, signed_in, who):
    client = signed_in if who == "signed-in" else outage.app.test_client()
    outage.cut()
    body = b"x" * (outage.app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/auth/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert_error_page(response, 413)


def test_rate_limited_login_during_an_outage(outage):
    client = outage.app.test_client()
    token = _csrf_from(client.get("/auth/login").get_data(as_text=True))
    for _ in range(3):
        wrong = {"identifier": EMAIL, "password": "not-the-password", "csrf_token": token}
        assert client.post("/auth/login", data=wrong).status_code in (200, 400, 401)
    outage.cut()
    response = client.post("/auth/login", data={**wrong, "password": "again"})
    assert_error_page(response, 429)


# --- the end of the request -------------------------------------------------------------------


def test_a_commit_that_fails_is_a_503_and_logged_by_class(outage, caplog):
    caplog.set_level(logging.INFO)
    assert_clean_503(outage.app.test_client().get("/t/commit"))
    no_secrets_logged(caplog)


@pytest.mark.parametrize("status", [400, 404, 500])
def test_a_rollback_that_fails_is_logged_never_a_500(outage, caplog, status):
    """An error response rolls back at the end of the request; the connection is gone."""
    outage.app.testing = False  # as in production: the 500 page, not the exception
    caplog.set_level(logging.INFO)
    response = outage.app.test_client().get(f"/t/rollback/{status}")
    assert response.status_code in (status, 503)
    assert response.get_data()
    assert "Annulation de la transaction impossible : OperationalError" in caplog.text
    no_secrets_logged(caplog)


def test_the_session_teardown_that_fails_is_logged_never_a_500(outage, caplog):
    """The body was sent, then closing the session (its rollback) fails: logged, no error."""
    caplog.set_level(logging.INFO)
    response = outage.app.test_client().get("/t/stream")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "début fin"
    assert "Fermeture de la session impossible : OperationalError" in caplog.text
    no_secrets_logged(caplog)


# --- the error page itself --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["signed-in", "visitor"])
def test_an_error_page_whose_rendering_needs_the_database(outage, signed_in, who):
    """A context processor that queries the database (none does today; a future one must not
    turn a 404 into a 500): the error page is rendered without it, or it is the 503."""
    outage.app.extensions["probe"]["query_in_context"] = True
    client = signed_in if who == "signed-in" else outage.app.test_client()
    outage.cut()
    assert_error_page(client.get("/nulle-part"), 404)
    assert_error_page(client.post("/profile/edit", data={"csrf_token": "forged"}), 400, 302)


def test_an_expired_user_in_the_error_page_of_a_signed_in_user(outage, signed_in):
    """The user was loaded, then expired (as a rollback does), the database dies, and a 4xx
    page shows the signed-in header: reloading the user fails, the 503 is shown instead."""
    assert_error_page(signed_in.get("/t/refused"), 403)


def test_the_500_page_during_an_outage(outage, signed_in):
    outage.app.testing = False  # as in production: the 500 page, not the exception
    response = signed_in.get("/t/bug")
    assert response.status_code in (500, 503)
    html = response.get_data(as_text=True)
    assert "RuntimeError" not in html
    assert LAST_NAME not in html
    assert ("Erreur interne" in html) or ("momentanément indisponible" in html)


def test_healthz_and_static_files_are_fine_and_readyz_says_why(outage, signed_in):
    """No gate loads the signed-in user for them (idle sessions, admin two-factor, lost data):
    with the database cut, any that did would make them 503s."""
    app = outage.app
    app.extensions["talento.settings"] = dataclasses.replace(
        app.extensions["talento.settings"], admin_2fa_required=True, session_idle_minutes=1
    )
    outage.cut()
    assert signed_in.get("/healthz").status_code == 200
    assert signed_in.get("/static/css/talento.css").status_code == 200
    ready = signed_in.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["database"] == "unreachable"
