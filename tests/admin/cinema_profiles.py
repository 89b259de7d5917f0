"""Casting profiles made with the ORM for the admin's CINEMA tests (no registration pages)."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select, update

from talento.accounts.models import User
from talento.casting.models import CastingPhoto, CastingProfile, CastingTalentType
from talento.extensions import db
from talento.geo.models import Country

_names = itertools.count(1)


def add_casting(
    app,
    user_id: int,
    *,
    step: str = "done",
    types: tuple[str, ...] = (),
    photo: bool = False,
    born: dt.date | None = None,
    country: str | None = None,
    card: str | None = None,
    expires: dt.date | None = None,
    verified_at: dt.datetime | None = None,
    guardian_name: str | None = None,
    guardian_email: str | None = None,
    requested_at: dt.datetime | None = None,
    height: int | None = 175,
    playing_age: tuple[int, int] | None = (20, 30),
    updated_at: dt.datetime | None = None,
) -> int:
    """Give `user_id` (a make_talent user) a casting profile; returns the user id."""
    with app.app_context():
        values: dict = {"date_of_birth": born}
        if country:
            values["country_id"] = db.session.scalar(select(Country.id).filter_by(iso2=country))
            values["city_id"] = None
        db.session.execute(update(User).where(User.id == user_id).values(**values))
        n = next(_names)
        profile = CastingProfile(
            user_id=user_id,
            registration_step=step,
            completed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if step == "done" else None,
            talent_type_rows=[CastingTalentType(code=code) for code in types],
            photos=[
                CastingPhoto(
                    kind="headshot",
                    name=f"{n:022d}.jpg",
                    thumb_name=f"{n:022d}.webp",
                    is_primary=True,
                )
            ]
            if photo
            else [],
            artist_card_number=card,
            artist_card_expires_on=expires,
            artist_card_verified_at=verified_at,
            guardian_name=guardian_name,
            guardian_email=guardian_email,
            guardian_relationship="mother" if guardian_name else None,
            completion_requested_at=requested_at,
            height_cm=height,
            playing_age_min=playing_age[0] if playing_age else None,
            playing_age_max=playing_age[1] if playing_age else None,
        )
        db.session.add(profile)
        db.session.flush()
        if updated_at is not None:
            db.session.execute(
                update(CastingProfile)
                .where(CastingProfile.user_id == user_id)
                .values(updated_at=updated_at)
            )
        db.session.commit()
    return user_id


def profile_of(app, user_id: int) -> CastingProfile:
    with app.app_context():
        profile = db.session.get(CastingProfile, user_id)
        assert profile is not None
        db.session.expunge(profile)
        return profile
