"""The casting profile's copy of the account's searched fields (gender, date of birth,
residence, active flag; migration 0013): filled when the profile is made, followed when the
account changes through the services that write it (the talent's profile edit, the CINEMA
identity step, an admin's deactivation) or any other statement, never writable apart, and the
search finds the edited profile by its new values at once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from talento.extensions import db
from tests.casting.search_fixtures import make_casting  # noqa: F401  (fixture)

pytestmark = pytest.mark.both_backends

COPIED = ("gender", "date_of_birth", "country_id", "city_id", "is_active_account")


def _pairs(user_id: int) -> tuple[tuple, tuple]:
    """(the account's values, the casting profile's copy), read back from the database."""
    columns = ", ".join(f"u.{c}" for c in COPIED) + ", " + ", ".join(f"c.{c}" for c in COPIED)
    sql = f"SELECT {columns} FROM users u JOIN casting_profiles c ON c.user_id = u.id"  # noqa: S608
    row = db.session.execute(text(sql + " WHERE u.id = :u"), {"u": user_id}).one()
    n = len(COPIED)
    return tuple(row[:n]), tuple(row[n:])


def _found(app, **args) -> set[str]:
    from talento.casting.search.facets import facet_counts
    from talento.casting.search.filters import parse_filters
    from talento.casting.search.query import search
    from talento.extensions import utctoday

    with app.app_context():
        f = parse_filters(args)
        facets = facet_counts(db.session, f, utctoday())
        page = search(db.session, f, utctoday(), total=facets.total, per_page=100)
        db.session.remove()
    assert facets.total == len(page.items)
    return {card.last_name for card in page.items}


def _city(code: str) -> int:
    from talento.geo.models import City, Country

    return db.session.scalars(
        db.select(City.id).join(Country).where(Country.iso2 == "MA", City.code == code)
    ).one()


def test_the_copy_is_made_with_the_profile(app, make_casting):  # noqa: F811
    user_id = make_casting(last_name="Amrani", gender="F", age=25, city="OZZ")
    with app.app_context():
        account, copy = _pairs(user_id)
        assert copy == account
        assert copy[0] == "F"
        assert copy[2] is not None
        assert copy[3] == _city("OZZ")
        assert copy[4] in (True, 1)


def test_the_copy_follows_the_talents_profile_edit(app, make_casting):  # noqa: F811
    from talento.accounts.models import User
    from talento.profiles.services import ProfileInput, apply_profile

    user_id = make_casting(last_name="Amrani", gender="F", age=25, city="OZZ")
    assert _found(app, gender="F", age_min="20", age_max="30", city="") == {"Amrani"}
    with app.app_context():
        user = db.session.get(User, user_id)
        born = dt.date(1980, 3, 4)
        data = ProfileInput(
            first_name=user.first_name,
            last_name=user.last_name,
            gender="M",
            date_of_birth=born,
            nationality_iso2="MA",
            phone="",
            country_iso2="MA",
            city_id=_city("ZAG"),
            skills=["actor"],
        )
        apply_profile(db.session, user, user.profile, data)
        db.session.commit()
        account, copy = _pairs(user_id)
        assert copy == account
        assert copy[:2] == ("M", born) or copy[:2] == ("M", born.isoformat())
        assert copy[3] == _city("ZAG")
        zagora = _city("ZAG")
        db.session.remove()
    assert _found(app, gender="F") == set()
    assert _found(app, gender="M", age_min="40") == {"Amrani"}
    assert _found(app, city=str(zagora)) == {"Amrani"}


def test_the_copy_follows_the_casting_identity_step(app, make_casting):  # noqa: F811
    from talento.accounts.models import User
    from talento.casting.services import casting_of

    user_id = make_casting(last_name="Amrani", gender="F", age=25, city="OZZ")
    with app.app_context():
        user = db.session.get(User, user_id)
        assert casting_of(user) is not None
        # casting.services.save_identity writes these attributes on the account (its form's
        # validation is tested with the registration); the copy follows the flush.
        user.gender, user.date_of_birth = "M", dt.date(1990, 5, 6)
        db.session.commit()
        account, copy = _pairs(user_id)
        assert copy == account
        db.session.remove()
    assert _found(app, gender="M") == {"Amrani"}


def test_a_deactivated_account_leaves_the_search_at_once(app, make_casting, make_user):  # noqa: F811
    from talento.accounts.models import User
    from talento.admin import users as service
    from talento.audit.services import Actor

    user_id = make_casting(last_name="Amrani", gender="F", age=25)
    admin_id = make_user(capabilities=["admin"], code="MAN0001RAB", email="a1@example.org")
    assert _found(app) == {"Amrani"}
    with app.test_request_context():
        admin, talent = db.session.get(User, admin_id), db.session.get(User, user_id)
        assert service.set_active(db.session, admin, talent, False, Actor())
        db.session.commit()
        account, copy = _pairs(user_id)
        assert copy == account
        assert copy[4] in (False, 0)
        db.session.remove()
    assert _found(app) == set()
    with app.app_context():  # any other statement too (an operator's UPDATE)
        db.session.execute(text("UPDATE users SET is_active_account = :yes"), {"yes": True})
        db.session.commit()
        db.session.remove()
    assert _found(app) == {"Amrani"}


def test_the_copy_cannot_be_written_apart_from_the_account(app, make_casting):  # noqa: F811
    from talento.casting.models import CastingProfile

    user_id = make_casting(last_name="Amrani", gender="F", age=25, city="OZZ")
    with app.app_context():
        db.session.execute(
            text("UPDATE casting_profiles SET gender = 'M', city_id = NULL WHERE user_id = :u"),
            {"u": user_id},
        )
        profile = db.session.get(CastingProfile, user_id)
        profile.gender = "M"  # the ORM neither
        db.session.commit()
        account, copy = _pairs(user_id)
        assert copy == account
        assert copy[0] == "F"
        db.session.remove()
    assert _found(app, gender="F") == {"Amrani"}
