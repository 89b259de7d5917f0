"""`make bench` part three: the CINEMA casting search at 100,000 casting profiles, timed as
HTTP requests through a real server (a casting account signed in), median and p95.

Creates a throw-away database next to TEST_DATABASE_URL (or reuses BENCH_CINEMA_URL, seeded
once, for repeated runs), migrates it, seeds BENCH_CINEMA talents with `talento seed-demo`'s
own functions (profiles/demo.py, then casting/demo.py: the same data a demo gets), runs
ANALYZE, then times the search page with 0, 3 and 5 criteria (one of them « 100 km around
Ouarzazate »), the table view, a deep page, and the PDF and XLSX exports (bounded). Prints JSON
next to bench/previous.json's ``cinema`` figures. Never fails on speed; no PostgreSQL prints a
skip reason.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from contextlib import nullcontext

from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from bench.directory import throwaway_database
from bench.pages import PREVIOUS, _get

PROFILES = int(os.environ.get("BENCH_CINEMA", "100000"))
RUNS = 15
CASTING_EMAIL = "bench-casting@example.org"


def _cases(ouarzazate: int) -> dict[str, str]:
    near = f"near={ouarzazate}&km=100"
    return {
        "cinema_search_ms": "/cinema/talents",
        "cinema_search_3_criteria_ms": "/cinema/talents?gender=F&age_min=20&age_max=35&eyes=hazel",
        "cinema_search_3_near_ms": f"/cinema/talents?{near}&gender=M&type=extra",
        "cinema_search_5_criteria_ms": (
            f"/cinema/talents?{near}&gender=M&height_min=170&height_max=185&language=fr&photo=1"
        ),
        "cinema_search_5_skills_ms": (
            "/cinema/talents?gender=F&play_min=25&play_max=30&skill=swimming&hair=black&skin=olive"
        ),
        "cinema_table_ms": "/cinema/talents?gender=F&age_min=20&age_max=35&view=table",
        "cinema_deep_page_ms": "/cinema/talents?sort=height&page=200",
        "cinema_pdf_ms": f"/cinema/talents/print.pdf?{near}&gender=F",
        "cinema_xlsx_ms": "/cinema/talents/export.xlsx?gender=F&age_min=20&age_max=35",
        # A yardstick of the machine's load: the public directory's first page, 13.5 ms on a
        # quiet machine in bench/previous.json.
        "directory_same_run_ms": "/talents",
    }


def _timings(port: int, path: str, cookie: str | None) -> dict | str:
    status, _ = _get(port, path, cookie)  # warm-up (the kept facets, as in a running server)
    if status != 200:
        return f"HTTP {status}"
    samples = sorted(_get(port, path, cookie)[1] for _ in range(RUNS))
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"median": round(statistics.median(samples), 2), "p95": round(p95, 2)}


def _casting_cookie(app, session) -> str | None:
    """A casting account signed in through the login form; its session cookie."""
    import re

    from talento.accounts.models import AccountCapability, User

    password = secrets.token_urlsafe(18)
    user = session.scalar(select(User).where(User.email == CASTING_EMAIL))
    if user is None:
        user = User(
            code="MACAS0001X",
            email=CASTING_EMAIL,
            first_name="Bench",
            last_name="Casting",
            is_active_account=True,
        )
        session.add(user)
        session.flush()
        session.add(AccountCapability(user_id=user.id, capability="casting"))
    user.password_hash = app.extensions["talento.passwords"].hash(password)
    user.email_verified_at = func.now()
    session.commit()
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not match:
        return None
    client.post(
        "/auth/login",
        data={"identifier": CASTING_EMAIL, "password": password, "csrf_token": match.group(1)},
    )
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    return f"{name}={cookie.value}" if cookie else None


def _seed(session, upload_dir: str) -> dict:
    from talento.casting.demo import seed_casting
    from talento.casting.models import CastingProfile
    from talento.profiles.demo import seed_demo

    have = session.scalar(select(func.count()).select_from(CastingProfile)) or 0
    if have >= PROFILES:
        return {"seeded": "reused"}
    start = time.perf_counter()
    seed_demo(session, upload_dir, PROFILES - have, "MA", seed=13)
    session.commit()
    talents = time.perf_counter() - start
    start = time.perf_counter()
    seed_casting(session, upload_dir, PROFILES, seed=13)
    session.commit()
    cinema = time.perf_counter() - start
    session.commit()
    # VACUUM (not only ANALYZE): index-only scans need the visibility map, as autovacuum
    # leaves it on a running server.
    with session.get_bind().connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return {"seed_talents_seconds": round(talents, 1), "seed_cinema_seconds": round(cinema, 1)}


def _measure(url: str) -> dict:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from talento.extensions import db
    from talento.geo.models import City
    from talento.geo.services import load_reference_data
    from talento.profiles.catalogue import load_skill_catalogue
    from talento.settings import Settings
    from talento.web import build_app

    upload_dir = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp(prefix="cinema-bench-")
    app = build_app(
        Settings(
            secret_key=secrets.token_hex(32),
            encryption_key=Fernet.generate_key().decode(),
            admin_password=secrets.token_urlsafe(18),
            database_url=url,
            database_timeout=0.0,
            flask_env="testing",
            log_level="WARNING",
            upload_dir=upload_dir,
        )
    )
    results: dict = {"profiles": PROFILES}
    with app.app_context():
        upgrade()
        load_reference_data(db.session)
        load_skill_catalogue(db.session)
        db.session.commit()
        results.update(_seed(db.session, upload_dir))
        ouarzazate = db.session.scalar(select(City.id).where(City.name == "Ouarzazate").limit(1))
        cookie = _casting_cookie(app, db.session)
        db.session.remove()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for label, path in _cases(ouarzazate or 0).items():
            results[label] = _timings(server.server_port, path, cookie)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    reuse = os.environ.get("BENCH_CINEMA_URL")
    with nullcontext(reuse) if reuse else throwaway_database("talento_cinema") as url:
        if url is None:
            print(json.dumps({"cinema": "skipped: no PostgreSQL answers"}))
            return
        try:
            results = _measure(url)
        except Exception as error:  # noqa: BLE001 - a bench never fails the build
            print(json.dumps({"cinema": f"failed: {type(error).__name__}: {error}"}))
            return
    results["note"] = f"median and p95 of {RUNS} HTTP requests; figures only, never a threshold"
    try:
        previous = json.loads(PREVIOUS.read_text()).get("cinema", {})
    except (OSError, ValueError):
        previous = {}
    results["previous"] = previous.get("pages")
    results["load_average"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(json.dumps({"cinema": results}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
