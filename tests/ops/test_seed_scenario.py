"""The seed guide's failure, end to end: data written with K1, the app started with K2.

K2 alone is refused at start-up with the fingerprint the data expects; K2 with
ENCRYPTION_KEYS_PREVIOUS=K1 starts, login works and /profile shows the phone.
"""

import logging
import uuid

import pytest
from sqlalchemy import text

from talento.crypto import KeyRing, fingerprint
from talento.extensions import db
from talento.keys.canary import KeyMismatchError
from talento.ops.startup import run_startup_checks
from talento.web import build_app
from tests.helpers import login, make_settings, new_key

# Several apps (and threads) start on one database: committed rows.
pytestmark = pytest.mark.committed


def _start(settings):
    app = build_app(settings)
    run_startup_checks(app, app.extensions["talento.keyring"])
    return app


def test_wrong_key_is_refused_at_start_up_and_previous_key_recovers(database_url, make_user):
    k1, k2 = new_key(), new_key()
    first = _start(make_settings(database_url, encryption_key=k1))
    user_id = make_user(email="seed@example.org")
    with first.app_context():
        from talento.accounts.models import User

        user = db.session.get(User, user_id)
        user.phone = "+212655443322"
        db.session.commit()
        db.session.remove()

    with pytest.raises(KeyMismatchError) as refused:
        _start(make_settings(database_url, encryption_key=k2))
    message = str(refused.value)
    assert fingerprint(k1) in message
    assert fingerprint(k2) in message
    assert "ENCRYPTION_KEYS_PREVIOUS" in message
    assert k1 not in message
    assert k2 not in message

    recovered = _start(
        make_settings(database_url, encryption_key=k2, encryption_keys_previous=(k1,))
    )
    client = recovered.test_client()
    assert login(client, "seed@example.org").status_code == 302
    page = client.get("/profile")
    assert page.status_code == 200
    assert "+212655443322" in page.get_data(as_text=True)


def test_a_corrupted_ciphertext_shows_unavailable_and_logs_one_warning(
    app, client, make_user, caplog
):
    user_id = make_user(email="corrupt@example.org", phone="+212600000002", address="Rabat")
    with app.app_context():
        db.session.execute(
            text("UPDATE users SET phone = :bad WHERE id = :id"),
            {"bad": f"abc$gAAAAAB{uuid.uuid4().hex}", "id": user_id},
        )
        db.session.commit()
    caplog.set_level(logging.WARNING)
    login(client, "corrupt@example.org")
    for _ in range(2):
        page = client.get("/profile")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Donnée indisponible" in html
        assert "Rabat" in html  # the readable values are still shown
    warnings = [
        r.getMessage() for r in caplog.records if "Échec du déchiffrement" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert f"table=users colonne=phone id={user_id}" in warnings[0]


def test_start_up_records_the_primary_key_once(database_url, cleanup):
    key = new_key()
    app = _start(make_settings(database_url, encryption_key=key))
    _start(make_settings(database_url, encryption_key=key))
    with app.app_context():
        rows = db.session.execute(text("SELECT fingerprint, token FROM key_canaries")).all()
        assert [r[0] for r in rows] == [fingerprint(key)]
        assert KeyRing.from_keys(key).reads_canary(rows[0][1])


def test_new_admin_password_applies_once_when_several_workers_start(database_url, cleanup):
    """Seed steps 3, 5, 7: a new ADMIN_PASSWORD in .env, a restart with 4 workers, a login."""
    import threading

    from talento.accounts.services import (
        authenticate,
        create_admin_if_absent,
        get_admin,
    )

    key = new_key()
    first = _start(make_settings(database_url, encryption_key=key))
    with first.app_context():
        create_admin_if_absent(
            db.session, "Test-admin-password-2026", first.extensions["talento.passwords"]
        )
        db.session.commit()
        version = get_admin(db.session).session_version
        db.session.remove()

    new_password = "Operator-new-password-77"
    workers = [
        build_app(make_settings(database_url, encryption_key=key, admin_password=new_password))
        for _ in range(4)
    ]
    errors = []

    def start(app):
        try:
            run_startup_checks(app, app.extensions["talento.keyring"])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    app = workers[0]
    with app.app_context():
        passwords = app.extensions["talento.passwords"]
        assert authenticate(db.session, "MAN0001RAB", new_password, passwords).user is not None
        admin = get_admin(db.session)
        assert admin.session_version > version
        db.session.rollback()
        db.session.remove()
    # an unchanged ADMIN_PASSWORD leaves a password changed in the app alone
    from talento.accounts.services import set_password

    with app.app_context():
        set_password(get_admin(db.session), "Changed-inside-the-app-1", passwords)
        db.session.commit()
        db.session.remove()
    restarted = _start(make_settings(database_url, encryption_key=key, admin_password=new_password))
    with restarted.app_context():
        passwords = restarted.extensions["talento.passwords"]
        user = authenticate(db.session, "admin@talento.com", "Changed-inside-the-app-1", passwords)
        assert user.user is not None
        db.session.rollback()
        db.session.remove()
