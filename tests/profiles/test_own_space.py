"""The talent's own space: profile page, edit, password change, my data, deletion."""

import json

import pytest
from sqlalchemy import select, text

from talento.accounts.models import User
from talento.extensions import db
from tests.helpers import USER_PASSWORD, _csrf_from, login, make_settings


@pytest.fixture
def settings(database_url, tmp_path_factory):
    uploads = tmp_path_factory.mktemp("uploads")
    return make_settings(database_url, upload_dir=str(uploads))


@pytest.fixture
def talent(make_talent):
    return make_talent(
        email="owner@example.org",
        phone="+212612345678",
        address="Derb Sultan",
        bio="Danseuse",
        skills=["dance-urban"],
        languages=["ar", "fr"],
        links={"instagram": "https://instagram.com/owner"},
        public_links="instagram",
    )


def _token(client, path):
    return _csrf_from(client.get(path).get_data(as_text=True))


def test_profile_page_shows_code_qr_completeness_and_decrypted_contact(client, talent):
    login(client, "owner@example.org")
    html = client.get("/profile").get_data(as_text=True)
    assert "MAF0001CAS" in html
    assert "+212612345678" in html
    assert "Derb Sultan" in html
    assert "/p/MAF0001CAS/qr.svg" in html
    assert "Profil complet à" in html
    assert "À compléter" in html
    assert "photo" in html


@pytest.mark.both_backends
def test_edit_profile_keeps_the_code_and_updates_fields(app, client, talent):
    login(client, "owner@example.org")
    page = client.get("/profile/edit").get_data(as_text=True)
    assert 'value="+212612345678"' in page  # prefilled, decrypted for the owner
    with app.app_context():
        city = db.session.scalar(text("SELECT city_id FROM users WHERE id = :i"), {"i": talent})
    data = {
        "csrf_token": _csrf_from(page),
        "first_name": "Amina",
        "last_name": "Nouveau",
        "gender": "F",
        "date_of_birth": "1990-01-02",
        "nationality": "MA",
        "phone": "0661000000",
        "address": "",
        "country": "MA",
        "city": str(city),
        "skills": ["dance-urban", "choreography"],
        "bio": "Chorégraphe",
        "availability": "soon",
        "work_mode": "remote",
        "lang-fr": "native",
        "lang-shi": "notions",
    }
    response = client.post("/profile/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        user = db.session.get(User, talent)
        assert user.code == "MAF0001CAS"
        assert user.last_name == "Nouveau"
        assert user.phone == "+212661000000"
        assert user.address is None
        assert user.profile.availability == "soon"
        assert user.profile.bio == "Chorégraphe"
        assert {s.slug for s in user.profile.skills} == {"dance-urban", "choreography"}
        levels = {lang.code: lang.level for lang in user.profile.languages}
        assert levels == {"fr": "native", "shi": "notions"}


def test_password_change_keeps_this_session_and_ends_the_others(app, client, talent):
    login(client, "owner@example.org")
    other = app.test_client()
    login(other, "owner@example.org")
    wrong = client.post(
        "/profile/password",
        data={
            "csrf_token": _token(client, "/profile/password"),
            "current_password": "nope",
            "new_password": "Another-long-secret-9",
            "new_password_confirm": "Another-long-secret-9",
        },
    )
    assert wrong.status_code == 401
    assert "Mot de passe actuel incorrect" in wrong.get_data(True)
    ok = client.post(
        "/profile/password",
        data={
            "csrf_token": _token(client, "/profile/password"),
            "current_password": USER_PASSWORD,
            "new_password": "Another-long-secret-9",
            "new_password_confirm": "Another-long-secret-9",
        },
    )
    assert ok.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other.get("/profile").status_code == 302


def test_my_data_is_a_complete_decrypted_json_download(client, talent):
    login(client, "owner@example.org")
    response = client.get("/profile/my-data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["phone"] == "+212612345678"
    assert data["address"] == "Derb Sultan"
    assert data["profile"]["links"] == {"instagram": "https://instagram.com/owner"}
    assert data["profile"]["skills"] == ["dance-urban"]
    assert "password_hash" not in json.dumps(data)


@pytest.mark.both_backends
def test_delete_account_needs_the_password_and_removes_everything(app, client, talent):
    login(client, "owner@example.org")
    refused = client.post(
        "/profile/delete",
        data={"csrf_token": _token(client, "/profile/delete"), "password": "wrong", "confirm": "y"},
    )
    assert refused.status_code == 400
    done = client.post(
        "/profile/delete",
        data={
            "csrf_token": _token(client, "/profile/delete"),
            "password": USER_PASSWORD,
            "confirm": "y",
        },
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(User).where(User.id == talent)).first() is None
        for table in ("talent_profiles", "talent_skills", "talent_languages"):
            assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) == 0  # noqa: S608
    assert client.get("/profile").status_code == 302


def test_replacing_and_removing_the_photo_and_deleting_the_account_remove_files(
    app, client, make_talent, settings
):
    import io
    from pathlib import Path

    from PIL import Image

    from talento.profiles.uploads import store_photo

    def jpeg():
        buffer = io.BytesIO()
        Image.new("RGB", (300, 300), (20, 120, 200)).save(buffer, "JPEG")
        buffer.seek(0)
        return buffer

    upload_dir = Path(settings.upload_dir)
    first = store_photo(jpeg(), upload_dir)
    user_id = make_talent(email="files@example.org", photo_name=first.name)
    login(client, "files@example.org")
    page = client.get("/profile/edit").get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, user_id)
        base = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "gender": "F",
            "date_of_birth": "1990-01-02",
            "nationality": "MA",
            "phone": "0612345678",
            "country": "MA",
            "city": str(user.city_id),
            "skills": ["actor"],
            "availability": "immediate",
            "work_mode": "flexible",
        }
    replaced = client.post(
        "/profile/edit",
        data={**base, "csrf_token": _csrf_from(page), "photo": (jpeg(), "new.jpg")},
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 302
    assert not (upload_dir / "photos" / first.name).exists()  # the old photo is gone
    with app.app_context():
        second = db.session.get(User, user_id).profile.photo_name
    assert second
    assert (upload_dir / "photos" / second).exists()
    removed = client.post(
        "/profile/edit",
        data={**base, "csrf_token": _token(client, "/profile/edit"), "remove_photo": "y"},
    )
    assert removed.status_code == 302
    assert not (upload_dir / "photos" / second).exists()
    third = store_photo(jpeg(), upload_dir)
    with app.app_context():
        db.session.get(User, user_id).profile.photo_name = third.name
        db.session.commit()
    client.post(
        "/profile/delete",
        data={
            "csrf_token": _token(client, "/profile/delete"),
            "password": USER_PASSWORD,
            "confirm": "y",
        },
    )
    assert not [p for p in upload_dir.rglob("*") if p.is_file()]
