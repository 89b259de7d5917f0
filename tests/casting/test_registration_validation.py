"""Each step refuses what it cannot store with a form error (400, what was typed kept), never a
500; the services refuse unknown codes themselves; the ID number is encrypted at rest and a
number already registered is refused (issue 13, point 2)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from talento.accounts.models import User
from talento.casting.inputs import AppearanceInput, SkillsInput
from talento.casting.models import CastingProfile
from talento.casting.services import save_step
from talento.extensions import db
from talento.refusals import Refused
from tests.casting.registration_helpers import (
    PASSWORD,
    STEP_FORMS,
    clean_casting,  # noqa: F401  (fixture)
    csrf,
    identity_form,
    post_step,
    prepare,
    register_through,
    user_by_email,
)
from tests.helpers import login

pytestmark = pytest.mark.usefixtures("clean_casting")

#: step -> (changes to the step's accepted form, the field whose error shows, a message part)
REFUSALS = {
    "height below 100": ("appearance", {"height_cm": "99"}, "height_cm", "100 à 250"),
    "height above 250": ("appearance", {"height_cm": "251"}, "height_cm", "100 à 250"),
    "playing age min > max": (
        "appearance",
        {"playing_age_min": "40", "playing_age_max": "30"},
        "playing_age_max",
        "supérieur ou égal",
    ),
    "unknown eye colour": ("appearance", {"eye_colour": "purple"}, "eye_colour", ""),
    "huge weight": ("appearance", {"weight_kg": "9" * 5000}, "weight_kg", ""),
    "weight below 10": ("appearance", {"weight_kg": "5"}, "weight_kg", "entre 10 et 250"),
    "shoe size not a half": ("sizes", {"shoe_size": "38,3"}, "shoe_size", "38,5"),
    "shoe size NaN": ("sizes", {"shoe_size": "NaN"}, "shoe_size", ""),
    "dress size out of range": ("sizes", {"dress_size": "200"}, "dress_size", ""),
    "unknown top size": ("sizes", {"top_size": "xxxxl"}, "top_size", ""),
    "no talent type": ("skills", {"talent_types": []}, "talent_types", "au moins un"),
    "unknown talent type": ("skills", {"talent_types": ["astronaut"]}, "talent_types", ""),
    "unknown skill": ("skills", {"skills": ["levitation"]}, "skills", ""),
    "unknown asset": ("skills", {"assets": ["unicorn"]}, "assets", ""),
    "no language": ("languages", {"lang-ary": "", "lang-fr": "", "lang-shi": ""}, "languages", ""),
    "accent without its language": (
        "languages",
        {"accents": ["en_british"]},
        "accents",
        "Anglais britannique",
    ),
    "unknown accent": ("languages", {"accents": ["klingon"]}, "accents", ""),
    "credit year 1800": ("experience", {"credits-0-year": "1800"}, "credits-0-year", "1900"),
    "unknown credit kind": ("experience", {"credits-0-kind": "opera"}, "credits-0-kind", ""),
    "card date without number": (
        "experience",
        {"artist_card_number": ""},
        "artist_card_number",
        "numéro",
    ),
    "phone of another country": ("contact", {"phone": "0612"}, "phone", "06 "),
    "unknown nationality": ("origins", {"nationality": "ZZ"}, "nationality", ""),
    "unknown ethnicity": ("origins", {"ethnicity": "martian"}, "ethnicity", ""),
    "unknown visibility": ("visibility", {"visibility": "everyone"}, "visibility", ""),
}


@pytest.mark.parametrize("step", sorted({step for step, *_rest in REFUSALS.values()}))
def test_a_step_refuses_with_a_form_error(app, client, step):
    prepare(app, "photos")  # every step is reachable
    assert login(client, "salma@example.ma", PASSWORD).status_code == 302
    for case, (case_step, changes, field, message) in REFUSALS.items():
        if case_step != step:
            continue
        answer = post_step(client, step, {**STEP_FORMS[step], **changes})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400, (case, page[:2000])
        assert f'id="{field}-error"' in page, (case, page[:3000])
        assert message in page, case
        assert "Certains champs sont à corriger" in page, case
    # The same page without the wrong value is saved: the refusals were the values'.
    assert post_step(client, step, STEP_FORMS[step]).status_code == 302


def test_what_was_typed_is_kept_on_error(app, client):
    prepare(app, "sizes")
    assert login(client, "salma@example.ma", PASSWORD).status_code == 302
    answer = post_step(client, "appearance", {**STEP_FORMS["appearance"], "height_cm": "99"})
    page = answer.get_data(as_text=True)
    assert 'value="99"' in page
    assert 'value="25"' in page  # the playing age typed beside it
    assert '<option selected value="hazel">' in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_document_type": "driving_licence"}, "id_document_type"),
        ({"id_number": "<script>"}, "id_number"),
        ({"id_number": "AB"}, "id_number"),
        ({"gender": "X"}, "gender"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1800-01-01"}, "date_of_birth"),
        ({"city": "999999999"}, "city"),
        ({"consent": ""}, "consent"),
        ({"password_confirm": "something-else-2026"}, "password_confirm"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_the_first_page_refuses_with_a_form_error(app, client, changes, field):
    url = "/cinema/register/identity"
    answer = client.post(
        url, data={**identity_form(app, **changes), "csrf_token": csrf(client, url)}
    )
    assert answer.status_code == 400
    assert f'id="{field}-error"' in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.session.remove()


def test_show_cities_and_add_a_row_send_the_page_back_without_saving(app, client):
    url = "/cinema/register/identity"
    data = {**identity_form(app, country="SN", city=""), "show_cities": "1"}
    answer = client.post(url, data={**data, "csrf_token": csrf(client, url)})
    assert answer.status_code == 200
    assert "Dakar" in answer.get_data(as_text=True)
    assert 'id="city-error"' not in answer.get_data(as_text=True)

    prepare(app, "skills")
    assert login(client, "salma@example.ma", PASSWORD).status_code == 302
    rows = {**STEP_FORMS["experience"], "add_row": "1"}
    answer = post_step(client, "experience", rows)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'name="credits-3-title"' in page  # a fourth row
    assert 'value="Le Royaume des sables"' in page  # the typed row is kept
    with app.app_context():
        profile = db.session.get(CastingProfile, user_by_email("salma@example.ma").id)
        assert profile.credits == []
        assert profile.registration_step == "experience"
        db.session.remove()


def test_the_services_refuse_unknown_codes_themselves(app):
    """A caller that skips the form (an import, a script) gets Refused, not a database error."""
    prepare(app, "sizes")
    with app.app_context():
        user = user_by_email("salma@example.ma")
        profile = db.session.get(CastingProfile, user.id)
        with pytest.raises(Refused) as refused:
            save_step(
                db.session,
                user,
                profile,
                "appearance",
                AppearanceInput(
                    height_cm=300,
                    playing_age_min=30,
                    playing_age_max=20,
                    eye_colour="purple",
                ),
            )
        assert {r.field for r in refused.value} == {"height_cm", "playing_age_max", "eye_colour"}
        with pytest.raises(Refused):
            save_step(db.session, user, profile, "skills", SkillsInput(talent_types=["x"]))
        db.session.rollback()
        db.session.remove()


@pytest.mark.both_backends
def test_the_id_number_is_encrypted_at_rest_and_a_duplicate_is_refused(app, client):
    register_through(app, client, "identity")
    with app.app_context():
        stored, index = db.session.execute(
            text("SELECT id_number, id_number_index FROM casting_profiles")
        ).one()
        assert "BE123456" not in stored
        assert "123456" not in stored
        assert index
        db.session.remove()

    other = app.test_client()
    url = "/cinema/register/identity"
    answer = other.post(
        url,
        data={
            **identity_form(app, email="autre@example.ma", id_number=" be-123 456 "),
            "csrf_token": csrf(other, url),
        },
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'id="id_number-error"' in page
    assert "déjà enregistré pour un autre profil casting" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        db.session.remove()
    # The owner saving their own number again is not a duplicate.
    with app.app_context():
        city = str(user_by_email("salma@example.ma").city_id)
        db.session.remove()
    again = post_step(
        client,
        "identity",
        {
            "first_name": "Salma",
            "last_name": "Ait Benhaddou",
            "date_of_birth": "1996-04-02",
            "gender": "F",
            "id_document_type": "cin",
            "id_number": "BE 123 456",
            "country": "MA",
            "city": city,
        },
    )
    assert again.status_code == 302


def test_later_steps_need_the_account(client):
    for step in ("contact", "origins", "visibility"):
        answer = client.get(f"/cinema/register/{step}")
        assert answer.status_code == 302
        assert answer.location.startswith("/auth/login")
    assert client.get("/cinema/register/unknown").status_code == 404
    assert client.get("/cinema/me").status_code == 302


#: Values meant to break something (tests/attacks/test_attack_hostile_input.py has the long list;
#: the matrix's accounts have no casting profile, so its crawl only reaches the first page).
HOSTILE = ("9" * 5000, "1e309", "NaN", "-1", "' OR 1=1 --", "<script>x</script>", "A" * 5000)


def test_hostile_values_in_every_step_never_give_5xx(app, client):
    prepare(app, "photos")
    assert login(client, "salma@example.ma", PASSWORD).status_code == 302
    token = csrf(client, "/cinema/register/contact")
    identity = {"first_name": "Salma", "id_number": "BE123456", "date_of_birth": "1996-04-02"}
    forms = {**STEP_FORMS, "identity": {**identity, **{"guardian_phone": "", "country": "MA"}}}
    failures = []
    for step, fields in forms.items():
        url = f"/cinema/register/{step}"
        for value in HOSTILE:
            everything = dict.fromkeys(fields, value)
            alone = [{**fields, name: value} for name in fields] if len(value) > 100 else []
            for data in [everything, *alone]:
                answer = client.post(url, data={**data, "csrf_token": token})
                if answer.status_code >= 500:
                    failures.append(f"{step} {sorted(data)[:3]} {value[:20]!r}")
    assert not failures, failures
