"""Key rotation: `keys rotate` prints the change, `keys reencrypt` moves every value, blind
index and canary to the new key — resumable, and safe while the app writes."""

import json
import threading

import pytest
from sqlalchemy import select, text

from talento.accounts.models import User
from talento.crypto import KeyRing, stored_fingerprint
from talento.extensions import db
from talento.keys.canary import check_canary, verify_keys_or_raise
from talento.keys.models import KeyCanary
from talento.keys.rotation import reencrypt, values_to_reencrypt
from talento.web import build_app
from tests.helpers import TALENTO, make_settings, new_key, run_cli

# Several apps, a writer thread and the CLI share the rows: committed.
pytestmark = pytest.mark.committed

PHONE = "+212612345678"


def _stored(app, column):
    with app.app_context():
        return db.session.execute(text(f"SELECT {column} FROM users ORDER BY id")).scalars().all()  # noqa: S608


def _rotated_app(app, database_url, new):
    old = app.extensions["talento.settings"].encryption_key
    return build_app(
        make_settings(database_url, encryption_key=new, encryption_keys_previous=(old,))
    )


def _write_with_old_key(app, make_talent, count=3):
    ids = [
        make_talent(
            phone=f"+2126123456{n:02d}", address=f"{n} rue X", links={"site": f"https://{n}.ma"}
        )
        for n in range(count)
    ]
    with app.app_context():
        verify_keys_or_raise(db.session, app.extensions["talento.keyring"])
    return ids


def test_reencrypt_moves_everything_to_the_new_key(app, database_url, make_talent):
    ids = _write_with_old_key(app, make_talent)
    new = new_key()
    rotated = _rotated_app(app, database_url, new)
    keyring = rotated.extensions["talento.keyring"]
    with rotated.app_context():
        assert values_to_reencrypt(db.session, keyring) == 9  # phone, address, links × 3
        report = reencrypt(db.session, keyring, batch_size=2)
        assert (report.reencrypted, report.unreadable, report.remaining) == (9, 0, 0)
        assert report.previous_keys_removable
        assert db.session.scalars(select(KeyCanary.fingerprint)).all() == [
            keyring.primary_fingerprint
        ]
        db.session.remove()
    assert {stored_fingerprint(v) for v in _stored(rotated, "phone")} == {
        keyring.primary_fingerprint
    }

    # The old key can go: the app with the new key alone starts and reads everything.
    alone = build_app(make_settings(database_url, encryption_key=new))
    with alone.app_context():
        assert check_canary(db.session, alone.extensions["talento.keyring"]).ok
        user = db.session.get(User, ids[1])
        assert (user.phone, user.address) == ("+212612345601", "1 rue X")
        assert json.loads(user.profile.links) == {"site": "https://1.ma"}
        assert user.phone_index == KeyRing.from_keys(new).blind_index("+212612345601")
        db.session.remove()


def test_an_interrupted_reencrypt_resumes_where_it_stopped(app, database_url, make_talent):
    _write_with_old_key(app, make_talent)
    rotated = _rotated_app(app, database_url, new_key())
    keyring = rotated.extensions["talento.keyring"]
    with rotated.app_context():
        first = reencrypt(db.session, keyring, batch_size=2, max_batches=2)
        assert first.reencrypted == 3
        assert first.remaining == 6
        assert not first.previous_keys_removable
        assert len(db.session.scalars(select(KeyCanary)).all()) == 2  # the old one is kept
        second = reencrypt(db.session, keyring, batch_size=2)
        assert (second.reencrypted, second.remaining) == (6, 0)
        assert values_to_reencrypt(db.session, keyring) == 0
        db.session.remove()


def test_reencrypt_while_the_app_writes_loses_nothing(app, database_url, make_talent):
    ids = _write_with_old_key(app, make_talent, count=12)
    rotated = _rotated_app(app, database_url, new_key())
    keyring = rotated.extensions["talento.keyring"]
    written = {}

    def app_traffic():
        with rotated.app_context():
            for n, user_id in enumerate(ids):
                user = db.session.get(User, user_id)
                user.phone = written[user_id] = f"+2126999999{n:02d}"
                db.session.commit()
            db.session.remove()

    with rotated.app_context():
        thread = threading.Thread(target=app_traffic)
        thread.start()
        report = reencrypt(db.session, keyring, batch_size=1)
        thread.join()
        again = reencrypt(db.session, keyring, batch_size=5)  # whatever the race left
        assert again.remaining == 0
        assert report.unreadable == 0
        db.session.remove()
    with rotated.app_context():
        phones = dict(db.session.execute(select(User.id, User.phone)).all())
        assert {uid: phones[uid] for uid in ids} == written  # the app's writes all survive
        db.session.remove()


def test_rotate_and_reencrypt_commands(app, database_url, make_talent):
    _write_with_old_key(app, make_talent, count=1)
    settings = app.extensions["talento.settings"]
    env = {
        "SECRET_KEY": settings.secret_key,
        "ENCRYPTION_KEY": settings.encryption_key,
        "ADMIN_PASSWORD": settings.admin_password,
        "DATABASE_URL": settings.database_url,
    }
    rotate = run_cli([TALENTO, "keys", "rotate"], env)
    assert rotate.returncode == 0, rotate.stderr
    lines = [line.strip() for line in rotate.stdout.splitlines()]
    new = next(line for line in lines if line.startswith("ENCRYPTION_KEY=")).split("=", 1)[1]
    assert f"ENCRYPTION_KEYS_PREVIOUS={settings.encryption_key}" in lines
    assert settings.encryption_key not in new

    env.update(ENCRYPTION_KEY=new, ENCRYPTION_KEYS_PREVIOUS=settings.encryption_key)
    result = run_cli([TALENTO, "keys", "reencrypt", "--batch-size", "1"], env)
    assert result.returncode == 0, result.stderr
    assert "3 valeur(s) à rechiffrer" in result.stdout
    # Only now, and the guide's words (docs/fr/exploitation.md, section 10): remove it from
    # ENCRYPTION_KEYS_PREVIOUS, but keep a copy for the backups made before the rotation.
    assert "vous pouvez maintenant retirer l'ancienne clé de ENCRYPTION_KEYS_PREVIOUS" in (
        result.stdout
    )
    assert "les sauvegardes faites avant la rotation" in result.stdout
    assert "Gardez ENCRYPTION_KEYS_PREVIOUS" not in result.stdout
    del env["ENCRYPTION_KEYS_PREVIOUS"]
    status = run_cli([TALENTO, "keys", "status"], env)
    assert status.returncode == 0, status.stdout
    assert "0 ancienne clé seulement, 0 illisibles" in status.stdout
