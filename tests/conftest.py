"""Shared fixtures: a migrated database (PostgreSQL, and SQLite where asked), app, client, users.

PostgreSQL tests use TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test);
they are skipped when no server answers, except under CI where that is a failure.

Backends: a test that uses the database runs on PostgreSQL; `@pytest.mark.both_backends` runs it
on SQLite too (migrations, a smoke set, SQLite-specific code), `@pytest.mark.sqlite_only` on
SQLite alone.

Isolation: on PostgreSQL the `app` fixture runs the test inside one transaction that is rolled
back at the end (the app's sessions join it through savepoints, so their commits are real
RELEASEs inside it). Tests where another process, thread or connection must see the rows
(CLI subprocesses, gunicorn, a live server, several apps) are marked
`@pytest.mark.committed`: their commits are real and the tables are emptied afterwards, as is
every SQLite test.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from talento.settings import Settings, normalise_database_url
from tests.helpers import (
    PER_TEST_TABLES,
    RUN_ID,
    USER_PASSWORD,
    _pg_available,
    _reset_schema,
    default_backend,
    make_settings,
    pg_url,
)


def _share_url_builders() -> None:
    """Every test builds its own app, and werkzeug compiles two URL-building functions for each
    of its ~85 rules (Python AST, `compile()`): two thirds of build_app's time. The function a
    rule gets depends only on the rule's parsed parts and the names of its defaults (it reads
    the converters through its `self` argument), so one compiled function serves every app of
    the test process; the rare rule with a default inside its path is compiled as usual."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def shared(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(is_dynamic and part in defaults for is_dynamic, part in self._trace):
            return compile_builder(self, append_unknown)
        key = (tuple(self._trace), tuple(map(str, defaults)), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = shared


_share_url_builders()


def pytest_generate_tests(metafunc) -> None:
    """Parametrize `database_url` by backend: PostgreSQL, unless a marker asks for SQLite."""
    if "database_url" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        backends = ["sqlite"]
    elif metafunc.definition.get_closest_marker("both_backends"):
        backends = ["sqlite", "postgresql"]
    else:
        backends = [default_backend()]
    metafunc.parametrize("database_url", backends, indirect=True, scope="session")


#: The slowest tests (other processes: the guide's sandbox, gunicorn, the CLI, Chromium) run
#: first, so that under xdist they spread over the workers instead of ending the run on one.
#: Longest first (the last --durations run): the fuzz's one-minute test, the guide's sandbox...
SLOW_FIRST = (
    "tests/attacks/test_attack_hostile_input.py",
    "tests/docs/",
    "tests/keys/",
    "tests/ops/test_seed_demo.py",
    "tests/profiles/test_search_hostile_args.py",
    "tests/ops/test_backup.py",
    "tests/ops/test_cli.py",
    "tests/attacks/test_attack_registration_limits.py",
    "tests/deploy/test_gunicorn.py",
    "tests/attacks/test_attack_worker_recycling.py",
    "tests/browser/",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items) -> None:
    def rank(item) -> int:
        return next(
            (n for n, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)),
            len(SLOW_FIRST),
        )

    items.sort(key=rank)  # stable: the order within a rank is kept


def _migrate_and_load(url: str) -> None:
    from talento.extensions import db
    from talento.geo.services import load_reference_data
    from talento.profiles.catalogue import load_skill_catalogue
    from talento.web import build_app

    app = build_app(make_settings(url))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_reference_data(db.session)
        load_skill_catalogue(db.session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _private_database(url: str, created: list[str]) -> str:
    """A database of this test process's own (created next to TEST_DATABASE_URL's, dropped at
    the end of the session), so two runs, or two xdist workers, on one server never empty each
    other's tables. Falls back to the given database when the role may not create databases."""
    from sqlalchemy.engine import make_url

    name = f"talento_test_{RUN_ID}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A test that waits on a lock its own transaction holds fails instead of hanging.
            conn.execute(text(f"ALTER DATABASE \"{name}\" SET lock_timeout = '60s'"))
    except Exception:  # noqa: BLE001 - no CREATEDB right: share the configured database
        admin.dispose()
        return url
    admin.dispose()
    created.append(url)
    return make_url(url).set(database=name).render_as_string(hide_password=False)


_DROP = """
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

dropper = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT", poolclass=NullPool)
with dropper.connect() as conn:
    conn.execute(text(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)'))
dropper.dispose()
"""


def _drop_private_database(url: str) -> None:
    """Dropped by a detached process: PostgreSQL checkpoints on DROP DATABASE (seconds on a
    busy server), which the test process need not wait for. The next run's database has
    another name, and creating one drops any database of that name first."""
    import subprocess
    import sys

    subprocess.Popen(
        [sys.executable, "-c", _DROP, url, f"talento_test_{RUN_ID}"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


class Databases:
    """The migrated database of each backend, made once per test process."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self.servers: list[str] = []  # where a private PostgreSQL database was created


@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    """Kept for the whole session: the PostgreSQL database is dropped when the session ends,
    never when a test of the other backend comes next (xdist interleaves them)."""
    made = Databases()
    yield made
    for server_url in made.servers:
        _drop_private_database(server_url)


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory, databases) -> str:
    """A migrated database with reference data, once per backend per test process (each xdist
    worker has its own SQLite file and its own PostgreSQL database)."""
    backend = getattr(request, "param", "postgresql")
    if backend in databases.urls:
        return databases.urls[backend]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'talento-test.db'}"
    else:
        raw = pg_url()
        if not _pg_available(raw):
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is required under CI and does not answer at {raw}")
            pytest.skip(f"no PostgreSQL at {raw}")
        url = _private_database(normalise_database_url(raw), databases.servers)
        _reset_schema(url)
    _migrate_and_load(url)
    _clean_tables(url)  # every test starts from the same state, the first one included
    databases.urls[backend] = url
    return url


@pytest.fixture
def settings(database_url) -> Settings:
    return make_settings(database_url)


def _clean_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(PER_TEST_TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in PER_TEST_TABLES:
                conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
    engine.dispose()


def _assert_nothing_committed(connection, url: str) -> None:
    """After a rolled-back test: no row reached the database behind the test's transaction
    (another connection, a subprocess). If one did, empty the tables for the next test and fail
    this one: it needs @pytest.mark.committed."""
    counts = " UNION ALL ".join(
        f"SELECT '{table}', count(*) FROM {table}"  # noqa: S608 - fixed names
        for table in PER_TEST_TABLES
    )
    left = {name: n for name, n in connection.execute(text(counts)) if n}
    connection.rollback()
    if left:
        _clean_tables(url)
        pytest.fail(
            f"rows committed outside the test's transaction: {left}; "
            "a test whose rows another connection must see is marked @pytest.mark.committed"
        )


def rolls_back(request, settings: Settings) -> bool:
    """Whether this test runs inside a rolled-back transaction (see the module's docstring)."""
    return not settings.is_sqlite and request.node.get_closest_marker("committed") is None


@pytest.fixture(scope="session", autouse=True)
def _sessions_join_through_savepoints() -> None:
    """A session bound to the test's connection turns its transaction into a SAVEPOINT, so that
    the app's commit() and rollback() behave as they do on a real connection, inside the test's
    transaction. Sessions bound to an engine (production, committed tests) are not affected."""
    from talento.extensions import db

    db.session.session_factory.configure(join_transaction_mode="create_savepoint")


@pytest.fixture
def app(request, settings) -> Iterator:
    from talento.extensions import db, limiter
    from talento.web import build_app

    app = build_app(settings)
    with app.app_context():
        limiter.reset()
    if not rolls_back(request, settings):
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        _clean_tables(settings.database_url)
        return
    # Flask-SQLAlchemy 3 picks the bind from db.engines: putting a connection in a transaction
    # there makes every session of this app (one per app context) join that transaction.
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            engines[None] = engine
        transaction.rollback()
        try:
            _assert_nothing_committed(connection, settings.database_url)
        finally:
            connection.close()
            engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    from talento.extensions import db

    with app.app_context():
        yield db.session


@pytest.fixture
def make_user(app):
    """Create a user; returns the id. Encrypted fields go through the real column type.
    A talent unless told otherwise: ``capabilities=["admin"]``, ``["recruiter"]``…"""
    from talento.accounts.models import User
    from talento.accounts.services import set_password
    from talento.extensions import db
    from talento.geo.models import City, Country

    counter = {"n": 0}

    def factory(**fields) -> int:
        counter["n"] += 1
        n = counter["n"]
        password = fields.pop("password", USER_PASSWORD)
        fields.setdefault("capabilities", ["talent"])
        fields.setdefault("email_verified_at", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        with app.app_context():
            country = db.session.scalars(db.select(Country).filter_by(iso2="MA")).one()
            city = db.session.scalars(
                db.select(City).filter_by(country_id=country.id, code="CAS")
            ).one()
            user = User(
                code=fields.pop("code", f"MAF{n:04d}CAS"),
                email=fields.pop("email", f"talent{n}@example.org"),
                first_name=fields.pop("first_name", "Amina"),
                last_name=fields.pop("last_name", f"Test{n}"),
                gender=fields.pop("gender", "F"),
                country=country,
                city=city,
                **fields,
            )
            set_password(user, password, app.extensions["talento.passwords"])
            db.session.add(user)
            db.session.commit()
            user_id = user.id
            db.session.remove()
        return user_id

    return factory


@pytest.fixture
def cleanup(database_url):
    """For tests that build their own apps: empty the per-test tables afterwards."""
    yield
    _clean_tables(database_url)


@pytest.fixture
def make_talent(app, make_user):
    """Create a user with a talent profile; returns the user id.

    Profile fields (bio, availability, work_mode, years_experience, links as a dict,
    public_links, skills as slugs, languages as codes or {code: level}, photo_name, cv_name)
    are keyword arguments; everything else goes to make_user.
    """
    import json

    from talento.extensions import db, utcnow
    from talento.profiles.models import Skill, TalentLanguage, TalentProfile

    profile_fields = {
        "bio",
        "availability",
        "work_mode",
        "years_experience",
        "rate_min",
        "rate_max",
        "education",
        "public_links",
        "photo_name",
        "cv_name",
    }

    def factory(**fields) -> int:
        skills = fields.pop("skills", ["actor"])
        languages = fields.pop("languages", ["fr", "ar"])
        links = fields.pop("links", None)
        profile_values = {k: fields.pop(k) for k in list(fields) if k in profile_fields}
        user_id = make_user(**fields)
        with app.app_context():
            profile = TalentProfile(user_id=user_id, consent_at=utcnow(), **profile_values)
            if links is not None:
                profile.links = json.dumps(links)
            profile.skills = list(
                db.session.scalars(db.select(Skill).where(Skill.slug.in_(skills)))
            )
            if not isinstance(languages, dict):
                languages = dict.fromkeys(languages, "fluent")
            profile.languages = [TalentLanguage(code=c, level=lv) for c, lv in languages.items()]
            db.session.add(profile)
            db.session.commit()
            db.session.remove()
        return user_id

    return factory


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on loopback: yields (inbox, port)."""
    from tests.mail.smtp import smtp_server

    with smtp_server() as server:
        yield server


@pytest.fixture
def inbox(smtp):
    """What the test SMTP server received (see tests/mail/smtp.Inbox)."""
    return smtp[0]
