"""Forms of the casting registration's first steps: identity (with the new account, and the
guardian of a minor), contact, origins, languages.

Each step form shows what is stored (:meth:`StepForm.fill_from`, so an existing talent retypes
nothing) and hands plain data to the services (:meth:`StepForm.to_input`). Pieces of the talent
registration are reused: the country-then-city pair and its « Afficher les villes » button
without JavaScript, the phone checked for the country of residence, the password policy, the
spoken-language list with levels. The forms of the later steps are in casting/profile_forms.py.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from talento.accounts.models import User
from talento.casting import vocabulary as v
from talento.casting.access import ADULT_AGE, age_on
from talento.casting.inputs import (
    ContactInput,
    GuardianInput,
    IdentityInput,
    LanguagesInput,
    NewAccount,
    OriginsInput,
)
from talento.casting.models import CastingProfile
from talento.casting.steps_data import StepData
from talento.crypto import is_unavailable
from talento.extensions import utctoday
from talento.geo.services import cities_of, country_choices
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import GENDER_LABELS
from talento.profiles.forms import (
    EMAIL_RE,
    CompactSelect,
    LanguageLevelsField,
    MultiCheckboxField,
    NewAccountFields,
    phone_in_e164,
)
from talento.profiles.languages import language_label
from talento.profiles.phones import national_example

CHOOSE = _l("— Choisir —")


def vocabulary_choices(vocabulary: v.Vocabulary, blank: object | None = None) -> list:
    """(code, label) pairs of a vocabulary, after a blank choice when one is given."""
    pairs = [(code, label) for code, label in vocabulary.items()]
    return ([("", blank)] if blank is not None else []) + pairs


def shown(value) -> str:
    """What a field shows of a stored (possibly encrypted) value: unreadable shows as empty."""
    return "" if value is None or is_unavailable(value) else str(value)


class StepForm(FlaskForm):
    """One registration step. The view calls :meth:`fill_choices`, then :meth:`fill_from` on a
    GET, validates, and hands :meth:`to_input` to ``casting.services.save_step``."""

    def fill_choices(self, session: Session, lang: str, user: User | None) -> None:
        """Database-backed choices (countries, cities); none by default."""

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        """Show what is stored."""

    def to_input(self) -> StepData:
        """The validated fields as the step's plain data (casting.inputs)."""
        raise NotImplementedError

    def wants_refresh(self) -> bool:
        """A button that sends the page back to itself without saving (no JavaScript)."""
        return False


class IdentityForm(StepForm):
    first_name = StringField(
        _l("Prénom"),
        [DataRequired(_l("Indiquez votre prénom.")), Length(max=100)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Nom"),
        [DataRequired(_l("Indiquez votre nom.")), Length(max=100)],
        render_kw={"autocomplete": "family-name"},
    )
    date_of_birth = DateField(
        _l("Date de naissance"),
        [InputRequired(_l("Indiquez votre date de naissance."))],
        render_kw={"autocomplete": "bday"},
    )
    gender = RadioField(
        _l("Genre"),
        choices=list(GENDER_LABELS.items()),
        validators=[InputRequired(_l("Choisissez Femme, Homme ou Non précisé."))],
    )
    id_document_type = SelectField(
        _l("Pièce d'identité"),
        [DataRequired(_l("Choisissez le type de pièce d'identité."))],
        choices=vocabulary_choices(v.ID_DOCUMENT_TYPES, CHOOSE),
    )
    id_number = StringField(
        _l("Numéro de la pièce"),
        [DataRequired(_l("Indiquez le numéro de votre pièce d'identité.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    country = SelectField(
        _l("Pays de résidence"),
        [DataRequired(_l("Choisissez votre pays de résidence."))],
        widget=CompactSelect(),
    )
    city = SelectField(
        _l("Ville"),
        [InputRequired(_l("Choisissez votre ville dans la liste de votre pays."))],
        validate_choice=False,
    )
    # A minor's parent or guardian (required under 18, checked by the service).
    guardian_name = StringField(_l("Nom du parent ou tuteur"), [Optional(), Length(max=200)])
    guardian_relationship = SelectField(
        _l("Lien avec le mineur"),
        [Optional()],
        choices=vocabulary_choices(v.GUARDIAN_RELATIONSHIPS, CHOOSE),
    )
    guardian_phone = TelField(_l("Téléphone du parent ou tuteur"), [Optional(), Length(max=30)])
    guardian_email = EmailField(_l("E-mail du parent ou tuteur"), [Optional(), Length(max=254)])
    guardian_consent = BooleanField(
        _l(
            "Je suis le parent ou le tuteur légal de ce mineur et j'accepte son inscription "
            "et le traitement de ses données pour le casting."
        )
    )

    def fill_choices(self, session: Session, lang: str, user: User | None) -> None:
        countries = country_choices(session, lang)
        self.country.choices = [("", CHOOSE), *countries]
        iso2 = (self.country.data or "").upper()
        cities = cities_of(session, iso2) if iso2 else []
        self.city.choices = [("", CHOOSE)] + [(str(c.id), c.name) for c in cities]

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        self.first_name.data, self.last_name.data = user.first_name, user.last_name
        self.date_of_birth.data, self.gender.data = user.date_of_birth, user.gender
        self.country.data = user.country.iso2 if user.country else ""
        self.city.data = str(user.city_id or "")
        self.id_document_type.data = profile.id_document_type or ""
        self.id_number.data = shown(profile.id_number)
        self.guardian_name.data = profile.guardian_name or ""
        self.guardian_relationship.data = profile.guardian_relationship or ""
        self.guardian_phone.data = shown(profile.guardian_phone)
        self.guardian_email.data = shown(profile.guardian_email)
        self.guardian_consent.data = profile.guardian_consent_at is not None

    def wants_refresh(self) -> bool:
        from flask import request

        return request.method == "POST" and "show_cities" in request.form

    def is_minor(self) -> bool:
        """The date of birth typed (or shown) is a minor's: the guardian's fields are asked."""
        age = age_on(self.date_of_birth.data, utctoday())
        return age is not None and age < ADULT_AGE

    def country_name(self) -> str | None:
        chosen = (self.country.data or "").upper()
        listed = [(str(choice[0]), choice[1]) for choice in self.country.choices or []]
        return next((str(name) for code, name in listed if code and code == chosen), None)

    def validate_city(self, field) -> None:
        valid = {value for value, _label in field.choices or [] if value}
        if not field.data or field.data not in valid:
            raise ValidationError(_l("Choisissez votre ville dans la liste de votre pays."))

    def validate_guardian_phone(self, field) -> None:
        if field.data:
            field.data = phone_in_e164(field.data, self.country.data or None, self.country_name())

    def validate_guardian_email(self, field) -> None:
        field.data = (field.data or "").strip()
        if field.data and not EMAIL_RE.match(field.data):
            raise ValidationError(
                _l("Vérifiez l'adresse e-mail : elle doit ressembler à nom@exemple.ma.")
            )

    def validate_guardian_relationship(self, field) -> None:
        if field.data and field.data not in v.GUARDIAN_RELATIONSHIPS:
            raise ValidationError(_l("Choisissez une valeur de la liste."))

    def to_input(self) -> IdentityInput:
        guardian = None
        if self.is_minor() or self.guardian_name.data:
            guardian = GuardianInput(
                name=self.guardian_name.data or "",
                relationship=self.guardian_relationship.data or "",
                phone=self.guardian_phone.data or "",
                email=self.guardian_email.data or "",
                consent=bool(self.guardian_consent.data),
            )
        assert self.date_of_birth.data is not None  # InputRequired
        return IdentityInput(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            date_of_birth=self.date_of_birth.data,
            gender=self.gender.data,
            id_document_type=self.id_document_type.data,
            id_number=self.id_number.data or "",
            country_iso2=self.country.data,
            city_id=int(self.city.data),
            guardian=guardian,
        )


class NewPersonForm(NewAccountFields, IdentityForm):
    """The first page for someone without an account: identity, then e-mail, password and
    consent (the account is created when it is saved, and signed in)."""

    consent = BooleanField(
        _l(
            "J'accepte que Talento traite mes données personnelles pour présenter mon profil "
            "aux équipes de casting, comme décrit ci-dessus."
        ),
        [
            DataRequired(
                _l(
                    "Cochez cette case pour accepter : sans votre accord, le profil ne "
                    "peut pas être créé."
                )
            )
        ],
    )

    def account_input(self, language: str) -> NewAccount:
        return NewAccount(
            email=self.email.data or "",
            password=self.password.data or "",
            consent=bool(self.consent.data),
            language=language,
        )


class ContactForm(StepForm):
    phone = TelField(
        _l("Téléphone"),
        [DataRequired(_l("Indiquez votre numéro de téléphone.")), Length(max=30)],
        render_kw={"autocomplete": "tel"},
    )
    whatsapp = TelField(_l("WhatsApp (si différent)"), [Optional(), Length(max=30)])

    #: The country of residence the numbers are checked for (set by fill_choices).
    country_iso2: str | None = None
    country_label: str | None = None

    def fill_choices(self, session: Session, lang: str, user: User | None) -> None:
        if user is not None and user.country is not None:
            self.country_iso2, self.country_label = user.country.iso2, user.country.name(lang)

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        self.phone.data, self.whatsapp.data = shown(user.phone), shown(user.whatsapp)

    def phone_hint(self) -> str:
        example = national_example(self.country_iso2) if self.country_iso2 else None
        if example and self.country_label:
            return _(
                "Numéro de votre pays de résidence (%(country)s), par exemple %(example)s, ou "
                "au format international (+…).",
                country=self.country_label,
                example=example,
            )
        return _("Au format international (+…).")

    def validate_phone(self, field) -> None:
        if field.data:
            field.data = phone_in_e164(field.data, self.country_iso2, self.country_label)

    def validate_whatsapp(self, field) -> None:
        if field.data:
            field.data = phone_in_e164(field.data, self.country_iso2, self.country_label)

    def to_input(self) -> ContactInput:
        return ContactInput(phone=self.phone.data or "", whatsapp=self.whatsapp.data or None)


class OriginsForm(StepForm):
    nationality = SelectField(
        _l("Nationalité"),
        [DataRequired(_l("Choisissez votre nationalité."))],
        widget=CompactSelect(),
    )
    origin_country = SelectField(
        _l("Pays d'origine (famille)"), [Optional()], widget=CompactSelect()
    )
    origin_region = StringField(_l("Région ou ville d'origine"), [Optional(), Length(max=120)])
    ethnicity = SelectField(
        _l("Type (facultatif, déclaré par vous)"),
        [Optional()],
        choices=vocabulary_choices(v.ETHNICITIES, _l("— Je préfère ne pas le dire —")),
    )

    def fill_choices(self, session: Session, lang: str, user: User | None) -> None:
        countries = country_choices(session, lang)
        self.nationality.choices = [("", CHOOSE), *countries]
        self.origin_country.choices = [("", _l("— Non précisé —")), *countries]

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        talent = user.profile
        nationality = talent.nationality if talent is not None else None
        self.nationality.data = nationality.iso2 if nationality else ""
        self.origin_country.data = profile.origin_country.iso2 if profile.origin_country else ""
        self.origin_region.data = profile.origin_region or ""
        self.ethnicity.data = profile.ethnicity or ""

    def to_input(self) -> OriginsInput:
        return OriginsInput(
            nationality_iso2=self.nationality.data,
            origin_country_iso2=self.origin_country.data or None,
            origin_region=self.origin_region.data or None,
            ethnicity=self.ethnicity.data or None,
        )


def accent_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Accents grouped under their language's name, in the vocabulary's order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, (language, label) in v.ACCENTS.items():
        groups.setdefault(language, []).append((code, str(label)))
    return [(language_label(language), entries) for language, entries in groups.items()]


class LanguagesForm(StepForm):
    languages = LanguageLevelsField(_l("Langues parlées"), default=dict)
    accents = MultiCheckboxField(
        _l("Accents et variétés"),
        choices=vocabulary_choices({code: label for code, (_lang, label) in v.ACCENTS.items()}),
    )

    def fill_from(self, user: User, profile: CastingProfile) -> None:
        talent = user.profile
        rows = talent.languages if talent is not None else []
        self.languages.data = {row.code: row.level for row in rows}
        self.accents.data = profile.accents

    def to_input(self) -> LanguagesInput:
        return LanguagesInput(
            languages=dict(self.languages.data or {}), accents=list(self.accents.data or [])
        )
