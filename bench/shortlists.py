"""`make bench` part: a role's shortlist in the field (issue 14 point 9), timed as HTTP
requests through a real server with a casting account signed in:

- « Tout ajouter »: a 300-person crowd role filled from one search in one POST (the
  shortlist emptied before each run);
- the contact-sheet PDF of those 300 faces;
- a client review page of 50 faces: its weight with every thumbnail it shows (bytes) and its
  time.

Seeds 300 talents with `talento seed-demo`'s own functions (demo photos and thumbnails on
disk) in a throw-away database next to TEST_DATABASE_URL. Prints JSON; never fails on speed.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

from cryptography.fernet import Fernet
from sqlalchemy import delete, select, text, update

from bench.casting import _casting_cookie
from bench.directory import throwaway_database

CROWD = 300
REVIEW_FACES = 50
RUNS = 5


def _request(port: int, method: str, path: str, cookie: str, body: str | None = None):
    headers = {"Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return response.status, data, (time.perf_counter() - start) * 1000


def _summary(samples: list[float]) -> dict:
    return {"median": round(statistics.median(samples), 1), "max": round(max(samples), 1)}


def _production(session) -> tuple[int, int]:
    from talento.projects.models import CastingRole, ProductionCompany, Project

    company = ProductionCompany(name="Bench Films", initials="BF", last_project_number=1)
    session.add(company)
    session.flush()
    project = Project(company_id=company.id, number=1, name="Bench")
    session.add(project)
    session.flush()
    crowd = CastingRole(project_id=project.id, name="Foule", people_needed=CROWD)
    review = CastingRole(project_id=project.id, name="Revue", people_needed=REVIEW_FACES)
    session.add_all([crowd, review])
    session.commit()
    return crowd.id, review.id


def _measure(url: str) -> dict:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from talento.casting.demo import seed_casting
    from talento.casting.models import CastingProfile
    from talento.casting.search.filters import parse_filters
    from talento.extensions import db, utcnow
    from talento.profiles.demo import seed_demo
    from talento.projects import links
    from talento.projects.models import CastingRole, ReviewLink, ShortlistEntry
    from talento.projects.shortlist_services import add_talents, search_ids
    from talento.settings import Settings
    from talento.web import build_app

    upload_dir = tempfile.mkdtemp(prefix="shortlists-bench-")
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
    results: dict = {"crowd": CROWD, "review_faces": REVIEW_FACES}
    with app.app_context():
        from talento.geo.services import load_reference_data
        from talento.profiles.catalogue import load_skill_catalogue

        upgrade()
        load_reference_data(db.session)
        load_skill_catalogue(db.session)
        db.session.commit()
        # Some demo profiles are not searched (minors' hidden ones…): seed a few more.
        seed_demo(db.session, upload_dir, CROWD * 115 // 100, "MA", seed=14)
        seed_casting(db.session, upload_dir, CROWD * 115 // 100, seed=14)
        db.session.commit()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        crowd_id, review_id = _production(db.session)
        from talento.extensions import utctoday

        everyone = search_ids(db.session, parse_filters({}), utctoday())
        # « Tout ajouter » takes the whole result set: exactly CROWD profiles are searched,
        # the extra ones hidden by their (demo) owners.
        db.session.execute(
            update(CastingProfile)
            .where(CastingProfile.user_id.in_(everyone[CROWD:]))
            .values(visibility="hidden")
        )
        everyone = everyone[:CROWD]
        results["searched"] = len(everyone)
        add_talents(
            db.session, db.session.get(CastingRole, review_id), everyone[:REVIEW_FACES], None
        )
        link = ReviewLink(role_id=review_id, expires_at=utcnow().replace(year=utcnow().year + 1))
        db.session.add(link)
        db.session.commit()
        review_path = "/review/" + links.make_token(app.config["SECRET_KEY"], "review", link.id)
        cookie = _casting_cookie(app, db.session)
        db.session.remove()
    if cookie is None:
        return {**results, "error": "could not sign in"}
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port
    try:
        _status, page, _ms = _request(port, "GET", f"/cinema/talents?role={crowd_id}", cookie)
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        if token is None:
            return {**results, "error": "no form on the search page"}
        body = urlencode({"csrf_token": token.group(1).decode(), "all": "1"})

        adds = []
        for _ in range(RUNS):
            with app.app_context():
                db.session.execute(delete(ShortlistEntry).where(ShortlistEntry.role_id == crowd_id))
                db.session.commit()
                db.session.remove()
            status, _data, ms = _request(
                port, "POST", f"/projects/roles/{crowd_id}/shortlist/add", cookie, body
            )
            if status != 303:
                return {**results, "error": f"add all: HTTP {status}"}
            adds.append(ms)
        with app.app_context():
            results["shortlisted"] = len(
                db.session.scalars(
                    select(ShortlistEntry.id).where(ShortlistEntry.role_id == crowd_id)
                ).all()
            )
            db.session.remove()
        results["add_all_300_ms"] = _summary(adds)
        pdfs, size = [], 0
        for _ in range(RUNS):
            status, data, ms = _request(
                port, "GET", f"/projects/roles/{crowd_id}/shortlist.pdf", cookie
            )
            pdfs.append(ms)
            size = len(data)
        results["pdf_300_ms"] = _summary(pdfs)
        results["pdf_300_bytes"] = size
        pages, weight = [], 0
        for _ in range(RUNS):
            start = time.perf_counter()
            status, html, _ms = _request(port, "GET", review_path, "")
            weight = len(html)
            for src in re.findall(rb'<img src="([^"]+)"[^>]*loading="lazy"', html):
                _s, image, _m = _request(port, "GET", src.decode(), "")
                weight += len(image)
            pages.append((time.perf_counter() - start) * 1000)
        results["review_50_with_thumbnails_ms"] = _summary(pages)
        results["review_50_bytes"] = weight
    finally:
        server.shutdown()
        thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    with throwaway_database("talento_shortlists") as url:
        if url is None:
            print(json.dumps({"shortlists": "skipped: no PostgreSQL answers"}))
            return
        try:
            results = _measure(url)
        except Exception as error:  # noqa: BLE001 - a bench never fails the build
            print(json.dumps({"shortlists": f"failed: {type(error).__name__}: {error}"}))
            return
    results["note"] = f"median and max of {RUNS} HTTP requests; figures only, never a threshold"
    results["load_average"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(json.dumps({"shortlists": results}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
