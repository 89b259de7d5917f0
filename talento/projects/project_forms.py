"""The project form (issue 14, point 2): its company is picked among the live companies only
(a deleted one is not offered, and refused if posted), shooting locations are cities of the
geo data (a multiple select of one country's cities, Morocco first; « Afficher les villes »
changes the country without JavaScript) plus free-text places, one per line."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms import (
    DateField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from talento.casting.forms import CHOOSE, vocabulary_choices
from talento.geo.models import City
from talento.geo.services import cities_of, country_choices
from talento.i18n import lazy_gettext as _l
from talento.profiles.forms import CompactSelect
from talento.profiles.search.query_args import parse_id
from talento.projects.access import live_companies
from talento.projects.company_forms import NONE_CHOSEN, NOT_OFFERED, lines
from talento.projects.models import ProductionCompany, Project
from talento.projects.project_services import ProjectInput
from talento.projects.vocabulary import PROJECT_STATUSES, PROJECT_TYPES

DEFAULT_LOCATION_COUNTRY = "MA"


class ProjectForm(FlaskForm):
    name = StringField(
        _l("Nom du projet"), [DataRequired(_l("Indiquez le nom du projet.")), Length(max=200)]
    )
    project_type = SelectField(
        _l("Type"),
        choices=vocabulary_choices(PROJECT_TYPES),
        default="film",
        invalid_choice_message=NOT_OFFERED,  # type: ignore[call-arg]  # stubs: pre-3.3
    )
    company_id = SelectField(
        _l("Société de production"),
        [DataRequired(_l("Choisissez une société de production."))],
        validate_choice=False,
    )
    origin_country = SelectField(_l("Pays d'origine"), [Optional()], widget=CompactSelect())
    location_country = SelectField(
        _l("Pays des lieux de tournage"), [Optional()], widget=CompactSelect()
    )
    cities = SelectMultipleField(
        _l("Villes de tournage"), [Optional()], validate_choice=False, render_kw={"size": 8}
    )
    places = TextAreaField(
        _l("Autres lieux (un par ligne)"),
        [Optional(), Length(max=10_000)],
        render_kw={"rows": 3},
    )
    start_date = DateField(_l("Début du tournage"), [Optional()])
    end_date = DateField(_l("Fin du tournage"), [Optional()])
    status = SelectField(
        _l("Statut"),
        choices=vocabulary_choices(PROJECT_STATUSES),
        default="preparation",
        invalid_choice_message=NOT_OFFERED,  # type: ignore[call-arg]  # stubs: pre-3.3
    )
    notes = TextAreaField(_l("Notes"), [Optional(), Length(max=10_000)], render_kw={"rows": 4})
    overtime_after_hours = DecimalField(
        _l("Heures supplémentaires après (heures par jour)"),
        [Optional(), NumberRange(1, 24, _l("Indiquez un nombre d'heures entre 1 et 24."))],
        places=2,
        render_kw={"inputmode": "decimal", "step": "0.25", "min": 1, "max": 24},
    )

    def fill_choices(self, session: Session, lang: str, project: Project | None = None) -> None:
        companies = session.scalars(
            live_companies().order_by(func.lower(ProductionCompany.name))
        ).all()
        self.company_id.choices = [("", CHOOSE)] + [(str(c.id), c.name) for c in companies]
        countries = country_choices(session, lang)
        self.origin_country.choices = [("", NONE_CHOSEN), *countries]
        self.location_country.choices = list(countries)
        if not self.location_country.data:
            self.location_country.data = DEFAULT_LOCATION_COUNTRY
        iso2 = (self.location_country.data or "").upper()
        cities = [(str(c.id), c.name) for c in cities_of(session, iso2)]
        # cities chosen earlier in another country stay offered (and chosen)
        listed = {value for value, _name in cities}
        others = [parse_id(value) for value in self.cities.data or [] if value not in listed]
        ids = [i for i in others if i is not None]
        kept = session.scalars(select(City).where(City.id.in_(ids))).all() if ids else []
        self.cities.choices = [(str(city.id), city.name) for city in kept] + cities

    def fill_from(self, project: Project) -> None:
        self.name.data = project.name
        self.project_type.data = project.project_type
        self.company_id.data = str(project.company_id)
        self.origin_country.data = project.origin_country.iso2 if project.origin_country else ""
        cities = [loc.city for loc in project.locations if loc.city_id and loc.city]
        if cities:
            self.location_country.data = cities[0].country.iso2
        self.cities.data = [str(city.id) for city in cities]
        self.places.data = "\n".join(loc.place for loc in project.locations if loc.place)
        self.start_date.data, self.end_date.data = project.start_date, project.end_date
        self.status.data = project.status
        self.notes.data = project.notes or ""
        self.overtime_after_hours.data = project.overtime_after_hours

    def wants_refresh(self) -> bool:
        return request.method == "POST" and "show_cities" in request.form

    def validate_company_id(self, field) -> None:
        valid = {value for value, _label in field.choices or [] if value}
        if field.data not in valid:
            raise ValidationError(_l("Choisissez une société de production."))

    def validate_cities(self, field) -> None:
        valid = {value for value, _label in field.choices or []}
        if any(value not in valid for value in field.data or []):
            raise ValidationError(_l("Choisissez des villes de la liste."))

    def validate_end_date(self, field) -> None:
        start = self.start_date.data
        if field.data and start and field.data < start:
            raise ValidationError(
                _l("La date de fin doit être le même jour que la date de début ou après.")
            )

    def to_input(self) -> ProjectInput:
        return ProjectInput(
            name=self.name.data or "",
            project_type=self.project_type.data or "",
            company_id=parse_id(self.company_id.data or ""),
            origin_country_iso2=(self.origin_country.data or "").upper(),
            city_ids=[i for i in map(parse_id, self.cities.data or []) if i is not None],
            places=lines(self.places.data),
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            status=self.status.data or "",
            notes=self.notes.data or "",
            overtime_after_hours=self.overtime_after_hours.data,
        )
