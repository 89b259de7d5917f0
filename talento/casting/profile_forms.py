"""Forms of the casting registration's later steps: appearance (with the playing age),
sizes (the fields of the person's gender), skills (talent types, skills and what they can
bring, as checkbox groups), experience (previous productions, several rows without
JavaScript; the artist card) and visibility.
"""

from __future__ import annotations

import math

from flask import request
from sqlalchemy.orm import Session
from wtforms import (
    DateField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields import FieldList
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from talento.accounts.models import User
from talento.casting import vocabulary as v
from talento.casting.forms import CHOOSE, StepForm, shown, vocabulary_choices
from talento.casting.inputs import (
    SIZE_FIELDS,
    AppearanceInput,
    CreditInput,
    ExperienceInput,
    SizesInput,
    SkillsInput,
    VisibilityInput,
)
from talento.casting.models import CastingProfile
from talento.casting.steps_data import MAX_CREDITS
from talento.i18n import lazy_gettext as _l
from talento.profiles.forms import MultiCheckboxField

NOT_SAID = _l("— Non précisé —")


def _number(label, low: int, high: int, required: bool = False, message=None):
    message = message or _l("Indiquez un nombre entre %(min)s et %(max)s.")
    first = InputRequired(message) if required else Optional()
    return IntegerField(
        label,
        [first, NumberRange(low, high, message)],
        render_kw={"inputmode": "numeric", "min": low, "max": high},
    )


def _select(label, vocabulary: v.Vocabulary, required: bool = False):
    validators = [
        InputRequired(_l("Choisissez une valeur de la liste.")) if required else Optional()
    ]
    return SelectField(
        label, validators, choices=vocabulary_choices(vocabulary, CHOOSE if required else NOT_SAID)
    )


class AppearanceForm(StepForm):
    height_cm = _number(
        _l("Taille (cm)"), 100, 250, True, _l("Indiquez votre taille en centimètres (100 à 250).")
    )
    weight_kg = _number(_l("Poids (kg)"), 10, 250)
    playing_age_min = _number(
        _l("Âge joué : de"), 0, 100, True, _l("Indiquez un âge entre 0 et 100 ans.")
    )
    playing_age_max = _number(
        _l("Âge joué : à"), 0, 100, True, _l("Indiquez un âge entre 0 et 100 ans.")
    )
    eye_colour = _select(_l("Couleur des yeux"), v.EYE_COLOURS, required=True)
    hair_colour = _select(_l("Couleur des cheveux"), v.HAIR_COLOURS, required=True)
    hair_type = _select(_l("Type de cheveux"), v.HAIR_TYPES)
    hair_length = _select(_l("Longueur des cheveux"), v.HAIR_LENGTHS)
    skin_tone = _select(_l("Teint"), v.SKIN_TONES, required=True)
    build = _select(_l("Silhouette"), v.BUILDS, required=True)
    tattoos = _select(_l("Tatouages"), v.MARKINGS)
    piercings = _select(_l("Piercings"), v.MARKINGS)

    NAMES = (
        "height_cm",
        "weight_kg",
        "playing_age_min",
        "playing_age_max",
        "eye_colour",
        "hair_colour",
        "hair_type",
        "hair_length",
        "skin_tone",
        "build",
        "tattoos",
        "piercings",
    )

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        for name in self.NAMES:
            value = getattr(profile, name)
            numeric = isinstance(self[name], IntegerField)
            self[name].data = value if value is not None or numeric else ""

    def validate_playing_age_max(self, field) -> None:
        low = self.playing_age_min.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(
                _l("L'âge maximum joué doit être supérieur ou égal à l'âge minimum.")
            )

    def to_input(self) -> AppearanceInput:
        assert self.height_cm.data is not None  # InputRequired
        assert self.playing_age_min.data is not None
        assert self.playing_age_max.data is not None
        optional = {
            name: self[name].data or None
            for name in self.NAMES
            if name not in {"height_cm", "playing_age_min", "playing_age_max"}
        }
        return AppearanceInput(
            height_cm=self.height_cm.data,
            playing_age_min=self.playing_age_min.data,
            playing_age_max=self.playing_age_max.data,
            **optional,
        )


class ShoeSizeField(StringField):
    """A European shoe size, halves allowed, typed « 38,5 » or « 38.5 »."""

    def process_formdata(self, valuelist) -> None:
        raw = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        self.data = None
        if not raw:
            return
        try:
            value = float(raw) if len(raw) <= 6 else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or (value * 2) % 1:
            self.raw_data = valuelist
            raise ValueError(str(_l("Indiquez une pointure, par exemple 39 ou 38,5.")))
        self.data = value  # type: ignore[assignment]  # a number, not the text typed

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        value = float(self.data)
        return f"{value:g}".replace(".", ",")


class SizesForm(StepForm):
    """Every size field; the view keeps those of the person's gender (:meth:`keep_for`)."""

    top_size = _select(_l("Taille haut (vêtements)"), v.TOP_SIZES)
    chest_cm = _number(_l("Tour de poitrine (cm)"), 40, 200)
    waist_cm = _number(_l("Tour de taille (cm)"), 30, 200)
    hips_cm = _number(_l("Tour de hanches (cm)"), 40, 200)
    dress_size = _number(_l("Taille de robe (EU, 34 à 54…)"), 28, 64)
    trouser_size = _number(_l("Taille de pantalon (EU)"), 20, 70)
    shoe_size = ShoeSizeField(
        _l("Pointure (EU)"),
        [Optional(), NumberRange(15, 52, _l("Indiquez une pointure entre 15 et 52."))],
        render_kw={"inputmode": "decimal"},
    )
    hat_size_cm = _number(_l("Tour de tête (cm)"), 40, 70)

    asked: tuple[str, ...] = SIZE_FIELDS

    def keep_for(self, gender: str) -> None:
        """Drop the fields not asked for this gender (vocabulary.SIZE_FIELDS_BY_GENDER)."""
        self.asked = tuple(v.SIZE_FIELDS_BY_GENDER.get(gender, SIZE_FIELDS))
        for name in SIZE_FIELDS:
            if name not in self.asked:
                del self[name]

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        for name in self.asked:
            value = getattr(profile, name)
            self[name].data = ("" if value is None else value) if name == "top_size" else value

    def to_input(self) -> SizesInput:
        return SizesInput(values={name: self[name].data for name in self.asked})


class GroupedChecksField(SelectMultipleField):
    """Checkboxes in groups (skills and assets by category), rendered by the
    ``grouped_checks`` macro from :attr:`groups`, ``[(label, [(code, label)])]``."""

    def __init__(self, label, categories, **kwargs) -> None:
        self.groups = [
            (group, [(code, name) for code, name in entries.items()])
            for group, entries in categories.values()
        ]
        choices = [choice for _group, entries in self.groups for choice in entries]
        super().__init__(label, choices=choices, **kwargs)


class SkillsForm(StepForm):
    talent_types = MultiCheckboxField(
        _l("Je peux être"),
        choices=vocabulary_choices(v.TALENT_TYPES),
        validators=[InputRequired(_l("Choisissez au moins un type de profil."))],
    )
    skills = GroupedChecksField(_l("Compétences artistiques et physiques"), v.SKILL_CATEGORIES)
    assets = GroupedChecksField(_l("Ce que je peux apporter sur un tournage"), v.ASSET_CATEGORIES)
    assets_note = TextAreaField(
        _l("Précisions (tailles des costumes, race des animaux, modèle du véhicule…)"),
        [Optional(), Length(max=1000)],
        render_kw={"rows": 3},
    )

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        self.talent_types.data = profile.talent_types
        self.skills.data, self.assets.data = profile.skills, profile.assets
        self.assets_note.data = profile.assets_note or ""

    def to_input(self) -> SkillsInput:
        return SkillsInput(
            talent_types=list(self.talent_types.data or []),
            skills=list(self.skills.data or []),
            assets=list(self.assets.data or []),
            assets_note=self.assets_note.data or None,
        )


class CreditForm(Form):
    """One previous production (a row of the experience page)."""

    title = StringField(_l("Titre"), [Optional(), Length(max=200)])
    kind = SelectField(_l("Type"), choices=vocabulary_choices(v.CREDIT_KINDS))
    year = IntegerField(
        _l("Année"),
        [Optional(), NumberRange(1900, 2100, _l("Une année entre 1900 et 2100."))],
        render_kw={"inputmode": "numeric"},
    )
    role = StringField(_l("Rôle"), [Optional(), Length(max=120)])


#: Empty rows offered (without JavaScript, « Ajouter une ligne » sends the page back with one
#: more).
EMPTY_ROWS = 3


class ExperienceForm(StepForm):
    credits = FieldList(FormField(CreditForm), min_entries=EMPTY_ROWS, max_entries=MAX_CREDITS)
    artist_card_number = StringField(
        _l("Numéro de carte d'artiste professionnel"),
        [Optional(), Length(max=40)],
        render_kw={"autocomplete": "off"},
    )
    artist_card_expires_on = DateField(_l("Date d'expiration de la carte"), [Optional()])

    def fill_choices(self, session: Session, lang: str, user: User | None) -> None:
        if self.wants_refresh() and len(self.credits.entries) < MAX_CREDITS:
            self.credits.append_entry()

    def wants_refresh(self) -> bool:
        return request.method == "POST" and "add_row" in request.form

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        while self.credits.entries:
            self.credits.pop_entry()
        for credit in profile.credits:
            self.credits.append_entry(
                {
                    "title": credit.title,
                    "kind": credit.kind,
                    "year": credit.year,
                    "role": credit.role,
                }
            )
        empty = max(1, EMPTY_ROWS - len(profile.credits))
        while empty and len(self.credits.entries) < MAX_CREDITS:
            self.credits.append_entry()
            empty -= 1
        self.artist_card_number.data = shown(profile.artist_card_number)
        self.artist_card_expires_on.data = profile.artist_card_expires_on

    def to_input(self) -> ExperienceInput:
        credits = [
            CreditInput(
                title=(entry.form.title.data or "").strip(),
                kind=entry.form.kind.data,
                year=entry.form.year.data,
                role=entry.form.role.data or None,
            )
            for entry in self.credits.entries
            if (entry.form.title.data or "").strip()
        ]
        return ExperienceInput(
            credits=credits,
            artist_card_number=self.artist_card_number.data or None,
            artist_card_expires_on=self.artist_card_expires_on.data,
        )


class VisibilityForm(StepForm):
    visibility = RadioField(
        _l("Qui peut voir mon profil casting"),
        choices=vocabulary_choices(v.CASTING_VISIBILITIES),
        validators=[InputRequired(_l("Choisissez qui peut voir votre profil casting."))],
    )

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        self.visibility.data = profile.visibility

    def to_input(self) -> VisibilityInput:
        return VisibilityInput(visibility=self.visibility.data)
