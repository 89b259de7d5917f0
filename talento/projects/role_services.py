"""Roles (breakdowns) of a project, and « Trouver des talents » (issue 14, point 3).

A role's physical requirements, languages and skills are stored as the casting search's own
query arguments (``criteria``: ``{"language": ["ar-ma"], "height_min": ["170"]}``), written
through the search's parser (casting.search.filters.parse_filters), so what is stored is
exactly what the search understands, and :func:`search_args` hands them back as the URL of a
pre-filled search. The columns say the rest (talent type, gender, playing ages): they become
the search's ``type``, ``gender``, ``play_min`` and ``play_max``.

Form-free (plain data in, ``Refused`` out; the caller's unit of work commits).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from talento.audit.models import AuditAction
from talento.audit.services import Actor, record
from talento.casting.search.filters import parse_filters
from talento.casting.vocabulary import TALENT_TYPES
from talento.i18n import gettext as _
from talento.projects.models import Booking, CastingRole, Project, RoleShootingDay
from talento.refusals import Refusals, Refused

#: The search's query arguments a role stores in ``criteria`` (casting.search.filters names).
CRITERIA = (
    "language",
    "skill",
    "height_min",
    "height_max",
    "eyes",
    "hair",
    "hair_type",
    "hair_length",
    "skin",
    "build",
    "ethnicity",
)
GENDERS = ("M", "F", "N")
MAX_PEOPLE = 5000
MAX_DAYS = 366
MAX_RATE = Decimal("1000000")


@dataclass(frozen=True)
class RoleInput:
    name: str
    talent_type: str
    description: str = ""
    gender: str = ""  # "" for any
    playing_age_min: int | None = None
    playing_age_max: int | None = None
    #: Search criteria by query-argument name (languages, skills, physical requirements).
    criteria: dict[str, list[str]] = field(default_factory=dict)
    people_needed: int = 1
    shooting_days: list[dt.date] = field(default_factory=list)
    rate_per_day: Decimal | None = None
    deadline: dt.date | None = None


def clean_criteria(criteria: dict[str, list[str]]) -> dict[str, list[str]]:
    """Only what the casting search accepts, as it reads it (unknown codes dropped, ranges
    bounded and put in order)."""
    given = {name: list(values) for name, values in criteria.items() if name in CRITERIA}
    kept: dict[str, list[str]] = {}
    for name, value in parse_filters(given).query_args():
        if name in CRITERIA:
            kept.setdefault(name, []).append(value)
    return kept


def _checked(data: RoleInput, project: Project) -> dict:
    problems: list[Refused] = []
    name = " ".join(data.name.split())
    if not name:
        problems.append(Refused("name", _("Indiquez le nom du rôle.")))
    if data.talent_type not in TALENT_TYPES:
        problems.append(Refused("talent_type", _("Choisissez une valeur de la liste.")))
    if data.gender and data.gender not in GENDERS:
        problems.append(Refused("gender", _("Choisissez une valeur de la liste.")))
    low, high = data.playing_age_min, data.playing_age_max
    for name_, age in (("playing_age_min", low), ("playing_age_max", high)):
        if age is not None and not 0 <= age <= 100:
            problems.append(Refused(name_, _("Indiquez un âge entre 0 et 100 ans.")))
    if low is not None and high is not None and low > high:
        problems.append(
            Refused(
                "playing_age_max",
                _("L'âge maximum joué doit être supérieur ou égal à l'âge minimum."),
            )
        )
    if not 1 <= data.people_needed <= MAX_PEOPLE:
        problems.append(
            Refused("people_needed", _("Indiquez un nombre de personnes entre 1 et 5000."))
        )
    if data.rate_per_day is not None and not Decimal(0) <= data.rate_per_day <= MAX_RATE:
        problems.append(Refused("rate_per_day", _("Indiquez un tarif positif.")))
    days = sorted(set(data.shooting_days))
    if len(days) > MAX_DAYS:
        problems.append(
            Refused("shooting_days", _("%(num)s jours de tournage au plus.", num=MAX_DAYS))
        )
    start, end = project.start_date, project.end_date
    outside = [d for d in days if (start and d < start) or (end and d > end)]
    if outside:
        problems.append(
            Refused(
                "shooting_days",
                _(
                    "Les jours de tournage doivent tomber dans les dates du projet "
                    "(à corriger : %(day)s).",
                    day=outside[0].strftime("%d/%m/%Y"),
                ),
            )
        )
    if problems:
        raise Refusals(problems)
    return {
        "name": name[:200],
        "talent_type": data.talent_type,
        "description": data.description.strip() or None,
        "gender": data.gender or None,
        "playing_age_min": low,
        "playing_age_max": high,
        "criteria": clean_criteria(data.criteria),
        "people_needed": data.people_needed,
        "rate_per_day": data.rate_per_day,
        "deadline": data.deadline,
        "_days": days,
    }


def create_role(session: Session, project: Project, data: RoleInput) -> CastingRole:
    values = _checked(data, project)
    days = values.pop("_days")
    position = session.scalar(
        select(func.coalesce(func.max(CastingRole.position), -1) + 1).where(
            CastingRole.project_id == project.id
        )
    )
    role = CastingRole(
        project_id=project.id,
        position=min(position or 0, 32_000),
        shooting_days=[RoleShootingDay(day=day) for day in days],
        **values,
    )
    session.add(role)
    session.flush()
    return role


def update_role(session: Session, role: CastingRole, data: RoleInput) -> None:
    values = _checked(data, role.project)
    days = set(values.pop("_days"))
    for key, value in values.items():
        setattr(role, key, value)
    role.shooting_days = [row for row in role.shooting_days if row.day in days]
    have = {row.day for row in role.shooting_days}
    role.shooting_days += [RoleShootingDay(day=day) for day in sorted(days - have)]
    session.flush()


def delete_role(session: Session, role: CastingRole, actor: Actor) -> None:
    """Remove the role with its shortlist; refused once someone was booked on it (bookings
    outlive their roles: cancel them and keep the role)."""
    if session.scalar(select(exists().where(Booking.role_id == role.id))):
        raise Refused(
            None,
            _(
                "Des engagements existent pour ce rôle : il ne peut pas être supprimé. "
                "Annulez les engagements ou gardez le rôle."
            ),
            status=409,
        )
    record(
        session,
        AuditAction.ROLE_DELETE,
        actor,
        detail={"role_id": role.id, "project_id": role.project_id},
    )
    session.delete(role)
    session.flush()


def search_args(role: CastingRole) -> list[tuple[str, str]]:
    """The casting search's query string for this role: its type, gender, playing ages and
    stored criteria, then ``role`` (the search page may offer « ajouter à la présélection »)."""
    pairs: list[tuple[str, str]] = [("type", role.talent_type)]
    if role.gender:
        pairs.append(("gender", role.gender))
    if role.playing_age_min is not None:
        pairs.append(("play_min", str(role.playing_age_min)))
    if role.playing_age_max is not None:
        pairs.append(("play_max", str(role.playing_age_max)))
    for name, values in clean_criteria(role.criteria or {}).items():
        pairs += [(name, value) for value in values]
    pairs.append(("role", str(role.id)))
    return pairs
