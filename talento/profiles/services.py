"""Talent profile services: registration, profile updates, what the owner sees about
themself, data export and account deletion.

They take plain data (the dataclasses below) and a session, never a form or a request, and
refuse input by raising ``Refused`` (talento.refusals): ``EmailTaken``, ``InvalidResidence``.
The statuses are those the pages have always answered with: 400 for input to correct.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from talento.accounts.codes import format_code, next_sequence
from talento.accounts.models import Capability, User, in_order
from talento.accounts.passwords import PasswordService
from talento.accounts.services import set_password
from talento.crypto import is_unavailable
from talento.extensions import utcnow
from talento.geo.services import find_city, find_country
from talento.i18n import gettext as _
from talento.profiles.languages import LANGUAGES, language_label
from talento.profiles.models import (
    LanguageLevel,
    SavedSearch,
    Skill,
    SkillCategory,
    TalentLanguage,
    TalentProfile,
)
from talento.profiles.uploads import MAX_PHOTO_BYTES, Upload
from talento.refusals import Refused


class EmailTaken(Refused):
    """Another account has this e-mail address (compared without case).

    The person registering is told the way back in; an admin only that the address is taken."""

    def __init__(self, *, self_registration: bool = False):
        message = _("Un compte existe déjà avec cette adresse e-mail.")
        if self_registration:
            message = _(
                "Un compte existe déjà avec cette adresse "
                "e-mail. Connectez-vous ou réinitialisez "
                "votre mot de passe."
            )
        super().__init__("email", message, status=400)


class InvalidResidence(Refused):
    """The city is not one of the country's (or the country is unknown)."""

    def __init__(self) -> None:
        super().__init__("city", _("Choisissez votre ville dans la liste."), status=400)


def consent_missing() -> Refused:
    return Refused(
        "consent", _("Votre consentement est nécessaire pour créer un profil."), status=400
    )


@dataclass
class ProfileInput:
    """Everything a talent types about themself (already validated by the form)."""

    first_name: str
    last_name: str
    gender: str
    date_of_birth: dt.date
    nationality_iso2: str
    phone: str
    country_iso2: str
    city_id: int
    whatsapp: str | None = None
    address: str | None = None
    skills: list[str] = field(default_factory=list)
    bio: str | None = None
    years_experience: int | None = None
    availability: str = "immediate"
    work_mode: str = "flexible"
    rate_min: int | None = None
    rate_max: int | None = None
    #: Spoken languages: {code: level} (codes of profiles.languages, levels of
    #: LanguageLevel); a plain list of codes means « Courant » for each.
    languages: dict[str, str] | list[str] = field(default_factory=dict)
    education: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    public_links: list[str] = field(default_factory=list)
    #: Encrypted fields (``ENCRYPTED_FIELDS``) shown as « Donnée indisponible » when the form
    #: was displayed: left empty, they keep what is stored even if it became readable since.
    not_shown: frozenset[str] = frozenset()
    #: Encrypted fields whose unreadable value the person chose to erase.
    erase: frozenset[str] = frozenset()


#: The encrypted fields a profile form edits (users.phone, whatsapp, address; profile links).
ENCRYPTED_FIELDS = ("phone", "whatsapp", "address", "links")


def encrypted_values(user: User, profile: TalentProfile | None) -> dict[str, object]:
    """The stored values of ``ENCRYPTED_FIELDS`` as loaded: text, None, or the
    ``Unavailable`` marker of a value no configured key reads."""
    return {
        "phone": user.phone,
        "whatsapp": user.whatsapp,
        "address": user.address,
        "links": profile.links if profile is not None else None,
    }


@dataclass(frozen=True)
class AccountInput:
    """The account part of a new talent. ``password`` is None when an admin creates the
    account on someone's behalf: the person then chooses one (and consents) through the
    e-mailed link. Someone registering themself gives a password and must consent."""

    email: str
    password: str | None = None
    consent: bool = False
    language: str = "fr"
    #: Who sees the new profile (profiles.models.Visibility), chosen with the consent.
    visibility: str = "public"


@dataclass(frozen=True)
class AccountChanges:
    """What an admin changes on an existing account besides its profile."""

    email: str
    language: str = "fr"


@dataclass(frozen=True)
class ProfileFiles:
    """The files sent with a profile (None: none sent) and the removals asked for. A file
    sent replaces the stored one; a removal applies only when no file of that kind is sent."""

    photo: Upload | None = None
    cv: Upload | None = None
    remove_photo: bool = False
    remove_cv: bool = False
    #: The photo limit in bytes (the PHOTO_MAX_MB setting; uploads' default otherwise).
    photo_max_bytes: int = MAX_PHOTO_BYTES


def skills_by_category(session: Session, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    categories = session.scalars(select(SkillCategory).order_by(SkillCategory.id)).all()
    skills = session.scalars(select(Skill).order_by(Skill.name_fr)).all()
    grouped = []
    for category in categories:
        entries = [(s.slug, s.name(lang)) for s in skills if s.category_id == category.id]
        if entries:
            grouped.append((category.name(lang), entries))
    return grouped


def email_taken(session: Session, email: str, except_user_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return session.scalar(query) is not None


def apply_profile(session: Session, user: User, profile: TalentProfile, data: ProfileInput) -> None:
    """Copy validated input onto the user and profile rows (encrypted columns encrypt)."""
    country = find_country(session, data.country_iso2)
    city = find_city(session, data.country_iso2, data.city_id)
    if country is None or city is None:
        raise InvalidResidence()
    user.first_name = data.first_name.strip()
    user.last_name = data.last_name.strip()
    user.gender = data.gender
    user.date_of_birth = data.date_of_birth
    user.country = country
    user.city = city
    _set_encrypted(user, "phone", data.phone or None, data)
    _set_encrypted(user, "whatsapp", data.whatsapp or None, data)
    _set_encrypted(user, "address", (data.address or "").strip() or None, data)
    profile.nationality = find_country(session, data.nationality_iso2)
    profile.bio = (data.bio or "").strip() or None
    profile.years_experience = data.years_experience
    profile.availability = data.availability
    profile.work_mode = data.work_mode
    profile.rate_min = data.rate_min
    profile.rate_max = data.rate_max
    profile.education = (data.education or "").strip() or None
    links = json.dumps(data.links, sort_keys=True) if data.links else None
    if _set_encrypted(profile, "links", links, data):
        profile.public_links = ",".join(k for k in data.public_links if k in data.links)
    else:  # the links are kept unread: so is the choice of which ones are public
        profile.public_links = ",".join(data.public_links)
    profile.skills = list(session.scalars(select(Skill).where(Skill.slug.in_(data.skills))))
    wanted = language_levels(data.languages)
    kept = [lang for lang in profile.languages if lang.code in wanted]
    for lang in kept:
        lang.level = wanted[lang.code]
    have = {lang.code for lang in kept}
    profile.languages = kept + [
        TalentLanguage(code=code, level=level)
        for code, level in sorted(wanted.items())
        if code not in have
    ]


def language_levels(languages: dict[str, str] | list[str]) -> dict[str, str]:
    """{code: level} checked against the vocabulary (a list of codes: « Courant » each);
    an unknown language or level is refused."""
    if not isinstance(languages, dict):
        languages = dict.fromkeys(languages, LanguageLevel.FLUENT.value)
    for code, level in languages.items():
        if code not in LANGUAGES or level not in set(LanguageLevel):
            raise Refused("languages", _("Langue ou niveau inconnu."), status=400)
    return dict(languages)


def _set_encrypted(row, name: str, value: str | None, data: ProfileInput) -> bool:
    """Store `value` in the encrypted attribute `name`, except that an empty value never
    replaces one the person could not see: a value no key reads now, or one shown as « Donnée
    indisponible » when the form was displayed. Only a newly typed value, or the deliberate
    erasure of an unreadable one, replaces it. Returns whether the attribute was set."""
    if value is None:
        current = getattr(row, name)  # a row being created has nothing stored (no query)
        unreadable = is_unavailable(current)
        if unreadable and name in data.erase:
            pass
        elif unreadable or (name in data.not_shown and current is not None):
            return False
    setattr(row, name, value)
    return True


def register_talent(
    session: Session,
    passwords: PasswordService,
    email: str,
    password: str | None,
    data: ProfileInput,
    photo_name: str | None = None,
    cv_name: str | None = None,
    language: str = "fr",
) -> User:
    """Create the account, its profile and its unique code in the caller's transaction.

    The code's sequence comes from the country's counter row (UPDATE … RETURNING), so
    concurrent registrations get distinct consecutive codes; the caller commits.

    Without a password (an admin creates the account on someone's behalf) the hash is empty,
    which never matches: the person chooses a password through the e-mailed link, and gives
    consent then, not now.
    """
    if email_taken(session, email):
        raise EmailTaken(self_registration=password is not None)
    city = find_city(session, data.country_iso2, data.city_id)
    if city is None:
        raise InvalidResidence()
    sequence = next_sequence(session, data.country_iso2.upper())
    user = User(
        code=format_code(data.country_iso2, data.gender, sequence, city.code),
        email=email.strip(),
        capabilities=[Capability.TALENT.value],
        language=language if language in {"fr", "en"} else "fr",
        first_name="",
        last_name="",
    )
    if password is None:
        user.password_hash, user.password_changed_at = "", utcnow()
    else:
        set_password(user, password, passwords)
    user.session_version = 1
    consent_at = utcnow() if password is not None else None
    profile = TalentProfile(consent_at=consent_at, photo_name=photo_name, cv_name=cv_name)
    user.profile = profile
    apply_profile(session, user, profile, data)
    session.add(user)
    session.flush()
    return user


def completeness(user: User) -> tuple[int, list[str]]:
    """A 0–100 score and the French labels of what is missing (for the owner's page)."""
    profile = user.profile
    checks = [
        (bool(user.phone), _("téléphone")),
        (bool(user.address), _("adresse")),
        (bool(profile and profile.photo_name), _("photo")),
        (bool(profile and profile.cv_name), _("CV")),
        (bool(profile and profile.bio), _("présentation")),
        (bool(profile and profile.skills), _("compétences")),
        (bool(profile and profile.languages), _("langues parlées")),
        (bool(profile and profile.years_experience is not None), _("années d'expérience")),
        (bool(profile and profile.education), _("formation")),
        (bool(profile and profile.links), _("liens")),
    ]
    done = sum(1 for ok, _label in checks if ok)
    return round(100 * done / len(checks)), [label for ok, label in checks if not ok]


def export_my_data(user: User) -> dict:
    """Everything held about the user, decrypted: the right of access (law 09-08)."""
    profile = user.profile

    def readable(value):
        from talento.crypto import Unavailable

        return None if isinstance(value, Unavailable) else value

    data = {
        "code": user.code,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "gender": user.gender,
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
        "country": user.country.iso2 if user.country else None,
        "city": user.city.name if user.city else None,
        "phone": readable(user.phone),
        "whatsapp": readable(user.whatsapp),
        "address": readable(user.address),
        "capabilities": in_order(user.capabilities),
        "language": user.language,
        "created_at": user.created_at.isoformat() if user.created_at else None,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }
    if profile is not None:
        links = readable(profile.links)
        data["profile"] = {
            "nationality": profile.nationality.iso2 if profile.nationality else None,
            "bio": profile.bio,
            "years_experience": profile.years_experience,
            "availability": profile.availability,
            "work_mode": profile.work_mode,
            "rate_min": profile.rate_min,
            "rate_max": profile.rate_max,
            "education": profile.education,
            "skills": [s.slug for s in profile.skills],
            "languages": [
                {"code": lang.code, "name": language_label(lang.code), "level": lang.level}
                for lang in profile.languages
            ],
            "links": json.loads(links) if links else {},
            "public_links": [k for k in profile.public_links.split(",") if k],
            "photo": bool(profile.photo_name),
            "cv": bool(profile.cv_name),
            "consent_at": profile.consent_at.isoformat() if profile.consent_at else None,
        }
    return data


#: Higher layers that keep files of an account (casting media) register a function here: given
#: the account about to be deleted, it returns those files as paths relative to UPLOAD_DIR
#: (profiles cannot import them; see profiles.uploads.NESTED_NAME_RE).
ACCOUNT_FILES: list[Callable[[User], list[str]]] = []


def delete_account(session: Session, user: User) -> list[str]:
    """Delete the user and their profile; returns the stored file names to remove after commit."""
    files = []
    if user.profile is not None:
        files = [n for n in (user.profile.photo_name, user.profile.cv_name) if n]
    for files_of_account in ACCOUNT_FILES:
        files += files_of_account(user)
    # Saved searches go by ON DELETE CASCADE on PostgreSQL; SQLite does not enforce it here.
    session.execute(delete(SavedSearch).where(SavedSearch.user_id == user.id))
    session.delete(user)
    session.flush()
    return files
