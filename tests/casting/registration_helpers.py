"""Shared by the casting registration tests: a registration that succeeds step by step, the
pages' CSRF tokens, and the cleaning of the casting tables after tests whose commits are real
(SQLite, ``committed``): tests/helpers.PER_TEST_TABLES does not list them yet."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text

from talento.accounts.models import User
from talento.casting import steps
from talento.casting.models import CastingProfile
from talento.extensions import db
from tests.helpers import _csrf_from, moroccan_city_id

PASSWORD = "Ouarzazate-Plateau-2026"
CASTING_TABLES = (
    "casting_credits",
    "casting_photos",
    "casting_accents",
    "casting_assets",
    "casting_skills",
    "casting_talent_types",
    "casting_profiles",
    "casting_code_counters",
)


@pytest.fixture
def clean_casting(database_url):
    """Empty the casting tables after the test (rows committed for real survive otherwise)."""
    yield
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for table in CASTING_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
    engine.dispose()


def identity_form(app, **overrides) -> dict:
    """The first page of someone new, accepted as is (an adult living in Casablanca)."""
    data = {
        "first_name": "Salma",
        "last_name": "Ait Benhaddou",
        "date_of_birth": "1996-04-02",
        "gender": "F",
        "id_document_type": "cin",
        "id_number": "be 123 456",
        "country": "MA",
        "city": str(moroccan_city_id(app)),
        "email": "salma@example.ma",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "consent": "y",
    }
    data.update(overrides)
    return data


#: What each later step sends (accepted as is for an adult woman).
STEP_FORMS: dict[str, dict] = {
    "contact": {"phone": "06 61 23 45 67", "whatsapp": ""},
    "origins": {
        "nationality": "MA",
        "origin_country": "MA",
        "origin_region": "Souss",
        "ethnicity": "north_african",
    },
    "languages": {
        "lang-ary": "native",
        "lang-fr": "fluent",
        "lang-shi": "conversational",
        "accents": ["ary_marrakech", "ary_souss"],
    },
    "appearance": {
        "height_cm": "168",
        "weight_kg": "58",
        "playing_age_min": "25",
        "playing_age_max": "35",
        "eye_colour": "hazel",
        "hair_colour": "black",
        "hair_type": "curly",
        "hair_length": "long",
        "skin_tone": "olive",
        "build": "slim",
        "tattoos": "none",
        "piercings": "hidden",
    },
    "sizes": {
        "top_size": "m",
        "chest_cm": "88",
        "waist_cm": "68",
        "hips_cm": "94",
        "dress_size": "38",
        "trouser_size": "38",
        "shoe_size": "38,5",
        "hat_size_cm": "56",
    },
    "skills": {
        "talent_types": ["principal", "extra", "background_dancer"],
        "skills": ["riding_camel", "dance_ahwach", "swimming", "licence_b"],
        "assets": ["caftan", "camel"],
        "assets_note": "Un dromadaire à Ouarzazate.",
    },
    "experience": {
        "credits-0-title": "Le Royaume des sables",
        "credits-0-kind": "series",
        "credits-0-year": "2024",
        "credits-0-role": "Figurante",
        "credits-1-title": "Lumière d'Atlas",
        "credits-1-kind": "commercial",
        "credits-1-year": "2025",
        "credits-2-title": "",
        "credits-2-kind": "film",
        "artist_card_number": "ART-2024-771",
        "artist_card_expires_on": "2027-12-31",
    },
    "visibility": {"visibility": "staff"},
}


def csrf(client, url: str) -> str:
    return _csrf_from(client.get(url).get_data(as_text=True))


def post_step(client, step: str, data: dict, **kwargs):
    url = f"/cinema/register/{step}"
    token = csrf(client, url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def user_by_email(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def pass_photos_step(app, email: str) -> None:
    """What the media views' photos page does once its photos are in: advance the profile."""
    with app.app_context():
        user = user_by_email(email)
        profile = db.session.get(CastingProfile, user.id)
        steps.advance(profile, "photos")
        db.session.commit()
        db.session.remove()


def register_through(app, client, last_step: str, **identity) -> None:
    """Register someone new and fill every step up to and including `last_step`."""
    response = client.post(
        "/cinema/register/identity",
        data={
            **identity_form(app, **identity),
            "csrf_token": csrf(client, "/cinema/register/identity"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    if last_step == "identity":
        return
    for step in steps.REGISTRATION_STEPS[1:]:
        if step == "photos":
            pass_photos_step(app, identity.get("email", "salma@example.ma"))
        else:
            answer = post_step(client, step, STEP_FORMS[step])
            assert answer.status_code == 302, (step, answer.get_data(as_text=True)[:3000])
        if step == last_step:
            return


def step_inputs() -> dict:
    """The services' plain data for STEP_FORMS (same values)."""
    import datetime as dt

    from talento.casting import inputs

    return {
        "contact": inputs.ContactInput(phone="+212661234567"),
        "origins": inputs.OriginsInput("MA", "MA", "Souss", "north_african"),
        "languages": inputs.LanguagesInput(
            {"ary": "native", "fr": "fluent", "shi": "conversational"},
            ["ary_marrakech", "ary_souss"],
        ),
        "appearance": inputs.AppearanceInput(
            height_cm=168,
            playing_age_min=25,
            playing_age_max=35,
            eye_colour="hazel",
            hair_colour="black",
            skin_tone="olive",
            build="slim",
            weight_kg=58,
            hair_type="curly",
            hair_length="long",
            tattoos="none",
            piercings="hidden",
        ),
        "sizes": inputs.SizesInput({"top_size": "m", "shoe_size": 38.5, "dress_size": 38}),
        "skills": inputs.SkillsInput(["principal", "extra"], ["riding_camel"], ["caftan"]),
        "experience": inputs.ExperienceInput(
            [inputs.CreditInput("Le Royaume des sables", "series", 2024, "Figurante")],
            "ART-2024-771",
            dt.date(2027, 12, 31),
        ),
        "visibility": inputs.VisibilityInput("staff"),
    }


def prepare(app, last_step: str, email: str = "salma@example.ma", **identity) -> int:
    """Register someone through the services up to `last_step` included (faster than the pages
    when the pages of those steps are not what a test is about). Returns the user id."""
    import datetime as dt

    from talento.casting.inputs import IdentityInput, NewAccount
    from talento.casting.services import save_step, start_registration

    values = {
        "first_name": "Salma",
        "last_name": "Ait Benhaddou",
        "date_of_birth": dt.date(1996, 4, 2),
        "gender": "F",
        "id_document_type": "cin",
        "id_number": "BE123456",
        "country_iso2": "MA",
        "city_id": moroccan_city_id(app),
        **identity,
    }
    with app.app_context():
        user = start_registration(
            db.session,
            app.extensions["talento.passwords"],
            NewAccount(email=email, password=PASSWORD, consent=True),
            IdentityInput(**values),
        )
        profile = db.session.get(CastingProfile, user.id)
        data = step_inputs()
        for step in steps.REGISTRATION_STEPS[1:]:
            if steps.REGISTRATION_STEPS.index(step) > steps.REGISTRATION_STEPS.index(last_step):
                break
            if step == "photos":
                steps.advance(profile, "photos")
            else:
                save_step(db.session, user, profile, step, data[step])
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return user_id
