"""The public casting registration /cinema/register, step by step (issue 13, points 1 and 2):
one account for one person, the e-mail verified as for talents, a registration resumed after
logging out and in, an existing talent who adds a casting profile without retyping anything,
and « Mon profil casting » with its « Modifier » links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text

from talento.accounts.models import User
from talento.casting import steps
from talento.casting.models import CastingProfile
from talento.extensions import db
from talento.profiles.models import TalentProfile
from tests.casting.registration_helpers import (
    PASSWORD,
    STEP_FORMS,
    clean_casting,  # noqa: F401  (fixture)
    csrf,
    identity_form,
    pass_photos_step,
    post_step,
    prepare,
    register_through,
    user_by_email,
)
from tests.helpers import login, moroccan_city_id, smtp_settings
from tests.mail.smtp import text_and_html

pytestmark = pytest.mark.usefixtures("clean_casting")
VERIFY_LINK = re.compile(r"http://localhost(/auth/verify/[A-Za-z0-9._-]+)")


@pytest.fixture
def settings(database_url, smtp, tmp_path_factory):
    return smtp_settings(database_url, smtp, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _errors(response) -> list[str]:
    """The messages a refused page shows, by field."""
    html = response.get_data(as_text=True)
    return re.findall(r'id="([\w-]+)-error">([^<]*)<', html) + re.findall(
        r'role="alert">([^<]*)<', html
    )


def _path(response) -> str:
    return urlsplit(response.location or "").path


def _photos_path(app) -> str:
    """The media views' photos page (the registration's 9th step)."""
    endpoint, values = steps.step_endpoint("photos")
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


@pytest.mark.both_backends
def test_a_full_registration_step_by_step(app, client, inbox):
    assert _path(client.get("/cinema/register")) == "/cinema/register/identity"
    first = client.get("/cinema/register/identity").get_data(as_text=True)
    assert "Étape 1 sur 10" in first
    assert 'name="email"' in first
    assert 'name="id_number"' in first
    assert "Précédent" not in first  # nothing before the first step

    created = client.post(
        "/cinema/register/identity",
        data={**identity_form(app), "csrf_token": csrf(client, "/cinema/register/identity")},
    )
    assert created.status_code == 302, _errors(created)
    assert _path(created) == "/cinema/register/contact"
    (message,) = inbox.wait_for(1)  # the verification link, as for talents
    assert message["To"] == "salma@example.ma"
    text, _html = text_and_html(message)
    verify_path = VERIFY_LINK.search(text).group(1)

    expected_next = {
        "contact": "/cinema/register/origins",
        "origins": "/cinema/register/languages",
        "languages": "/cinema/register/appearance",
        "appearance": "/cinema/register/sizes",
        "sizes": "/cinema/register/skills",
        "skills": "/cinema/register/experience",
        "experience": _photos_path(app),
    }
    for number, (step, following) in enumerate(expected_next.items(), start=2):
        page = client.get(f"/cinema/register/{step}").get_data(as_text=True)
        assert f"Étape {number} sur 10" in page, step
        assert "Précédent" in page, step
        answer = post_step(client, step, STEP_FORMS[step])
        assert answer.status_code == 302, (step, answer.get_data(as_text=True)[:3000])
        assert _path(answer) == following, step
    photos = client.get("/cinema/register/photos")
    assert photos.status_code == 200
    assert "Étape 9 sur 10" in photos.get_data(as_text=True)
    pass_photos_step(app, "salma@example.ma")
    assert _path(client.get("/cinema/register")) == "/cinema/register/visibility"
    assert "Étape 10 sur 10" in client.get("/cinema/register/visibility").get_data(as_text=True)
    done = post_step(client, "visibility", STEP_FORMS["visibility"])
    assert _path(done) == "/cinema/me"

    with app.app_context():
        user = user_by_email("salma@example.ma")
        profile = db.session.get(CastingProfile, user.id)
        assert user.can("talent")
        assert user.email_verified_at is None
        assert user.profile.visibility == "hidden"  # cinema-only: no empty directory card
        assert profile.is_complete
        assert profile.completed_at is not None
        assert re.fullmatch(r"MACAS0001F", profile.code)
        assert user.code.startswith("MAF")
        assert user.code != profile.code
        assert profile.id_document_type == "cin"
        assert profile.id_number == "BE123456"
        assert user.phone == "+212661234567"
        assert user.profile.nationality.iso2 == "MA"
        assert profile.origin_region == "Souss"
        assert {(lang.code, lang.level) for lang in user.profile.languages} == {
            ("ary", "native"),
            ("fr", "fluent"),
            ("shi", "conversational"),
        }
        assert sorted(profile.accents) == ["ary_marrakech", "ary_souss"]
        assert (profile.height_cm, profile.playing_age_min, profile.playing_age_max) == (
            168,
            25,
            35,
        )
        assert (profile.eye_colour, profile.skin_tone, profile.piercings) == (
            "hazel",
            "olive",
            "hidden",
        )
        assert (profile.shoe_size, profile.dress_size, profile.top_size) == (38.5, 38, "m")
        assert sorted(profile.talent_types) == ["background_dancer", "extra", "principal"]
        assert "riding_camel" in profile.skills
        assert sorted(profile.assets) == ["caftan", "camel"]
        assert [(c.title, c.kind, c.year, c.role) for c in profile.credits] == [
            ("Lumière d'Atlas", "commercial", 2025, None),  # newest first
            ("Le Royaume des sables", "series", 2024, "Figurante"),
        ]
        assert profile.artist_card_number == "ART-2024-771"
        assert profile.visibility == "staff"
        db.session.remove()

    summary = client.get("/cinema/me").get_data(as_text=True)
    assert "MACAS0001F" in summary
    assert summary.count("Modifier") >= 9
    assert "Le Royaume des sables" in summary
    assert "38,5" in summary
    # The e-mailed link verifies the address.
    assert client.get(verify_path).status_code in (200, 302)
    with app.app_context():
        assert user_by_email("salma@example.ma").email_verified_at is not None
        db.session.remove()


def test_editing_a_complete_profile_returns_to_the_summary(app, client, inbox):
    register_through(app, client, "visibility")
    page = client.get("/cinema/register/appearance").get_data(as_text=True)
    assert 'value="168"' in page  # what is stored is shown
    assert "« Enregistrer » vous ramène au résumé" in page
    changed = post_step(client, "appearance", {**STEP_FORMS["appearance"], "height_cm": "171"})
    assert _path(changed) == "/cinema/me"
    with app.app_context():
        user = user_by_email("salma@example.ma")
        profile = db.session.get(CastingProfile, user.id)
        assert profile.height_cm == 171
        assert profile.code == "MACAS0001F"
        db.session.remove()


def test_the_registration_resumes_after_logging_out_and_in(app, client, inbox):
    register_through(app, client, "languages")
    assert _path(client.get("/cinema/register")) == "/cinema/register/appearance"
    # A step not reached yet sends back to the next one to fill.
    assert _path(client.get("/cinema/register/skills")) == "/cinema/register/appearance"
    token = csrf(client, "/profile")
    client.post("/auth/logout", data={"csrf_token": token})
    assert _path(client.get("/cinema/register/appearance")) == "/auth/login"
    assert client.get("/cinema/register/identity").status_code == 200  # a new person's page

    assert login(client, "salma@example.ma", PASSWORD).status_code == 302
    assert _path(client.get("/cinema/register")) == "/cinema/register/appearance"
    # What was given is kept and shown again.
    page = client.get("/cinema/register/languages").get_data(as_text=True)
    assert re.search(r'<option value="native" selected>', page)
    assert 'value="ary_marrakech" checked' in page
    # The talent's space leads to it.
    assert "/cinema/me" in client.get("/profile").get_data(as_text=True)
    me = client.get("/cinema/me").get_data(as_text=True)
    assert "étape 5 sur 10" in me
    assert "Continuer mon inscription" in me


def test_an_existing_talent_adds_a_casting_profile_without_retyping(
    app, client, make_talent, inbox
):
    user_id = make_talent(
        email="karim@example.ma",
        first_name="Karim",
        last_name="Ouali",
        gender="M",
        date_of_birth=__import__("datetime").date(1990, 7, 1),
        phone="+212612345678",
        whatsapp="+212698765432",
        languages={"ary": "native", "en": "conversational"},
    )
    with app.app_context():
        from talento.geo.models import Country

        profile = db.session.get(TalentProfile, user_id)
        profile.nationality = db.session.scalars(select(Country).filter_by(iso2="MA")).one()
        db.session.commit()
        db.session.remove()
    assert login(client, "karim@example.ma").status_code == 302
    me = client.get("/cinema/me").get_data(as_text=True)
    assert "Créer mon profil casting" in me
    # /cinema/register sends an account without a casting profile to that button.
    assert _path(client.get("/cinema/register")) == "/cinema/me"
    assert _path(client.get("/cinema/register/identity")) == "/cinema/me"

    created = client.post("/cinema/me/create", data={"csrf_token": csrf(client, "/cinema/me")})
    assert _path(created) == "/cinema/register/identity"
    identity = client.get("/cinema/register/identity").get_data(as_text=True)
    for shown in ('value="Karim"', 'value="Ouali"', 'value="1990-07-01"'):
        assert shown in identity
    assert re.search(r'value="M" checked|checked[^>]*value="M"', identity)
    assert 'name="email"' not in identity
    assert 'name="password"' not in identity
    city_id = moroccan_city_id(app)  # make_user's residence: Casablanca, shown chosen
    assert re.search(
        rf'<option selected value="{city_id}"|<option value="{city_id}" selected', identity
    )
    answer = post_step(
        client,
        "identity",
        {
            "first_name": "Karim",
            "last_name": "Ouali",
            "date_of_birth": "1990-07-01",
            "gender": "M",
            "id_document_type": "passport",
            "id_number": "ab1234567",
            "country": "MA",
            "city": str(city_id),
        },
    )
    assert _path(answer) == "/cinema/register/contact", answer.get_data(as_text=True)[:2000]
    contact = client.get("/cinema/register/contact").get_data(as_text=True)
    assert 'value="+212612345678"' in contact
    assert 'value="+212698765432"' in contact
    origins = post_step(client, "contact", {"phone": "+212612345678", "whatsapp": "+212698765432"})
    assert _path(origins) == "/cinema/register/origins"
    page = client.get("/cinema/register/origins").get_data(as_text=True)
    assert '<option selected value="MA">' in page
    assert (
        _path(post_step(client, "origins", {"nationality": "MA"})) == "/cinema/register/languages"
    )
    languages = client.get("/cinema/register/languages").get_data(as_text=True)
    assert '<option value="native" selected' in languages
    assert '<option value="conversational" selected' in languages

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1  # one account
        user = db.session.get(User, user_id)
        casting = db.session.get(CastingProfile, user_id)
        assert casting.registration_step == "languages"
        assert user.profile.visibility == "public"  # the talent's own choice is untouched
        db.session.remove()


@pytest.mark.parametrize("capability", ["recruiter", "casting", "admin", "presence"])
def test_staff_accounts_have_no_casting_profile(app, client, make_user, capability):
    make_user(email="staff@example.org", capabilities=[capability])
    assert login(client, "staff@example.org").status_code == 302
    me = client.get("/cinema/me").get_data(as_text=True)
    assert 'id="not-a-talent"' in me
    assert "Créer mon profil casting" not in me
    refused = client.post("/cinema/me/create", data={"csrf_token": csrf(client, "/cinema/me")})
    assert refused.status_code == 403
    assert _path(client.get("/cinema/register/identity")) == "/cinema/me"
    assert _path(client.get("/cinema/register")) == "/cinema/me"


@pytest.mark.both_backends
def test_deleting_the_account_deletes_the_casting_profile(app, client):
    """One account: deleting it (its owner here; an admin alike) takes the casting side too."""
    user_id = prepare(app, "experience")
    assert login(client, "salma@example.ma", PASSWORD).status_code == 302
    token = csrf(client, "/profile/delete")
    answer = client.post(
        "/profile/delete", data={"password": PASSWORD, "confirm": "y", "csrf_token": token}
    )
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id) is None
        assert db.session.get(CastingProfile, user_id) is None
        left = db.session.execute(
            text("SELECT count(*) FROM casting_credits WHERE user_id = :id"), {"id": user_id}
        ).scalar_one()
        assert left == 0
        db.session.remove()
