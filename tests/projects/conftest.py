"""Fixtures of the productions tests: accounts of each kind, a company with a member and a
project (with a presence account assigned) and a signed-in client per account; for the
shortlist and review-link tests, a production (company, project, role), casting staff, and
crowds of complete casting profiles made in one transaction (300 faces through make_talent
would hash 300 passwords)."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

from tests.helpers import _csrf_from, login, make_settings


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@dataclass(frozen=True)
class Cast:
    """The accounts and rows of a test: ids and e-mails."""

    casting: int
    admin: int
    talent: int
    member: int
    presence: int
    recruiter: int
    company_id: int
    project_id: int


EMAILS = {
    "casting": "casting@example.ma",
    "admin": "admin@example.ma",
    "talent": "talent@example.ma",
    "member": "member@example.ma",
    "presence": "presence@example.ma",
    "recruiter": "recruiter@example.ma",
}


@pytest.fixture
def cast(app, make_user) -> Cast:
    from talento.extensions import db
    from talento.projects.models import (
        CompanyMember,
        PresenceAssignment,
        ProductionCompany,
        Project,
    )

    ids = {
        "casting": make_user(email=EMAILS["casting"], capabilities=["casting"]),
        "admin": make_user(email=EMAILS["admin"], capabilities=["admin"]),
        "talent": make_user(email=EMAILS["talent"], capabilities=["talent"]),
        "member": make_user(email=EMAILS["member"], capabilities=[]),
        "presence": make_user(email=EMAILS["presence"], capabilities=["presence"]),
        "recruiter": make_user(email=EMAILS["recruiter"], capabilities=["recruiter"]),
    }
    with app.app_context():
        company = ProductionCompany(name="Atlas Films", initials="AF", last_project_number=1)
        db.session.add(company)
        db.session.flush()
        db.session.add(CompanyMember(company_id=company.id, user_id=ids["member"]))
        project = Project(
            company_id=company.id,
            number=1,
            name="Le Désert",
            start_date=dt.date(2027, 3, 1),
            end_date=dt.date(2027, 3, 31),
        )
        db.session.add(project)
        db.session.flush()
        db.session.add(PresenceAssignment(project_id=project.id, user_id=ids["presence"]))
        db.session.commit()
        company_id, project_id = company.id, project.id
        db.session.remove()
    return Cast(**ids, company_id=company_id, project_id=project_id)


@pytest.fixture
def as_role(app, cast):
    """``as_role("casting")``: a test client signed in as that account."""

    def signed_in(role: str):
        client = app.test_client()
        response = login(client, EMAILS[role])
        assert response.status_code == 302, f"cannot sign in as {role}"
        return client

    return signed_in


@pytest.fixture
def production(app) -> dict:
    """A company, a project and a role (« Nomades », 300 people): their ids."""
    from talento.extensions import db
    from talento.projects.models import CastingRole, ProductionCompany, Project

    with app.app_context():
        company = ProductionCompany(name="Atlas Films", initials="ATF", last_project_number=1)
        db.session.add(company)
        db.session.flush()
        project = Project(company_id=company.id, number=1, name="Le Désert")
        db.session.add(project)
        db.session.flush()
        role = CastingRole(
            project_id=project.id,
            name="Nomades",
            talent_type="extra",
            people_needed=300,
            criteria={"height_min": ["170"]},
        )
        db.session.add(role)
        db.session.commit()
        ids = {"company_id": company.id, "project_id": project.id, "role_id": role.id}
        db.session.remove()
    return ids


def noisy_thumbnail(path: Path, size: tuple[int, int] = (240, 300)) -> None:
    """A thumbnail with a photo's entropy (random pixels blurred a little): a flat colour
    would compress to nothing and prove nothing about weight."""
    noise = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    path.parent.mkdir(parents=True, exist_ok=True)
    noise.filter(ImageFilter.GaussianBlur(1.5)).save(path, "WEBP", quality=80)


@pytest.fixture
def crowd(app) -> Callable[..., list[int]]:
    """``crowd(n, height=…, photos=…, languages=…, talent_types=…)``: n complete casting
    profiles (staff-only visibility, active accounts), returns their user ids in creation
    order."""
    from talento.accounts.models import User
    from talento.casting.media_files import THUMBS_DIR
    from talento.casting.models import CastingPhoto, CastingProfile, CastingTalentType
    from talento.extensions import db, utcnow
    from talento.geo.models import City, Country
    from talento.profiles.models import TalentLanguage, TalentProfile

    counter = {"n": 0}
    upload_dir = Path(app.extensions["talento.settings"].upload_dir)

    def factory(
        n: int,
        *,
        height: int = 175,
        photos: int = 0,
        languages: tuple[str, ...] = (),
        talent_types: tuple[str, ...] = (),
        first_name: str = "Youssef",
        phone: str | None = None,
    ) -> list[int]:
        with app.app_context():
            country = db.session.scalars(db.select(Country).filter_by(iso2="MA")).one()
            city = db.session.scalars(
                db.select(City).filter_by(country_id=country.id, code="CAS")
            ).one()
            users = []
            for _ in range(n):
                counter["n"] += 1
                k = counter["n"]
                users.append(
                    User(
                        code=f"MAM{k:04d}CRW",
                        email=f"crowd{k}@example.org",
                        first_name=first_name,
                        last_name=f"Figurant{k}",
                        gender="M",
                        country=country,
                        city=city,
                        phone=phone,
                        date_of_birth=dt.date(1990, 1, 1),
                        email_verified_at=utcnow(),
                    )
                )
            db.session.add_all(users)
            db.session.flush()
            for user in users:
                number = int(user.code[3:7])
                rows = []
                for index in range(photos):
                    name = f"{user.id:011d}{index:011d}"
                    photo = CastingPhoto(
                        kind="headshot",
                        name=name + ".jpg",
                        thumb_name=name + ".webp",
                        is_primary=index == 0,
                        position=index,
                    )
                    noisy_thumbnail(upload_dir / THUMBS_DIR / photo.thumb_name)
                    rows.append(photo)
                db.session.add(
                    TalentProfile(
                        user_id=user.id,
                        consent_at=utcnow(),
                        languages=[TalentLanguage(code=c, level="fluent") for c in languages],
                    )
                )
                db.session.add(
                    CastingProfile(
                        user_id=user.id,
                        code=f"MACRW{number:04d}M",
                        visibility="staff",
                        registration_step="done",
                        height_cm=height,
                        playing_age_min=25,
                        playing_age_max=35,
                        photos=rows,
                        talent_type_rows=[CastingTalentType(code=c) for c in talent_types],
                    )
                )
            db.session.commit()
            ids = [user.id for user in users]
            db.session.remove()
        return ids

    return factory


@pytest.fixture
def staff(app, make_user) -> Callable[..., object]:
    """``staff(email)``: a casting account (created once) and a client signed in as it."""

    def factory(email: str = "casting@example.org", capabilities=("casting",)):
        make_user(
            email=email, capabilities=list(capabilities), first_name="Salma", last_name="Casting"
        )
        client = app.test_client()
        assert login(client, email).status_code == 302
        return client

    return factory


def csrf(client, page: str = "/auth/forgot") -> str:
    return _csrf_from(client.get(page).get_data(as_text=True))


def shortlist_ids(app, role_id: int) -> list[int]:
    """Talent ids of the role's shortlist in its order."""
    from sqlalchemy import select

    from talento.extensions import db
    from talento.projects.models import ShortlistEntry

    with app.app_context():
        ids = list(
            db.session.scalars(
                select(ShortlistEntry.talent_id)
                .where(ShortlistEntry.role_id == role_id)
                .order_by(ShortlistEntry.position, ShortlistEntry.id)
            )
        )
        db.session.remove()
    return ids


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()
