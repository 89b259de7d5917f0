"""Migration 0010 on a database that holds users: each role becomes a capability row, the role
column goes, the indexes the users table had survive (SQLite rebuilds the table), and the
downgrade gives each account one role back."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from talento.extensions import db
from talento.web import build_app
from tests.helpers import make_settings
from tests.test_migrations import _scratch_url

pytestmark = [pytest.mark.both_backends, pytest.mark.committed]

# (code, e-mail, role, active) as 0009 knows them.
OLD_USERS = [
    ("MAF0001CAS", "talent@example.org", "user", True),
    ("MAM0002CAS", "asleep@example.org", "user", False),
    ("MAP0003CAS", "presence@example.org", "presence", True),
    ("MAN0001RAB", "admin@talento.com", "admin", True),
]


def _insert_old_users() -> None:
    with db.engine.begin() as conn:
        for code, email, role, active in OLD_USERS:
            conn.execute(
                text(
                    "INSERT INTO users (code, email, first_name, last_name, password_hash, "
                    "session_version, role, is_active_account, created_at) VALUES (:code, "
                    ":email, 'A', 'B', 'hash', 1, :role, :active, CURRENT_TIMESTAMP)"
                ),
                {"code": code, "email": email, "role": role, "active": active},
            )


def _capabilities() -> dict[str, list[str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT u.code, c.capability FROM users u "
                "JOIN account_capabilities c ON c.user_id = u.id ORDER BY u.code, c.capability"
            )
        ).all()
    found: dict[str, list[str]] = {}
    for code, capability in rows:
        found.setdefault(code, []).append(capability)
    return found


def _index_names() -> set[str]:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'"
        if db.engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE tablename = 'users'"
    )
    with db.engine.connect() as conn:
        return set(conn.execute(text(query)).scalars())


def _roles() -> dict[str, str]:
    with db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT code, role FROM users")).all())


def _user_id(code: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT id FROM users WHERE code = :c"), {"c": code}).scalar()


def test_0010_turns_roles_into_capabilities_and_back(tmp_path, database_url):
    app = build_app(make_settings(_scratch_url(tmp_path, database_url, "caps0010")))
    with app.app_context():
        upgrade(revision="0009")
        _insert_old_users()
        before = _index_names()
        upgrade(revision="0010")

        assert _capabilities() == {
            "MAF0001CAS": ["talent"],
            "MAM0002CAS": ["talent"],
            "MAP0003CAS": ["presence"],
            "MAN0001RAB": ["admin"],
        }
        columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
        assert "role" not in columns
        assert {"email_verified_at", "code", "is_active_account"} <= columns
        with db.engine.connect() as conn:  # every row came through the rebuild (SQLite)
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == len(OLD_USERS)

        after = _index_names()
        gone = {"ix_users_staff", "ix_users_talent_created"}
        assert before - after == gone, "only the role indexes go"
        assert {"uq_users_email_lower", "ix_users_last_name_lower", "ix_users_created_at"} <= after
        if db.engine.dialect.name == "postgresql":
            assert "ix_users_listed_created" in after
            with db.engine.connect() as conn:
                definition = conn.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                    {"n": "ix_users_listed_created"},
                ).scalar()
            assert "WHERE is_active_account" in definition
            assert "role" not in definition

        # The constraints still hold after the rebuild: e-mail unique whatever its case,
        # gender and capability checked, capability rows go with their account.
        for statement in (
            "INSERT INTO users (code, email, first_name, last_name, password_hash) "
            "VALUES ('MAF0009CAS', 'TALENT@example.org', 'A', 'B', 'h')",
            "INSERT INTO users (code, email, first_name, last_name, password_hash, gender) "
            "VALUES ('MAF0010CAS', 'new@example.org', 'A', 'B', 'h', 'X')",
            f"INSERT INTO account_capabilities (user_id, capability) "  # noqa: S608 - an int
            f"VALUES ({_user_id('MAF0001CAS')}, 'director')",
        ):
            with pytest.raises(IntegrityError), db.engine.begin() as conn:
                conn.execute(text(statement))

        # Accounts that combine capabilities go back to the strongest role they held.
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO account_capabilities (user_id, capability) VALUES "
                    "(:talent, 'recruiter'), (:presence, 'admin')"
                ),
                {"talent": _user_id("MAF0001CAS"), "presence": _user_id("MAP0003CAS")},
            )
        downgrade(revision="0009")
        assert _roles() == {
            "MAF0001CAS": "user",
            "MAM0002CAS": "user",
            "MAP0003CAS": "admin",
            "MAN0001RAB": "admin",
        }
        assert "account_capabilities" not in inspect(db.engine).get_table_names()
        assert _index_names() == before
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("UPDATE users SET role = 'boss' WHERE code = 'MAF0001CAS'"))

        upgrade()  # and forward again, as a deploy after a rollback would
        assert _capabilities()["MAP0003CAS"] == ["admin"]
        db.engine.dispose()
