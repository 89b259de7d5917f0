"""Registration from the form: codes, validation messages, kept input, encrypted storage."""

import io
import json

import pytest
from PIL import Image
from sqlalchemy import select, text

from talento.accounts.models import User
from talento.extensions import db
from talento.geo.models import City, Country
from tests.helpers import _csrf_from, make_settings


@pytest.fixture
def settings(database_url, tmp_path_factory):
    outbox = tmp_path_factory.mktemp("outbox")
    uploads = tmp_path_factory.mktemp("uploads")
    return make_settings(database_url, upload_dir=str(uploads), mail_outbox_dir=str(outbox))


def _city_id(app, iso2: str, code: str) -> int:
    with app.app_context():
        country = db.session.scalars(select(Country).where(Country.iso2 == iso2)).one()
        return db.session.scalars(
            select(City.id).where(City.country_id == country.id, City.code == code)
        ).one()


def _form(app, **overrides):
    data = {
        "first_name": "Yasmine",
        "last_name": "El Amrani",
        "gender": "F",
        "date_of_birth": "1998-03-14",
        "nationality": "MA",
        "email": "yasmine@example.ma",
        "phone": "06 12 34 56 78",
        "whatsapp": "",
        "address": "12 rue des Orangers, Casablanca",
        "country": "MA",
        "city": str(_city_id(app, "MA", "CAS")),
        "skills": ["actor", "singer"],
        "bio": "Comédienne et chanteuse.",
        "years_experience": "4",
        "availability": "immediate",
        "work_mode": "hybrid",
        "rate_min": "800",
        "rate_max": "1500",
        "languages": ["ar", "fr"],
        "education": "ISADAC",
        "link_instagram": "https://instagram.com/yasmine",
        "link_linkedin": "https://linkedin.com/in/yasmine",
        "public_links": ["instagram"],
        "password": "Casablanca-Scene-2026",
        "password_confirm": "Casablanca-Scene-2026",
        "consent": "y",
    }
    data.update(overrides)
    return data


def _post(client, data, **files):
    token = _csrf_from(client.get("/auth/register").get_data(as_text=True))
    payload = {**data, "csrf_token": token, **files}
    return client.post("/auth/register", data=payload, content_type="multipart/form-data")


def _jpeg() -> tuple[io.BytesIO, str]:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (180, 60, 40)).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer, "moi.jpg"


def test_registration_page_is_french_and_has_every_section(client):
    html = client.get("/auth/register").get_data(as_text=True)
    for text_ in (
        "Identité",
        "Contact",
        "Résidence",
        "Profil professionnel",
        "Liens",
        "Photo et CV",
        "09-08",
        'name="consent"',
        'name="link_tiktok"',
    ):
        assert text_ in html


@pytest.mark.both_backends
def test_register_creates_account_code_profile_and_logs_in(app, client):
    response = _post(client, _form(app), photo=_jpeg())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/profile")
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "yasmine@example.ma")).one()
        assert user.code == "MAF0002CAS"  # MA 0001 is the admin's
        assert user.phone == "+212612345678"  # E.164
        assert user.profile.consent_at is not None
        assert {s.slug for s in user.profile.skills} == {"actor", "singer"}
        assert json.loads(user.profile.links)["instagram"] == "https://instagram.com/yasmine"
        assert user.profile.public_links == "instagram"
        assert user.profile.photo_name
        raw = db.session.execute(
            text("SELECT phone, address FROM users WHERE id = :id"), {"id": user.id}
        ).one()
        assert "+212612345678" not in raw[0]
        assert "Orangers" not in raw[1]
    page = client.get("/profile").get_data(as_text=True)
    assert "MAF0002CAS" in page
    assert "+212612345678" in page


def test_confirmation_email_goes_to_the_outbox(app, client, settings):
    from pathlib import Path

    assert _post(client, _form(app)).status_code == 302
    messages = list(Path(settings.mail_outbox_dir).glob("*.eml"))
    assert len(messages) == 1
    body = messages[0].read_text(encoding="utf-8", errors="replace")
    assert "yasmine@example.ma" in body
    assert "MAF0002CAS" in body


def test_errors_are_shown_next_to_fields_and_input_is_kept(app, client):
    data = _form(
        app,
        phone="12",
        email="pas-une-adresse",
        password="court",
        password_confirm="autre",
        consent="",
    )
    response = _post(client, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="phone-error"' in html
    assert 'id="email-error"' in html
    assert 'id="password-error"' in html
    assert 'id="consent-error"' in html
    assert 'value="Yasmine"' in html
    assert "12 rue des Orangers" in html
    assert "Casablanca-Scene" not in html  # passwords are never sent back


@pytest.mark.both_backends
def test_duplicate_email_gets_a_clear_message(app, client, make_user):
    make_user(email="Yasmine@Example.ma")
    response = _post(client, _form(app))
    assert response.status_code == 400
    assert "Un compte existe déjà avec cette adresse e-mail" in response.get_data(as_text=True)


def test_without_javascript_choosing_a_country_then_a_city_is_a_second_step(app, client):
    first = _post(client, _form(app, country="SN", city=""))
    html = first.get_data(as_text=True)
    assert first.status_code == 400
    assert "Dakar" in html
    assert 'id="city-error"' in html
    assert 'value="Yasmine"' in html  # nothing typed is lost
    dakar = _city_id(app, "SN", "DAK")
    second = _post(client, _form(app, country="SN", city=str(dakar), phone="77 123 45 67"))
    assert second.status_code == 302
    with app.app_context():
        code = db.session.scalars(select(User.code).where(User.email == "yasmine@example.ma"))
        assert code.one() == "SNF0001DAK"


def test_city_of_another_country_is_refused(app, client):
    response = _post(client, _form(app, city=str(_city_id(app, "SN", "DAK"))))
    assert response.status_code == 400
    assert 'id="city-error"' in response.get_data(as_text=True)


def test_an_html_file_as_photo_is_refused_and_nothing_is_saved(app, client, settings):
    from pathlib import Path

    fake = (io.BytesIO(b"<html><script>alert(1)</script></html>"), "photo.jpg")
    response = _post(client, _form(app), photo=fake)
    assert response.status_code == 400
    assert 'id="photo-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM users")) == 0
    assert not [p for p in Path(settings.upload_dir).rglob("*") if p.is_file()]


def test_cities_endpoint(client):
    cities = client.get("/geo/cities?country=MA").json
    names = {c["name"] for c in cities}
    assert {"Casablanca", "Rabat"} <= names
    assert client.get("/geo/cities?country=ZZ").json == []


@pytest.mark.committed
def test_a_failed_email_never_breaks_registration(app, client, database_url, tmp_path):
    import socket

    from talento.web import build_app

    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    broken = build_app(
        make_settings(
            database_url,
            mail_server="127.0.0.1",
            mail_port=closed_port,
            mail_use_tls=False,
            upload_dir=str(tmp_path),
        )
    )
    other = broken.test_client()
    response = _post(
        other,
        _form(app),
    )
    assert response.status_code == 302
    page = other.get("/profile").get_data(as_text=True)
    assert "MAF0002CAS" in page
    assert "n&#39;a pas pu être envoyé" in page or "n'a pas pu être envoyé" in page


def test_a_request_over_the_hard_cap_gets_the_french_413_page(app, client):
    big = (io.BytesIO(b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1)), "huge.jpg")
    response = _post(client, _form(app), photo=big)
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)
