"""The casting page /cinema/p/<code>: who sees it, what it shows, masked contact data and its
audited « Afficher », and its QR codes."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct

import pytest
import segno
from sqlalchemy import select

from talento.audit.models import AuditAction, AuditEvent
from talento.profiles.qr import qr_png, qr_svg
from tests.casting.helpers import make_casting_profile
from tests.helpers import login, make_settings

CODE = "MAOUZ0001F"
BASE = "http://localhost"  # make_settings' BASE_URL
URL = f"{BASE}/cinema/p/{CODE}"
PHONE, WHATSAPP = "+212661234987", "+212677889911"
EMAIL = "amina.casting@example.org"
ID_NUMBER = "BK739215"
BORN = dt.date(1996, 3, 14)
SECRETS = [PHONE, WHATSAPP, EMAIL, ID_NUMBER, "661234987", "677889911", "739215", "1996", "14/03"]


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def talent(app, make_talent):
    def factory(visibility="public", born=BORN, code=CODE, email=EMAIL, **fields):
        user_id = make_talent(
            code="MAF0001CAS" if code == CODE else "MAF0009CAS",
            email=email,
            first_name="Amina",
            last_name="Benali",
            phone=PHONE,
            whatsapp=WHATSAPP,
            date_of_birth=born,
            languages={"ary": "native", "fr": "fluent"},
        )
        fields.setdefault("id_document_type", "cin")
        fields.setdefault("id_number", ID_NUMBER)
        make_casting_profile(
            app,
            user_id,
            code=code,
            visibility=visibility,
            photos=3,
            height_cm=172,
            eye_colour="hazel",
            hair_colour="black",
            build="athletic",
            top_size="m",
            shoe_size=38.5,
            waist_cm=70,
            playing_age_min=22,
            playing_age_max=30,
            ethnicity="north_african",
            skin_tone="olive",
            talent_types=("principal", "stunt"),
            skills=("acting_drama",),
            accents=("ary_marrakech",),
            credits=({"title": "Le Désert rouge", "kind": "film", "year": 2024, "role": "Nour"},),
            showreel_url="https://vimeo.com/12345",
            **fields,
        )
        return user_id

    return factory


@pytest.fixture
def staff(make_user):
    """Accounts by role; returns a function logging a fresh client in as that role."""
    emails = {}
    for role, capabilities in (
        ("casting", ["casting"]),
        ("admin", ["admin"]),
        ("recruiter", ["recruiter"]),
        ("user", ["talent"]),
    ):
        emails[role] = f"page-{role}@example.org"
        make_user(email=emails[role], code=f"MAX{len(emails):04d}CAS", capabilities=capabilities)
    return emails


def _as(app, email=None):
    client = app.test_client()
    if email is not None:
        assert login(client, email).status_code == 302
    return client


def _events(app) -> list[AuditEvent]:
    from talento.extensions import db

    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == AuditAction.CASTING_CONTACT_REVEAL.value
                )
            )
        )


def _no_secret(html: str) -> None:
    for secret in SECRETS:
        assert secret not in html, secret
    assert "Contact et identité" not in html
    assert "Maghrébin" not in html  # ethnicity and skin tone: search data only
    assert "Olive" not in html


# --- the public page --------------------------------------------------------------------------


def test_public_page_shows_the_allowlist_and_no_contact_data(app, talent):
    talent()
    response = app.test_client().get(f"/cinema/p/{CODE.lower()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Amina Benali" in html
    assert f'id="casting-code">{CODE}<' in html
    assert "172 cm" in html
    assert "Athlétique" in html
    assert "38,5" in html
    assert "70 cm" in html
    assert ">M<" in html
    assert "22–30 ans" in html  # playing age
    assert "30–34 ans" in html  # the real age as a five-year band, never the date
    assert "Darija (arabe marocain)" in html
    assert "Darija de Marrakech" in html
    assert "Rôle principal" in html
    assert "Cascadeur" in html
    assert "Le Désert rouge" in html
    assert 'href="https://vimeo.com/12345"' in html
    assert "<iframe" not in html  # the showreel is a link, never embedded
    assert len(re.findall(r'src="/cinema/media/thumbs/[\w-]{22}\.webp"', html)) == 2
    assert len(re.findall(r'src="/cinema/media/photos/[\w-]{22}\.jpg"', html)) == 1
    assert f'src="/cinema/p/{CODE}/qr.svg"' in html
    assert "artiste vérifiée" not in html
    assert 'id="casting-not-public"' not in html
    _no_secret(html)


@pytest.mark.parametrize("role", ["user", "recruiter"])
def test_public_page_to_signed_in_non_staff_shows_no_contact(app, talent, staff, role):
    talent()
    html = _as(app, staff[role]).get(f"/cinema/p/{CODE}").get_data(as_text=True)
    assert "Amina Benali" in html
    _no_secret(html)


def test_artist_card_badge_only_when_verified_and_not_expired(app, talent):
    now = dt.datetime.now(dt.UTC)
    talent(artist_card_verified_at=now, artist_card_expires_on=dt.date(2099, 1, 1))
    html = app.test_client().get(f"/cinema/p/{CODE}").get_data(as_text=True)
    assert "artiste vérifiée" in html


def test_expired_artist_card_has_no_badge(app, talent):
    now = dt.datetime.now(dt.UTC)
    talent(artist_card_verified_at=now, artist_card_expires_on=dt.date(2020, 1, 1))
    html = app.test_client().get(f"/cinema/p/{CODE}").get_data(as_text=True)
    assert "artiste vérifiée" not in html


PATHS = ["", "/qr.svg", "/qr.png", "/comp-card.pdf"]


@pytest.mark.parametrize("path", PATHS)
def test_staff_only_profile_is_404_to_the_public(app, talent, staff, path):
    talent(visibility="staff")
    for who in (None, staff["user"], staff["recruiter"]):
        assert _as(app, who).get(f"/cinema/p/{CODE}{path}").status_code == 404
    for who in (staff["casting"], staff["admin"]):
        assert _as(app, who).get(f"/cinema/p/{CODE}{path}").status_code == 200
    assert app.test_client().get(f"/cinema/p/MAOUZ9999F{path}").status_code == 404


@pytest.mark.parametrize("path", PATHS)
def test_a_minor_is_never_public(app, talent, path):
    today = dt.datetime.now(dt.UTC).date()
    talent(born=today.replace(year=today.year - 15), guardian_name="Fatima Benali")
    assert app.test_client().get(f"/cinema/p/{CODE}{path}").status_code == 404


def test_incomplete_or_unverified_is_not_public(app, talent):
    talent(registration_step="photos")
    assert app.test_client().get(f"/cinema/p/{CODE}").status_code == 404


# --- contact and identity: staff, owner, unmasking ------------------------------------------


@pytest.mark.parametrize("role", ["casting", "admin"])
def test_staff_see_contact_and_id_masked(app, talent, staff, role):
    talent(visibility="staff")
    html = _as(app, staff[role]).get(f"/cinema/p/{CODE}").get_data(as_text=True)
    assert "Contact et identité" in html
    assert "+21***987" in html
    assert "+21***911" in html
    assert "ami***org" in html
    assert "********" in html  # an 8-character ID number is starred entirely
    assert "identité (CIN)" in html
    for secret in (PHONE, WHATSAPP, EMAIL, ID_NUMBER, "661234987", "739215"):
        assert secret not in html
    assert 'id="casting-reveal"' in html
    assert 'id="casting-not-public"' in html
    assert _events(app) == []  # seeing masked values is not an unmasking


def test_reveal_shows_values_and_writes_exactly_one_audit_row(app, talent, staff):
    user_id = talent(visibility="staff", id_number="BK7392150")
    client = _as(app, staff["casting"])
    html = client.get(f"/cinema/p/{CODE}").get_data(as_text=True)
    assert "BK7***150" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html.split("casting-contact", 1)[1])[1]
    response = client.post(f"/cinema/p/{CODE}/contact", data={"csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for value in (PHONE, WHATSAPP, EMAIL, "BK7392150"):
        assert value in html
    assert 'id="casting-reveal"' not in html
    [event] = _events(app)
    assert event.fields == "email,id_number,phone,whatsapp"
    assert event.subject_id == user_id
    assert event.actor_code is not None
    assert event.actor_code.startswith("MAX")
    assert CODE in event.detail
    assert '"guardian":false' in event.detail
    for value in (PHONE, EMAIL, "BK7392150"):
        assert value not in event.detail


def test_reveal_without_csrf_is_refused(app, talent, staff):
    talent(visibility="staff")
    response = _as(app, staff["casting"]).post(f"/cinema/p/{CODE}/contact")
    assert response.status_code == 400
    assert _events(app) == []


@pytest.mark.parametrize(("visibility", "status"), [("public", 403), ("staff", 404)])
@pytest.mark.parametrize("role", ["user", "recruiter"])
def test_reveal_refused_to_talents_and_recruiters(app, talent, staff, role, visibility, status):
    talent(visibility=visibility)
    client = _as(app, staff[role])
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/forgot").text)[1]
    response = client.post(f"/cinema/p/{CODE}/contact", data={"csrf_token": token})
    assert response.status_code == status
    assert PHONE not in response.get_data(as_text=True)
    assert _events(app) == []


def test_reveal_asks_anonymous_to_log_in(app, talent):
    talent()
    response = app.test_client().post(f"/cinema/p/{CODE}/contact")
    assert response.status_code in (302, 400)
    assert _events(app) == []


def test_minor_contact_is_the_guardian(app, talent, staff):
    today = dt.datetime.now(dt.UTC).date()
    talent(
        visibility="staff",
        born=today.replace(year=today.year - 15),
        guardian_name="Fatima Benali",
        guardian_relationship="mother",
        guardian_phone="+212650001122",
        guardian_email="fatima.guardian@example.org",
        guardian_consent_at=dt.datetime.now(dt.UTC),
    )
    client = _as(app, staff["casting"])
    html = client.get(f"/cinema/p/{CODE}").get_data(as_text=True)
    assert "Fatima Benali" in html
    assert "Mère" in html
    assert "+21***122" in html
    assert "fat***org" in html
    assert "+21***987" not in html
    assert "ami***org" not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html.split("casting-contact", 1)[1])[1]
    html = client.post(f"/cinema/p/{CODE}/contact", data={"csrf_token": token}).text
    assert "+212650001122" in html
    assert "fatima.guardian@example.org" in html
    assert PHONE not in html
    [event] = _events(app)
    assert event.fields == "email,id_number,phone"
    assert '"guardian":true' in event.detail


def test_owner_sees_their_staff_only_page_in_clear_without_audit(app, talent):
    talent(visibility="staff")
    client = _as(app, EMAIL)
    html = client.get(f"/cinema/p/{CODE}").get_data(as_text=True)
    assert "Contact et identité" in html
    for value in (PHONE, WHATSAPP, EMAIL, ID_NUMBER):
        assert value in html
    assert 'id="casting-reveal"' not in html
    assert client.get(f"/cinema/p/{CODE}/qr.png").status_code == 200
    assert client.get(f"/cinema/p/{CODE}/comp-card.pdf").status_code == 200
    assert _events(app) == []


# --- QR codes ----------------------------------------------------------------------------------


def test_qr_svg_encodes_the_canonical_url(app, talent):
    talent()
    response = app.test_client().get(
        f"/cinema/p/{CODE.lower()}/qr.svg", headers={"Host": "evil.example"}
    )
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    body = response.get_data()
    assert body == qr_svg(URL)
    expected = io.BytesIO()
    segno.make(URL, error="m").save(
        expected, kind="svg", scale=4, border=4, dark="#000", light="#fff"
    )
    assert body == expected.getvalue()


def test_qr_png_encodes_the_canonical_url(app, talent):
    talent()
    response = app.test_client().get(f"/cinema/p/{CODE}/qr.png?download=1")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    body = response.get_data()
    assert body == qr_png(URL)
    width, height = struct.unpack(">II", body[16:24])
    assert (width, height) == segno.make(URL, error="m").symbol_size(scale=8, border=4)
    assert response.headers["Content-Disposition"] == f'attachment; filename="cinema-{CODE}.png"'


def test_own_links_include(app, talent):
    from flask import render_template_string

    talent()
    with app.test_request_context():
        html = render_template_string('{% include "casting/_own_links.html" %}', casting_code=CODE)
        empty = render_template_string('{% include "casting/_own_links.html" %}')
    assert f'href="/cinema/p/{CODE}"' in html
    assert f'href="/cinema/p/{CODE}/comp-card.pdf"' in html
    assert f"/cinema/p/{CODE}/qr.png?download=1" in html
    assert empty.strip() == ""
