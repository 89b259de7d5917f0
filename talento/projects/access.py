"""Who sees which company, project, role, shortlist and booking, decided once (DESIGN
"Capabilities"; issue 14 point 8).

- **Casting staff and admins** (``casting`` / ``admin``): every company and project (not
  soft-deleted), and they alone create or edit companies, projects, roles, shortlists, review
  links, availability checks and bookings. Only admins verify a company.
- **Company members** (a ``company_members`` row, whatever their capabilities): their own
  company and its projects, read-only: the project page, its roles and its bookings at a
  glance, the badges and the talent list. Not the shortlists and notes (casting's working
  data), not other companies.
- **Presence** accounts: only the projects they are assigned to (``presence_assignments``),
  and on them only the days they are assigned to (a NULL day means every day), for the set:
  the project page's bookings, the badges and the talent list (attendance uses the days).
- **Talents** see their own bookings and availability requests in their space, never a
  shortlist, a note or a review; anyone else gets a 404 for what they may not see, the same
  answer as for something that does not exist.

Every query of a soft-deleted company or project goes through :func:`live_companies` /
:func:`live_projects`, so a deleted one is absent from lists and pickers and 404 by id.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Select, exists, false, or_, select
from sqlalchemy.orm import Session

from talento.accounts.models import Capability
from talento.casting.access import is_casting_staff
from talento.projects.models import (
    CompanyMember,
    PresenceAssignment,
    ProductionCompany,
    Project,
)

__all__ = [
    "assigned_days",
    "can_manage",
    "can_see_project",
    "can_verify_companies",
    "is_casting_staff",
    "live_companies",
    "live_projects",
    "member_company_ids",
    "visible_projects",
]


def _signed_in(viewer: object) -> bool:
    return bool(getattr(viewer, "is_authenticated", False))


def can_manage(viewer: object) -> bool:
    """Create and edit companies, projects, roles, shortlists, links and bookings."""
    return is_casting_staff(viewer)


def can_verify_companies(viewer: object) -> bool:
    can = getattr(viewer, "can", None)
    return _signed_in(viewer) and can is not None and bool(can(Capability.ADMIN))


def _is_presence(viewer: object) -> bool:
    can = getattr(viewer, "can", None)
    return _signed_in(viewer) and can is not None and bool(can(Capability.PRESENCE))


def live_companies() -> Select:
    """Companies that are not soft-deleted (every list, picker and lookup by id)."""
    return select(ProductionCompany).where(ProductionCompany.deleted_at.is_(None))


def live_projects() -> Select:
    """Projects that are not soft-deleted, of companies that are not either."""
    return (
        select(Project)
        .join(ProductionCompany, ProductionCompany.id == Project.company_id)
        .where(Project.deleted_at.is_(None), ProductionCompany.deleted_at.is_(None))
    )


def member_company_ids(session: Session, user_id: int) -> list[int]:
    return list(
        session.scalars(select(CompanyMember.company_id).where(CompanyMember.user_id == user_id))
    )


def visible_projects(session: Session, viewer: object) -> Select:
    """The live projects `viewer` may see (casting staff: all; members: their companies';
    presence: those assigned to them). A query matching nothing for anyone else."""
    query = live_projects()
    if is_casting_staff(viewer):
        return query
    if not _signed_in(viewer):
        return query.where(false())
    user_id = getattr(viewer, "id", None)
    allowed: list[ColumnElement[bool]] = [
        Project.company_id.in_(
            select(CompanyMember.company_id).where(CompanyMember.user_id == user_id)
        )
    ]
    if _is_presence(viewer):
        allowed.append(
            exists().where(
                PresenceAssignment.project_id == Project.id,
                PresenceAssignment.user_id == user_id,
            )
        )
    return query.where(or_(*allowed))


def can_see_project(session: Session, viewer: object, project: Project) -> bool:
    """May `viewer` open this (live) project's page, badges and talent list?"""
    if project.deleted_at is not None or project.company.deleted_at is not None:
        return False
    if is_casting_staff(viewer):
        return True
    if not _signed_in(viewer):
        return False
    user_id = getattr(viewer, "id", None)
    if user_id is None:
        return False
    if project.company_id in member_company_ids(session, user_id):
        return True
    return _is_presence(viewer) and assigned_days(session, user_id, project.id) is not None


def assigned_days(session: Session, user_id: int, project_id: int) -> set[dt.date] | None:
    """The days a presence account works on a project: None if not assigned at all, an empty
    set for every day (an assignment without a day), else the assigned days."""
    days = list(
        session.scalars(
            select(PresenceAssignment.day).where(
                PresenceAssignment.user_id == user_id,
                PresenceAssignment.project_id == project_id,
            )
        )
    )
    if not days:
        return None
    if any(day is None for day in days):
        return set()
    return {day for day in days if day is not None}
