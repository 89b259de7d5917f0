"""What each step of the casting registration hands to the services: plain data, already shaped
by the forms (E.164 phones, stripped text, dates), checked again by the services against the
vocabularies (a code that is not in its list is refused, never stored).

One dataclass per step of ``casting.models.REGISTRATION_STEPS`` ("photos" aside: the media
views own it), plus :class:`NewAccount` for the person who registers without an account.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NewAccount:
    """The account of someone registering through /cinema/register (they have none yet)."""

    email: str
    password: str
    #: The person agreed to the processing of their data (law 09-08), as for talents.
    consent: bool
    language: str = "fr"


@dataclass(frozen=True)
class GuardianInput:
    """A minor's parent or guardian: who to contact, and their consent."""

    name: str
    relationship: str
    phone: str  # E.164
    email: str
    consent: bool


@dataclass(frozen=True)
class IdentityInput:
    """Names, birth, gender, ID document and residence (country and city: the account's user
    code needs them, so they are asked on the first page)."""

    first_name: str
    last_name: str
    date_of_birth: dt.date
    gender: str
    id_document_type: str
    id_number: str
    country_iso2: str
    city_id: int
    #: Required when the person is under 18 on the day of the registration.
    guardian: GuardianInput | None = None


@dataclass(frozen=True)
class ContactInput:
    phone: str  # E.164
    whatsapp: str | None = None  # E.164


@dataclass(frozen=True)
class OriginsInput:
    nationality_iso2: str
    origin_country_iso2: str | None = None
    origin_region: str | None = None
    #: Self-declared and optional (vocabulary.ETHNICITIES).
    ethnicity: str | None = None


@dataclass(frozen=True)
class LanguagesInput:
    #: {language code: level} of profiles.languages (stored on the talent profile).
    languages: dict[str, str]
    #: vocabulary.ACCENTS codes; each one's language must be among ``languages``.
    accents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AppearanceInput:
    height_cm: int
    playing_age_min: int
    playing_age_max: int
    eye_colour: str | None = None
    hair_colour: str | None = None
    skin_tone: str | None = None
    build: str | None = None
    weight_kg: int | None = None
    hair_type: str | None = None
    hair_length: str | None = None
    tattoos: str | None = None
    piercings: str | None = None


#: Every size attribute of a casting profile (vocabulary.SIZE_FIELDS_BY_GENDER picks some).
SIZE_FIELDS: tuple[str, ...] = (
    "top_size",
    "chest_cm",
    "waist_cm",
    "hips_cm",
    "dress_size",
    "trouser_size",
    "shoe_size",
    "hat_size_cm",
)


@dataclass(frozen=True)
class SizesInput:
    """Sizes by attribute name (:data:`SIZE_FIELDS`); those not asked for the person's gender
    are ignored, an empty one is unknown."""

    values: dict[str, str | int | float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class SkillsInput:
    talent_types: list[str]
    skills: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    assets_note: str | None = None


@dataclass(frozen=True)
class CreditInput:
    title: str
    kind: str = "film"
    year: int | None = None
    role: str | None = None


@dataclass(frozen=True)
class ExperienceInput:
    credits: list[CreditInput] = field(default_factory=list)
    artist_card_number: str | None = None
    artist_card_expires_on: dt.date | None = None


@dataclass(frozen=True)
class VisibilityInput:
    visibility: str
