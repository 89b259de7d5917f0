"""Helpers shared by tests: settings factory, login, CLI runner."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, event, text

from talento.settings import PROJECT_ROOT, Settings, normalise_database_url

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: This test process's name: the xdist worker ("gw0", "gw1"…) or "main", plus its pid. It names
#: the process's own PostgreSQL database and Redis key prefix, so workers never share state.
RUN_ID = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
RATELIMIT_KEY_PREFIX = f"talento-test-{RUN_ID}"
ADMIN_PASSWORD = "Test-admin-password-2026"
USER_PASSWORD = "Talent-password-2026"
PER_TEST_TABLES = (
    # On-set attendance (children first)
    "attendance_corrections",
    "attendance_scans",
    "attendance_days",
    "day_sheet_signoffs",
    # Productions and the casting workflow (children first)
    "review_feedback",
    "review_links",
    "availability_requests",
    "shortlist_notes",
    "shortlist_entries",
    "booking_days",
    "bookings",
    "role_shooting_days",
    "casting_roles",
    "presence_assignments",
    "project_locations",
    "projects",
    "company_members",
    "production_companies",
    # CINEMA casting profiles and their rows (children first: SQLite deletes table by table)
    "casting_photos",
    "casting_talent_types",
    "casting_skills",
    "casting_assets",
    "casting_accents",
    "casting_credits",
    "casting_profiles",
    "casting_code_counters",
    "talent_skills",
    "talent_languages",
    "talent_profiles",
    "account_sessions",
    "recovery_codes",
    "account_capabilities",
    "saved_searches",
    "users",
    "code_counters",
    "key_canaries",
    "app_state",
    "audit_events",
    "lost_values",
)


#: What the rolled-back test transaction adds around the app's own SQL (see tests/conftest.py):
#: statement counts leave these out.
SAVEPOINT_SQL = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


def is_app_sql(statement: str) -> bool:
    return not statement.startswith(SAVEPOINT_SQL)


def new_key() -> str:
    return Fernet.generate_key().decode()


def make_settings(database_url: str, **overrides) -> Settings:
    values = dict(
        secret_key="s" * 16 + os.urandom(16).hex(),
        encryption_key=overrides.pop("encryption_key", None) or new_key(),
        admin_password=ADMIN_PASSWORD,
        database_url=database_url,
        base_url="http://localhost",
        flask_env="testing",
        log_level="INFO",
        login_limit_per_ip="1000 per minute",
        login_limit_per_identifier="1000 per minute",
        login_ceiling_per_identifier="1000 per minute",
        # Fast hashing in tests; production parameters are exercised in test_passwords.py.
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        proxy_hops=0,
        ratelimit_key_prefix=RATELIMIT_KEY_PREFIX,
        # Mail without a server goes to a throw-away outbox, never to instance/outbox.
        mail_outbox_dir=tempfile.mkdtemp(prefix="talento-outbox-"),
    )
    values.update(overrides)
    return Settings(**values)


def smtp_settings(database_url: str, smtp: tuple, **overrides) -> Settings:
    """Settings whose mail goes to the test SMTP server (the `smtp` fixture)."""
    _, port = smtp
    return make_settings(
        database_url, mail_server="127.0.0.1", mail_port=port, mail_use_tls=False, **overrides
    )


def pg_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL)


def _pg_available(url: str) -> bool:
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False
    finally:
        engine.dispose()


@functools.cache
def default_backend() -> str:
    """Where a test runs unless marked otherwise: PostgreSQL; SQLite on a machine without a
    PostgreSQL server (never under CI, where the PostgreSQL tests fail instead)."""
    if os.environ.get("CI") or _pg_available(pg_url()):
        return "postgresql"
    return "sqlite"


def _reset_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def login(client, identifier: str, password: str = USER_PASSWORD, follow: bool = False):
    page = client.get("/auth/login")
    token = _csrf_from(page.get_data(as_text=True))
    return client.post(
        "/auth/login",
        data={"identifier": identifier, "password": password, "csrf_token": token},
        follow_redirects=follow,
    )


def _csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


def run_cli(
    args: list[str],
    env: dict[str, str],
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: int = 120,
) -> subprocess.CompletedProcess:
    """Run a command with a clean environment (no developer .env leaks in: cwd is a tmp dir)."""
    base = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "TALENTO_ENV_FILE": "none",
    }
    base.update(env)
    return subprocess.run(
        args,
        env=base,
        cwd=cwd or PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


PYTHON = sys.executable
TALENTO = str(Path(sys.executable).parent / "talento")


class SqlStatements:
    """Counts the SQL the app sends while used as a context manager (``.seen``)."""

    def __init__(self, engine):
        self.engine = engine
        self.seen: list[str] = []

    def _listener(self, conn, cursor, statement, parameters, context, executemany):
        if is_app_sql(statement):
            self.seen.append(statement)

    def __enter__(self):
        self.seen = []
        event.listen(self.engine, "before_cursor_execute", self._listener)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._listener)


#: The password of the accounts registered through :func:`registration_form`.
REGISTRATION_PASSWORD = "Casablanca-Scene-2026"


def moroccan_city_id(app, code: str = "CAS") -> int:
    """The id of a Moroccan reference city (Casablanca by default)."""
    from sqlalchemy import select

    from talento.extensions import db
    from talento.geo.models import City, Country

    with app.app_context():
        city_id = db.session.scalars(
            select(City.id)
            .join(Country, City.country_id == Country.id)
            .where(Country.iso2 == "MA", City.code == code)
        ).one()
        db.session.remove()
    return city_id


def registration_form(city_id: int | str, **overrides) -> dict:
    """The fields of a registration that succeeds as is (a talent living in `city_id`)."""
    data = {
        "first_name": "Yasmine",
        "last_name": "El Amrani",
        "gender": "F",
        "date_of_birth": "1998-03-14",
        "nationality": "MA",
        "email": "yasmine@example.ma",
        "phone": "06 12 34 56 78",
        "address": "12 rue des Orangers, Casablanca",
        "country": "MA",
        "city": str(city_id),
        "skills": ["actor"],
        "availability": "immediate",
        "work_mode": "hybrid",
        "languages": ["ar", "fr"],
        "password": REGISTRATION_PASSWORD,
        "password_confirm": REGISTRATION_PASSWORD,
        "consent": "y",
    }
    data.update(overrides)
    return data
