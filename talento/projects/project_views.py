"""Pages of the projects (issue 14, point 2): list, page, create, edit, delete. Thin: guard,
parse, call project_services, render. The role pages are in role_views, on this blueprint.

Who: casting staff and admins see every live project and manage them; company members see
their company's projects, presence accounts those they are assigned to, read-only and
without the shortlists (casting's working data); anyone else gets 403 on the list and a 404
for a project, as for one that does not exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_login import current_user
from sqlalchemy import func

from talento.accounts.views import CAPABILITYLESS_LANDINGS
from talento.audit.web import current_actor
from talento.casting.vocabulary import TALENT_TYPES
from talento.context import current_language
from talento.extensions import db
from talento.i18n import gettext as _
from talento.profiles.search.query_args import QueryArgs
from talento.projects import project_services as service
from talento.projects.access import can_manage, live_companies, visible_projects
from talento.projects.company_forms import ButtonForm
from talento.projects.models import ProductionCompany, Project
from talento.projects.project_forms import ProjectForm
from talento.projects.vocabulary import (
    BOOKING_STATUSES,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    ROLE_COLOURS,
    ROLE_TEXT_COLOURS,
)
from talento.projects.web import (
    is_member,
    live_project_or_404,
    login_first,
    staff_only,
    uses_projects,
    visible_project_or_404,
)
from talento.refusals import Refused, apply_to_form

bp = Blueprint("projects", __name__, url_prefix="/projects")


def _member_landing(user) -> str | None:
    """A company's own staff account (no capability) starts on its projects."""
    return url_for("projects.index") if is_member(user.id) else None


CAPABILITYLESS_LANDINGS.append(_member_landing)


@bp.app_template_filter("long_date")
def long_date(day) -> str:
    """« 15 mars 2027 » (the page's language)."""
    return format_date(day, "d MMMM y") if day else ""


@bp.app_template_filter("money_mad")
def money_mad(amount, currency: str = "MAD") -> str:
    """« 450 MAD », « 1 250,50 MAD » (no decimals when there are none)."""
    if amount is None:
        return ""
    pattern = "#,##0" if amount == int(amount) else "#,##0.00"
    return f"{format_decimal(amount, pattern)} {currency}"


@bp.app_context_processor
def projects_menu() -> dict:
    """``shows_projects_menu()`` for base.html's « Projets » entry (asked only when drawn)."""
    return {"shows_projects_menu": lambda: uses_projects(current_user)}


def labels() -> dict:
    return {
        "type_labels": PROJECT_TYPES,
        "status_labels": PROJECT_STATUSES,
        "booking_labels": BOOKING_STATUSES,
        "role_colours": ROLE_COLOURS,
        "role_text_colours": ROLE_TEXT_COLOURS,
        "talent_types": TALENT_TYPES,
    }


def _form_page(form: ProjectForm, project: Project | None, status: int = 200):
    return render_template("projects/project_form.html", form=form, project=project), status


@bp.get("")
def index():
    if (gate := login_first()) is not None:
        return gate
    if not uses_projects(current_user):
        abort(403)
    session = db.session()
    read = QueryArgs(request.args)
    status = read.choice("status", set(PROJECT_STATUSES))
    company_id = read.integer("company", low=1, high=2**31 - 1)
    query = visible_projects(session, current_user)
    visible_company_ids = {
        row for row in session.scalars(query.with_only_columns(Project.company_id).distinct())
    }
    if status:
        query = query.where(Project.status == status)
    if company_id:
        query = query.where(Project.company_id == company_id)
    projects = list(
        session.scalars(
            query.order_by(Project.start_date.desc().nulls_last(), Project.id.desc()).limit(500)
        )
    )
    companies = (
        session.scalars(live_companies().order_by(func.lower(ProductionCompany.name))).all()
        if can_manage(current_user)
        else session.scalars(
            live_companies()
            .where(ProductionCompany.id.in_(visible_company_ids))
            .order_by(func.lower(ProductionCompany.name))
        ).all()
    )
    return render_template(
        "projects/projects.html",
        projects=projects,
        companies=companies,
        chosen_status=status,
        chosen_company=company_id,
        can_manage=can_manage(current_user),
        **labels(),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    if (gate := staff_only()) is not None:
        return gate
    form = ProjectForm()
    if request.method == "GET":
        company = QueryArgs(request.args).integer("company", low=1, high=2**31 - 1)
        if company:
            form.company_id.data = str(company)
    form.fill_choices(db.session(), current_language())
    if form.wants_refresh():  # no JavaScript: the country's cities; nothing checked or saved
        return _form_page(form, None)
    if form.validate_on_submit():
        try:
            project = service.create_project(db.session(), form.to_input(), current_user.id)
        except Refused as refusal:
            return _form_page(form, None, apply_to_form(form, refusal))
        flash(_("Projet « %(name)s » créé.", name=project.name), "success")
        return redirect(url_for("projects.detail", project_id=project.id))
    return _form_page(form, None, 422 if form.errors else 200)


@bp.get("/<int:project_id>")
def detail(project_id: int):
    if (gate := login_first()) is not None:
        return gate
    project = visible_project_or_404(project_id)
    session = db.session()
    return render_template(
        "projects/project.html",
        project=project,
        roles=service.role_figures(session, project.id),
        bookings=service.booking_counts(session, project.id),
        can_manage=can_manage(current_user),
        form=ButtonForm(),
        **labels(),
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    if (gate := staff_only()) is not None:
        return gate
    project = live_project_or_404(project_id)
    form = ProjectForm()
    if request.method == "GET":
        form.fill_from(project)
    form.fill_choices(db.session(), current_language(), project)
    if form.wants_refresh():  # no JavaScript: the country's cities; nothing checked or saved
        return _form_page(form, project)
    if form.validate_on_submit():
        try:
            service.update_project(db.session(), project, form.to_input())
        except Refused as refusal:
            return _form_page(form, project, apply_to_form(form, refusal))
        flash(_("Projet enregistré."), "success")
        return redirect(url_for("projects.detail", project_id=project.id))
    return _form_page(form, project, 422 if form.errors else 200)


@bp.post("/<int:project_id>/delete")
def delete(project_id: int):
    if (gate := staff_only()) is not None:
        return gate
    project = live_project_or_404(project_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    service.delete_project(db.session(), project, current_actor())
    flash(_("Projet « %(name)s » supprimé.", name=project.name), "success")
    return redirect(url_for("projects.index"))
