"""The casting page and comp card's content: an explicit allowlist, and the staff's contact panel.

:func:`public_view` is the only way the casting page (``/cinema/p/<code>``), its QR codes and the
comp card read a casting profile. It returns a frozen :class:`CastingView` holding exactly what
anyone allowed to see the profile may see: name, photos, CINEMA code, residence city, playing
age, a five-year band of the real age (never the date of birth), height, sizes, eyes, hair,
build, languages with level and accents, talent types, skills, what they can bring, credits,
the showreel as a link and the artist card badge.

Never here: ID document type and number, phone, WhatsApp, e-mail, address, date of birth,
guardian data, weight. Ethnicity and skin tone are self-declared search data for casting staff
(the search filters): they stay off the page and the comp card, for everyone.

Contact and identity data live in :class:`ContactPanel`, built only for casting staff, admins
and the owner (the view decides): masked for staff (casting.masking), unmasked for the owner
and on an explicit « Afficher », which :func:`reveal_contact` records in the audit trail.
For a minor, the contact is the parent or guardian (``casting.services.contact_for``, the one
rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.services import Actor
from talento.casting import vocabulary as v
from talento.casting.access import age_on, is_minor
from talento.casting.artist_card import artist_card_badge
from talento.casting.masking import mask
from talento.casting.models import CastingProfile
from talento.casting.services import contact_for
from talento.crypto import is_unavailable
from talento.i18n import lazy_gettext as _l
from talento.profiles.languages import spoken
from talento.profiles.public import normalise_code, safe_file_name

AGE_BAND = 5
_WEB_SCHEMES = frozenset({"http", "https"})
SIZE_LABELS = {
    "top_size": _l("Haut"),
    "chest_cm": _l("Tour de poitrine"),
    "waist_cm": _l("Tour de taille"),
    "hips_cm": _l("Tour de hanches"),
    "dress_size": _l("Robe"),
    "trouser_size": _l("Pantalon"),
    "shoe_size": _l("Pointure"),
    "hat_size_cm": _l("Tour de tête"),
}
_CM_SIZES = frozenset({"chest_cm", "waist_cm", "hips_cm", "hat_size_cm"})


@dataclass(frozen=True)
class Photo:
    name: str
    thumb_name: str
    kind: str
    is_primary: bool


@dataclass(frozen=True)
class Language:
    name: str
    level_label: str
    accents: tuple[str, ...]


@dataclass(frozen=True)
class Credit:
    title: str
    kind: str
    year: int | None
    role: str | None


@dataclass(frozen=True)
class CastingView:
    """Everything the casting page and the comp card may show. Labels are translated."""

    code: str
    first_name: str
    last_name: str
    photos: tuple[Photo, ...]  # the primary one first
    city: str | None = None
    playing_age: tuple[int, int] | None = None
    age_band: tuple[int, int] | None = None
    height_cm: int | None = None
    sizes: tuple[tuple[str, str], ...] = ()  # (label, value)
    eyes: str | None = None
    hair: str | None = None  # colour, type, length
    build: str | None = None
    languages: tuple[Language, ...] = ()
    talent_types: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    assets_note: str | None = None
    credits: tuple[Credit, ...] = ()
    showreel_url: str | None = None
    artist_card: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def primary_photo(self) -> Photo | None:
        return self.photos[0] if self.photos else None


def find(session: Session, code: str) -> tuple[CastingProfile, User] | None:
    """The casting profile whose CINEMA code is `code` (any case) and its account, or None."""
    stored = normalise_code(code)
    if stored is None:
        return None
    row = session.execute(
        select(CastingProfile, User)
        .join(User, User.id == CastingProfile.user_id)
        .where(CastingProfile.code == stored)
    ).first()
    return (row[0], row[1]) if row is not None else None


def _label(vocabulary: v.Vocabulary, code: str | None) -> str | None:
    if not code:
        return None
    label = vocabulary.get(code)
    return str(label) if label is not None else None


def _labels(vocabulary: v.Vocabulary, codes: list[str]) -> tuple[str, ...]:
    return tuple(str(vocabulary[c]) for c in vocabulary if c in set(codes))


def _size_value(field: str, value: object, lang: str) -> str:
    if field == "top_size":
        return _label(v.TOP_SIZES, str(value)) or str(value)
    if field == "shoe_size":  # halves: « 38,5 » in French, "38.5" in English
        return format_decimal(float(str(value)), format="#.#", locale=lang)
    return f"{value} cm" if field in _CM_SIZES else str(value)


def _sizes(profile: CastingProfile, gender: str, lang: str) -> tuple[tuple[str, str], ...]:
    fields = v.SIZE_FIELDS_BY_GENDER.get(gender, v.SIZE_FIELDS_BY_GENDER["N"])
    return tuple(
        (str(SIZE_LABELS[field]), _size_value(field, value, lang))
        for field in fields
        if (value := getattr(profile, field)) is not None
    )


def age_band(born: dt.date | None, today: dt.date) -> tuple[int, int] | None:
    """The five-year band of the real age (``(25, 29)`` at 27): never the date of birth."""
    age = age_on(born, today)
    if age is None or age < 0:
        return None
    low = age - age % AGE_BAND
    return (low, low + AGE_BAND - 1)


def _web_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in _WEB_SCHEMES and parts.netloc else None


def _languages(profile: CastingProfile) -> tuple[Language, ...]:
    talent = profile.talent_profile
    pairs = [(row.code, row.level) for row in talent.languages] if talent is not None else []
    accents: dict[str, list[str]] = {}
    for code in profile.accents:
        entry = v.ACCENTS.get(code)
        if entry is not None:
            accents.setdefault(entry[0], []).append(str(entry[1]))
    return tuple(
        Language(name=name, level_label=level, accents=tuple(accents.get(code, ())))
        for code, name, _level, level in spoken(pairs)
    )


def _photos(profile: CastingProfile) -> tuple[Photo, ...]:
    photos = [
        Photo(p.name, p.thumb_name, p.kind, p.is_primary)
        for p in profile.photos
        if safe_file_name(p.name) and safe_file_name(p.thumb_name)
    ]
    photos.sort(key=lambda p: not p.is_primary)  # stable: the rest keep their order
    return tuple(photos)


def artist_card_valid(profile: CastingProfile, today: dt.date) -> bool:
    """Checked by an admin and not expired (casting.artist_card, the one rule)."""
    return artist_card_badge(profile, today)


def public_view(
    profile: CastingProfile, user: User, today: dt.date, lang: str = "fr"
) -> CastingView:
    """The allowlisted view of `profile` (see the module docstring), labels in the current
    language, numbers in `lang`'s format. Decrypts nothing."""
    playing = None
    if profile.playing_age_min is not None and profile.playing_age_max is not None:
        playing = (profile.playing_age_min, profile.playing_age_max)
    hair = ", ".join(
        label
        for label in (
            _label(v.HAIR_COLOURS, profile.hair_colour),
            _label(v.HAIR_TYPES, profile.hair_type),
            _label(v.HAIR_LENGTHS, profile.hair_length),
        )
        if label
    )
    return CastingView(
        code=profile.code or "",
        first_name=user.first_name,
        last_name=user.last_name,
        photos=_photos(profile),
        city=user.city.name if user.city else None,
        playing_age=playing,
        age_band=age_band(user.date_of_birth, today),
        height_cm=profile.height_cm,
        sizes=_sizes(profile, user.gender, lang),
        eyes=_label(v.EYE_COLOURS, profile.eye_colour),
        hair=hair or None,
        build=_label(v.BUILDS, profile.build),
        languages=_languages(profile),
        talent_types=_labels(v.TALENT_TYPES, profile.talent_types),
        skills=_labels(v.SKILLS, profile.skills),
        assets=_labels(v.ASSETS, profile.assets),
        assets_note=(profile.assets_note or "").strip() or None,
        credits=tuple(
            Credit(c.title, _label(v.CREDIT_KINDS, c.kind) or c.kind, c.year, c.role)
            for c in profile.credits
        ),
        showreel_url=_web_url(profile.showreel_url),
        artist_card=artist_card_valid(profile, today),
    )


# -- contact and identity (staff, admins, the owner) -------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    field: str  # the audit's field name: phone, whatsapp, email, id_number
    label: str
    value: str | None  # masked unless revealed; None when unreadable (see `unavailable`)
    unavailable: bool = False


@dataclass(frozen=True)
class ContactPanel:
    """« Contact et identité »: whom to contact (the guardian for a minor) and the ID."""

    rows: tuple[ContactRow, ...]
    guardian: bool = False
    guardian_name: str | None = None
    guardian_relationship: str | None = None
    id_document_type: str | None = None
    masked: bool = True

    @property
    def revealable(self) -> tuple[str, ...]:
        """Fields whose value an « Afficher » would show (what its audit row lists)."""
        return tuple(row.field for row in self.rows if row.value and not row.unavailable)


@dataclass(frozen=True)
class _Contact:
    """Whom to contact about a casting profile: the talent, or a minor's guardian."""

    guardian: bool
    name: str
    relationship: str | None
    phone: object
    whatsapp: object
    email: object


def _contact_for(profile: CastingProfile, user: User, today: dt.date) -> _Contact:
    """Whom to contact (services.contact_for: a minor's guardian, never the child), with the
    guardian's relationship or the talent's WhatsApp. Decrypts."""
    name, phone, email = contact_for(profile, user, today)
    if is_minor(user, today):
        relationship = _label(v.GUARDIAN_RELATIONSHIPS, profile.guardian_relationship)
        return _Contact(True, name, relationship, phone, None, email)
    return _Contact(False, name, None, phone, user.whatsapp, email)


def contact_panel(
    session: Session, profile: CastingProfile, user: User, today: dt.date, *, masked: bool
) -> ContactPanel:
    """The panel, masked (staff) or in clear (the owner, or after an audited reveal)."""
    session.refresh(profile, ["id_number", "guardian_phone", "guardian_email"])
    contact = _contact_for(profile, user, today)
    values = [
        ("phone", _l("Téléphone"), contact.phone),
        ("whatsapp", _l("WhatsApp"), contact.whatsapp),
        ("email", _l("E-mail"), contact.email),
        ("id_number", _l("Numéro de la pièce d'identité"), profile.id_number),
    ]
    rows = []
    for field, label, value in values:
        if contact.guardian and field == "whatsapp":
            continue
        if is_unavailable(value):
            rows.append(ContactRow(field, str(label), None, unavailable=True))
            continue
        text = str(value).strip() if value else None
        rows.append(ContactRow(field, str(label), mask(text) if masked else text or None))
    return ContactPanel(
        rows=tuple(rows),
        guardian=contact.guardian,
        guardian_name=contact.name if contact.guardian else None,
        guardian_relationship=contact.relationship,
        id_document_type=_label(v.ID_DOCUMENT_TYPES, profile.id_document_type),
        masked=masked,
    )


def reveal_contact(
    session: Session, profile: CastingProfile, user: User, actor: Actor, today: dt.date
) -> ContactPanel:
    """The panel unmasked for casting staff or an admin, with one audit row naming who saw
    whose data and which fields (none when there was nothing to show)."""
    panel = contact_panel(session, profile, user, today, masked=False)
    if panel.revealable:
        audit.record(
            session,
            AuditAction.CASTING_CONTACT_REVEAL,
            actor,
            fields=panel.revealable,
            detail={"cinema_code": profile.code, "guardian": panel.guardian},
            **audit.about(user),
        )
    return panel


__all__ = [
    "CastingView",
    "ContactPanel",
    "ContactRow",
    "age_band",
    "contact_panel",
    "find",
    "public_view",
    "reveal_contact",
]
