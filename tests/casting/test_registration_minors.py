"""A minor registers only with a parent or guardian: name, relationship, phone, e-mail and a
consent whose time is recorded; the guardian is whom casting staff contact; a minor's profile
is never public (issue 13, point 2)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, text

from talento.accounts.models import User
from talento.casting.models import CastingProfile
from talento.casting.services import contact_for
from talento.extensions import db, utctoday
from tests.casting.registration_helpers import (
    clean_casting,  # noqa: F401  (fixture)
    csrf,
    identity_form,
    pass_photos_step,
    post_step,
    register_through,
    user_by_email,
)

pytestmark = pytest.mark.usefixtures("clean_casting")

GUARDIAN = {
    "guardian_name": "Fatima Ait Benhaddou",
    "guardian_relationship": "mother",
    "guardian_phone": "06 70 11 22 33",
    "guardian_email": "fatima@example.ma",
    "guardian_consent": "y",
}


def _born_years_ago(years: int) -> str:
    today = utctoday()
    return dt.date(today.year - years, 1, 1).isoformat()


def _first_page(app, client, **fields):
    url = "/cinema/register/identity"
    data = identity_form(app, email="yousra@example.ma", id_number="BK998877", **fields)
    return client.post(url, data={**data, "csrf_token": csrf(client, url)})


def _accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.both_backends
def test_a_minor_without_guardian_is_refused_and_the_page_asks_for_one(app, client):
    answer = _first_page(app, client, date_of_birth=_born_years_ago(14))
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert '<fieldset class="cinema-fieldset" id="guardian">' in page  # shown, not folded
    for name in ("guardian_name", "guardian_relationship", "guardian_phone", "guardian_email"):
        assert f'id="{name}-error"' in page, name
    assert "Le parent ou tuteur doit donner son accord" in page
    assert 'value="Salma"' in page  # what was typed is kept
    with app.app_context():
        assert _accounts() == 0
        db.session.remove()

    # Everything but the consent: still refused.
    no_consent = {k: v for k, v in GUARDIAN.items() if k != "guardian_consent"}
    answer = _first_page(app, client, date_of_birth=_born_years_ago(14), **no_consent)
    assert answer.status_code == 400
    assert 'id="guardian_consent-error"' in answer.get_data(as_text=True)
    with app.app_context():
        assert _accounts() == 0
        db.session.remove()


@pytest.mark.both_backends
def test_a_minor_registers_with_a_guardian_who_is_the_contact(app, client):
    before = dt.datetime.now(dt.UTC)
    answer = _first_page(app, client, date_of_birth=_born_years_ago(12), **GUARDIAN)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    with app.app_context():
        user = user_by_email("yousra@example.ma")
        profile = db.session.get(CastingProfile, user.id)
        assert profile.guardian_name == "Fatima Ait Benhaddou"
        assert profile.guardian_relationship == "mother"
        assert profile.guardian_phone == "+212670112233"
        assert profile.guardian_email == "fatima@example.ma"
        assert profile.guardian_consent_at is not None
        assert profile.guardian_consent_at >= before - dt.timedelta(seconds=5)
        user.phone = "+212661234567"  # the minor's own phone, never the one to call
        assert contact_for(profile, user) == (
            "Fatima Ait Benhaddou",
            "+212670112233",
            "fatima@example.ma",
        )
        # The guardian's contact is encrypted at rest like every contact.
        raw = db.session.execute(
            text("SELECT guardian_phone, guardian_email FROM casting_profiles")
        ).one()
        assert "670112233" not in raw[0]
        assert "fatima" not in raw[1]
        db.session.remove()


def test_a_minor_cannot_choose_a_public_page(app, client):
    register_through(
        app,
        client,
        "experience",
        email="yousra@example.ma",
        id_number="BK998877",
        date_of_birth=_born_years_ago(15),
        **GUARDIAN,
    )
    pass_photos_step(app, "yousra@example.ma")
    page = client.get("/cinema/register/visibility").get_data(as_text=True)
    assert 'id="minor-note"' in page
    refused = post_step(client, "visibility", {"visibility": "public"})
    assert refused.status_code == 400
    assert "Le profil d&#39;un mineur n&#39;est jamais public" in refused.get_data(as_text=True)
    with app.app_context():
        profile = db.session.get(CastingProfile, user_by_email("yousra@example.ma").id)
        assert profile.visibility == "staff"
        assert not profile.is_complete
        db.session.remove()
    assert post_step(client, "visibility", {"visibility": "staff"}).status_code == 302


def test_an_adult_is_their_own_contact_and_keeps_no_guardian(app, client):
    register_through(app, client, "contact", **GUARDIAN)  # an adult who filled the fold anyway
    with app.app_context():
        user = user_by_email("salma@example.ma")
        profile = db.session.get(CastingProfile, user.id)
        assert profile.guardian_name is None
        assert profile.guardian_consent_at is None
        assert contact_for(profile, user) == (
            "Salma Ait Benhaddou",
            "+212661234567",
            "salma@example.ma",
        )
        db.session.remove()


def test_a_baby_is_a_minor_too(app, client):
    answer = _first_page(app, client, date_of_birth=_born_years_ago(0))
    assert answer.status_code == 400
    assert 'id="guardian_name-error"' in answer.get_data(as_text=True)


def test_an_adult_who_becomes_a_minor_by_correction_needs_a_guardian(app, client):
    """Correcting the date of birth later on the identity page asks for the guardian too, and
    a public page chosen before is withdrawn."""
    register_through(app, client, "visibility")
    post_step(client, "visibility", {"visibility": "public"})
    with app.app_context():
        user = user_by_email("salma@example.ma")
        assert db.session.get(CastingProfile, user.id).visibility == "public"
        city = str(user.city_id)
        db.session.remove()
    identity = {
        "first_name": "Salma",
        "last_name": "Ait Benhaddou",
        "gender": "F",
        "id_document_type": "cin",
        "id_number": "BE123456",
        "country": "MA",
        "city": city,
        "date_of_birth": _born_years_ago(16),
    }
    refused = post_step(client, "identity", identity)
    assert refused.status_code == 400
    assert re.search(r'id="guardian_name-error"', refused.get_data(as_text=True))
    assert post_step(client, "identity", {**identity, **GUARDIAN}).status_code == 302
    with app.app_context():
        profile = db.session.get(CastingProfile, user_by_email("salma@example.ma").id)
        assert profile.visibility == "staff"
        assert profile.guardian_email == "fatima@example.ma"
        db.session.remove()
