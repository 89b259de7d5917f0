"""Saving the registration steps after "identity" (casting.services.save_step calls them).

Each saver takes the step's plain data (``casting.inputs``), checks every code against its
vocabulary and every number against the database's ranges, and writes the account (phones),
the talent profile (nationality, spoken languages: one vocabulary everywhere) or the casting
profile. All problems of a step are refused together (``Refusals``), nothing written.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.casting import vocabulary as v
from talento.casting.access import is_minor
from talento.casting.inputs import (
    SIZE_FIELDS,
    AppearanceInput,
    ContactInput,
    ExperienceInput,
    IdentityInput,
    LanguagesInput,
    OriginsInput,
    SizesInput,
    SkillsInput,
    VisibilityInput,
)
from talento.casting.models import (
    CastingAccent,
    CastingAsset,
    CastingCredit,
    CastingProfile,
    CastingSkill,
    CastingTalentType,
)
from talento.geo.services import find_country
from talento.i18n import gettext as _
from talento.profiles.models import TalentLanguage
from talento.profiles.services import language_levels
from talento.refusals import Refusals, Refused

StepData = (
    IdentityInput
    | ContactInput
    | OriginsInput
    | LanguagesInput
    | AppearanceInput
    | SizesInput
    | SkillsInput
    | ExperienceInput
    | VisibilityInput
)
Saver = Callable[[Session, User, CastingProfile, object, dt.date], None]

#: The database's ranges (casting.models CheckConstraints), checked before it sees them.
RANGES: dict[str, tuple[float, float]] = {
    "height_cm": (100, 250),
    "weight_kg": (10, 250),
    "chest_cm": (40, 200),
    "waist_cm": (30, 200),
    "hips_cm": (40, 200),
    "trouser_size": (20, 70),
    "dress_size": (28, 64),
    "hat_size_cm": (40, 70),
    "shoe_size": (15, 52),
    "playing_age_min": (0, 100),
    "playing_age_max": (0, 100),
    "year": (1900, 2100),
}
MAX_CREDITS = 30


def _bad(field: str, message: str) -> Refused:
    return Refused(field, message, status=400)


def _raise(problems: list[Refused]) -> None:
    if problems:
        raise Refusals(problems)


def _known(problems: list[Refused], field: str, value: str | None, vocabulary) -> None:
    if value is not None and value not in vocabulary:
        problems.append(_bad(field, _("Choisissez une valeur de la liste.")))


def _known_all(problems: list[Refused], field: str, values: Iterable[str], vocabulary) -> None:
    if any(value not in vocabulary for value in values):
        problems.append(_bad(field, _("Choisissez uniquement des valeurs de la liste.")))


def _in_range(problems: list[Refused], field: str, value: float | None) -> None:
    low, high = RANGES[field]
    if value is None:
        return
    if not math.isfinite(value) or not low <= value <= high:
        problems.append(
            _bad(field, _("Indiquez une valeur entre %(low)s et %(high)s.", low=low, high=high))
        )


def save_contact(
    session: Session, user: User, profile: CastingProfile, data: object, today: dt.date
) -> None:
    """Phone and WhatsApp on the account (encrypted, blind-indexed by the model)."""
    assert isinstance(data, ContactInput)
    if not data.phone:
        raise _bad("phone", _("Indiquez votre numéro de téléphone."))
    user.phone = data.phone
    user.whatsapp = data.whatsapp or None


def save_origins(
    session: Session, user: User, profile: CastingProfile, data: object, today: dt.date
) -> None:
    """Nationality on the talent profile; origin country, region and ethnicity on the casting
    profile."""
    assert isinstance(data, OriginsInput)
    problems: list[Refused] = []
    nationality = find_country(session, data.nationality_iso2)
    if nationality is None:
        problems.append(_bad("nationality", _("Choisissez votre nationalité.")))
    origin = find_country(session, data.origin_country_iso2) if data.origin_country_iso2 else None
    if data.origin_country_iso2 and origin is None:
        problems.append(_bad("origin_country", _("Choisissez un pays de la liste.")))
    _known(problems, "ethnicity", data.ethnicity or None, v.ETHNICITIES)
    _raise(problems)
    assert user.profile is not None
    user.profile.nationality = nationality
    profile.origin_country = origin
    profile.origin_region = (data.origin_region or "").strip() or None
    profile.ethnicity = data.ethnicity or None


def save_languages(
    session: Session, user: User, profile: CastingProfile, data: object, today: dt.date
) -> None:
    """Spoken languages with their level on the talent profile (the shared vocabulary), and
    accents on the casting profile: an accent needs its language among those spoken."""
    assert isinstance(data, LanguagesInput)
    problems: list[Refused] = []
    wanted: dict[str, str] = {}
    try:
        wanted = language_levels(data.languages)
    except Refused as refusal:
        problems.append(refusal)
    if not data.languages:
        problems.append(_bad("languages", _("Choisissez au moins une langue que vous parlez.")))
    accents = list(dict.fromkeys(data.accents))
    if any(code not in v.ACCENTS for code in accents):
        problems.append(_bad("accents", _("Choisissez uniquement des accents de la liste.")))
    elif wanted:
        orphans = [code for code in accents if v.ACCENTS[code][0] not in wanted]
        if orphans:
            names = ", ".join(str(v.ACCENTS[code][1]) for code in orphans)
            problems.append(
                _bad(
                    "accents",
                    _(
                        "Choisissez aussi la langue de ces accents, avec votre niveau : %(names)s.",
                        names=names,
                    ),
                )
            )
    _raise(problems)
    talent = user.profile
    assert talent is not None
    kept = [row for row in talent.languages if row.code in wanted]
    for row in kept:
        row.level = wanted[row.code]
    have = {row.code for row in kept}
    talent.languages = kept + [
        TalentLanguage(code=code, level=level)
        for code, level in sorted(wanted.items())
        if code not in have
    ]
    _replace_codes(profile, "accent_rows", CastingAccent, accents)


def save_appearance(
    session: Session, user: User, profile: CastingProfile, data: object, today: dt.date
) -> None:
    assert isinstance(data, AppearanceInput)
    problems: list[Refused] = []
    for name in ("height_cm", "weight_kg", "playing_age_min", "playing_age_max"):
        _in_range(problems, name, getattr(data, name))
    vocabularies: Mapping[str, v.Vocabulary] = {
        "eye_colour": v.EYE_COLOURS,
        "hair_colour": v.HAIR_COLOURS,
        "hair_type": v.HAIR_TYPES,
        "hair_length": v.HAIR_LENGTHS,
        "skin_tone": v.SKIN_TONES,
        "build": v.BUILDS,
        "tattoos": v.MARKINGS,
        "piercings": v.MARKINGS,
    }
    for name, vocabulary in vocabularies.items():
        _known(problems, name, getattr(data, name) or None, vocabulary)
    if data.playing_age_min > data.playing_age_max:
        problems.append(
            _bad(
                "playing_age_max",
                _("L'âge maximum joué doit être supérieur ou égal à l'âge minimum."),
            )
        )
    _raise(problems)
    profile.height_cm, profile.weight_kg = data.height_cm, data.weight_kg
    profile.playing_age_min, profile.playing_age_max = data.playing_age_min, data.playing_age_max
    for name in vocabularies:
        setattr(profile, name, getattr(data, name) or None)


def save_sizes(
    session: Session, user: User, profile: CastingProfile, data: object, today: dt.date
) -> None:
    """The sizes asked for the person's gender; the others are cleared."""
    assert isinstance(data, SizesInput)
    asked = v.SIZE_FIELDS_BY_GENDER.get(user.gender, SIZE_FIELDS)
    problems: list[Refused] = []
    values: dict[str, object] = {}
    for name in SIZE_FIELDS:
        value = data.values.get(name) if name in asked else None
        if value in ("", None):
            values[name] = None
        elif name == "top_size":
            _known(problems, name, str(value), v.TOP_SIZES)
            values[name] = value
        else:
            assert isinstance(value, int | float)
            _in_range(problems, name, value)
            if name == "shoe_size" and math.isfinite(value) and (value * 2) % 1:
                problems.append(_bad(name, _("Une pointure entière ou une demie (38,5).")))
            values[name] = value
    _raise(problems)
    for name, size in values.items():
        setattr(profile, name, size)


def save_skills(
    session: Session, user: User, profile: CastingProfile, data: object, today: dt.date
) -> None:
    assert isinstance(data, SkillsInput)
    problems: list[Refused] = []
    if not data.talent_types:
        problems.append(_bad("talent_types", _("Choisissez au moins un type de profil.")))
    _known_all(problems, "talent_types", data.talent_types, v.TALENT_TYPES)
    _known_all(problems, "skills", data.skills, v.SKILLS)
    _known_all(problems, "assets", data.assets, v.ASSETS)
    _raise(problems)
    _replace_codes(profile, "talent_type_rows", CastingTalentType, data.talent_types)
    _replace_codes(profile, "skill_rows", CastingSkill, data.skills)
    _replace_codes(profile, "asset_rows", CastingAsset, data.assets)
    profile.assets_note = (data.assets_note or "").strip() or None


def save_experience(
    session: Session, user: User, profile: CastingProfile, data: object, today: dt.date
) -> None:
    """Previous productions (replaced as a whole: the rows of the page) and the artist card."""
    assert isinstance(data, ExperienceInput)
    problems: list[Refused] = []
    credits = [credit for credit in data.credits if credit.title.strip()]
    if len(credits) > MAX_CREDITS:
        problems.append(_bad("credits", _("Au plus 30 productions.")))
    for credit in credits:
        _known(problems, "credits", credit.kind, v.CREDIT_KINDS)
        _in_range(problems, "year", credit.year)
    number = (data.artist_card_number or "").strip() or None
    if data.artist_card_expires_on is not None and number is None:
        problems.append(
            _bad("artist_card_number", _("Indiquez le numéro de la carte ou effacez sa date."))
        )
    _raise(problems)
    profile.credits = []
    session.flush()
    for credit in credits:
        profile.credits.append(
            CastingCredit(
                title=credit.title.strip(),
                kind=credit.kind,
                year=credit.year,
                role=(credit.role or "").strip() or None,
            )
        )
        # One row per INSERT: the child tables' user_id has no type of its own (NullType, see
        # the schema notes) and PostgreSQL's multi-row INSERT … RETURNING cannot render it.
        session.flush()
    if number != profile.artist_card_number:  # a new number is checked again by an admin
        profile.artist_card_verified_at = None
        profile.artist_card_verified_by_id = None
    profile.artist_card_number = number
    profile.artist_card_expires_on = data.artist_card_expires_on if number else None


def save_visibility(
    session: Session, user: User, profile: CastingProfile, data: object, today: dt.date
) -> None:
    """Staff only (the default), a public casting page (opt-in) or paused. A minor cannot have
    a public page."""
    assert isinstance(data, VisibilityInput)
    if data.visibility not in v.CASTING_VISIBILITIES:
        raise _bad("visibility", _("Choisissez qui peut voir votre profil casting."))
    if data.visibility == "public" and is_minor(user, today):
        raise _bad(
            "visibility",
            _(
                "Le profil d'un mineur n'est jamais public : choisissez « Équipes de casting "
                "uniquement » ou la pause."
            ),
        )
    profile.visibility = data.visibility


def _replace_codes(profile: CastingProfile, attribute: str, row_class, codes: Iterable[str]):
    """Keep the rows of codes still wanted, add the new ones (no delete-and-insert of a row
    that stays: its primary key would collide at flush)."""
    wanted = list(dict.fromkeys(codes))
    kept = [row for row in getattr(profile, attribute) if row.code in wanted]
    have = {row.code for row in kept}
    setattr(profile, attribute, kept + [row_class(code=c) for c in wanted if c not in have])


SAVERS: dict[str, Saver] = {
    "contact": save_contact,
    "origins": save_origins,
    "languages": save_languages,
    "appearance": save_appearance,
    "sizes": save_sizes,
    "skills": save_skills,
    "experience": save_experience,
    "visibility": save_visibility,
}
