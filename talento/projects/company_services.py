"""Production companies: create, edit, verify, soft-delete, members, logo (issue 14, point 1).

Form-free: plain data in (:class:`CompanyInput`), ``Refused`` out, the caller's unit of work
commits. Who may call what is the views' business (projects.access): casting staff and admins
create and edit, admins alone verify.

Decisions:

- Lists a company describes itself with (services, equipment, awards…) are JSON lists of short
  lines, cleaned here (blank lines dropped, duplicates dropped, each line cut to
  :data:`MAX_ITEM_LENGTH`) whatever the form sent.
- ``initials`` start the company's booking codes (``CC`` + initials + project + sequence):
  derived from the name when left blank (:func:`derive_initials`), else 2 to 4 capital letters.
  They may change while no booking exists; codes already given keep the old ones.
- The logo is an uploaded image checked and re-encoded like profile photos
  (talento.profiles.uploads: signature, pixel bounds, EXIF dropped), stored as a JPEG of at
  most :data:`LOGO_MAX_SIDE` px under ``companies/logos/`` with a random name; badges and
  PDFs embed JPEG as is.
- Soft delete keeps the row (projects and bookings refer to it) and hides it everywhere
  (projects.access.live_companies); the deletion is audited.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.audit.models import AuditAction
from talento.audit.services import Actor, about, record
from talento.casting.media_files import casting_files, jpeg, new_name, read_photo_upload
from talento.extensions import rowcount, utcnow
from talento.geo.services import find_city, find_country
from talento.i18n import gettext as _
from talento.profiles.uploads import UploadRejected, decode_photo, resized
from talento.projects.access import live_companies
from talento.projects.models import Booking, CompanyMember, ProductionCompany, Project
from talento.projects.vocabulary import COMPANY_SPECIALISATIONS
from talento.refusals import Refusals, Refused

LOGOS_DIR = Path("companies") / "logos"
#: Generated logo names (anything else is refused before any I/O).
LOGO_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.jpg$")
LOGO_MAX_SIDE = 512
MAX_ITEM_LENGTH = 200
MAX_ITEMS = 50
MAX_URL_LENGTH = 300
INITIALS_RE = re.compile(r"^[A-Z]{2,4}$")
#: Words left out of derived initials (« Les Films du Sud » → FS).
SMALL_WORDS = frozenset("de du des d la le les l et en au aux a the of and & y el al".split())
LIST_FIELDS = (
    "social_links",
    "notable_productions",
    "services",
    "equipment",
    "studios",
    "certifications",
    "memberships",
    "awards",
)


@dataclass(frozen=True)
class CompanyInput:
    """What a company form sends, already parsed (lists are lists of lines)."""

    name: str
    initials: str = ""
    description: str = ""
    specialisations: list[str] = field(default_factory=list)
    address: str = ""
    country_iso2: str = ""
    city_id: int | None = None
    phone: str = ""
    email: str = ""
    website: str = ""
    social_links: list[str] = field(default_factory=list)
    founded_year: int | None = None
    director_name: str = ""
    employees: int | None = None
    notable_productions: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    studios: list[str] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    memberships: list[str] = field(default_factory=list)
    awards: list[str] = field(default_factory=list)


def _ascii_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).upper()


def derive_initials(name: str) -> str:
    """Two to four capital letters from a company's name: the first letter of each word that
    is not a small word (« Atlas Films Production » → AFP); a one-word name gives its first
    two letters (« Ouarzazate » → OU). « XX » for a name without Latin letters."""
    words = [w for w in re.split(r"[\s\-'’_./&]+", name) if w]
    kept = [w for w in words if w.casefold() not in SMALL_WORDS] or words
    letters = "".join(_ascii_letters(w)[:1] for w in kept)[:4]
    if len(letters) < 2:
        letters = (letters + _ascii_letters(name)[1:])[:2] if letters else _ascii_letters(name)[:2]
    return letters if len(letters) >= 2 else (letters + "XX")[:2]


def clean_lines(lines: Iterable[str]) -> list[str]:
    """Blank lines and duplicates dropped (case-insensitively), each line cut to length."""
    seen: set[str] = set()
    kept: list[str] = []
    for raw in lines:
        line = " ".join(str(raw).split())[:MAX_ITEM_LENGTH].strip()
        if line and line.casefold() not in seen:
            seen.add(line.casefold())
            kept.append(line)
    return kept[:MAX_ITEMS]


def is_web_url(text: str) -> bool:
    """An absolute http(s) address with a host name (what a link on a page may point to)."""
    if len(text) > MAX_URL_LENGTH or any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host and not host.endswith(".")


def _checked(session: Session, data: CompanyInput) -> dict:
    """The column values of `data`, or Refusals naming every wrong field."""
    problems: list[Refused] = []
    name = " ".join(data.name.split())
    if not name:
        problems.append(Refused("name", _("Indiquez le nom de la société.")))
    initials = data.initials.strip().upper() or derive_initials(name or "XX")
    if not INITIALS_RE.match(initials):
        problems.append(
            Refused("initials", _("Les initiales comptent 2 à 4 lettres majuscules, sans accent."))
        )
    unknown = [code for code in data.specialisations if code not in COMPANY_SPECIALISATIONS]
    if unknown:
        problems.append(Refused("specialisations", _("Choisissez une valeur de la liste.")))
    country = find_country(session, data.country_iso2) if data.country_iso2 else None
    if data.country_iso2 and country is None:
        problems.append(Refused("country", _("Choisissez un pays de la liste.")))
    city = None
    if data.city_id:
        city = find_city(session, country.iso2, data.city_id) if country else None
        if city is None:
            problems.append(Refused("city", _("Choisissez une ville du pays choisi.")))
    website = data.website.strip()
    if website and not is_web_url(website):
        problems.append(
            Refused("website", _("Indiquez une adresse complète, par exemple https://exemple.ma."))
        )
    links = clean_lines(data.social_links)
    bad = [link for link in links if not is_web_url(link)]
    if bad:
        problems.append(
            Refused(
                "social_links",
                _(
                    "Chaque ligne doit être une adresse complète commençant par https:// "
                    "(à corriger : %(link)s).",
                    link=bad[0][:80],
                ),
            )
        )
    if data.founded_year is not None and not 1895 <= data.founded_year <= 2100:
        problems.append(Refused("founded_year", _("Indiquez une année entre 1895 et 2100.")))
    if data.employees is not None and not 0 <= data.employees <= 1_000_000:
        problems.append(Refused("employees", _("Indiquez un nombre positif.")))
    if problems:
        raise Refusals(problems)
    values = {
        "name": name[:200],
        "initials": initials,
        "description": data.description.strip() or None,
        "specialisations": [c for c in COMPANY_SPECIALISATIONS if c in data.specialisations],
        "address": data.address.strip() or None,
        "country_id": country.id if country else None,
        "city_id": city.id if city else None,
        "phone": data.phone.strip()[:32] or None,
        "email": data.email.strip()[:254] or None,
        "website": website or None,
        "social_links": links,
        "founded_year": data.founded_year,
        "director_name": data.director_name.strip()[:200] or None,
        "employees": data.employees,
    }
    for name_ in LIST_FIELDS[1:]:
        values[name_] = clean_lines(getattr(data, name_))
    return values


def live_companies_query():
    """Live companies (projects.access), for lists and lookups."""
    return live_companies()


def project_counts(session: Session, company_ids: list[int]) -> dict[int, int]:
    """How many live projects each company has."""
    if not company_ids:
        return {}
    rows = session.execute(
        select(Project.company_id, func.count())
        .where(Project.company_id.in_(company_ids), Project.deleted_at.is_(None))
        .group_by(Project.company_id)
    )
    return {company_id: count for company_id, count in rows}


def create_company(session: Session, data: CompanyInput, actor_id: int | None) -> ProductionCompany:
    company = ProductionCompany(**_checked(session, data), created_by_id=actor_id)
    session.add(company)
    session.flush()
    return company


def has_bookings(session: Session, company: ProductionCompany) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(Booking.project_id == Project.id, Project.company_id == company.id)
            )
        )
    )


def update_company(session: Session, company: ProductionCompany, data: CompanyInput) -> None:
    values = _checked(session, data)
    if values["initials"] != company.initials and has_bookings(session, company):
        raise Refused(
            "initials",
            _(
                "Des engagements portent déjà les initiales %(initials)s dans leur code : "
                "elles ne peuvent plus changer.",
                initials=company.initials,
            ),
        )
    for key, value in values.items():
        setattr(company, key, value)
    session.flush()


def delete_company(session: Session, company: ProductionCompany, actor: Actor) -> None:
    """Soft delete: hidden from every list, picker and page from now on (audited)."""
    company.deleted_at = utcnow()
    record(session, AuditAction.COMPANY_DELETE, actor, detail={"company_id": company.id})
    session.flush()


def set_verified(
    session: Session, company: ProductionCompany, verified: bool, actor: Actor
) -> bool:
    """Mark the company as verified by an admin, or withdraw that. False when nothing changed."""
    if verified == company.is_verified:
        return False
    company.verified_at = utcnow() if verified else None
    company.verified_by_id = actor.id if verified else None
    action = AuditAction.COMPANY_VERIFIED if verified else AuditAction.COMPANY_UNVERIFIED
    record(session, action, actor, detail={"company_id": company.id})
    session.flush()
    return True


# -- members --------------------------------------------------------------------------------


def members_of(session: Session, company_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(CompanyMember, CompanyMember.user_id == User.id)
            .where(CompanyMember.company_id == company_id)
            .order_by(User.last_name, User.first_name, User.id)
        )
    )


def add_member(session: Session, company: ProductionCompany, email: str, actor: Actor) -> User:
    """Give an existing account access to the company's projects (read-only)."""
    address = email.strip().lower()
    user = (
        session.scalars(select(User).where(func.lower(User.email) == address)).first()
        if address
        else None
    )
    if user is None:
        raise Refused(
            "email",
            _(
                "Aucun compte Talento n'utilise cette adresse. La personne doit d'abord "
                "créer son compte, puis vous l'ajoutez ici."
            ),
        )
    if session.get(CompanyMember, (company.id, user.id)) is not None:
        raise Refused("email", _("Cette personne est déjà membre de la société."), status=409)
    session.add(CompanyMember(company_id=company.id, user_id=user.id, added_by_id=actor.id))
    record(
        session,
        AuditAction.COMPANY_MEMBER_ADDED,
        actor,
        **about(user),
        detail={"company_id": company.id},
    )
    session.flush()
    return user


def remove_member(session: Session, company: ProductionCompany, user_id: int, actor: Actor) -> bool:
    """False when the account was not a member (nothing to do)."""
    user = session.get(User, user_id)
    removed = rowcount(
        session.execute(
            delete(CompanyMember).where(
                CompanyMember.company_id == company.id, CompanyMember.user_id == user_id
            )
        )
    )
    if not removed:
        return False
    subject = about(user) if user is not None else {"subject_id": user_id}
    record(
        session,
        AuditAction.COMPANY_MEMBER_REMOVED,
        actor,
        **subject,
        detail={"company_id": company.id},
    )
    return True


# -- logo -----------------------------------------------------------------------------------


def set_logo(
    session: Session,
    company: ProductionCompany,
    stream: BinaryIO,
    upload_dir: str | Path,
    max_bytes: int,
) -> None:
    """Check, re-encode and store a new logo; the old file goes once the change is committed.

    Raises Refused("logo") for a file that is not an accepted image or is too large."""
    try:
        image = decode_photo(read_photo_upload(stream, max_bytes), LOGO_MAX_SIDE)
        data = jpeg(resized(image, LOGO_MAX_SIDE))
        name = new_name("jpg")
        with casting_files(session, upload_dir) as files:
            files.write(LOGOS_DIR, name, data)
            files.drop(LOGOS_DIR, company.logo_name)
    except UploadRejected as rejected:
        rejected.field = "logo"
        raise
    company.logo_name = name
    session.flush()


def remove_logo(session: Session, company: ProductionCompany, upload_dir: str | Path) -> None:
    with casting_files(session, upload_dir) as files:
        files.drop(LOGOS_DIR, company.logo_name)
    company.logo_name = None
    session.flush()


def logo_path(upload_dir: str | Path, company: ProductionCompany) -> Path | None:
    """The logo's file, or None (no logo, or a name this module never generates)."""
    name = company.logo_name or ""
    if not LOGO_NAME_RE.match(name):
        return None
    return Path(upload_dir) / LOGOS_DIR / name
