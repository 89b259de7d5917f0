"""One unit of work per request: side effects run only after a successful commit.

Routes of a throw-away blueprint stand for any view: they write a row, queue an e-mail (sent
through a real SMTP server) or the deletion of stored files, then succeed, refuse or fail.
"""

from __future__ import annotations

import dataclasses
import time
from functools import partial
from pathlib import Path

import pytest
from flask import Blueprint, abort
from sqlalchemy import func, select

from talento.audit.models import AuditEvent
from talento.extensions import db
from talento.mail import OutgoingMail, queue_mail
from talento.unit_of_work import after_commit, after_rollback
from tests.mail.smtp import smtp_server

MAIL = OutgoingMail(
    to="amina@example.org",
    template="registration",
    context={
        "first_name": "Amina",
        "code": "MAF0042CAS",
        "profile_url": "http://localhost/p/MAF0042CAS",
    },
)


def _row() -> AuditEvent:
    """Any row will do: an audit event needs no other row."""
    return AuditEvent(action="auth.login", actor_code="MAN0001RAB")


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def _probe_blueprint(files: list[Path]) -> Blueprint:
    bp = Blueprint("uow_probe", __name__)

    def delete_files() -> None:
        for path in files:
            path.unlink()

    @bp.post("/_probe/<outcome>")
    def probe(outcome: str):
        from talento.context import current_settings

        db.session.add(_row())
        queue_mail(db.session, current_settings(), MAIL)
        after_commit(db.session, delete_files)
        after_rollback(db.session, partial(files[0].with_suffix(".undone").write_text, "x"))
        db.session.flush()
        if outcome == "fail":
            raise RuntimeError("after the mail was queued")
        if outcome == "refuse":
            abort(400)
        return "ok"

    return bp


@pytest.fixture
def probe(settings, tmp_path, cleanup):
    from talento.web import build_app

    files = [tmp_path / "photo.jpg", tmp_path / "thumb.jpg"]
    with smtp_server() as (inbox, port):
        smtp_settings = dataclasses.replace(
            settings, mail_server="127.0.0.1", mail_port=port, mail_use_tls=False
        )
        app = build_app(smtp_settings)
        app.register_blueprint(_probe_blueprint(files))
        app.config["WTF_CSRF_ENABLED"] = False
        for path in files:
            path.write_bytes(b"stored")
        yield app, inbox, files
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("outcome", ["fail", "refuse"])
def test_a_failed_request_sends_no_mail_leaves_no_row_and_keeps_its_files(probe, outcome):
    app, inbox, files = probe
    client = app.test_client()
    response = client.post(f"/_probe/{outcome}", buffered=True)
    assert response.status_code == (500 if outcome == "fail" else 400)
    time.sleep(0.3)  # a mail sent by mistake would have arrived by now
    assert inbox.envelopes == []
    with app.app_context():
        assert _events() == 0
    assert all(path.exists() for path in files)
    assert files[0].with_suffix(".undone").exists()  # the rollback's undo ran


def test_a_committed_request_sends_its_mail_and_removes_its_files(probe):
    app, inbox, files = probe
    response = app.test_client().post("/_probe/ok", buffered=True)
    assert response.status_code == 200
    (message,) = inbox.wait_for(1)
    assert message["To"] == "amina@example.org"
    with app.app_context():
        assert _events() == 1
    assert not any(path.exists() for path in files)
    assert not files[0].with_suffix(".undone").exists()


def test_outside_a_request_actions_follow_the_transaction(app, tmp_path):
    """A command or a script: the commit runs the actions at once, a rollback drops them."""
    kept, removed = tmp_path / "kept", tmp_path / "removed"
    kept.write_text("x")
    removed.write_text("x")
    with app.app_context():
        db.session.add(_row())
        after_commit(db.session, kept.unlink)
        db.session.rollback()
        assert kept.exists()
        db.session.add(_row())
        after_commit(db.session, removed.unlink)
        db.session.commit()
        assert not removed.exists()
        db.session.commit()  # a later commit does not run the dropped action
        assert kept.exists()
