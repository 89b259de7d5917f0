"""`make bench` part two: the public directory and the admin pages on PostgreSQL with 100,000
talents (admin figures: bench/admin.py).

Creates a throw-away database next to TEST_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test), migrates it, bulk-loads generated talents, runs
ANALYZE, then prints median timings of typical searches as JSON, and the pages themselves
timed as HTTP requests through a real server (bench/pages.py) next to bench/previous.json.
Never fails on speed; prints a skip reason when no PostgreSQL answers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from talento.extensions import utctoday

TALENTS = int(os.environ.get("BENCH_TALENTS", "100000"))
RUNS = 15


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str | None]:
    """A new PostgreSQL database next to TEST_DATABASE_URL, dropped afterwards (even on
    error). Yields its URL, or None when no server answers (a bench then says why)."""
    from talento.settings import normalise_database_url

    base = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    name = f"{prefix}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - a bench never fails
        admin.dispose()
        yield None
        return
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _median_ms(func) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def _load(session, count: int) -> None:
    from talento.geo.models import City, Country
    from talento.profiles.bulk import TalentRow, insert_talents
    from talento.profiles.models import Skill

    rng = random.Random(7)  # noqa: S311 - reproducible fake data, not a secret
    countries = session.execute(
        select(Country.id, Country.iso2).where(Country.iso2.in_(["MA", "SN", "CI", "NG", "FR"]))
    ).all()
    cities = {
        cid: session.scalars(select(City.id).where(City.country_id == cid)).all()
        for cid, _ in countries
    }
    skills = session.scalars(select(Skill.id)).all()
    first = ["Amina", "Youssef", "Fatima", "Omar", "Awa", "Moussa", "Salma", "Karim", "Nadia"]
    last = ["Benali", "El Idrissi", "Diop", "Traoré", "Alaoui", "Ndiaye", "Kone", "Haddad"]
    today = utctoday()
    verified_at = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    batch = 10_000
    for start in range(0, count, batch):
        rows = []
        for n in range(start, min(start + batch, count)):
            country_id, _iso2 = countries[n % len(countries)]
            rows.append(
                TalentRow(
                    user={
                        "code": f"X{n:09d}",  # unique, code-shaped (10 characters)
                        "email": f"bench{n}@example.org",
                        "first_name": rng.choice(first),
                        "last_name": rng.choice(last) + f"{n % 97}",
                        "password_hash": "",
                        "is_active_account": n % 20 != 0,
                        "gender": rng.choice("MFN"),
                        "date_of_birth": today - dt.timedelta(days=rng.randint(18 * 365, 60 * 365)),
                        "country_id": country_id,
                        "city_id": rng.choice(cities[country_id]),
                        "email_verified_at": verified_at,  # listed (profiles: visibility public)
                    },
                    profile={
                        "availability": rng.choice(
                            ["immediate", "soon", "unavailable", "in_project"]
                        ),
                        "work_mode": "flexible",
                        "public_links": "",
                    },
                    skill_ids=rng.sample(skills, 2),
                    languages=rng.sample(["fr", "ar", "en", "ber"], 2),
                )
            )
        insert_talents(session, rows)  # the loader `talento seed-demo` uses too
        session.commit()


def main() -> None:
    from bench.pages import with_previous

    with throwaway_database("talento_bench") as url:
        if url is None:
            print(json.dumps({"directory": "skipped: no PostgreSQL answers"}))
            return
        results = _measure(url)
    results["note"] = f"medians of {RUNS} runs; figures only, never a pass/fail threshold"
    print(json.dumps({"directory": with_previous(results)}, indent=2))


def _measure(url: str) -> dict:
    from flask_migrate import upgrade

    from bench.admin import add_phones, admin_cases
    from bench.pages import page_cases
    from talento.accounts.services import create_admin_if_absent
    from talento.extensions import db
    from talento.geo.services import load_reference_data
    from talento.profiles.catalogue import load_skill_catalogue
    from talento.profiles.search.directory import parse_filters, search_directory
    from talento.settings import Settings
    from talento.web import build_app

    results: dict[str, float | int | str] = {"talents": TALENTS}
    app = build_app(
        Settings(
            secret_key=secrets.token_hex(32),
            encryption_key=Fernet.generate_key().decode(),
            admin_password=secrets.token_urlsafe(18),
            database_url=url,
            database_timeout=0.0,  # loading 100,000 talents is a long job (as `talento` does)
            flask_env="testing",
            log_level="WARNING",
        )
    )
    with app.app_context():
        upgrade()
        load_reference_data(db.session)
        load_skill_catalogue(db.session)
        db.session.commit()
        start = time.perf_counter()
        _load(db.session, TALENTS)
        results["load_seconds"] = round(time.perf_counter() - start, 1)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        cases = {
            "first_page_ms": {},
            "name_prefix_ms": {"q": "ben"},
            "code_ms": {"q": "X000054321"},
            "country_availability_skill_ms": {
                "country": "SN",
                "availability": "soon",
                "skill": "actor",
            },
            "languages_age_ms": {"language": ["fr", "ar"], "age_min": "25", "age_max": "35"},
            "by_name_page_200_ms": {"sort": "name", "page": "200"},
        }
        for label, args in cases.items():
            filters = parse_filters(args)
            results[label] = _median_ms(lambda f=filters: search_directory(db.session, f, "fr"))
        keyring = app.extensions["talento.keyring"]
        start = time.perf_counter()
        add_phones(db.session, keyring)
        results["phones_load_seconds"] = round(time.perf_counter() - start, 1)
        results.update(admin_cases(db.session, keyring, _median_ms))
        create_admin_if_absent(
            db.session,
            app.extensions["talento.settings"].admin_password,
            app.extensions["talento.passwords"],
        )
        db.session.commit()
        results.update(page_cases(app, db.session))
        db.session.remove()
        db.engine.dispose()
    return results


if __name__ == "__main__":
    sys.exit(main())
