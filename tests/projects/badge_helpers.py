"""Productions made directly with the ORM for the badge and talent-list tests: a company (with a
logo file or not), a project, roles, casting talents (with a thumbnail on disk or not) and
bookings; and reading the PDFs back (text, embedded QR codes, rendered pages)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

PDFTOPPM = "/usr/bin/pdftoppm"


def _file_name(ext: str) -> str:
    return secrets.token_urlsafe(16)[:22].ljust(22, "x") + "." + ext


@dataclass
class Production:
    company_id: int = 0
    project_id: int = 0
    roles: dict[str, int] = field(default_factory=dict)
    #: booking code → (booking id, talent user id)
    bookings: dict[str, tuple[int, int]] = field(default_factory=dict)
    talents: list[int] = field(default_factory=list)


def make_production(
    app,
    *,
    company_name: str = "Atlas Films Badges",
    project_name: str = "Le Désert des Tartares",
    logo: bool = False,
    roles: tuple[tuple[str, str], ...] = (("Nomades", "extra"), ("Le Chef", "principal")),
) -> Production:
    """A company (AFB), its project n°1 (March 2027) and roles (name, talent type), in order."""
    from talento.extensions import db
    from talento.projects.models import CastingRole, ProductionCompany, Project

    upload_dir = Path(app.extensions["talento.settings"].upload_dir)
    made = Production()
    with app.app_context():
        company = ProductionCompany(name=company_name, initials="AFB", last_project_number=1)
        if logo:
            company.logo_name = _file_name("jpg")
            folder = upload_dir / "companies" / "logos"
            folder.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (400, 160), (20, 120, 60)).save(folder / company.logo_name, "JPEG")
        db.session.add(company)
        db.session.flush()
        project = Project(
            company_id=company.id,
            number=1,
            name=project_name,
            start_date=dt.date(2027, 3, 15),
            end_date=dt.date(2027, 3, 30),
        )
        db.session.add(project)
        db.session.flush()
        for position, (name, talent_type) in enumerate(roles):
            role = CastingRole(
                project_id=project.id, name=name, talent_type=talent_type, position=position
            )
            db.session.add(role)
            db.session.flush()
            made.roles[name] = role.id
        made.company_id, made.project_id = company.id, project.id
        db.session.commit()
        db.session.remove()
    return made


def add_talents(
    app, count: int, *, start: int = 1, photo: bool = True, names: list[str] | None = None
) -> list[int]:
    """`count` talents with a complete casting profile (CINEMA code ``MATNG####M``) and, with
    `photo`, a primary photo whose WebP thumbnail is on disk; returns their user ids."""
    from talento.accounts.models import User
    from talento.casting.media_files import PHOTOS_DIR, THUMBS_DIR
    from talento.casting.models import CastingPhoto, CastingProfile
    from talento.extensions import db, utcnow
    from talento.geo.models import City, Country
    from talento.profiles.models import TalentProfile

    upload_dir = Path(app.extensions["talento.settings"].upload_dir)
    (upload_dir / THUMBS_DIR).mkdir(parents=True, exist_ok=True)
    (upload_dir / PHOTOS_DIR).mkdir(parents=True, exist_ok=True)
    ids = []
    with app.app_context():
        country = db.session.scalars(db.select(Country).filter_by(iso2="MA")).one()
        city = db.session.scalars(db.select(City).filter_by(country_id=country.id, code="CAS"))
        city_row = city.first()
        users = []
        for n in range(start, start + count):
            first, last = ("Fatima-Zahra", f"Bennani {n:04d}")
            if names:
                first, last = names[(n - start) % len(names)].split(" ", 1)
            users.append(
                User(
                    code=f"MAN{n:04d}TNG",
                    email=f"badge-talent{n}@example.org",
                    first_name=first,
                    last_name=last,
                    gender="M",
                    country=country,
                    city=city_row,
                )
            )
        db.session.add_all(users)
        db.session.flush()
        for offset, user in enumerate(users):
            n = start + offset
            db.session.add(TalentProfile(user_id=user.id, consent_at=utcnow()))
            photos = []
            if photo:
                item = CastingPhoto(
                    kind="headshot",
                    name=_file_name("jpg"),
                    thumb_name=_file_name("webp"),
                    is_primary=True,
                )
                colour = ((n * 37) % 255, (n * 91) % 255, 160)
                Image.new("RGB", (160, 200), colour).save(
                    upload_dir / THUMBS_DIR / item.thumb_name, "WEBP"
                )
                photos.append(item)
            db.session.flush()
            db.session.add(
                CastingProfile(
                    user_id=user.id,
                    code=f"MATNG{n:04d}M",
                    visibility="staff",
                    registration_step="done",
                    photos=photos,
                )
            )
            ids.append(user.id)
        db.session.commit()
        db.session.remove()
    return ids


def add_booking(
    app,
    production: Production,
    role: str,
    talent_id: int,
    code: str,
    *,
    status: str = "confirmed",
    days: tuple[dt.date, ...] = (dt.date(2027, 3, 15), dt.date(2027, 3, 16)),
    call_time: dt.time | None = None,
) -> int:
    from talento.extensions import db
    from talento.projects.models import Booking, BookingDay

    with app.app_context():
        booking = Booking(
            code=code,
            project_id=production.project_id,
            role_id=production.roles[role],
            talent_id=talent_id,
            status=status,
            call_time=call_time,
            booked_days=[BookingDay(day=day) for day in days],
        )
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
        db.session.remove()
    production.bookings[code] = (booking_id, talent_id)
    return booking_id


# -- reading the PDFs back -------------------------------------------------------------------


def reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-"), pdf[:40]
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def decode_qr(image: Image.Image) -> list[str]:
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(image)]


def embedded_qr_tokens(pdf: bytes) -> list[list[str]]:
    """Per page, the texts of the QR codes found in the page's embedded images."""
    pages = []
    for page in reader(pdf).pages:
        found: list[str] = []
        for image in page.images:
            found += decode_qr(image.image.convert("L"))
        pages.append(found)
    return pages


def image_draws(pdf: bytes) -> list[dict[str, int]]:
    """Per page, how many times each image XObject is drawn (``/Name Do``)."""
    counts = []
    for page in reader(pdf).pages:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        names: dict[str, int] = {}
        for name in re.findall(rb"/(\w+) Do", data):
            names[name.decode()] = names.get(name.decode(), 0) + 1
        counts.append(names)
    return counts


def pdftoppm() -> str:
    """Debian's pdftoppm (poppler-utils). Missing: skip, or fail under CI."""
    if not (os.path.isfile(PDFTOPPM) and os.access(PDFTOPPM, os.X_OK)):
        reason = f"pdftoppm not found at {PDFTOPPM} (install it with `make poppler`)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; it is required under CI")
        pytest.skip(reason)
    return PDFTOPPM


def rendered_pages(pdf: bytes, dpi: int = 150, last: int = 1) -> list[Image.Image]:
    """The first pages as a printer would see them (pdftoppm), up to `last`."""
    binary = pdftoppm()
    folder = tempfile.mkdtemp(prefix="badges-")
    try:
        source = Path(folder) / "badges.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                binary,
                "-r",
                str(dpi),
                "-png",
                "-f",
                "1",
                "-l",
                str(last),
                str(source),
                str(Path(folder) / "page"),
            ],  # fmt: skip
            check=True,
            timeout=120,
        )
        images = []
        for path in sorted(Path(folder).glob("page-*.png")):
            with Image.open(path) as image:
                images.append(image.convert("L"))
        return images
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def keys_from(document: dict) -> dict[str, bytes]:
    """The {kid: raw public key} a scanner builds from /projects/badge-keys.json."""
    return {
        key["kid"]: base64.urlsafe_b64decode(key["x"] + "=" * (-len(key["x"]) % 4))
        for key in document["keys"]
        if key["alg"] == "Ed25519"
    }
