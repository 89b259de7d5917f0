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


def _scratch_url(tmp_path, database_url: str, schema: str) -> str:
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / (schema + '.db')}"
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    engine.dispose()
    return database_url + f"?options=-csearch_path%3D{schema}"


def test_server_side_sessions_upgrade_a_database_that_holds_users(tmp_path, database_url):
    """0007 adds account_sessions on a database in use: the accounts stay as they were, and
    nobody holds a session until they log in again (old cookies carry no token)."""
    app = build_app(make_settings(_scratch_url(tmp_path, database_url, "with_users")))
    columns = "code, email, first_name, last_name, password_hash, session_version"
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO users ({columns}) VALUES "  # noqa: S608 - fixed names
                    "('MAF0001CAS', 'a@example.org', 'Amina', 'A', 'hash', 3),"
                    "('MAM0002CAS', 'b@example.org', 'Badr', 'B', 'hash', 1)"
                )
            )
        before = _users(columns)
        upgrade()
        assert _users(columns) == before
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM account_sessions")).scalar() == 0
            user_id = conn.execute(text("SELECT min(id) FROM users")).scalar()
        with db.engine.begin() as conn:  # the new table works with the existing rows
            conn.execute(
                text(
                    "INSERT INTO account_sessions (user_id, token_hash, last_seen_at) "
                    "VALUES (:u, :h, CURRENT_TIMESTAMP)"
                ),
                {"u": user_id, "h": "0" * 64},
            )
        downgrade(revision="0006")
        assert _users(columns) == before
        assert "account_sessions" not in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _users(columns: str) -> list[tuple]:
    with db.engine.connect() as conn:
        query = f"SELECT id, {columns} FROM users ORDER BY id"  # noqa: S608 - fixed names
        return [tuple(row) for row in conn.execute(text(query))]


@pytest.mark.parametrize("email", ["Dup@Example.org"])
def test_email_is_unique_whatever_its_case(make_user, email):
    from sqlalchemy.exc import IntegrityError

    make_user(email="dup@example.org")
    with pytest.raises(IntegrityError):
        make_user(email=email)
