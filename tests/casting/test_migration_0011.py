"""Migration 0011 on a database that holds users and cities: the casting tables come beside the
talent profile without touching an account, the cities already loaded get their coordinates,
and the downgrade takes the casting tables away again."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from talento.extensions import db
from talento.web import build_app
from tests.helpers import make_settings
from tests.test_migrations import _scratch_url

pytestmark = [pytest.mark.both_backends, pytest.mark.committed]

CASTING_TABLES = {
    "casting_profiles",
    "casting_photos",
    "casting_talent_types",
    "casting_skills",
    "casting_assets",
    "casting_accents",
    "casting_credits",
    "casting_code_counters",
}


def _scalar(sql: str, **values):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), values).scalar()


def _insert_world() -> None:
    """Morocco, two of its cities as 0010 stores them (Ouarzazate from geonames, Tarfaya from
    the reference list without a geonames id), and a talent with a profile."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO countries (iso2, iso3, name_fr, name_en, name_ar) "
                "VALUES ('MA', 'MAR', 'Maroc', 'Morocco', 'المغرب')"
            )
        )
        country = conn.execute(text("SELECT id FROM countries WHERE iso2 = 'MA'")).scalar()
        conn.execute(
            text(
                "INSERT INTO cities (country_id, code, name, population, geonameid) VALUES "
                "(:c, 'OZZ', 'Ouarzazate', 77603, 2540850), (:c, 'TRF', 'Tarfaya', 0, NULL)"
            ),
            {"c": country},
        )
        conn.execute(
            text(
                "INSERT INTO users (code, email, first_name, last_name, password_hash, "
                "session_version, is_active_account, created_at, updated_at, gender, language) "
                "VALUES ('MAF0002OZZ', 'actrice@example.org', 'Salma', 'Idrissi', 'hash', 1, "
                ":yes, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'F', 'fr')"
            ),
            {"yes": True},
        )
        user = conn.execute(text("SELECT id FROM users WHERE code = 'MAF0002OZZ'")).scalar()
        conn.execute(
            text(
                "INSERT INTO talent_profiles (user_id, availability, work_mode, visibility, "
                "public_links, contact_enabled, updated_at) VALUES "
                "(:u, 'immediate', 'flexible', 'public', '', :yes, CURRENT_TIMESTAMP)"
            ),
            {"u": user, "yes": True},
        )


def test_0011_adds_casting_beside_existing_accounts_and_locates_cities(tmp_path, database_url):
    app = build_app(make_settings(_scratch_url(tmp_path, database_url, "cinema0011")))
    with app.app_context():
        upgrade(revision="0010")
        _insert_world()
        upgrade(revision="0011")

        tables = set(inspect(db.engine).get_table_names())
        assert tables >= CASTING_TABLES
        assert _scalar("SELECT count(*) FROM users") == 1
        assert _scalar("SELECT first_name FROM users WHERE code = 'MAF0002OZZ'") == "Salma"
        # Coordinates: by geonames id, and for a reference town by country and code.
        lat = _scalar("SELECT latitude FROM cities WHERE code = 'OZZ'")
        lon = _scalar("SELECT longitude FROM cities WHERE code = 'OZZ'")
        assert lat == pytest.approx(30.919, abs=0.01)
        assert lon == pytest.approx(-6.893, abs=0.01)
        assert _scalar("SELECT latitude FROM cities WHERE code = 'TRF'") == pytest.approx(
            27.94, abs=0.05
        )

        # The existing talent can get a casting profile; one primary photo at most.
        user = _scalar("SELECT id FROM users WHERE code = 'MAF0002OZZ'")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO casting_profiles (user_id, visibility, registration_step, "
                    "height_cm, created_at, updated_at) VALUES (:u, 'staff', 'identity', 168, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"u": user},
            )
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(
                text("UPDATE casting_profiles SET height_cm = 99 WHERE user_id = :u"),
                {"u": user},
            )

        downgrade(revision="0010")
        tables = set(inspect(db.engine).get_table_names())
        assert not (CASTING_TABLES & tables)
        columns = {c["name"] for c in inspect(db.engine).get_columns("cities")}
        assert "latitude" not in columns
        assert _scalar("SELECT count(*) FROM users") == 1
        upgrade()
        assert set(inspect(db.engine).get_table_names()) >= CASTING_TABLES
        db.engine.dispose()
