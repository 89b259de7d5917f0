"""What the pages of companies, projects and roles share: who is let in, and the lookups by id
that answer 404 for what the viewer may not see (projects/access.py decides).

- Anonymous visitors are sent to the login page (then back).
- A signed-in account lacking the capability of a staff-only page (creating, editing,
  deleting) gets 403, as the casting search answers.
- A company, project or role the viewer may not see is a 404, the answer for one that does
  not exist: an id tells nothing.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, select

from talento.extensions import db, login_manager
from talento.projects.access import (
    can_manage,
    can_see_project,
    live_companies,
    live_projects,
    member_company_ids,
)
from talento.projects.models import (
    CastingRole,
    CompanyMember,
    ProductionCompany,
    Project,
)


def is_member(user_id: int | None) -> bool:
    """The account belongs to some production company's staff."""
    if user_id is None:
        return False
    return bool(db.session.scalar(select(exists().where(CompanyMember.user_id == user_id))))


def uses_projects(viewer: object) -> bool:
    """The « Projets » pages are for casting staff, admins, company members and presence
    accounts (the last two see only theirs)."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if can_manage(viewer):
        return True
    can = getattr(viewer, "can", None)
    user_id = getattr(viewer, "id", None)
    if can is not None and can("presence"):
        return True
    return is_member(user_id)


def login_first():
    """None for a signed-in viewer, else the login redirect (return it from the view)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def staff_only():
    """The guard of the pages that create, edit or delete: None when the viewer may."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can_manage(current_user):
        abort(403)
    return None


def can_see_company(company: ProductionCompany) -> bool:
    if can_manage(current_user):
        return True
    if not current_user.is_authenticated:
        return False
    return company.id in member_company_ids(db.session(), current_user.id)


def live_company_or_404(company_id: int) -> ProductionCompany:
    company = db.session.scalars(live_companies().where(ProductionCompany.id == company_id)).first()
    if company is None:
        abort(404)
    return company


def visible_company_or_404(company_id: int) -> ProductionCompany:
    company = live_company_or_404(company_id)
    if not can_see_company(company):
        abort(404)
    return company


def live_project_or_404(project_id: int) -> Project:
    project = db.session.scalars(live_projects().where(Project.id == project_id)).first()
    if project is None:
        abort(404)
    return project


def visible_project_or_404(project_id: int) -> Project:
    project = live_project_or_404(project_id)
    if not can_see_project(db.session(), current_user, project):
        abort(404)
    return project


def live_role_or_404(role_id: int) -> CastingRole:
    role = db.session.get(CastingRole, role_id)
    if role is None:
        abort(404)
    live_project_or_404(role.project_id)
    return role


def visible_role_or_404(role_id: int) -> CastingRole:
    role = live_role_or_404(role_id)
    if not can_see_project(db.session(), current_user, role.project):
        abort(404)
    return role
