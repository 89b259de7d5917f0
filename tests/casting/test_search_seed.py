"""`talento seed-demo --cinema N`: demo CINEMA profiles for demo talents, with plausible
distributions, searchable at once (both backends: COPY on PostgreSQL, executemany on SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.both_backends


def test_seed_demo_cinema_profiles(app, settings):
    from talento.casting.demo import seed_casting
    from talento.casting.models import CastingPhoto, CastingProfile, CastingTalentType
    from talento.casting.search.facets import facet_counts
    from talento.casting.search.filters import CastingFilters
    from talento.extensions import db, utctoday
    from talento.profiles.demo import seed_demo

    with app.app_context():
        seed_demo(db.session, settings.upload_dir, 300, "MA", seed=5)
        assert seed_casting(db.session, settings.upload_dir, 300, seed=5) == 300
        assert seed_casting(db.session, settings.upload_dir, 300, seed=5) == 0  # all have one
        db.session.commit()
        s = db.session
        profiles = s.scalar(select(func.count()).select_from(CastingProfile))
        codes = s.scalar(select(func.count(func.distinct(CastingProfile.code))))
        photos = s.scalar(select(func.count()).where(CastingPhoto.is_primary.is_(True)))
        hidden = s.scalar(select(func.count()).where(CastingProfile.visibility == "hidden"))
        incomplete = s.scalar(
            select(func.count()).where(CastingProfile.registration_step != "done")
        )
        minors = s.scalar(select(func.count()).where(CastingProfile.guardian_name.is_not(None)))
        types = s.scalar(select(func.count()).select_from(CastingTalentType))
        everyone = facet_counts(s, CastingFilters(), utctoday())
        db.session.remove()
    assert profiles == codes == 300  # one unique CINEMA code each
    assert 150 < photos < 270  # about 70 %
    assert 0 < hidden < 40
    assert 0 < incomplete < 40
    assert 0 < minors < 40
    assert 300 <= types <= 900  # 1 to 3 talent types
    assert 200 < everyone.total < 300  # hidden and incomplete ones are not searched
    assert everyone.of("gender")
