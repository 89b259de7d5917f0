"""`make bench`: the badge PDF of a 300-person project (issue 14 point 9: under 10 s, the
worker's peak memory under 250 MB) and its talent list, timed as HTTP requests through a real
server running in its own process, whose peak resident memory is read from the kernel.

Creates a throw-away PostgreSQL database next to TEST_DATABASE_URL, migrates it, and seeds a
company with a logo, a project with three roles (a crowd of 280 extras, 15 secondary roles, 5
leads) and 300 bookings of 300 casting talents, each with its own primary photo whose
thumbnail is made by the app's own encoder (WebP under 28 KB: the worst case is a distinct
photo per badge). A casting account signs in; then a separate process serves the app (the
"worker") and this one times, through HTTP, the project's badges (the first request pays for
the PDF library's import, as a fresh worker would), the crowd role's badges, and the talent
list. The worker's peak RSS (``VmHWM`` of /proc/<pid>/status: the kernel's high-water mark,
the whole process with Python, Flask, SQLAlchemy, Pillow and fpdf2) is read before the first
PDF and after the last. Prints JSON; never fails on speed; no PostgreSQL prints a skip reason.

The app runs in a worker process of its own (bench/worker.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

from bench.casting import _casting_cookie
from bench.directory import throwaway_database
from bench.pages import _get
from bench.worker import settings as worker_settings
from bench.worker import start as start_worker

BOOKINGS = int(os.environ.get("BENCH_BADGES", "300"))
ROLES = (
    ("Nomades du désert", "extra", 0.934),
    ("Marchands", "secondary", 0.984),
    ("Chefs", "principal", 1.0),
)
RUNS = 3


def _photo(rng: random.Random, index: int):
    """A portrait-like picture: a gradient, a face-sized disc, initials and camera noise."""
    from PIL import Image, ImageDraw

    base = tuple(rng.randrange(40, 200) for _ in range(3))
    image = Image.new("RGB", (600, 750), base)
    draw = ImageDraw.Draw(image)
    for y in range(0, 750, 6):
        shade = tuple(min(255, c + y // 12) for c in base)
        draw.rectangle((0, y, 600, y + 6), fill=shade)
    draw.ellipse((170, 120, 430, 420), fill=(224, 190, 160))
    draw.rectangle((120, 430, 480, 750), fill=tuple(rng.randrange(0, 255) for _ in range(3)))
    draw.text((260, 250), f"{index:03d}", fill=(40, 40, 40))
    # Grain enough for the thumbnail to weigh what a phone photo's does (15-20 KB).
    noise = Image.effect_noise((600, 750), 70).convert("RGB")
    return Image.blend(image, noise, 0.45)


def _seed(session, upload_dir: Path) -> dict:
    """The company, project, roles, talents with photos, and bookings; returns their ids."""
    from talento.accounts.models import User
    from talento.casting.media_files import THUMBS_DIR, new_name, small_thumbnail, webp_available
    from talento.casting.models import CastingPhoto, CastingProfile
    from talento.extensions import utcnow
    from talento.geo.models import City, Country
    from talento.profiles.models import TalentProfile
    from talento.projects.models import (
        Booking,
        BookingDay,
        CastingRole,
        ProductionCompany,
        Project,
    )

    rng = random.Random(14)  # noqa: S311 - reproducible fake data, not a secret
    start = time.perf_counter()
    logos = upload_dir / "companies" / "logos"
    logos.mkdir(parents=True, exist_ok=True)
    logo_name = secrets.token_urlsafe(16)[:22].ljust(22, "x") + ".jpg"
    _photo(rng, 0).resize((480, 200)).save(logos / logo_name, "JPEG", quality=85)
    company = ProductionCompany(
        name="Atlas Bench Films", initials="ABF", last_project_number=1, logo_name=logo_name
    )
    session.add(company)
    session.flush()
    first_day = dt.date(2027, 3, 15)
    project = Project(
        company_id=company.id,
        number=1,
        name="La Caravane des Sables",
        start_date=first_day,
        end_date=first_day + dt.timedelta(days=20),
        last_booking_number=BOOKINGS,
    )
    session.add(project)
    session.flush()
    roles = []
    for position, (name, talent_type, _share) in enumerate(ROLES):
        role = CastingRole(
            project_id=project.id, name=name, talent_type=talent_type, position=position
        )
        session.add(role)
        roles.append(role)
    session.flush()

    country = session.query(Country).filter_by(iso2="MA").one()
    city = session.query(City).filter_by(country_id=country.id).first()
    (upload_dir / THUMBS_DIR).mkdir(parents=True, exist_ok=True)
    webp = webp_available()
    thumb_bytes = 0
    crowd_role = roles[0].id
    first_names = ["Fatima-Zahra", "Youssef", "Khadija", "Mohamed", "Salma", "Hamza", "Imane"]
    last_names = ["El Idrissi", "Bennani", "Amrani", "Ouazzani", "Tazi", "Alaoui", "Berrada"]
    for n in range(1, BOOKINGS + 1):
        user = User(
            code=f"MAN{n:04d}OUZ",
            email=f"bench-badge-{n}@example.org",
            first_name=rng.choice(first_names),
            last_name=f"{rng.choice(last_names)} {n}",
            gender="N",
            country=country,
            city=city,
        )
        session.add(user)
        session.flush()
        session.add(TalentProfile(user_id=user.id, consent_at=utcnow()))
        thumb, extension = small_thumbnail(_photo(rng, n), webp)
        thumb_name = new_name(extension)
        (upload_dir / THUMBS_DIR / thumb_name).write_bytes(thumb)
        thumb_bytes += len(thumb)
        session.flush()
        session.add(
            CastingProfile(
                user_id=user.id,
                code=f"MAOUZ{n:04d}N",
                registration_step="done",
                photos=[
                    CastingPhoto(
                        kind="headshot",
                        name=new_name("jpg"),
                        thumb_name=thumb_name,
                        is_primary=True,
                    )
                ],
            )
        )
        share = n / BOOKINGS
        role = next(
            (roles[i] for i, (_name, _type, upto) in enumerate(ROLES) if share <= upto), roles[-1]
        )
        days = [first_day + dt.timedelta(days=d) for d in range(rng.randrange(1, 6))]
        session.add(
            Booking(
                code=f"CCABF001{n:04d}",
                project_id=project.id,
                role_id=role.id,
                talent_id=user.id,
                status="confirmed" if n % 5 else "pending",
                call_time=dt.time(6, 30),
                booked_days=[BookingDay(day=day) for day in days],
            )
        )
    session.commit()
    return {
        "project_id": project.id,
        "crowd_role_id": crowd_role,
        "crowd": sum(1 for n in range(1, BOOKINGS + 1) if n / BOOKINGS <= ROLES[0][2]),
        "seed_seconds": round(time.perf_counter() - start, 1),
        "thumbnail_kb_average": round(thumb_bytes / BOOKINGS / 1024, 1),
    }


def _memory(pid: int) -> dict[str, float]:
    """The worker's current and peak resident memory (MB), from the kernel."""
    found: dict[str, float] = {}
    status = Path(f"/proc/{pid}/status").read_text()
    for key in ("VmRSS", "VmHWM"):
        match = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
        if match:
            found[key] = round(int(match.group(1)) / 1024, 1)
    return found


def _pdf_request(port: int, path: str, cookie: str | None) -> dict:
    import http.client

    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    seconds = time.perf_counter() - start
    return {
        "status": response.status,
        "seconds": round(seconds, 2),
        "pages": len(re.findall(rb"/Type /Page\b", body)),
        "kb": round(len(body) / 1024),
    }


def _measure(url: str) -> dict:
    from flask_migrate import upgrade

    from talento.extensions import db
    from talento.geo.services import load_reference_data
    from talento.web import build_app

    upload_dir = tempfile.mkdtemp(prefix="badges-bench-")
    secret, key = secrets.token_hex(32), Fernet.generate_key().decode()
    app = build_app(worker_settings(url, upload_dir, secret, key))
    with app.app_context():
        upgrade()
        load_reference_data(db.session)
        db.session.commit()
        results = _seed(db.session, Path(upload_dir))
        cookie = _casting_cookie(app, db.session)
        db.session.remove()
        db.engine.dispose()
    worker, port = start_worker(url, upload_dir, secret, key)
    try:
        _get(port, "/projects/badge-keys.json", None)  # the app is up
        results["worker_before_mb"] = _memory(worker.pid)
        project, crowd = results["project_id"], results["crowd_role_id"]
        results["project_badges"] = [
            _pdf_request(port, f"/projects/{project}/badges.pdf", cookie) for _ in range(RUNS)
        ]
        results["crowd_role_badges"] = _pdf_request(
            port, f"/projects/roles/{crowd}/badges.pdf", cookie
        )
        results["talent_list"] = _pdf_request(port, f"/projects/{project}/talents.pdf", cookie)
        results["worker_after_mb"] = _memory(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return results


def main() -> None:
    with throwaway_database("talento_badges") as url:
        if url is None:
            print(json.dumps({"projects_badges": "skipped: no PostgreSQL answers"}))
            return
        try:
            results = _measure(url)
        except Exception as error:  # noqa: BLE001 - a bench never fails the build
            print(json.dumps({"projects_badges": f"failed: {type(error).__name__}: {error}"}))
            return
    results["bookings"] = BOOKINGS
    results["targets"] = "project badges < 10 s, worker peak RSS (VmHWM) < 250 MB"
    results["note"] = "figures only, never a threshold; the first request imports fpdf2"
    results["load_average"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(json.dumps({"projects_badges": results}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
