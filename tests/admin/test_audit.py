"""The audit trail: what each security event writes, the admin page, append-only storage,
export and purge commands, and the phone blind index across keys."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from talento.accounts.models import User
from talento.audit.models import AuditAction, AuditEvent
from talento.audit.services import Actor, purge, record
from talento.extensions import db, utcnow, utctoday
from tests.helpers import TALENTO, USER_PASSWORD, _csrf_from, login, new_key, run_cli

PHONE = "+212612345678"


def _actions(app) -> list[tuple[str, str | None, str | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_code, AuditEvent.subject_code).order_by(
                AuditEvent.id
            )
        ).all()
    return [tuple(row) for row in rows]


def test_logins_and_failed_logins_are_recorded(app, client, make_user):
    make_user(code="MAF0001CAS", email="t@example.ma")
    assert login(client, "t@example.ma", "wrong-password").status_code == 401
    assert login(client, "nobody@example.ma", "wrong-password").status_code == 401
    assert login(client, "maf0001cas").status_code == 302
    assert _actions(app) == [
        ("login.failure", None, "MAF0001CAS"),
        ("login.failure", None, None),
        ("login.success", "MAF0001CAS", "MAF0001CAS"),
    ]
    with app.app_context():
        details = db.session.scalars(select(AuditEvent.detail).order_by(AuditEvent.id)).all()
    assert json.loads(details[0]) == {"reason": "invalid"}
    assert json.loads(details[1]) == {"reason": "unknown_identifier"}
    assert "nobody" not in "".join(details)  # the typed identifier is never kept


def test_password_change_and_reset_are_recorded(app, client, make_user):
    from talento.accounts.reset import reset_url

    user_id = make_user(code="MAF0001CAS", email="t@example.ma")
    login(client, "t@example.ma")
    token = _csrf_from(client.get("/profile/password").get_data(True))
    new = "Another-long-pass-2026"
    response = client.post(
        "/profile/password",
        data={
            "current_password": USER_PASSWORD,
            "new_password": new,
            "new_password_confirm": new,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(True)
    with app.test_request_context():
        user = db.session.get(User, user_id)
        link = reset_url(app.extensions["talento.settings"], user).replace("http://localhost", "")
    other = app.test_client()
    token = _csrf_from(other.get(link).get_data(True))
    newest = "Yet-another-pass-2026"
    other.post(link, data={"password": newest, "password_confirm": newest, "csrf_token": token})
    actions = [a for a, *_ in _actions(app)]
    assert actions[-2:] == ["password.change", "password.reset"]


def test_admin_reads_and_filters_the_trail(app, client, make_user):
    make_user(code="MAN0009RAB", email="boss@example.org", capabilities=["admin"])
    make_user(code="MAF0001CAS", email="t@example.ma")
    login(client, "t@example.ma", "wrong")
    login(client, "boss@example.org")

    def rows(query=""):
        html = client.get(f"/admin/audit{query}").get_data(True)
        return re.findall(r'<tr data-action="([a-z._]+)">', html), html

    assert rows()[0] == ["login.success", "login.failure"]
    assert "Échec de connexion" in rows()[1]
    assert rows("?action=login.failure")[0] == ["login.failure"]
    found, html = rows("?person=maf0001cas")
    assert found == ["login.failure"]
    assert "MAN0009RAB" not in html
    tomorrow = (utctoday() + dt.timedelta(days=2)).isoformat()
    assert "Aucun événement." in client.get(f"/admin/audit?since={tomorrow}").get_data(True)
    assert client.get("/admin/audit?since=nonsense&page=x").status_code == 200


@pytest.mark.both_backends
def test_the_trail_is_append_only(app, database_url):
    with app.app_context():
        event = record(db.session, AuditAction.EXPORT, Actor(), detail={"rows": 1})
        db.session.commit()
        event.detail = "{}"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, event.id))
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        # Below the ORM too: the database refuses an UPDATE (trigger of migration 0004).
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(update(AuditEvent).values(action="login.success"))
        db.session.rollback()
        if database_url.startswith("postgresql"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text("DELETE FROM audit_events"))
            db.session.rollback()
        assert db.session.scalar(select(AuditEvent.action)) == "export"


@pytest.mark.both_backends
def test_purge_keeps_the_retention_window_and_records_itself(app):
    with app.app_context():
        old = record(db.session, AuditAction.EXPORT, Actor(), detail={"rows": 1})
        old.created_at = utcnow() - dt.timedelta(days=400)
        record(db.session, AuditAction.EXPORT, Actor(), detail={"rows": 2})
        db.session.commit()
        assert purge(db.session, 365) == 1
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["export", "audit.purge"]


def _cli_env(app):
    settings = app.extensions["talento.settings"]
    return {
        "SECRET_KEY": settings.secret_key,
        "ENCRYPTION_KEY": settings.encryption_key,
        "ADMIN_PASSWORD": settings.admin_password,
        "DATABASE_URL": settings.database_url,
        "AUDIT_RETENTION_DAYS": "30",
    }


@pytest.mark.committed
def test_audit_export_and_purge_commands(app, tmp_path):
    with app.app_context():
        old = record(db.session, AuditAction.LOGIN, Actor(1, "MAF0001CAS", "10.0.0.1"))
        old.created_at = utcnow() - dt.timedelta(days=40)
        record(db.session, AuditAction.LOGIN_FAILED, Actor(ip="10.0.0.2"), detail={"reason": "x"})
        db.session.commit()
    env = _cli_env(app)
    since = (utctoday() - dt.timedelta(days=1)).isoformat()
    result = run_cli([TALENTO, "audit", "export", "--since", since], env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["action"], r["ip"]) for r in rows] == [("login.failure", "10.0.0.2")]
    out = tmp_path / "audit.jsonl"
    result = run_cli([TALENTO, "audit", "export", "--format", "json", "--output", str(out)], env)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["action"] for line in lines][:2] == ["login.success", "login.failure"]
    assert lines[0]["actor_code"] == "MAF0001CAS"
    bad = run_cli([TALENTO, "audit", "export", "--since", "27/11/2026"], env)
    assert bad.returncode == 2
    assert "AAAA-MM-JJ" in bad.stderr

    result = run_cli([TALENTO, "audit", "purge"], env)  # AUDIT_RETENTION_DAYS=30
    assert result.returncode == 0, result.stderr
    assert "1 événement(s) de plus de 30 jours supprimé(s)" in result.stdout
    remaining = [a for a, *_ in _actions(app)]
    assert "login.success" not in remaining
    assert "audit.purge" in remaining


# -- blind index ---------------------------------------------------------------------------------


def test_blind_index_is_keyed_and_found_during_a_rotation(app, make_user):
    from talento.crypto import KeyRing
    from talento.profiles.search.people import phone_condition

    user_id = make_user(phone=PHONE)
    with app.app_context():
        stored = db.session.scalar(select(User.phone_index).where(User.id == user_id))
        old_key = app.extensions["talento.settings"].encryption_key
        assert stored == KeyRing.from_keys(old_key).blind_index(PHONE)
        assert stored != KeyRing.from_keys(new_key()).blind_index(PHONE)
        assert PHONE not in stored
        assert "612345678" not in stored
        # New primary key, old one kept as previous: rows not yet reindexed are still found.
        rotated = KeyRing.from_keys(new_key(), [old_key])
        found = db.session.scalars(select(User.id).where(phone_condition(PHONE, "MA", rotated)))
        assert list(found) == [user_id]


@pytest.mark.committed
def test_keys_reindex_and_init_db_fill_missing_indexes(app, make_user):
    from talento.keys.rotation import reindex_phones

    user_id = make_user(phone=PHONE, whatsapp="+212699887766")
    with app.app_context():
        db.session.execute(update(User).values(phone_index=None, whatsapp_index=None))
        db.session.commit()
        keyring = app.extensions["talento.keyring"]
        assert reindex_phones(db.session, keyring, only_missing=True) == 1
        db.session.commit()
        row = db.session.execute(
            select(User.phone_index, User.whatsapp_index).where(User.id == user_id)
        ).one()
        assert row == (keyring.blind_index(PHONE), keyring.blind_index("+212699887766"))
        assert reindex_phones(db.session, keyring) == 0  # already right
    result = run_cli([TALENTO, "keys", "reindex"], _cli_env(app))
    assert result.returncode == 0, result.stderr
    assert "0 compte(s) mis à jour" in result.stdout


def test_a_new_admin_password_from_the_environment_is_recorded(app):
    from talento.accounts.services import apply_admin_password_if_changed, create_admin_if_absent

    passwords = app.extensions["talento.passwords"]
    with app.app_context():
        create_admin_if_absent(db.session, "First-admin-pass-2026", passwords)
        db.session.commit()
        assert apply_admin_password_if_changed(db.session, "Second-admin-pass-2026", passwords)
        db.session.commit()
        event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.subject_code, event.actor_code) == (
        "password.change",
        "MAN0001RAB",
        None,
    )
    assert json.loads(event.detail) == {"by": "ADMIN_PASSWORD"}
