"""CINEMA codes given when a registration completes: race-free under concurrent registrations
into one country and city, continuing in base 36 after 9999 (issue 13, points 2 and 4)."""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from talento.casting.inputs import IdentityInput, NewAccount
from talento.casting.models import CastingCodeCounter, CastingProfile
from talento.casting.services import complete_registration, start_registration
from talento.extensions import db
from tests.casting.registration_helpers import (
    PASSWORD,
    clean_casting,  # noqa: F401  (fixture)
    prepare,
)
from tests.helpers import moroccan_city_id

pytestmark = pytest.mark.usefixtures("clean_casting")


def _register_and_complete(app, n: int, city_id: int) -> str:
    """One person, in their own session (thread), from the first page to the CINEMA code."""
    with app.app_context():
        user = start_registration(
            db.session,
            app.extensions["talento.passwords"],
            NewAccount(email=f"figurant{n}@example.ma", password=PASSWORD, consent=True),
            IdentityInput(
                first_name="Hamid",
                last_name=f"Figurant {n}",
                date_of_birth=dt.date(1990, 1, 1),
                gender="M",
                id_document_type="cin",
                id_number=f"JB{n:06d}",
                country_iso2="MA",
                city_id=city_id,
            ),
        )
        profile = db.session.get(CastingProfile, user.id)
        code = complete_registration(db.session, user, profile)
        db.session.commit()
        db.session.remove()
    return code


@pytest.mark.committed
def test_fifty_concurrent_registrations_into_one_city_get_fifty_distinct_codes(app):
    city_id = moroccan_city_id(app, "OZZ")  # Ouarzazate
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: _register_and_complete(app, n, city_id), range(50)))
    assert len(set(codes)) == 50
    assert all(re.fullmatch(r"MAOZZ\d{4}M", code) for code in codes), codes
    assert sorted(int(code[5:9]) for code in codes) == list(range(1, 51))
    with app.app_context():
        stored = set(db.session.scalars(select(CastingProfile.code)))
        db.session.remove()
    assert stored == set(codes)


@pytest.mark.both_backends
def test_codes_continue_in_base_36_after_9999(app):
    with app.app_context():
        db.session.add(CastingCodeCounter(country_iso2="MA", last_value=9999))
        db.session.commit()
        db.session.remove()
    user_id = prepare(app, "visibility")  # the last step completes the registration
    with app.app_context():
        profile = db.session.get(CastingProfile, user_id)
        assert profile.code == "MACASA000F"
        assert len(profile.code) == 10
        db.session.remove()
