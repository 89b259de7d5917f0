"""Forms of the production companies: the company itself (every field of issue 14 point 1),
adding a member, and the one-button forms (delete, verify, remove a member).

Lists are typed one item per line in a textarea (a phone has no better list editor without
JavaScript) and handed to the service as lists (:func:`lines`). The country-then-city pair is
the registration's (``profiles/_residence_fields.html``: « Afficher les villes » without
JavaScript, register.js loads the cities with it).
"""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from talento.casting.forms import CHOOSE, vocabulary_choices
from talento.casting.profile_forms import _number
from talento.geo.services import cities_of, country_choices
from talento.i18n import lazy_gettext as _l
from talento.profiles.forms import EMAIL_RE, CompactSelect, MultiCheckboxField, phone_in_e164
from talento.profiles.uploads import Upload
from talento.projects.company_services import LIST_FIELDS, CompanyInput
from talento.projects.models import ProductionCompany
from talento.projects.vocabulary import COMPANY_SPECIALISATIONS

NONE_CHOSEN = _l("— Non précisé —")
ONE_PER_LINE = {"rows": 4}


#: A closed list's refusal of a value it does not offer (a hand-made request).
NOT_OFFERED = _l("Choisissez une valeur de la liste.")


def lines(text: str | None) -> list[str]:
    """A textarea's items: one per line, blank lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _list_field(label):
    return TextAreaField(label, [Optional(), Length(max=20_000)], render_kw=ONE_PER_LINE)


class CompanyForm(FlaskForm):
    name = StringField(
        _l("Nom de la société"),
        [DataRequired(_l("Indiquez le nom de la société.")), Length(max=200)],
    )
    initials = StringField(
        _l("Initiales"),
        [Optional(), Length(max=4, message=_l("4 lettres au plus."))],
        render_kw={"autocapitalize": "characters", "maxlength": 4, "spellcheck": "false"},
    )
    logo = FileField(_l("Logo"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_logo = BooleanField(_l("Retirer le logo actuel"))
    description = TextAreaField(
        _l("Présentation"), [Optional(), Length(max=5000)], render_kw={"rows": 5}
    )
    specialisations = MultiCheckboxField(
        _l("Spécialités"),
        choices=vocabulary_choices(COMPANY_SPECIALISATIONS),
        invalid_choice_message=NOT_OFFERED,  # type: ignore[call-arg]  # stubs: pre-3.3
    )
    address = TextAreaField(_l("Adresse"), [Optional(), Length(max=500)], render_kw={"rows": 2})
    country = SelectField(_l("Pays"), [Optional()], widget=CompactSelect())
    city = SelectField(_l("Ville"), [Optional()], validate_choice=False)
    phone = TelField(_l("Téléphone du standard"), [Optional(), Length(max=30)])
    email = EmailField(_l("E-mail de contact"), [Optional(), Length(max=254)])
    website = StringField(
        _l("Site web"), [Optional(), Length(max=300)], render_kw={"inputmode": "url"}
    )
    social_links = _list_field(_l("Réseaux sociaux (une adresse par ligne)"))
    founded_year = _number(_l("Année de création"), 1895, 2100)
    director_name = StringField(_l("Directeur ou gérant"), [Optional(), Length(max=200)])
    employees = _number(_l("Nombre d'employés"), 0, 1_000_000)
    notable_productions = _list_field(_l("Productions marquantes (une par ligne)"))
    services = _list_field(_l("Services proposés (un par ligne)"))
    equipment = _list_field(_l("Équipement (un par ligne)"))
    studios = _list_field(_l("Studios et plateaux (un par ligne)"))
    certifications = _list_field(_l("Certifications et agréments (un par ligne)"))
    memberships = _list_field(_l("Adhésions et associations (une par ligne)"))
    awards = _list_field(_l("Prix et distinctions (un par ligne)"))

    def fill_choices(self, session: Session, lang: str) -> None:
        self.country.choices = [("", NONE_CHOSEN), *country_choices(session, lang)]
        iso2 = (self.country.data or "").upper()
        cities = cities_of(session, iso2) if iso2 else []
        self.city.choices = [("", CHOOSE)] + [(str(c.id), c.name) for c in cities]

    def fill_from(self, company: ProductionCompany) -> None:
        for name in ("name", "initials", "description", "address", "phone", "email", "website"):
            self[name].data = getattr(company, name) or ""
        self.director_name.data = company.director_name or ""
        self.founded_year.data = company.founded_year
        self.employees.data = company.employees
        self.specialisations.data = list(company.specialisations or [])
        self.country.data = company.country.iso2 if company.country else ""
        self.city.data = str(company.city_id or "")
        for name in LIST_FIELDS:
            self[name].data = "\n".join(getattr(company, name) or [])

    def wants_refresh(self) -> bool:
        return request.method == "POST" and "show_cities" in request.form

    def country_name(self) -> str | None:
        chosen = (self.country.data or "").upper()
        listed = [(str(choice[0]), choice[1]) for choice in self.country.choices or []]
        return next((str(label) for code, label in listed if code and code == chosen), None)

    def validate_city(self, field) -> None:
        valid = {value for value, _label in field.choices or [] if value}
        if field.data and field.data not in valid:
            raise ValidationError(_l("Choisissez une ville du pays choisi."))

    def validate_phone(self, field) -> None:
        if field.data:
            field.data = phone_in_e164(field.data, self.country.data or None, self.country_name())

    def validate_email(self, field) -> None:
        field.data = (field.data or "").strip()
        if field.data and not EMAIL_RE.match(field.data):
            raise ValidationError(
                _l("Vérifiez l'adresse e-mail : elle doit ressembler à nom@exemple.ma.")
            )

    def logo_upload(self) -> Upload | None:
        storage = self.logo.data
        if not storage or not getattr(storage, "filename", ""):
            return None
        return Upload(storage.stream, storage.filename or "", storage.content_type)

    def to_input(self) -> CompanyInput:
        city = self.city.data or ""
        return CompanyInput(
            name=self.name.data or "",
            initials=self.initials.data or "",
            description=self.description.data or "",
            specialisations=list(self.specialisations.data or []),
            address=self.address.data or "",
            country_iso2=(self.country.data or "").upper(),
            city_id=int(city) if city.isdigit() else None,
            phone=self.phone.data or "",
            email=self.email.data or "",
            website=(self.website.data or "").strip(),
            founded_year=self.founded_year.data,
            director_name=self.director_name.data or "",
            employees=self.employees.data,
            **{name: lines(self[name].data) for name in LIST_FIELDS},
        )


class MemberForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail du compte"),
        [DataRequired(_l("Indiquez l'adresse e-mail de la personne.")), Length(max=254)],
    )


class ButtonForm(FlaskForm):
    """A form that is only its button (delete, remove, verify): the CSRF token is the form."""
