"""`alembic check` (models and migrations agree) and a downgrade/upgrade round trip.

This is the `alembic check` step of `make test`, on SQLite and PostgreSQL.
"""

import pytest
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from talento.extensions import db
from talento.web import build_app
from tests.helpers import make_settings

# Alembic opens its own connections (committed rows), on both backends.
pytestmark = [pytest.mark.both_backends, pytest.mark.committed]


def test_models_and_migrations_agree(app):
    with app.app_context():
        check()  # exits non-zero (SystemExit) when autogenerate detects differences


def test_downgrade_and_upgrade_round_trip(tmp_path, database_url):
    if database_url.startswith("postgresql"):
        schema = "roundtrip"
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        engine.dispose()
        url = database_url + f"?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    app = build_app(make_settings(url))
    with app.app_context():
        upgrade()
        assert {"users", "countries", "cities", "key_canaries"} <= set(
            inspect(db.engine).get_table_names()
        )
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("users")}
        if db.engine.dialect.name == "postgresql":  # SQLite cannot reflect expression indexes
            assert "uq_users_email_lower" in indexes
        with db.engine.connect() as conn:  # the case-insensitive unique index survived
            names = (
                conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'index'")
                    if db.engine.dialect.name == "sqlite"
                    else text("SELECT indexname FROM pg_indexes WHERE tablename = 'users'")
                )
                .scalars()
                .all()
            )
        assert "uq_users_email_lower" in names
        db.engine.dispose()


@pytest.mark.parametrize("email", ["Dup@Example.org"])
def test_email_is_unique_whatever_its_case(make_user, email):
    from sqlalchemy.exc import IntegrityError

    make_user(email="dup@example.org")
    with pytest.raises(IntegrityError):
        make_user(email=email)
