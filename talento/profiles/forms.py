"""Profile forms: one set of profile fields shared by registration and profile editing.

Choices that come from the database (countries, cities, skills) are filled by the view with
`form.set_choices(...)`; the city list is that of the chosen country, so without JavaScript
choosing the country and then the city is a plain second step.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from talento.accounts.forms import AcceptablePassword
from talento.accounts.password_policy import MIN_LENGTH
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import (
    AVAILABILITY_LABELS,
    GENDER_LABELS,
    LANGUAGES,
    LINK_KINDS,
    WORK_MODE_LABELS,
)
from talento.profiles.phones import InvalidPhone, example_number, to_e164

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MIN_AGE = 16


def phone_in_e164(value: str, country_iso2: str | None) -> str:
    """The number as stored (E.164), or a form error giving an example for the country."""
    try:
        return to_e164(value, country_iso2)
    except InvalidPhone:
        raise ValidationError(
            _(
                "Numéro invalide pour le pays choisi (exemple : %(example)s).",
                example=example_number(country_iso2 or "MA"),
            )
        ) from None


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _required(message):
    return DataRequired(message)


class ProfileFieldsForm(FlaskForm):
    # identity
    first_name = StringField(
        _l("Prénom"),
        [_required(_l("Indiquez votre prénom.")), Length(max=100)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Nom"),
        [_required(_l("Indiquez votre nom.")), Length(max=100)],
        render_kw={"autocomplete": "family-name"},
    )
    gender = RadioField(
        _l("Genre"),
        choices=list(GENDER_LABELS.items()),
        validators=[InputRequired(_l("Choisissez une option."))],
    )
    date_of_birth = DateField(
        _l("Date de naissance"),
        [InputRequired(_l("Indiquez votre date de naissance."))],
        render_kw={"autocomplete": "bday"},
    )
    nationality = SelectField(_l("Nationalité"), [_required(_l("Choisissez votre nationalité."))])
    # contact
    phone = TelField(
        _l("Téléphone"),
        [_required(_l("Indiquez votre numéro de téléphone.")), Length(max=30)],
        render_kw={"autocomplete": "tel"},
    )
    whatsapp = TelField(_l("WhatsApp (si différent)"), [Optional(), Length(max=30)])
    address = TextAreaField(
        _l("Adresse"),
        [Optional(), Length(max=300)],
        render_kw={"autocomplete": "street-address", "rows": 2},
    )
    # residence
    country = SelectField(_l("Pays de résidence"), [_required(_l("Choisissez votre pays."))])
    city = SelectField(_l("Ville"), validate_choice=False)
    # professional
    skills = SelectMultipleField(
        _l("Compétences"),
        [_required(_l("Choisissez au moins une compétence."))],
        render_kw={"size": 8},
    )
    bio = TextAreaField(_l("Présentation"), [Optional(), Length(max=2000)], render_kw={"rows": 5})
    years_experience = IntegerField(
        _l("Années d'expérience"),
        [Optional(), NumberRange(0, 80, _l("Entre 0 et 80 ans."))],
    )
    availability = SelectField(_l("Disponibilité"), choices=list(AVAILABILITY_LABELS.items()))
    work_mode = SelectField(
        _l("Mode de travail"), choices=list(WORK_MODE_LABELS.items()), default="flexible"
    )
    rate_min = IntegerField(
        _l("Tarif journalier minimum (MAD)"), [Optional(), NumberRange(0, 10_000_000)]
    )
    rate_max = IntegerField(
        _l("Tarif journalier maximum (MAD)"), [Optional(), NumberRange(0, 10_000_000)]
    )
    languages = MultiCheckboxField(_l("Langues parlées"), choices=list(LANGUAGES.items()))
    education = TextAreaField(
        _l("Formation"), [Optional(), Length(max=1000)], render_kw={"rows": 3}
    )
    public_links = MultiCheckboxField(
        _l("Liens affichés sur mon profil public"), choices=list(LINK_KINDS.items())
    )
    # files
    photo = FileField(
        _l("Photo (JPEG, PNG ou WebP, 5 Mo maximum)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    cv = FileField(
        _l("CV (PDF ou DOCX, 10 Mo maximum)"), render_kw={"accept": ".pdf,.docx,application/pdf"}
    )

    def set_choices(self, countries, cities, skills_by_category) -> None:
        """Fill database-backed choices: countries [(iso2, name)], cities [(id, name)], skills."""
        placeholder = [("", _l("— Choisir —"))]
        self.nationality.choices = placeholder + list(countries)
        self.country.choices = placeholder + list(countries)
        self.city.choices = [("", _l("— Choisir —"))] + [(str(i), n) for i, n in cities]
        self.skills.choices = {
            category: [(slug, name) for slug, name in entries]
            for category, entries in skills_by_category
        }

    def link_fields(self):
        return [self[f"link_{kind}"] for kind in LINK_KINDS]

    def validate_date_of_birth(self, field) -> None:
        if field.data is None:
            return
        today = dt.date.today()
        age = (
            today.year
            - field.data.year
            - ((today.month, today.day) < (field.data.month, field.data.day))
        )
        if age < MIN_AGE:
            raise ValidationError(_l("Il faut avoir au moins 16 ans pour s'inscrire."))
        if age > 110:
            raise ValidationError(_l("Vérifiez l'année de naissance."))

    def _phone(self, field) -> None:
        if field.data:
            field.data = phone_in_e164(field.data, self.country.data or None)

    def validate_phone(self, field) -> None:
        self._phone(field)

    def validate_whatsapp(self, field) -> None:
        self._phone(field)

    def validate_rate_max(self, field) -> None:
        if field.data is not None and self.rate_min.data is not None:
            if field.data < self.rate_min.data:
                raise ValidationError(_l("Le maximum doit être supérieur ou égal au minimum."))

    def validate_city(self, field) -> None:
        valid = {value for value, _ in field.choices if value}
        if not field.data or field.data not in valid:
            raise ValidationError(_l("Choisissez votre ville dans la liste de votre pays."))

    def links(self) -> dict[str, str]:
        return {
            kind: self[f"link_{kind}"].data.strip()
            for kind in LINK_KINDS
            if self[f"link_{kind}"].data and self[f"link_{kind}"].data.strip()
        }


def _validate_link(form, field) -> None:
    if field.data and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", field.data.strip(), re.I):
        raise ValidationError(_l("Adresse web complète attendue (https://…)."))


for _kind, _label in LINK_KINDS.items():
    setattr(
        ProfileFieldsForm,
        f"link_{_kind}",
        URLField(
            _label,
            [Optional(), Length(max=300), _validate_link],
            render_kw={"placeholder": "https://"},
        ),
    )


class RegistrationForm(ProfileFieldsForm):
    email = EmailField(
        _l("E-mail"),
        [_required(_l("Indiquez votre adresse e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Mot de passe (%(n)d caractères minimum)", n=MIN_LENGTH),
        [
            _required(_l("Choisissez un mot de passe.")),
            AcceptablePassword(
                lambda form: (form.email.data, (form.first_name.data, form.last_name.data))
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        [_required(_l("Confirmez le mot de passe."))],
        render_kw={"autocomplete": "new-password"},
    )
    consent = BooleanField(
        _l("J'accepte que Talento traite mes données personnelles comme décrit ci-dessus."),
        [DataRequired(_l("Votre consentement est nécessaire pour créer un profil."))],
    )

    def validate_email(self, field) -> None:
        field.data = (field.data or "").strip()
        if not EMAIL_RE.match(field.data):
            raise ValidationError(_l("Adresse e-mail invalide (exemple : nom@exemple.ma)."))

    def validate_password_confirm(self, field) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("Les deux mots de passe ne correspondent pas."))


class EditProfileForm(ProfileFieldsForm):
    remove_photo = BooleanField(_l("Supprimer ma photo"))
    remove_cv = BooleanField(_l("Supprimer mon CV"))
