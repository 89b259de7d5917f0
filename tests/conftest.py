"""Shared fixtures: a migrated database (SQLite and PostgreSQL), app, client, users.

PostgreSQL tests use TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test);
they are skipped when no server answers, except under CI where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from talento.settings import Settings, normalise_database_url
from tests.helpers import (
    PER_TEST_TABLES,
    USER_PASSWORD,
    _pg_available,
    _reset_schema,
    make_settings,
    pg_url,
)


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


def _private_database(url: str, request) -> str:
    """A database of this test run's own (created next to TEST_DATABASE_URL's, dropped at the
    end), so two runs on one server never empty each other's tables. Falls back to the given
    database when the role may not create databases."""
    from sqlalchemy.engine import make_url

    name = f"talento_test_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no CREATEDB right: share the configured database
        admin.dispose()
        return url
    admin.dispose()

    def drop() -> None:
        from sqlalchemy.pool import NullPool

        dropper = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with dropper.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        dropper.dispose()

    request.addfinalizer(drop)
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory) -> dict[str, str]:
    return {}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory, database_urls) -> str:
    """A migrated database with reference data, once per backend per test session."""
    backend = request.param
    if backend in database_urls:
        return database_urls[backend]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'talento-test.db'}"
    else:
        raw = pg_url()
        if not _pg_available(raw):
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is required under CI and does not answer at {raw}")
            pytest.skip(f"no PostgreSQL at {raw}")
        url = _private_database(normalise_database_url(raw), request)
        _reset_schema(url)
    _migrate_and_load(url)
    database_urls[backend] = url
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


@pytest.fixture
def app(settings) -> Iterator:
    from talento.extensions import db, limiter
    from talento.web import build_app

    app = build_app(settings)
    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    _clean_tables(settings.database_url)


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
    """Create a user; returns the id. Encrypted fields go through the real column type."""
    from talento.accounts.models import User
    from talento.accounts.services import set_password
    from talento.extensions import db
    from talento.geo.models import City, Country

    counter = {"n": 0}

    def factory(**fields) -> int:
        counter["n"] += 1
        n = counter["n"]
        password = fields.pop("password", USER_PASSWORD)
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
    public_links, skills as slugs, languages as codes, photo_name, cv_name) are keyword
    arguments; everything else goes to make_user.
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
            profile.languages = [TalentLanguage(code=code) for code in languages]
            db.session.add(profile)
            db.session.commit()
            db.session.remove()
        return user_id

    return factory
