"""Migration 0008 on a database that holds users: Moroccan cities renamed and merged to the
reference list, Western Sahara folded into Morocco, user codes unchanged."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from talento.extensions import db
from talento.geo.services import fold_countries, load_reference_data
from talento.web import build_app
from tests.helpers import make_settings
from tests.test_migrations import _scratch_url

pytestmark = [pytest.mark.both_backends, pytest.mark.committed]

# The cities as the geonames loader of 0001–0007 left them: English spellings, generated codes
# (Tangier held TAN, the reference code of Tan-Tan), a second row for Fès, EH's own copies.
OLD_CITIES = [
    ("MA", "FES", "Fes", 1191905, 2548885),
    ("MA", "NEW", "New Fes", 22451, 2548878),
    ("MA", "TAN", "Tangier", 947952, 2530335),
    ("MA", "TNT", "Tan-Tan", 60698, 2530241),
    ("MA", "LAA", "Laâttaouia", 20000, 12718681),
    ("MA", "MAR", "Marrakesh", 928850, 2542997),
    ("MA", "DAK", "Dakhla", 55618, 8542188),
    ("MA", "BOU", "Bouskoura", 103026, 2554006),
    ("MA", "ELM", "El Mansouria", 30000, 2558428),
    ("EH", "LAA", "Laayoune", 217732, 2462881),
    ("EH", "DAK", "Dakhla", 106277, 2463447),
    ("EH", "BOU", "Boujdour", 42651, 2463029),
    ("EH", "SMA", "Smara", 57035, 2461874),
    ("EH", "ELM", "El Marsa", 15000, 2461993),
]

# (code, city the user chose): codes end with the old city codes and must stay so.
OLD_USERS = [
    ("MAF0002NEW", "MA", "New Fes"),
    ("MAM0003TAN", "MA", "Tangier"),
    ("MAF0004LAA", "MA", "Laâttaouia"),
    ("EHF0001LAA", "EH", "Laayoune"),
    ("EHM0002DAK", "EH", "Dakhla"),
    ("EHF0003ELM", "EH", "El Marsa"),
    ("MAM0005DAK", "MA", "Dakhla"),
]


def _seed() -> None:
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO countries (iso2, iso3, name_fr, name_en, name_ar) VALUES "
                "('MA', 'MAR', 'Maroc', 'Morocco', 'المغرب'),"
                "('EH', 'ESH', 'Sahara occidental', 'Western Sahara', 'الصحراء الغربية')"
            )
        )
        ids = dict(conn.execute(text("SELECT iso2, id FROM countries")).all())
        for iso2, code, name, population, geonameid in OLD_CITIES:
            conn.execute(
                text(
                    "INSERT INTO cities (country_id, code, name, population, geonameid) "
                    "VALUES (:c, :code, :name, :p, :g)"
                ),
                {"c": ids[iso2], "code": code, "name": name, "p": population, "g": geonameid},
            )
        for n, (code, iso2, city) in enumerate(OLD_USERS):
            conn.execute(
                text(
                    "INSERT INTO users (code, email, first_name, last_name, password_hash, "
                    "session_version, country_id, city_id) SELECT :code, :email, 'A', 'B', "
                    "'hash', 1, :country, id FROM cities WHERE country_id = :country "
                    "AND name = :city"
                ),
                {"code": code, "email": f"u{n}@example.org", "country": ids[iso2], "city": city},
            )


def _where_users_live() -> dict[str, tuple[str, str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT u.code, co.iso2, ci.code, ci.name FROM users u "
                "JOIN countries co ON co.id = u.country_id JOIN cities ci ON ci.id = u.city_id "
                "AND ci.country_id = co.id"
            )
        ).all()
    return {code: (iso2, city_code, name) for code, iso2, city_code, name in rows}


def test_0008_moves_users_keeps_their_codes_and_is_idempotent(tmp_path, database_url):
    app = build_app(make_settings(_scratch_url(tmp_path, database_url, "geo0008")))
    with app.app_context():
        upgrade(revision="0007")
        _seed()
        upgrade()

        assert (
            _where_users_live()
            == {
                "MAF0002NEW": ("MA", "FES", "Fès"),  # the duplicate row merged into Fès
                "MAM0003TAN": ("MA", "TNG", "Tanger"),  # renamed; TAN is Tan-Tan's now
                "MAF0004LAA": ("MA", "LAA", "Laâttaouia")[:1] + _recoded("Laâttaouia"),
                "EHF0001LAA": ("MA", "LAA", "Laâyoune"),
                "EHM0002DAK": ("MA", "DAK", "Dakhla"),
                "EHF0003ELM": ("MA",) + _recoded("El Marsa"),
                "MAM0005DAK": ("MA", "DAK", "Dakhla"),
            }
        )
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT iso2 FROM countries")).scalars().all() == ["MA"]
            cities = dict(conn.execute(text("SELECT code, name FROM cities")).all())
            assert conn.execute(text("SELECT count(*) FROM cities")).scalar() == len(cities)
        assert cities["TAN"] == "Tan-Tan"
        assert cities["BJD"] == "Boujdour"
        assert cities["BOU"] == "Bouskoura"
        assert cities["SMA"] == "Smara"
        assert cities["TRF"] == "Tarfaya"  # absent before: added
        assert cities["MAR"] == "Marrakech"
        assert "New Fes" not in cities.values()
        assert cities["LAA"] == "Laâyoune"

        # The reference loader (init-db) after the migration: same cities, same users; a
        # second run changes nothing.
        before = _where_users_live()
        load_reference_data(db.session)
        db.session.commit()
        assert _where_users_live() == before
        assert load_reference_data(db.session).total == 0
        assert fold_countries(db.session) == 0
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def _recoded(name: str) -> tuple[str, str]:
    """A city that held a code it does not own (or clashed once moved): a new code, same name."""
    with db.engine.connect() as conn:
        code = conn.execute(text("SELECT code FROM cities WHERE name = :n"), {"n": name}).scalar()
    assert code is not None
    assert len(code) == 3
    assert code not in {"LAA", "ELM"}
    return code, name
