"""Lost key: `talento keys adopt --accept-data-loss` clears only what no key reads, flags the
owners, who re-enter it at their next login; admins list them and e-mail them all; a key found
later puts the quarantined values back (`talento keys recover`)."""

import json
import time

import pytest
from sqlalchemy import select, text

from talento.accounts.models import User
from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db
from talento.keys.adoption import NothingToAdopt, adopt, recover, survey
from talento.keys.canary import KeyMismatchError, check_canary, verify_keys_or_raise
from talento.keys.models import KeyCanary, LostValue
from talento.profiles.models import TalentProfile
from talento.web import build_app
from tests.helpers import TALENTO, _csrf_from, login, make_settings, new_key, run_cli

# Apps with other keys and the CLI read what the test's app wrote: committed rows.
pytestmark = pytest.mark.committed

PHONE_1 = "+212612345601"
PHONE_2 = "+212612345602"


@pytest.fixture
def lost_key_world(app, database_url, make_talent, make_user):
    """Key A wrote two talents and an admin's phone, then was lost. Key C (kept in
    ENCRYPTION_KEYS_PREVIOUS) wrote one talent's phone; the new key B wrote another's."""
    lost_a = make_talent(phone=PHONE_1, address="1 rue A", links={"website": "https://a.ma"})
    lost_b = make_talent(whatsapp=PHONE_2, address="2 rue A")
    with app.app_context():
        verify_keys_or_raise(db.session, app.extensions["talento.keyring"])  # canary of A
    kept_c = make_talent()
    kept_b = make_talent()
    key_b, key_c = new_key(), new_key()
    _write(build_app(make_settings(database_url, encryption_key=key_c)), kept_c, "+212612345603")
    current = build_app(
        make_settings(database_url, encryption_key=key_b, encryption_keys_previous=(key_c,))
    )
    _write(current, kept_b, "+212612345604")
    return {
        "app": current,
        "old_key": app.extensions["talento.settings"].encryption_key,
        "lost": (lost_a, lost_b),
        "kept": (kept_c, kept_b),
    }


def _write(app, user_id, phone):
    with app.app_context():
        db.session.get(User, user_id).phone = phone
        db.session.commit()
        db.session.remove()


def _user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        values = {
            "phone": user.phone,
            "whatsapp": user.whatsapp,
            "address": user.address,
            "links": user.profile.links if user.profile else None,
            "lost": user.lost_field_names,
            "phone_index": user.phone_index,
        }
        db.session.remove()
    return values


def test_every_encrypted_column_is_declared_once_in_places():
    from talento.crypto import EncryptedText
    from talento.keys.places import PLACES, undeclared_encrypted_columns

    encrypted = {
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    }
    assert encrypted == {place.name for place in PLACES}
    assert len(PLACES) == len(encrypted)  # each declared once
    assert undeclared_encrypted_columns(db.metadata) == []
    for place in PLACES:  # the ORM attribute, owner and blind index exist
        assert getattr(place.model, place.attribute).property.columns[0].name == place.column
        assert place.owner in place.table.c
        if place.blind_index:
            assert place.blind_index in place.table.c


def test_survey_counts_only_what_no_key_reads(lost_key_world):
    app = lost_key_world["app"]
    with app.app_context():
        found = survey(db.session, app.extensions["talento.keyring"])
    assert dict(found.unreadable) == {
        "users.phone": 1,
        "users.whatsapp": 1,
        "users.address": 2,
        "talent_profiles.links": 1,
    }
    assert found.readable == 2  # the phones written under C (previous) and B (current)
    assert found.affected_users == set(lost_key_world["lost"])
    assert len(found.unreadable_canaries) == 1


@pytest.mark.both_backends
def test_adopt_clears_quarantines_flags_and_lets_the_app_start(lost_key_world):
    app = lost_key_world["app"]
    keyring = app.extensions["talento.keyring"]
    lost_a, lost_b = lost_key_world["lost"]
    kept_c, kept_b = lost_key_world["kept"]
    with app.app_context():
        with pytest.raises(KeyMismatchError):
            verify_keys_or_raise(db.session, keyring)
        report = adopt(db.session, keyring, batch_size=1)
        assert (report.cleared, report.flagged_users) == (5, 2)
        assert check_canary(db.session, keyring).ok
        assert db.session.scalars(select(KeyCanary.fingerprint)).all() == [
            keyring.primary_fingerprint
        ]
        verify_keys_or_raise(db.session, keyring)  # start-up passes again
        assert db.session.scalar(select(db.func.count()).select_from(LostValue)) == 5
        db.session.remove()
    a, b = _user(app, lost_a), _user(app, lost_b)
    assert (a["phone"], a["address"], a["links"], a["phone_index"]) == (None, None, None, None)
    assert a["lost"] == ["phone", "address", "links"]
    assert b["lost"] == ["whatsapp", "address"]
    # nothing readable is ever cleared
    assert _user(app, kept_c)["phone"] == "+212612345603"
    assert _user(app, kept_b)["phone"] == "+212612345604"
    assert _user(app, kept_c)["lost"] == []
    assert _user(app, kept_b)["lost"] == []
    with app.app_context(), pytest.raises(NothingToAdopt):
        adopt(db.session, keyring)


def test_adopt_resumes_after_an_interruption(lost_key_world):
    app = lost_key_world["app"]
    keyring = app.extensions["talento.keyring"]
    with app.app_context():
        adopt(db.session, keyring, batch_size=1, max_batches=2)
        assert not check_canary(db.session, keyring).ok  # start-up still refuses meanwhile
        report = adopt(db.session, keyring, batch_size=1)
        assert check_canary(db.session, keyring).ok
        assert db.session.scalar(select(db.func.count()).select_from(LostValue)) == 5
        assert survey(db.session, keyring).total_unreadable == 0
        db.session.remove()
    assert report.cleared < 5


def test_recover_puts_back_what_was_not_re_entered(lost_key_world, client):
    app = lost_key_world["app"]
    keyring = app.extensions["talento.keyring"]
    lost_a, lost_b = lost_key_world["lost"]
    with app.app_context():
        adopt(db.session, keyring)
        user = db.session.get(User, lost_b)
        user.whatsapp = "+212612349999"  # lost_b re-entered the WhatsApp number (not the rest)
        user.lost_fields = "address"
        db.session.commit()
        report = recover(db.session, keyring, lost_key_world["old_key"])
        assert (report.restored, report.superseded, report.still_unreadable) == (4, 1, 0)
        assert db.session.scalar(select(db.func.count()).select_from(LostValue)) == 0
        db.session.remove()
    a, b = _user(app, lost_a), _user(app, lost_b)
    assert (a["phone"], a["address"], a["lost"]) == (PHONE_1, "1 rue A", [])
    assert json.loads(a["links"]) == {"website": "https://a.ma"}
    assert a["phone_index"] == keyring.blind_index(PHONE_1)
    assert (b["whatsapp"], b["address"], b["lost"]) == ("+212612349999", "2 rue A", [])


def _env(app, **extra):
    settings = app.extensions["talento.settings"]
    env = {
        "SECRET_KEY": settings.secret_key,
        "ENCRYPTION_KEY": settings.encryption_key,
        "ENCRYPTION_KEYS_PREVIOUS": ",".join(settings.encryption_keys_previous),
        "ADMIN_PASSWORD": settings.admin_password,
        "DATABASE_URL": settings.database_url,
    }
    env.update(extra)
    return env


def test_cli_shows_counts_and_needs_the_flag_and_the_typed_word(lost_key_world):
    app = lost_key_world["app"]
    env = _env(app)
    refused = run_cli([TALENTO, "keys", "adopt"], env)
    assert refused.returncode == 1
    assert "users.address : 2" in refused.stdout
    assert "2 compte(s) devront ressaisir" in refused.stdout
    assert "Rien n'a été modifié" in refused.stderr
    wrong = run_cli([TALENTO, "keys", "adopt", "--accept-data-loss"], env, stdin="oui\n")
    assert wrong.returncode == 1
    assert "Confirmation absente" in wrong.stderr
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LostValue)) == 0
        db.session.remove()

    done = run_cli([TALENTO, "keys", "adopt", "--accept-data-loss"], env, stdin="ADOPTER\n")
    assert done.returncode == 0, done.stderr
    assert "5 valeur(s) effacée(s), 2 compte(s)" in done.stdout
    assert lost_key_world["old_key"] not in done.stdout + done.stderr
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.KEY_ADOPTED.value)
        ).one()
        assert json.loads(event.detail) == {"cleared": 5, "users": 2}
        db.session.remove()
    status = run_cli([TALENTO, "keys", "status"], env)  # start-up checks pass again
    assert status.returncode == 0, status.stdout
    assert "0 illisibles" in status.stdout
    assert "5 valeur(s) en quarantaine" in status.stdout
    assert "2 compte(s) doivent encore ressaisir" in status.stdout

    recovered = run_cli([TALENTO, "keys", "recover"], env, stdin=lost_key_world["old_key"] + "\n")
    assert recovered.returncode == 0, recovered.stderr
    assert "5 valeur(s) remise(s)" in recovered.stdout


@pytest.mark.both_backends
def test_flagged_person_must_re_enter_before_anything_else(lost_key_world):
    app = lost_key_world["app"]
    lost_a = lost_key_world["lost"][0]
    with app.app_context():
        adopt(db.session, app.extensions["talento.keyring"])
        email = db.session.get(User, lost_a).email
        db.session.remove()
    client = app.test_client()
    response = login(client, email)
    assert response.status_code == 302
    for path in ("/profile", "/profile/edit", "/talents"):
        page = client.get(path)
        assert page.status_code == 302
        assert page.headers["Location"].endswith("/profile/lost-data")
    form = client.get("/profile/lost-data")
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'name="phone"' in html
    assert 'name="address"' in html
    assert 'name="link_website"' in html
    assert 'name="whatsapp"' not in html  # only what was lost
    token = _csrf_from(html)
    bad = client.post("/profile/lost-data", data={"csrf_token": token, "phone": "12"})
    assert bad.status_code == 400
    assert "Numéro invalide" in bad.get_data(as_text=True)
    ok = client.post(
        "/profile/lost-data",
        data={
            "csrf_token": token,
            "phone": "06 12 34 56 99",
            "address": "9 avenue Hassan II",
            "link_website": "https://nouveau.ma",
        },
    )
    assert ok.status_code == 302
    assert ok.headers["Location"].endswith("/profile")
    assert client.get("/profile").status_code == 200
    values = _user(app, lost_a)
    assert (values["phone"], values["address"], values["lost"]) == (
        "+212612345699",
        "9 avenue Hassan II",
        [],
    )
    assert json.loads(values["links"]) == {"website": "https://nouveau.ma"}
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.LOST_DATA_REENTERED.value)
        ).one()
        assert event.fields == "address,links,phone"
        assert "Hassan" not in event.detail
        db.session.remove()


def test_admin_lists_flagged_people_and_emails_them_all_once(lost_key_world, smtp, make_user):
    inbox, port = smtp
    make_user(capabilities=["admin"], email="boss@example.org")
    app = lost_key_world["app"]
    settings = app.extensions["talento.settings"]
    mailing = build_app(
        make_settings(
            settings.database_url,
            encryption_key=settings.encryption_key,
            encryption_keys_previous=settings.encryption_keys_previous,
            mail_server="127.0.0.1",
            mail_port=port,
            mail_use_tls=False,
        )
    )
    with mailing.app_context():
        adopt(db.session, mailing.extensions["talento.keyring"])
        db.session.remove()
    client = mailing.test_client()
    assert login(client, "boss@example.org").status_code == 302
    dashboard = client.get("/admin").get_data(as_text=True)
    assert "2 personnes doivent ressaisir" in dashboard
    page = client.get("/admin/lost-data").get_data(as_text=True)
    assert "2 personnes concernées" in page
    assert "2 à envoyer" in page
    assert "Téléphone, Adresse, Liens" in page
    token = _csrf_from(page)
    # A double click: two background jobs at once, and nobody gets the message twice.
    for _ in range(2):
        sent = client.post("/admin/lost-data/notify", data={"csrf_token": token})
        assert sent.status_code == 302
    messages = inbox.wait_for(2)
    _wait_for_notified_events(mailing, 2)
    assert sorted(m["To"] for m in messages) == sorted(
        u.email for u in _users(mailing, lost_key_world["lost"])
    )
    body = messages[0].get_body(("plain",)).get_content()
    assert "Talento : merci de mettre à jour votre profil" in messages[0]["Subject"]
    assert "n'a pas pu conserver" in body
    assert "/auth/login" in body
    page = client.get("/admin/lost-data").get_data(as_text=True)
    assert "2 e-mails envoyés" in page
    assert "0 à envoyer" in page
    again = client.post(
        "/admin/lost-data/notify", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Chaque personne concernée a déjà reçu" in again.get_data(as_text=True)
    time.sleep(0.5)
    assert len(inbox.messages) == 2  # nobody gets it twice
    assert _notified_events(mailing) == 2


def _notified_events(app) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.LOST_DATA_NOTIFIED.value)
        )
        db.session.remove()
    return count


def _wait_for_notified_events(app, count: int, timeout: float = 10.0) -> None:
    """The background job records each message just after sending it."""
    deadline = time.monotonic() + timeout
    while _notified_events(app) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def _users(app, ids):
    with app.app_context():
        users = db.session.scalars(select(User).where(User.id.in_(ids))).all()
        db.session.expunge_all()
        db.session.remove()
    return users


def test_adoption_leaves_files_and_profiles_alone(lost_key_world):
    app = lost_key_world["app"]
    with app.app_context():
        before = db.session.execute(
            text("SELECT user_id, bio, availability FROM talent_profiles ORDER BY user_id")
        ).all()
        adopt(db.session, app.extensions["talento.keyring"])
        after = db.session.execute(
            text("SELECT user_id, bio, availability FROM talent_profiles ORDER BY user_id")
        ).all()
        assert db.session.scalar(select(db.func.count()).select_from(TalentProfile)) == 4
        db.session.remove()
    assert before == after
