"""Re-entry after a key adoption, without any form; and the "re-enter your data" mailing out of
the web worker: `talento lost-data notify` is resumable and idempotent (a second run, or two
runs at once, send nobody the message twice), with a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db
from talento.keys.reentry import Reentry, not_yet_notified, notify_flagged, save_reentered
from talento.refusals import Refused
from talento.settings import PROJECT_ROOT
from talento.web import build_app
from tests.helpers import TALENTO, make_settings, run_cli
from tests.mail.smtp import free_port, smtp_server

ALL_LOST = "phone,whatsapp,address,links"


def test_re_entry_service_takes_plain_data_and_refuses_bad_values(app, make_talent, make_user):
    """No form, no request: a dataclass in, values stored (phones in E.164), or Refused."""
    talent = make_talent(lost_fields=ALL_LOST, links={"website": "https://old.ma"})
    staff = make_user(capabilities=["admin"], email="staff@example.org", lost_fields="phone")
    with app.app_context():
        user = db.session.get(User, talent)
        with pytest.raises(Refused) as refused:
            save_reentered(
                db.session,
                user,
                Reentry(phone="12", whatsapp="06 12", links={"website": "pas-une-adresse"}),
                audit.SYSTEM,
            )
        fields = sorted(one.field for one in refused.value)
        assert fields == ["link_website", "phone", "whatsapp"]
        assert "Numéro invalide pour le pays choisi" in refused.value.message
        assert user.lost_field_names == ["phone", "whatsapp", "address", "links"]  # untouched
        with pytest.raises(Refused) as missing:
            save_reentered(db.session, user, Reentry(address="1 rue"), audit.SYSTEM)
        assert [one.field for one in missing.value] == ["phone"]  # a talent needs a phone

        names = save_reentered(
            db.session,
            user,
            Reentry(
                phone="06 12 34 56 99",
                whatsapp="",
                address="  9 avenue Hassan II ",
                links={"website": " https://nouveau.ma ", "instagram": ""},
            ),
            audit.SYSTEM,
        )
        db.session.commit()
        assert names == ["phone", "whatsapp", "address", "links"]
        db.session.remove()
        user = db.session.get(User, talent)
        assert (user.phone, user.whatsapp, user.address) == (
            "+212612345699",
            None,
            "9 avenue Hassan II",
        )
        assert json.loads(user.profile.links) == {"website": "https://nouveau.ma"}
        assert user.lost_fields is None
        assert user.phone_index == app.extensions["talento.keyring"].blind_index("+212612345699")
        # a staff account (no talent profile) may leave its phone empty
        admin = db.session.get(User, staff)
        assert save_reentered(db.session, admin, Reentry(), audit.SYSTEM) == ["phone"]
        db.session.commit()
        event = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == AuditAction.LOST_DATA_REENTERED.value)
            .order_by(AuditEvent.id)
        ).first()
        assert event.fields == "address,links,phone,whatsapp"
        assert "Hassan" not in event.detail
        db.session.remove()


@pytest.fixture
def flagged(make_talent, make_user) -> list[int]:
    """Six people flagged by a key adoption (five talents and an admin), and one who lost
    nothing (never written to)."""
    ids = [make_talent(lost_fields="phone,address") for _ in range(5)]
    ids.append(make_user(capabilities=["admin"], email="chef@example.org", lost_fields="phone"))
    make_talent()
    return ids


def _mailing_app(app, port: int):
    settings = app.extensions["talento.settings"]
    return build_app(
        make_settings(
            settings.database_url,
            encryption_key=settings.encryption_key,
            mail_server="127.0.0.1",
            mail_port=port,
            mail_use_tls=False,
        )
    )


def _mark_told(app, user_id: int) -> None:
    with app.app_context():
        db.session.get(User, user_id).lost_data_notified_at = db.func.now()
        db.session.commit()
        db.session.remove()


def _emails(app, ids) -> list[str]:
    with app.app_context():
        found = db.session.scalars(select(User.email).where(User.id.in_(ids))).all()
        db.session.remove()
    return sorted(found)


def _notified_events(app) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.LOST_DATA_NOTIFIED.value)
        )
        db.session.remove()
    return count


def _cli_env(app, port: int) -> dict[str, str]:
    settings = app.extensions["talento.settings"]
    return {
        "SECRET_KEY": settings.secret_key,
        "ENCRYPTION_KEY": settings.encryption_key,
        "ADMIN_PASSWORD": settings.admin_password,
        "DATABASE_URL": settings.database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": "0",
    }


@pytest.mark.committed  # claims are committed and seen by other runs (threads, processes)
def test_notify_command_twice_sends_each_person_exactly_one_mail(app, flagged, smtp):
    inbox, port = smtp
    *ids, told = flagged
    _mark_told(app, told)  # told before (by the admin button, say): not again
    env = _cli_env(app, port)

    first = run_cli([TALENTO, "lost-data", "notify", "--batch-size", "2"], env)
    assert first.returncode == 0, first.stderr
    assert "5 e-mail(s) « données à ressaisir » envoyé(s), 0 échec(s)" in first.stdout
    assert "0 personne(s) encore à prévenir" in first.stdout
    second = run_cli([TALENTO, "lost-data", "notify"], env)
    assert second.returncode == 0, second.stderr
    assert "0 e-mail(s) « données à ressaisir » envoyé(s)" in second.stdout

    messages = inbox.wait_for(5)
    assert len(messages) == 5
    assert sorted(m["To"] for m in messages) == _emails(app, ids)  # not `told`, not the others
    assert "Talento : merci de mettre à jour votre profil" in messages[0]["Subject"]
    assert _notified_events(app) == 5
    with app.app_context():
        assert not_yet_notified(db.session) == 0
        db.session.remove()


@pytest.mark.committed  # claims are committed and seen by other runs (threads, processes)
def test_a_failed_sending_is_released_and_the_next_run_resumes(app, flagged):
    nobody = _mailing_app(app, free_port())  # no SMTP server listens there
    with nobody.app_context():
        report = notify_flagged(db.session, nobody.extensions["talento.settings"], audit.SYSTEM)
        assert (report.sent, report.failed) == (0, 6)
        assert not_yet_notified(db.session) == 6  # every claim released
        db.session.remove()
    assert _notified_events(app) == 0
    with smtp_server() as (inbox, port):
        mailing = _mailing_app(app, port)
        with mailing.app_context():
            settings = mailing.extensions["talento.settings"]
            report = notify_flagged(db.session, settings, audit.SYSTEM, batch_size=4)
            assert (report.sent, report.failed) == (6, 0)
            db.session.remove()
        assert len(inbox.wait_for(6)) == 6


@pytest.mark.committed  # claims are committed and seen by other runs (threads, processes)
def test_runs_at_once_never_send_twice(app, flagged, smtp):
    """Four runs started together (the same function as the command and the admin button's
    background job), each with its own session: every person gets exactly one message."""
    inbox, port = smtp
    mailing = _mailing_app(app, port)
    settings = mailing.extensions["talento.settings"]
    reports, errors = [], []
    start = threading.Barrier(4)

    def run() -> None:
        with mailing.app_context():
            try:
                start.wait()
                reports.append(notify_flagged(db.session, settings, audit.SYSTEM, batch_size=1))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    runs = [threading.Thread(target=run) for _ in range(4)]
    for one in runs:
        one.start()
    for one in runs:
        one.join(60)
    assert not errors
    assert sum(r.sent for r in reports) == 6
    assert sum(r.failed for r in reports) == 0
    messages = inbox.wait_for(6)
    assert Counter(m["To"] for m in messages) == Counter(_emails(app, flagged))
    assert _notified_events(app) == 6


@pytest.mark.committed  # claims are committed and seen by other runs (threads, processes)
def test_two_commands_at_once_never_send_twice(app, flagged, smtp, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("two processes writing at once: the PostgreSQL production case")
    inbox, port = smtp
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "TALENTO_ENV_FILE": "none",
        **_cli_env(app, port),
    }
    runs = [
        subprocess.Popen(
            [TALENTO, "lost-data", "notify", "--batch-size", "1"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    messages = inbox.wait_for(6)
    assert Counter(m["To"] for m in messages) == Counter(_emails(app, flagged))
    assert _notified_events(app) == 6
