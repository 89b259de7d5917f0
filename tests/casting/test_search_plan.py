"""PostgreSQL: the common casting searches use the search's indexes (EXPLAIN), on a few
thousand demo CINEMA profiles seeded the way `talento seed-demo --cinema` seeds them."""

from __future__ import annotations

import pytest
from sqlalchemy import text


def _plan(session, stmt) -> str:
    from sqlalchemy.dialects import postgresql

    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    return "\n".join(session.scalars(text("EXPLAIN " + sql)))


@pytest.mark.postgres
def test_common_searches_use_indexes(app, settings):
    from talento.casting.demo import seed_casting
    from talento.casting.models import CastingProfile
    from talento.casting.search.filters import parse_filters
    from talento.casting.search.query import filtered_select, order_by, tune
    from talento.extensions import db, utctoday
    from talento.geo.models import City
    from talento.profiles.demo import seed_demo

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL plans")
        seed_demo(db.session, settings.upload_dir, 3000, "MA", seed=3)
        assert seed_casting(db.session, settings.upload_dir, 3000, seed=3) == 3000
        for table in ("users", "casting_profiles", "casting_photos", "casting_skills"):
            db.session.execute(text(f"ANALYZE {table}"))
        tune(db.session)
        today = utctoday()
        ouarzazate = db.session.scalar(db.select(City.id).where(City.name == "Ouarzazate"))

        # The first page, newest first, with three criteria: walks the partial index.
        f = parse_filters({"sort": "newest", "gender": "F", "age_min": "20", "photo": "1"})
        page = filtered_select(db.session, f, today).order_by(*order_by(f)).limit(48)
        plan = _plan(db.session, page)
        assert "ix_casting_profiles_searchable_created" in plan, plan

        # « à moins de 100 km de Ouarzazate »: the profile's copy of city_id IN (…) on its
        # index; users is not read to match (nor to check the account is active).
        f = parse_filters({"near": str(ouarzazate), "km": "100", "gender": "M"})
        count = db.select(db.func.count()).select_from(
            filtered_select(db.session, f, today, users=False).subquery()
        )
        plan = _plan(db.session, count)
        assert "ix_casting_profiles_searchable_city" in plan, plan
        assert "Index Cond: (city_id = ANY" in plan, plan
        assert "users" not in plan, plan

        # Gender and age (the facets' matches): the covering index (an index-only scan once
        # VACUUM has marked the pages visible, as on a running server), never users.
        f = parse_filters({"gender": "F", "age_min": "20", "age_max": "35", "eyes": "hazel"})
        columns = (CastingProfile.user_id, CastingProfile.country_id, CastingProfile.eye_colour)
        matches = filtered_select(db.session, f, today, users=False).with_only_columns(*columns)
        plan = _plan(db.session, matches)
        assert "ix_casting_profiles_searchable_gender_birth" in plan, plan
        assert "users" not in plan, plan

        # Skills (all of them): EXISTS probes on the code table's indexes, never a scan of it.
        f = parse_filters({"skill": ["swimming", "riding_camel"], "gender": "F"})
        plan = _plan(db.session, filtered_select(db.session, f, today))
        assert "Seq Scan on casting_skills" not in plan, plan
        assert "casting_skills" in plan
        db.session.rollback()
