"""Attack: a stored value no configured key can read (a lost key, a tampered byte) must survive
every routine save of the forms that edit it, and `talento keys status` must count it.

The ciphertexts are planted with raw SQL and compared byte for byte afterwards: what the ORM
says is not evidence here, the stored text is.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from talento.crypto import KeyRing
from talento.extensions import db
from tests.helpers import TALENTO, _csrf_from, login, make_settings, new_key, run_cli

NOTE = "Donnée indisponible — saisissez une nouvelle valeur pour la remplacer"
SECRET_PHONE = "+212600000777"
SECRET_ADDRESS = "12 rue du Secret"
SECRET_LINK = "https://secret.example.ma"


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _foreign(plain: str) -> str:
    """A ciphertext written by a key the app does not have (a key lost since)."""
    return KeyRing.from_keys(new_key()).encrypt(plain)


def _tampered(app, plain: str) -> str:
    """A ciphertext of the app's own key with one byte of its token changed."""
    stored = app.extensions["talento.keyring"].encrypt(plain)
    fp, token = stored.split("$", 1)
    middle = len(token) // 2
    swapped = "A" if token[middle] != "A" else "B"
    return f"{fp}${token[:middle]}{swapped}{token[middle + 1 :]}"


def _plant(app, user_id: int) -> dict[str, str]:
    """Make phone, address, links unreadable (foreign key) and whatsapp too (tampered)."""
    planted = {
        "phone": _foreign(SECRET_PHONE),
        "whatsapp": _tampered(app, "+212600000888"),
        "address": _foreign(SECRET_ADDRESS),
        "links": _foreign(json.dumps({"website": SECRET_LINK})),
    }
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE users SET phone = :phone, whatsapp = :whatsapp, address = :address "
                "WHERE id = :id"
            ),
            {**planted, "id": user_id},
        )
        db.session.execute(
            text("UPDATE talent_profiles SET links = :links WHERE user_id = :id"),
            {"links": planted["links"], "id": user_id},
        )
        db.session.commit()
    return planted


def _raw(app, user_id: int) -> dict[str, str | None]:
    with app.app_context():
        row = db.session.execute(
            text(
                "SELECT u.phone, u.whatsapp, u.address, p.links, p.public_links, p.bio, "
                "u.first_name, u.phone_index FROM users u JOIN talent_profiles p "
                "ON p.user_id = u.id WHERE u.id = :id"
            ),
            {"id": user_id},
        ).one()
        db.session.remove()
    return dict(row._mapping)


def _city(app, user_id: int) -> str:
    with app.app_context():
        return str(
            db.session.scalar(text("SELECT city_id FROM users WHERE id = :i"), {"i": user_id})
        )


def _profile_data(app, user_id: int, page: str, **overrides) -> dict:
    """The edit form as a browser sends it back: every field as shown, hidden ones included."""
    data = {
        "csrf_token": _csrf_from(page),
        "first_name": "Amina",
        "last_name": "Berrada",
        "gender": "F",
        "date_of_birth": "1990-01-02",
        "nationality": "MA",
        "phone": "",
        "whatsapp": "",
        "address": "",
        "country": "MA",
        "city": _city(app, user_id),
        "skills": ["actor"],
        "bio": "Nouvelle présentation",
        "availability": "immediate",
        "work_mode": "flexible",
        "languages": ["fr"],
        "public_links": ["website"],
    }
    for tag in re.findall(r"<input[^>]*>", page):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attrs.get("type") == "hidden" and attrs.get("name") not in (None, "csrf_token"):
            data[attrs["name"]] = attrs.get("value", "")
    data.update(overrides)
    return data


@pytest.fixture
def talent(make_talent):
    return make_talent(
        email="owner@example.org",
        phone="+212612345678",
        whatsapp="+212612345679",
        address="Derb Sultan",
        bio="Danseuse",
        links={"website": "https://owner.ma"},
        public_links="website",
    )


@pytest.fixture
def admin(client, make_user):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB")
    assert login(client, "boss@example.org").status_code == 302
    return client


def _input_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>([^<]*)', page)
    assert tag is not None, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else tag.group(1).strip()


def test_profile_edit_shows_unreadable_fields_empty_with_a_note(app, client, talent):
    _plant(app, talent)
    login(client, "owner@example.org")
    response = client.get("/profile/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count(NOTE) == 4  # phone, WhatsApp, address, links
    for name in ("phone", "whatsapp", "address", "link_website"):
        assert not _input_value(page, name), name  # never prefilled, not even with a marker
    assert SECRET_PHONE not in page
    assert 'class="unavailable"' not in page  # the marker's own rendering never lands in a field


def test_profile_save_for_another_reason_keeps_every_unreadable_ciphertext(app, client, talent):
    planted = _plant(app, talent)
    login(client, "owner@example.org")
    page = client.get("/profile/edit").get_data(as_text=True)
    response = client.post("/profile/edit", data=_profile_data(app, talent, page))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    after = _raw(app, talent)
    assert after["bio"] == "Nouvelle présentation"  # the save did happen
    for name, ciphertext in planted.items():
        assert after[name] == ciphertext, f"{name} was overwritten by a routine save"
    assert after["public_links"] == "website"  # the choice of public links is kept with them


def test_a_typed_value_replaces_an_unreadable_one_and_only_that_one(app, client, talent):
    planted = _plant(app, talent)
    login(client, "owner@example.org")
    page = client.get("/profile/edit").get_data(as_text=True)
    data = _profile_data(
        app,
        talent,
        page,
        phone="0661000000",
        address="Nouvelle adresse",
        link_website="https://nouveau.ma",
    )
    assert client.post("/profile/edit", data=data).status_code == 302
    after = _raw(app, talent)
    assert after["whatsapp"] == planted["whatsapp"]
    assert all(after[n] != planted[n] for n in ("phone", "address", "links"))
    keyring = app.extensions["talento.keyring"]
    assert keyring.decrypt(after["phone"]) == "+212661000000"
    assert keyring.decrypt(after["address"]) == "Nouvelle adresse"
    assert json.loads(keyring.decrypt(after["links"])) == {"website": "https://nouveau.ma"}
    assert after["phone_index"] == keyring.blind_index("+212661000000")  # search finds it again


def test_an_unreadable_value_is_erased_only_when_asked(app, client, talent):
    planted = _plant(app, talent)
    login(client, "owner@example.org")
    page = client.get("/profile/edit").get_data(as_text=True)
    assert 'name="erase_address"' in page
    assert 'name="erase_phone"' not in page
    data = _profile_data(app, talent, page, erase_address="y", erase_links="y")
    assert client.post("/profile/edit", data=data).status_code == 302
    after = _raw(app, talent)
    assert (after["address"], after["links"], after["public_links"]) == (None, None, "")
    assert (after["phone"], after["whatsapp"]) == (planted["phone"], planted["whatsapp"])


def test_erasing_needs_the_value_to_be_unreadable(app, client, talent):
    """A hostile `erase_address` on a readable value changes nothing (the field was filled)."""
    login(client, "owner@example.org")
    page = client.get("/profile/edit").get_data(as_text=True)
    data = _profile_data(
        app,
        talent,
        page,
        phone="+212612345678",
        address="Derb Sultan",
        whatsapp="+212612345679",
        erase_address="y",
        erase_phone="y",
    )
    response = client.post("/profile/edit", data=data)
    assert response.status_code == 302, re.findall(
        r"field-error[^>]*>([^<]*)", response.get_data(True)
    )
    keyring = app.extensions["talento.keyring"]
    after = _raw(app, talent)
    assert keyring.decrypt(after["address"]) == "Derb Sultan"
    assert keyring.decrypt(after["phone"]) == "+212612345678"


def test_a_value_that_became_readable_while_the_form_was_open_is_kept(app, client, talent):
    """The form was shown while a value was unreadable (the key came back meanwhile): the empty
    field the person never saw must not erase it."""
    _plant(app, talent)
    login(client, "owner@example.org")
    page = client.get("/profile/edit").get_data(as_text=True)
    readable = app.extensions["talento.keyring"].encrypt("Adresse retrouvée")
    with app.app_context():
        db.session.execute(
            text("UPDATE users SET address = :a WHERE id = :i"), {"a": readable, "i": talent}
        )
        db.session.commit()
    data = _profile_data(app, talent, page, phone="0661000000")
    assert client.post("/profile/edit", data=data).status_code == 302
    assert _raw(app, talent)["address"] == readable


def test_admin_edit_shows_the_note_and_keeps_unreadable_ciphertexts(app, admin, talent):
    from talento.audit.models import AuditAction, AuditEvent

    planted = _plant(app, talent)
    url = f"/admin/users/{talent}/edit"
    page = admin.get(url).get_data(as_text=True)
    assert page.count(NOTE) == 4
    assert not _input_value(page, "phone")
    data = _profile_data(
        app, talent, page, email="owner@example.org", language="fr", first_name="Aminata"
    )
    response = admin.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    after = _raw(app, talent)
    assert after["first_name"] == "Aminata"
    for name, ciphertext in planted.items():
        assert after[name] == ciphertext, f"{name} was overwritten by an admin's routine save"
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == AuditAction.USER_UPDATE)
        ).one()
        changed = json.loads(event.detail)["changed"]
    assert "first_name" in changed
    assert not {"phone", "whatsapp", "address", "links"} & set(changed)
    # and the admin can replace one by typing it
    page = admin.get(url).get_data(as_text=True)
    data = _profile_data(app, talent, page, email="owner@example.org", whatsapp="0662000000")
    assert admin.post(url, data=data).status_code == 302
    after = _raw(app, talent)
    keyring = app.extensions["talento.keyring"]
    assert keyring.decrypt(after["whatsapp"]) == "+212662000000"
    assert after["phone"] == planted["phone"]


def test_pages_and_exports_show_unreadable_values_without_failing(app, client, talent):
    _plant(app, talent)
    login(client, "owner@example.org")
    me = client.get("/profile")
    assert me.status_code == 200
    assert "Donnée indisponible" in me.get_data(as_text=True)
    mine = client.get("/profile/my-data.json")
    assert mine.status_code == 200
    assert SECRET_ADDRESS not in mine.get_data(as_text=True)
    assert client.get("/p/MAF0001CAS").status_code == 200


def test_service_keeps_an_unreadable_value_whatever_the_caller(app, talent):
    """The rule lives in the service: a caller without the form (no hidden field, no erase)
    cannot wipe an unreadable value by passing nothing for it."""
    import datetime as dt

    from talento.accounts.models import User
    from talento.profiles.services import ProfileInput, apply_profile

    planted = _plant(app, talent)
    with app.app_context():
        user = db.session.get(User, talent)
        data = ProfileInput(
            first_name="Amina",
            last_name="Berrada",
            gender="F",
            date_of_birth=dt.date(1990, 1, 2),
            nationality_iso2="MA",
            phone="",
            country_iso2="MA",
            city_id=int(_city(app, talent)),
            skills=["actor"],
        )
        apply_profile(db.session, user, user.profile, data)
        db.session.commit()
        db.session.remove()
    after = _raw(app, talent)
    for name, ciphertext in planted.items():
        assert after[name] == ciphertext, name


def test_re_entry_left_empty_keeps_a_value_unreadable_again(app, make_talent):
    """The re-entry page after `keys adopt` writes only what was lost; a value that became
    unreadable since (a key lost again) is not cleared by an empty optional field."""
    from talento.accounts.models import User
    from talento.audit import services as audit
    from talento.keys.reentry import Reentry, save_reentered

    talent = make_talent(lost_fields="phone,whatsapp,address,links")
    planted = _plant(app, talent)
    with app.app_context():
        user = db.session.get(User, talent)
        save_reentered(db.session, user, Reentry(phone="0661000000"), audit.SYSTEM)
        db.session.commit()
        db.session.remove()
    after = _raw(app, talent)
    assert app.extensions["talento.keyring"].decrypt(after["phone"]) == "+212661000000"
    for name in ("whatsapp", "address", "links"):
        assert after[name] == planted[name], name


def test_status_counts_in_batches_per_column(app, make_talent):
    from talento.keys.status import count_encrypted_values

    ids = [make_talent(phone=f"+2126123456{n:02d}", address=f"{n} rue X") for n in range(5)]
    with app.app_context():
        for user_id in ids[1:4]:
            db.session.execute(
                text("UPDATE users SET address = :a WHERE id = :i"),
                {"a": _foreign("caché"), "i": user_id},
            )
        keyring = app.extensions["talento.keyring"]
        counts = count_encrypted_values(db.session, keyring, batch_size=2)
        db.session.rollback()
    assert (counts["users.address"].current, counts["users.address"].unreadable) == (2, 3)
    assert (counts["users.phone"].current, counts["users.phone"].unreadable) == (5, 0)


@pytest.mark.committed
def test_keys_status_command_counts_unreadable_values_and_fails(app, talent):
    settings = app.extensions["talento.settings"]
    env = {
        "SECRET_KEY": settings.secret_key,
        "ENCRYPTION_KEY": settings.encryption_key,
        "ADMIN_PASSWORD": settings.admin_password,
        "DATABASE_URL": settings.database_url,
    }
    healthy = run_cli([TALENTO, "keys", "status"], env)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "0 illisibles" in healthy.stdout
    _plant(app, talent)
    result = run_cli([TALENTO, "keys", "status"], env)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    for place in ("users.phone", "users.whatsapp", "users.address", "talent_profiles.links"):
        assert re.search(rf"{re.escape(place)} : .*\b1 illisibles", out), out
    assert "Total : 0 clé courante, 0 ancienne clé seulement, 4 illisibles." in out
    assert "Donnée indisponible" in out  # says what people see, and that saves keep them
    assert SECRET_PHONE not in out + result.stderr
    assert "$" not in out
