"""One unit of work per request: commit once at the end, or roll back.

A response below 400 commits; an error response (a refused form, a 404, the error pages) and
any exception roll back, so a refused submission never writes half of itself. Views do not
call ``commit()``. The documented exceptions commit on their own and say why where they do:
failed-login audit rows and login-limit state written even when the request is refused.

Actions queued with :func:`talento.unit_of_work.after_commit` (e-mails, deletions of replaced
files) run only if the commit succeeded: right after it (they may still flash a message), or
after the response was sent, in a fresh application context, when queued with
``after_response=True``. A commit that fails is answered like any other error (a lost
database is the French 503 page); a rollback that fails, and the closing of the request's
session that fails (its own rollback, on a lost connection), are logged, never a 500: an
exception in a teardown would reach the WSGI server, whose 500 has no page at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response

from talento.extensions import db
from talento.unit_of_work import (
    Action,
    defer_actions,
    discard_pending,
    run_actions,
    take_ready,
)

log = logging.getLogger(__name__)


def _run_in(app: Flask, actions: list[Action]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            run_actions(actions)

    return run


def register_unit_of_work(app: Flask) -> None:
    """Install the commit-or-rollback step. Register it after the other ``after_request``
    functions: Flask runs them in reverse order, so this one runs first."""

    @app.before_request
    def begin_unit_of_work() -> None:
        defer_actions(db.session())

    @app.after_request
    def end_unit_of_work(response: Response) -> Response:
        session = db.session()
        if response.status_code < 400:
            try:
                session.commit()
            except Exception as exc:  # noqa: BLE001 - answered by the app's error handlers
                roll_back_quietly()
                discard_pending(session)
                return app.make_response(app.handle_user_exception(exc))
        else:
            roll_back_quietly()
        now, later = take_ready(session)
        run_actions(now)
        if later:
            response.call_on_close(_run_in(app, later))
        return response

    @app.teardown_request
    def forget_unit_of_work(_error: BaseException | None = None) -> None:
        session = db.session()
        defer_actions(session, False)
        discard_pending(session)

    # Teardown functions run last registered first: this one before Flask-SQLAlchemy's
    # (db.init_app), which then finds no session left to close.
    app.teardown_appcontext(close_session_quietly)


def close_session_quietly(_error: BaseException | None = None) -> None:
    """Close the request's (or the command's) session; a close that fails is logged by class
    name, and the session's connections are dropped without a rollback."""
    try:
        db.session.remove()
    except Exception as exc:  # noqa: BLE001 - the connection is gone; invalidate() drops it
        log.warning("Fermeture de la session impossible : %s", type(exc).__name__)
        try:
            db.session().invalidate()
        except Exception as again:  # noqa: BLE001
            log.warning("Abandon de la session impossible : %s", type(again).__name__)
        db.session.registry.clear()


def roll_back_quietly() -> None:
    """Roll back; a rollback that fails (the connection is gone) is logged, never raised."""
    try:
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - the connection is gone; remove() discards it
        log.warning("Annulation de la transaction impossible : %s", type(exc).__name__)
