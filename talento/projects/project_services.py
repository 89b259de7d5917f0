"""Projects: create, edit, soft-delete, and what their page shows at a glance (issue 14,
point 2).

Form-free (plain data in, ``Refused`` out; the caller's unit of work commits). A project is
numbered within its company (numbering.next_project_number: race-free, inside the creating
transaction); booking codes carry that number. Moving a project to another company gives it
the next number there, and is refused once it has bookings (their codes name the company).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from talento.audit.models import AuditAction
from talento.audit.services import Actor, record
from talento.extensions import utcnow
from talento.geo.models import City
from talento.geo.services import find_country
from talento.i18n import gettext as _
from talento.projects.access import live_companies
from talento.projects.company_services import MAX_ITEM_LENGTH, clean_lines
from talento.projects.models import (
    Booking,
    CastingRole,
    ProductionCompany,
    Project,
    ProjectLocation,
    ShortlistEntry,
)
from talento.projects.numbering import next_project_number
from talento.projects.vocabulary import PROJECT_STATUSES, PROJECT_TYPES
from talento.refusals import Refusals, Refused

MAX_LOCATIONS = 50


@dataclass(frozen=True)
class ProjectInput:
    name: str
    project_type: str
    company_id: int | None
    origin_country_iso2: str = ""
    #: Shooting locations: cities of the geo data, then free-text places (one per line).
    city_ids: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str = "preparation"
    notes: str = ""
    overtime_after_hours: Decimal | None = None


def _live_company(session: Session, company_id: int | None) -> ProductionCompany | None:
    if company_id is None:
        return None
    return session.scalars(live_companies().where(ProductionCompany.id == company_id)).first()


def _checked(session: Session, data: ProjectInput) -> tuple[dict, list[ProjectLocation]]:
    problems: list[Refused] = []
    name = " ".join(data.name.split())
    if not name:
        problems.append(Refused("name", _("Indiquez le nom du projet.")))
    if data.project_type not in PROJECT_TYPES:
        problems.append(Refused("project_type", _("Choisissez une valeur de la liste.")))
    if data.status not in PROJECT_STATUSES:
        problems.append(Refused("status", _("Choisissez une valeur de la liste.")))
    if _live_company(session, data.company_id) is None:
        problems.append(Refused("company_id", _("Choisissez une société de production.")))
    country = None
    if data.origin_country_iso2:
        country = find_country(session, data.origin_country_iso2)
        if country is None:
            problems.append(Refused("origin_country", _("Choisissez un pays de la liste.")))
    if data.start_date and data.end_date and data.end_date < data.start_date:
        problems.append(
            Refused(
                "end_date",
                _("La date de fin doit être le même jour que la date de début ou après."),
            )
        )
    hours = data.overtime_after_hours
    if hours is not None and not Decimal(1) <= hours <= Decimal(24):
        problems.append(
            Refused("overtime_after_hours", _("Indiquez un nombre d'heures entre 1 et 24."))
        )
    city_ids = list(dict.fromkeys(data.city_ids))
    cities = (
        {c.id: c for c in session.scalars(select(City).where(City.id.in_(city_ids)))}
        if city_ids
        else {}
    )
    if len(cities) != len(city_ids):
        problems.append(Refused("cities", _("Choisissez des villes de la liste.")))
    places = clean_lines(data.places)
    if len(city_ids) + len(places) > MAX_LOCATIONS:
        problems.append(
            Refused("places", _("%(num)s lieux de tournage au plus.", num=MAX_LOCATIONS))
        )
    if problems:
        raise Refusals(problems)
    locations = [ProjectLocation(city_id=cid, position=n) for n, cid in enumerate(city_ids)]
    locations += [
        ProjectLocation(place=place[:MAX_ITEM_LENGTH], position=len(city_ids) + n)
        for n, place in enumerate(places)
    ]
    values = {
        "name": name[:200],
        "project_type": data.project_type,
        "company_id": data.company_id,
        "origin_country_id": country.id if country else None,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "status": data.status,
        "notes": data.notes.strip() or None,
        "overtime_after_hours": hours,
    }
    return values, locations


def _number_in(session: Session, company_id: int) -> int:
    number = next_project_number(session, company_id)
    if number is None:  # deleted meanwhile
        raise Refused("company_id", _("Choisissez une société de production."))
    return number


def create_project(session: Session, data: ProjectInput, actor_id: int | None) -> Project:
    values, locations = _checked(session, data)
    number = _number_in(session, values["company_id"])
    project = Project(**values, number=number, locations=locations, created_by_id=actor_id)
    session.add(project)
    session.flush()
    return project


def has_bookings(session: Session, project: Project) -> bool:
    return bool(session.scalar(select(exists().where(Booking.project_id == project.id))))


def update_project(session: Session, project: Project, data: ProjectInput) -> None:
    values, locations = _checked(session, data)
    if values["company_id"] != project.company_id:
        if has_bookings(session, project):
            raise Refused(
                "company_id",
                _(
                    "Ce projet a déjà des engagements dont le code porte sa société : "
                    "elle ne peut plus changer."
                ),
            )
        project.number = _number_in(session, values["company_id"])
    for key, value in values.items():
        setattr(project, key, value)
    project.locations = locations
    session.flush()


def delete_project(session: Session, project: Project, actor: Actor) -> None:
    """Soft delete: hidden from every list and page from now on (audited)."""
    project.deleted_at = utcnow()
    record(session, AuditAction.PROJECT_DELETE, actor, detail={"project_id": project.id})
    session.flush()


# -- the project page -------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleFigures:
    """One role's line on its project's page."""

    role: CastingRole
    shortlisted: int
    booked: int


def role_figures(session: Session, project_id: int) -> list[RoleFigures]:
    """Each role of the project with its shortlist size and live bookings, in order."""
    roles = list(
        session.scalars(
            select(CastingRole)
            .where(CastingRole.project_id == project_id)
            .order_by(CastingRole.position, CastingRole.id)
        )
    )
    ids = [role.id for role in roles]
    if not ids:
        return []
    shortlisted = dict(
        session.execute(
            select(ShortlistEntry.role_id, func.count())
            .where(ShortlistEntry.role_id.in_(ids))
            .group_by(ShortlistEntry.role_id)
        ).all()
    )
    booked = dict(
        session.execute(
            select(Booking.role_id, func.count())
            .where(Booking.role_id.in_(ids), Booking.status.in_(("pending", "confirmed")))
            .group_by(Booking.role_id)
        ).all()
    )
    return [RoleFigures(r, shortlisted.get(r.id, 0), booked.get(r.id, 0)) for r in roles]


def booking_counts(session: Session, project_id: int) -> dict[str, int]:
    """The project's bookings by status."""
    rows = session.execute(
        select(Booking.status, func.count())
        .where(Booking.project_id == project_id)
        .group_by(Booking.status)
    )
    return {status: count for status, count in rows}
