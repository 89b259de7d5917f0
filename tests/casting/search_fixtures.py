"""Hand-made casting profiles for the casting search's tests."""

from __future__ import annotations

import datetime as dt

import pytest

PROFILE_FIELDS = {
    "code", "visibility", "registration_step", "ethnicity", "height_cm", "eye_colour",
    "hair_colour", "hair_type", "hair_length", "skin_tone", "build", "top_size", "shoe_size",
    "playing_age_min", "playing_age_max", "artist_card_verified_at", "voice_reel_name",
    "updated_at", "created_at",
}  # fmt: skip


def born(years: int, today: dt.date | None = None) -> dt.date:
    today = today or dt.datetime.now(dt.UTC).date()
    return today.replace(year=today.year - years) - dt.timedelta(days=10)


@pytest.fixture
def make_casting(app, make_talent):
    """A talent with a complete casting profile; returns the user id.

    Casting fields are keyword arguments (see PROFILE_FIELDS), plus ``types``, ``skills_c``,
    ``assets``, ``accents`` (code lists), ``photo`` (True: a primary photo row), ``age``
    (years) and ``city`` (a Moroccan city code); the rest goes to make_talent.
    """
    from talento.casting.models import (
        CastingAccent,
        CastingAsset,
        CastingPhoto,
        CastingProfile,
        CastingSkill,
        CastingTalentType,
    )
    from talento.extensions import db
    from talento.geo.models import City, Country

    counter = {"n": 0}

    def factory(**fields) -> int:
        counter["n"] += 1
        n = counter["n"]
        values = {k: fields.pop(k) for k in list(fields) if k in PROFILE_FIELDS}
        values.setdefault("code", f"MACAS{n:04d}{fields.get('gender', 'F')}")
        values.setdefault("registration_step", "done")
        types = fields.pop("types", ["extra"])
        skills = fields.pop("skills_c", [])
        assets = fields.pop("assets", [])
        accents = fields.pop("accents", [])
        photo = fields.pop("photo", False)
        if "age" in fields:
            fields["date_of_birth"] = born(fields.pop("age"))
        city_code = fields.pop("city", None)
        fields.setdefault("email", f"casting{n}@example.org")
        fields.setdefault("code", f"MAF{n + 500:04d}CAS")
        user_id = make_talent(**fields)
        with app.app_context():
            if city_code:
                from talento.accounts.models import User

                city = db.session.scalars(
                    db.select(City)
                    .join(Country)
                    .where(Country.iso2 == "MA", City.code == city_code)
                ).one()
                db.session.get(User, user_id).city_id = city.id
            profile = CastingProfile(user_id=user_id, **values)
            profile.talent_type_rows = [CastingTalentType(code=c) for c in types]
            profile.skill_rows = [CastingSkill(code=c) for c in skills]
            profile.asset_rows = [CastingAsset(code=c) for c in assets]
            profile.accent_rows = [CastingAccent(code=c) for c in accents]
            if photo:
                name = f"{n:022d}.jpg"
                profile.photos = [CastingPhoto(name=name, thumb_name=name, is_primary=True)]
            db.session.add(profile)
            db.session.commit()
            db.session.remove()
        return user_id

    return factory
