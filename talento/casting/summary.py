"""What « Mon profil casting » shows its owner: every section of the registration with what
is stored, in words (vocabulary labels, country names, « 38,5 »), each section leading back to
its step page (« Modifier »). The owner's own data, so nothing is masked; nobody else sees
this page.
"""

from __future__ import annotations

from dataclasses import dataclass

from talento.accounts.models import User
from talento.casting import vocabulary as v
from talento.casting.access import age_on
from talento.casting.models import REGISTRATION_STEPS, CastingProfile
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import GENDER_LABELS
from talento.profiles.languages import spoken

STEP_TITLES = {
    "identity": _l("Identité et résidence"),
    "contact": _l("Contact"),
    "origins": _l("Origines et nationalité"),
    "languages": _l("Langues et accents"),
    "appearance": _l("Apparence et âge joué"),
    "sizes": _l("Mensurations et tailles"),
    "skills": _l("Profil et compétences"),
    "experience": _l("Expérience"),
    "photos": _l("Photos"),
    "visibility": _l("Visibilité"),
}

SIZE_LABELS = {
    "top_size": _l("Taille haut"),
    "chest_cm": _l("Tour de poitrine"),
    "waist_cm": _l("Tour de taille"),
    "hips_cm": _l("Tour de hanches"),
    "dress_size": _l("Taille de robe"),
    "trouser_size": _l("Taille de pantalon"),
    "shoe_size": _l("Pointure"),
    "hat_size_cm": _l("Tour de tête"),
}


@dataclass(frozen=True)
class Section:
    step: str
    title: str
    rows: list[tuple[str, str]]


def _label(vocabulary: v.Vocabulary, code: str | None) -> str:
    if not code:
        return "—"
    return str(vocabulary.get(code, code))


def _labels(vocabulary: v.Vocabulary, codes: list[str]) -> str:
    return ", ".join(str(vocabulary.get(code, code)) for code in codes) or "—"


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)  # an unreadable value shows as its « Donnée indisponible » marker


def _cm(value: int | None) -> str:
    return f"{value} cm" if value is not None else "—"


def _size(name: str, value) -> str:
    if value is None:
        return "—"
    if name == "top_size":
        return _label(v.TOP_SIZES, value)
    if name == "shoe_size":
        return f"{float(value):g}".replace(".", ",")
    return f"{value} cm" if name.endswith("_cm") else str(value)


def sections(user: User, profile: CastingProfile, lang: str, today) -> list[Section]:
    """Every section of the registration, in step order ("photos" counts the photos)."""
    talent = user.profile
    age = age_on(user.date_of_birth, today)
    identity = [
        (_("Nom"), user.full_name or "—"),
        (_("Genre"), str(GENDER_LABELS.get(user.gender, user.gender))),
        (
            _("Date de naissance"),
            f"{user.date_of_birth:%d/%m/%Y} ({age} ans)" if user.date_of_birth else "—",
        ),
        (_("Pièce d'identité"), _label(v.ID_DOCUMENT_TYPES, profile.id_document_type)),
        (_("Numéro"), _text(profile.id_number)),
        (_("Pays de résidence"), user.country.name(lang) if user.country else "—"),
        (_("Ville"), user.city.name if user.city else "—"),
    ]
    if profile.guardian_name:
        identity += [
            (_("Parent ou tuteur"), profile.guardian_name),
            (_("Lien"), _label(v.GUARDIAN_RELATIONSHIPS, profile.guardian_relationship)),
            (_("Téléphone du parent ou tuteur"), _text(profile.guardian_phone)),
            (_("E-mail du parent ou tuteur"), _text(profile.guardian_email)),
            (
                _("Accord donné le"),
                f"{profile.guardian_consent_at:%d/%m/%Y}" if profile.guardian_consent_at else "—",
            ),
        ]
    nationality = talent.nationality if talent is not None else None
    languages = spoken((row.code, row.level) for row in (talent.languages if talent else []))
    by_type = {
        "identity": identity,
        "contact": [
            (_("E-mail"), user.email),
            (_("Téléphone"), _text(user.phone)),
            (_("WhatsApp"), _text(user.whatsapp)),
        ],
        "origins": [
            (_("Nationalité"), nationality.name(lang) if nationality else "—"),
            (
                _("Pays d'origine"),
                profile.origin_country.name(lang) if profile.origin_country else "—",
            ),
            (_("Région d'origine"), _text(profile.origin_region)),
            (_("Type"), _label(v.ETHNICITIES, profile.ethnicity)),
        ],
        "languages": [
            (
                _("Langues"),
                ", ".join(f"{name} ({level.lower()})" for _code, name, _level, level in languages)
                or "—",
            ),
            (_("Accents"), ", ".join(str(v.ACCENTS[c][1]) for c in profile.accents) or "—"),
        ],
        "appearance": [
            (_("Taille"), _cm(profile.height_cm)),
            (_("Poids"), f"{profile.weight_kg} kg" if profile.weight_kg else "—"),
            (
                _("Âge joué"),
                _(
                    "%(low)s à %(high)s ans",
                    low=profile.playing_age_min,
                    high=profile.playing_age_max,
                )
                if profile.playing_age_min is not None
                else "—",
            ),
            (_("Yeux"), _label(v.EYE_COLOURS, profile.eye_colour)),
            (_("Cheveux"), _label(v.HAIR_COLOURS, profile.hair_colour)),
            (_("Type de cheveux"), _label(v.HAIR_TYPES, profile.hair_type)),
            (_("Longueur des cheveux"), _label(v.HAIR_LENGTHS, profile.hair_length)),
            (_("Teint"), _label(v.SKIN_TONES, profile.skin_tone)),
            (_("Silhouette"), _label(v.BUILDS, profile.build)),
            (_("Tatouages"), _label(v.MARKINGS, profile.tattoos)),
            (_("Piercings"), _label(v.MARKINGS, profile.piercings)),
        ],
        "sizes": [
            (str(SIZE_LABELS[name]), _size(name, getattr(profile, name)))
            for name in v.SIZE_FIELDS_BY_GENDER.get(user.gender, tuple(SIZE_LABELS))
        ],
        "skills": [
            (_("Types de profil"), _labels(v.TALENT_TYPES, profile.talent_types)),
            (_("Compétences"), _labels(v.SKILLS, profile.skills)),
            (_("Ce que je peux apporter"), _labels(v.ASSETS, profile.assets)),
            (_("Précisions"), _text(profile.assets_note)),
        ],
        "experience": [
            (
                _("Productions"),
                "; ".join(
                    " · ".join(
                        part
                        for part in (
                            credit.title,
                            _label(v.CREDIT_KINDS, credit.kind),
                            str(credit.year or ""),
                            credit.role or "",
                        )
                        if part
                    )
                    for credit in profile.credits
                )
                or "—",
            ),
            (_("Carte d'artiste"), _text(profile.artist_card_number)),
            (
                _("Expire le"),
                f"{profile.artist_card_expires_on:%d/%m/%Y}"
                if profile.artist_card_expires_on
                else "—",
            ),
        ],
        "photos": [(_("Photos"), str(len(profile.photos)))],
        "visibility": [(_("Visibilité"), _label(v.CASTING_VISIBILITIES, profile.visibility))],
    }
    return [Section(step, str(STEP_TITLES[step]), by_type[step]) for step in REGISTRATION_STEPS]
