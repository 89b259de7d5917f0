"""`make bench`: on-set attendance (issue 15 point 7): one check-in under 50 ms server-side,
a sync of 500 offline scans under 5 s, timed as HTTP requests through a real server running
in its own process.

Creates a throw-away PostgreSQL database next to TEST_DATABASE_URL, migrates it, and seeds a
project with one crowd role and 1,100 confirmed bookings on today's date (the site's zone), each
talent with a casting profile. A casting account signs in; a separate process serves the app;
this one loads the day page (the roster of 1,100, for its CSRF token and as a figure of its
own), then times

- 50 check-ins, one request each (``POST …/scan`` as JSON with a booking code, as the scanner
  sends when online): the median and worst of the ``Server-Timing`` figure the view reports
  (the view's work, without the unit of work's commit) and of the whole request on localhost
  (commit and HTTP included);
- a sync of 500 offline scans of 500 other people (``POST …/sync``), then the same batch
  replayed (every scan a duplicate).

Prints JSON; never fails on speed; no PostgreSQL prints a skip reason.
The app runs in a worker process of its own (bench/worker.py).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet

from bench.casting import _casting_cookie
from bench.directory import throwaway_database
from bench.worker import settings as worker_settings
from bench.worker import start as start_worker

PEOPLE = int(os.environ.get("BENCH_ATTENDANCE_PEOPLE", "1100"))
CHECK_INS = 50
BATCH = 500
ZONE = ZoneInfo("Africa/Casablanca")


def _seed(session, today: dt.date) -> dict:
    from sqlalchemy import insert

    from talento.accounts.models import User
    from talento.casting.models import CastingProfile
    from talento.geo.models import City, Country
    from talento.profiles.models import TalentProfile
    from talento.projects.models import (
        Booking,
        BookingDay,
        CastingRole,
        ProductionCompany,
        Project,
    )

    start = time.perf_counter()
    company = ProductionCompany(name="Atlas Bench Films", initials="ABF", last_project_number=1)
    session.add(company)
    session.flush()
    project = Project(
        company_id=company.id, number=1, name="La Caravane", last_booking_number=PEOPLE
    )
    session.add(project)
    session.flush()
    role = CastingRole(project_id=project.id, name="Nomades", talent_type="extra")
    session.add(role)
    session.flush()
    country = session.query(Country).filter_by(iso2="MA").one()
    city = session.query(City).filter_by(country_id=country.id).first()
    users = [
        User(
            code=f"MAN{n:04d}OUZ",
            email=f"bench-attendance-{n}@example.org",
            first_name="Figurant",
            last_name=f"N° {n}",
            gender="N",
            country=country,
            city=city,
        )
        for n in range(1, PEOPLE + 1)
    ]
    session.add_all(users)
    session.flush()
    session.execute(
        insert(TalentProfile),
        [{"user_id": u.id, "consent_at": dt.datetime.now(dt.UTC)} for u in users],
    )
    session.execute(
        insert(CastingProfile),
        [
            {"user_id": u.id, "code": f"MAOUZ{n:04d}N", "registration_step": "done"}
            for n, u in enumerate(users, 1)
        ],
    )
    bookings = [
        Booking(
            code=f"CCABF001{n:04d}",
            project_id=project.id,
            role_id=role.id,
            talent_id=u.id,
            status="confirmed",
            call_time=dt.time(6, 30),
        )
        for n, u in enumerate(users, 1)
    ]
    session.add_all(bookings)
    session.flush()
    session.execute(insert(BookingDay), [{"booking_id": b.id, "day": today} for b in bookings])
    session.commit()
    return {
        "project_id": project.id,
        "codes": [b.code for b in bookings],
        "seed_seconds": round(time.perf_counter() - start, 1),
    }


class Client:
    """HTTP on loopback with the session cookie kept across answers."""

    def __init__(self, port: int, cookie: str | None):
        self.port = port
        self.cookies: dict[str, str] = {}
        if cookie:
            for part in cookie.split(";"):
                name, _sep, value = part.strip().partition("=")
                if name:
                    self.cookies[name] = value

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        ms = (time.perf_counter() - start) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response, data, ms


def _server_ms(response) -> float | None:
    match = re.search(r"dur=([\d.]+)", response.getheader("Server-Timing") or "")
    return float(match.group(1)) if match else None


def _measure(url: str) -> dict:
    from flask_migrate import upgrade

    from talento.extensions import db
    from talento.geo.services import load_reference_data
    from talento.web import build_app

    upload_dir = tempfile.mkdtemp(prefix="attendance-bench-")
    secret, key = secrets.token_hex(32), Fernet.generate_key().decode()
    app = build_app(worker_settings(url, upload_dir, secret, key))
    today = dt.datetime.now(ZONE).date()
    with app.app_context():
        upgrade()
        load_reference_data(db.session)
        db.session.commit()
        seeded = _seed(db.session, today)
        cookie = _casting_cookie(app, db.session)
        db.session.remove()
        db.engine.dispose()
    worker, port = start_worker(url, upload_dir, secret, key)
    results: dict = {"seed_seconds": seeded["seed_seconds"], "people_on_the_day": PEOPLE}
    try:
        client = Client(port, cookie)
        day = f"/attendance/{seeded['project_id']}/{today.isoformat()}"
        response, page, ms = client.request("GET", day)
        if response.status != 200:
            return {"failed": f"day page HTTP {response.status}"}
        results["day_page_ms_first"] = round(ms, 1)
        results["day_page_ms"] = round(client.request("GET", day)[2], 1)
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, "no CSRF token on the day page"
        headers = {"X-CSRFToken": match.group(1).decode(), "Content-Type": "application/json"}
        codes = seeded["codes"]
        server, whole = [], []
        for code in codes[:CHECK_INS]:
            body = json.dumps({"id": str(uuid.uuid4()), "code": code}).encode()
            response, data, ms = client.request("POST", f"{day}/scan", body, headers)
            if response.status != 200 or json.loads(data)["status"] != "recorded":
                return {"failed": f"check-in HTTP {response.status}: {data[:200]!r}"}
            server.append(_server_ms(response) or 0.0)
            whole.append(ms)
        results["check_in_server_ms"] = {
            "median": round(statistics.median(server), 1),
            "max": round(max(server), 1),
        }
        results["check_in_request_ms"] = {
            "median": round(statistics.median(whole), 1),
            "max": round(max(whole), 1),
        }
        now = dt.datetime.now(dt.UTC)
        scans = [
            {
                "id": str(uuid.uuid4()),
                "token": None,
                "code": code,
                "at": (now - dt.timedelta(seconds=BATCH - n)).isoformat(),
                "kind": "scan",
            }
            for n, code in enumerate(codes[CHECK_INS : CHECK_INS + BATCH])
        ]
        body = json.dumps({"device_id": "bench-phone", "scans": scans}).encode()
        for label in ("sync_500", "sync_500_replayed"):
            response, data, ms = client.request("POST", f"{day}/sync", body, headers)
            answer = json.loads(data)
            statuses: dict[str, int] = {}
            for one in answer.get("results", []):
                statuses[one["status"]] = statuses.get(one["status"], 0) + 1
            results[label] = {
                "http": response.status,
                "request_s": round(ms / 1000, 2),
                "server_s": round((_server_ms(response) or 0.0) / 1000, 2),
                "statuses": statuses,
            }
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return results


def main() -> None:
    with throwaway_database("talento_attendance") as url:
        if url is None:
            print(json.dumps({"attendance": "skipped: no PostgreSQL answers"}))
            return
        try:
            results = _measure(url)
        except Exception as error:  # noqa: BLE001 - a bench never fails the build
            print(json.dumps({"attendance": f"failed: {type(error).__name__}: {error}"}))
            return
    results["targets"] = "check-in < 50 ms server-side; sync of 500 offline scans < 5 s"
    results["note"] = (
        "server_ms: the view's own time (Server-Timing), before the unit of work's commit; "
        "request_ms: the whole request on localhost, commit included"
    )
    results["load_average"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(json.dumps({"attendance": results}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
