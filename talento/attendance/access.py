"""Who works on which project's attendance, and on which days (issue 15 point 1).

- Casting staff and admins: every live project, every day, recording and correcting.
- Presence accounts: the projects they are assigned to, on the days they are assigned to
  (projects.access.assigned_days: an assignment without a day is every day); they record and
  correct there. A day they are not assigned to is a 404, like a project they are not on.
- Members of the project's company: read-only (the day page and the records), never a scan
  or a correction (403).
- Talents see only their own history, in their space (talent_views).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy.orm import Session

from talento.projects.access import (
    assigned_days,
    is_casting_staff,
    live_projects,
    member_company_ids,
)
from talento.projects.models import Project

__all__ = ["Grant", "day_grant", "is_attendance_staff", "project_grant"]


class Grant(enum.Enum):
    NONE = 0
    READ = 1
    RECORD = 2


def _user_id(viewer: object) -> int | None:
    if not getattr(viewer, "is_authenticated", False):
        return None
    return getattr(viewer, "id", None)


def _is_presence(viewer: object) -> bool:
    from talento.accounts.models import Capability

    can = getattr(viewer, "can", None)
    return can is not None and bool(can(Capability.PRESENCE))


def is_attendance_staff(viewer: object) -> bool:
    """May open the attendance pages at all (the list of projects)."""
    return is_casting_staff(viewer) or _is_presence(viewer)


def project_grant(session: Session, viewer: object, project: Project) -> Grant:
    """The viewer's right on a project's attendance, whatever the day."""
    user_id = _user_id(viewer)
    if user_id is None:
        return Grant.NONE
    if project.deleted_at is not None or project.company.deleted_at is not None:
        return Grant.NONE
    if is_casting_staff(viewer):
        return Grant.RECORD
    if _is_presence(viewer) and assigned_days(session, user_id, project.id) is not None:
        return Grant.RECORD
    if project.company_id in member_company_ids(session, user_id):
        return Grant.READ
    return Grant.NONE


def day_grant(session: Session, viewer: object, project: Project, day: dt.date) -> Grant:
    """The viewer's right on one working day of a project."""
    user_id = _user_id(viewer)
    if user_id is None:
        return Grant.NONE
    grant = project_grant(session, viewer, project)
    if grant is Grant.RECORD and not is_casting_staff(viewer):
        days = assigned_days(session, user_id, project.id)
        if days is not None and days and day not in days:
            member = project.company_id in member_company_ids(session, user_id)
            return Grant.READ if member else Grant.NONE
    return grant


def granted_days(
    session: Session, viewer: object, project: Project, days: list[dt.date]
) -> list[dt.date]:
    """The days of `days` on which :func:`day_grant` gives the viewer something, with the
    viewer's assignment and membership read once (not once per day)."""
    user_id = _user_id(viewer)
    if user_id is None:
        return []
    grant = project_grant(session, viewer, project)
    if grant is Grant.NONE:
        return []
    if grant is not Grant.RECORD or is_casting_staff(viewer):
        return list(days)
    assigned = assigned_days(session, user_id, project.id)
    if not assigned or project.company_id in member_company_ids(session, user_id):
        return list(days)
    return [day for day in days if day in assigned]


def live_project(session: Session, project_id: int) -> Project | None:
    return session.scalar(live_projects().where(Project.id == project_id))
