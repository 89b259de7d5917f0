"""The role form (issue 14, point 3): what the role is, who fits it (the casting search's own
criteria: languages, skills, height, eyes, hair, skin, build, appearance), how many people,
which days, at what rate.

Checkbox lists rather than multiple selects (usable on a phone); the shooting days are typed
one per line, a line may be a range (« 15/03/2027 - 18/03/2027 ») so a crowd scene of two
weeks is one line.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    Field,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from talento.casting import vocabulary as v
from talento.casting.forms import vocabulary_choices
from talento.casting.profile_forms import _number
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import GENDER_LABELS
from talento.profiles.forms import MultiCheckboxField
from talento.profiles.languages import LANGUAGES, display_order, language_label
from talento.profiles.search.query_args import parse_date
from talento.projects.company_forms import NOT_OFFERED
from talento.projects.models import CastingRole
from talento.projects.role_services import CRITERIA, MAX_DAYS, RoleInput

#: The checkbox lists of physical requirements: (query-argument name, label, vocabulary).
PHYSICAL = (
    ("eyes", _l("Couleur des yeux"), v.EYE_COLOURS),
    ("hair", _l("Couleur des cheveux"), v.HAIR_COLOURS),
    ("hair_type", _l("Type de cheveux"), v.HAIR_TYPES),
    ("hair_length", _l("Longueur des cheveux"), v.HAIR_LENGTHS),
    ("skin", _l("Teint"), v.SKIN_TONES),
    ("build", _l("Silhouette"), v.BUILDS),
    ("ethnicity", _l("Apparence (origine)"), v.ETHNICITIES),
)
#: « 15/03/2027 - 18/03/2027 », « 15/03/2027 au 18/03/2027 » (spaces around the separator:
#: « 2027-03-15 » is one day).
_RANGE_RE = re.compile(r"\s*(\S+)\s+(?:-|–|—|au|à|to)\s+(\S+)\s*$", re.IGNORECASE)


def parse_day(text: str) -> dt.date | None:
    """« 15/03/2027 » or « 2027-03-15 »."""
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        text = f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
    return parse_date(text)


def _bounds(line: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day a line names (the same day for a single date)."""
    match = _RANGE_RE.match(line)
    if match:
        return parse_day(match[1]), parse_day(match[2])
    day = parse_day(line)
    if day is not None:
        return day, day
    parts = re.split(r"\s*[-–—]\s*", line) if "/" in line else []
    if len(parts) == 2:  # « 15/03/2027-18/03/2027 »
        return parse_day(parts[0]), parse_day(parts[1])
    return None, None


def parse_days(text: str) -> list[dt.date]:
    """Every day the lines name (a line is a day or a range); ValueError names a bad line."""
    days: set[dt.date] = set()
    for raw in (text or "").splitlines():
        line = raw.strip().removeprefix("du ").removeprefix("Du ")
        if not line:
            continue
        first, last = _bounds(line)
        if first is None or last is None or last < first:
            raise ValueError(raw.strip()[:40])
        if (last - first).days >= MAX_DAYS:
            raise ValueError(raw.strip()[:40])
        days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        if len(days) > MAX_DAYS:
            raise ValueError(raw.strip()[:40])
    return sorted(days)


def days_text(days: list[dt.date]) -> str:
    """The stored days as the form shows them: runs of consecutive days as one range."""
    runs: list[list[dt.date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return "\n".join(
        run[0].strftime("%d/%m/%Y")
        if len(run) == 1
        else f"{run[0].strftime('%d/%m/%Y')} - {run[-1].strftime('%d/%m/%Y')}"
        for run in runs
    )


class DaysField(TextAreaField):
    """Shooting days, one per line or as ranges; ``days`` holds the parsed dates."""

    days: list[dt.date]

    def pre_validate(self, form) -> None:
        try:
            self.days = parse_days(self.data or "")
        except ValueError as bad:
            self.days = []
            raise ValidationError(
                _(
                    "Date illisible : « %(line)s ». Écrivez une date par ligne (15/03/2027) "
                    "ou une période (15/03/2027 - 18/03/2027), %(most)s jours au plus.",
                    line=str(bad),
                    most=MAX_DAYS,
                )
            ) from None


def _checkboxes(label, vocabulary) -> Field:
    return MultiCheckboxField(
        label,
        [Optional()],
        choices=vocabulary_choices(vocabulary),
        invalid_choice_message=NOT_OFFERED,  # type: ignore[call-arg]  # stubs: pre-3.3
    )


class RoleForm(FlaskForm):
    name = StringField(
        _l("Nom du rôle"), [DataRequired(_l("Indiquez le nom du rôle.")), Length(max=200)]
    )
    talent_type = SelectField(
        _l("Type de talent"),
        [InputRequired(_l("Choisissez une valeur de la liste."))],
        choices=vocabulary_choices(v.TALENT_TYPES),
        default="extra",
        invalid_choice_message=NOT_OFFERED,  # type: ignore[call-arg]  # stubs: pre-3.3
    )
    description = TextAreaField(
        _l("Description"), [Optional(), Length(max=10_000)], render_kw={"rows": 4}
    )
    gender = RadioField(
        _l("Genre"),
        choices=[("", _l("Indifférent")), *GENDER_LABELS.items()],
        default="",
        validators=[Optional()],
    )
    playing_age_min = _number(_l("Âge joué : de"), 0, 100)
    playing_age_max = _number(_l("Âge joué : à"), 0, 100)
    language = MultiCheckboxField(
        _l("Langues exigées (toutes celles cochées)"),
        [Optional()],
        invalid_choice_message=NOT_OFFERED,  # type: ignore[call-arg]  # stubs: pre-3.3
    )
    skill = _checkboxes(_l("Compétences exigées (toutes celles cochées)"), v.SKILLS)
    height_min = _number(_l("Taille minimum (cm)"), 100, 250)
    height_max = _number(_l("Taille maximum (cm)"), 100, 250)
    eyes = _checkboxes(PHYSICAL[0][1], PHYSICAL[0][2])
    hair = _checkboxes(PHYSICAL[1][1], PHYSICAL[1][2])
    hair_type = _checkboxes(PHYSICAL[2][1], PHYSICAL[2][2])
    hair_length = _checkboxes(PHYSICAL[3][1], PHYSICAL[3][2])
    skin = _checkboxes(PHYSICAL[4][1], PHYSICAL[4][2])
    build = _checkboxes(PHYSICAL[5][1], PHYSICAL[5][2])
    ethnicity = _checkboxes(PHYSICAL[6][1], PHYSICAL[6][2])
    people_needed = _number(
        _l("Nombre de personnes"),
        1,
        5000,
        True,
        _l("Indiquez un nombre de personnes entre 1 et 5000."),
    )
    shooting_days = DaysField(
        _l("Jours de tournage"), [Optional(), Length(max=20_000)], render_kw={"rows": 3}
    )
    rate_per_day = DecimalField(
        _l("Tarif par jour (MAD)"),
        [Optional(), NumberRange(0, 1_000_000, _l("Indiquez un tarif positif."))],
        places=2,
        render_kw={"inputmode": "decimal", "min": 0, "step": "any"},
    )
    deadline = DateField(_l("Date limite de candidature"), [Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = [(code, language_label(code)) for code in display_order(LANGUAGES)]

    def fill_from(self, role: CastingRole) -> None:
        self.name.data = role.name
        self.talent_type.data = role.talent_type
        self.description.data = role.description or ""
        self.gender.data = role.gender or ""
        self.playing_age_min.data = role.playing_age_min
        self.playing_age_max.data = role.playing_age_max
        criteria = role.criteria or {}
        for name in CRITERIA:
            values = criteria.get(name, [])
            if name in ("height_min", "height_max"):
                self[name].data = int(values[0]) if values and values[0].isdigit() else None
            else:
                self[name].data = list(values)
        self.people_needed.data = role.people_needed
        self.shooting_days.data = days_text(role.days)
        self.rate_per_day.data = role.rate_per_day
        self.deadline.data = role.deadline

    def validate_playing_age_max(self, field) -> None:
        low = self.playing_age_min.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(
                _l("L'âge maximum joué doit être supérieur ou égal à l'âge minimum.")
            )

    def validate_height_max(self, field) -> None:
        low = self.height_min.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(
                _l("La taille maximum doit être supérieure ou égale à la taille minimum.")
            )

    def criteria(self) -> dict[str, list[str]]:
        """The search criteria typed, by query-argument name."""
        chosen: dict[str, list[str]] = {}
        for name in CRITERIA:
            value = self[name].data
            if isinstance(value, list):
                if value:
                    chosen[name] = [str(item) for item in value]
            elif value is not None:
                chosen[name] = [str(value)]
        return chosen

    def to_input(self) -> RoleInput:
        return RoleInput(
            name=self.name.data or "",
            talent_type=self.talent_type.data or "",
            description=self.description.data or "",
            gender=self.gender.data or "",
            playing_age_min=self.playing_age_min.data,
            playing_age_max=self.playing_age_max.data,
            criteria=self.criteria(),
            people_needed=self.people_needed.data or 0,
            shooting_days=list(getattr(self.shooting_days, "days", [])),
            rate_per_day=self.rate_per_day.data,
            deadline=self.deadline.data,
        )
