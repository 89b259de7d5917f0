"""Pages of the production companies (issue 14, point 1): list, page, create, edit, delete,
verify (admins), members, logo. Thin: guard, parse, call company_services, render.

Who: casting staff and admins see every live company and manage them; a company's members
see their own company's page (read-only); anyone else gets 403 on the list and a 404 for a
company, as for one that does not exist. A soft-deleted company is a 404 for everyone.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from talento.audit.web import current_actor
from talento.casting.media_blueprint import upload_root
from talento.context import current_language, current_settings
from talento.extensions import db
from talento.i18n import gettext as _
from talento.profiles.uploads import MB
from talento.projects import company_services as service
from talento.projects.access import can_manage, can_verify_companies, visible_projects
from talento.projects.company_forms import ButtonForm, CompanyForm, MemberForm
from talento.projects.models import CompanyMember, ProductionCompany, Project
from talento.projects.vocabulary import COMPANY_SPECIALISATIONS, PROJECT_STATUSES
from talento.projects.web import (
    can_see_company,
    live_company_or_404,
    login_first,
    staff_only,
    uses_projects,
    visible_company_or_404,
)
from talento.refusals import Refused, apply_to_form

bp = Blueprint("companies", __name__, url_prefix="/projects/companies")


def _save(form: CompanyForm, company: ProductionCompany | None) -> ProductionCompany:
    """Create or update from a validated form, with its logo; raises Refused."""
    session = db.session()
    data = form.to_input()
    if company is None:
        company = service.create_company(session, data, current_user.id)
    else:
        service.update_company(session, company, data)
    upload = form.logo_upload()
    settings = current_settings()
    if upload is not None:
        service.set_logo(
            session, company, upload.stream, settings.upload_dir, settings.photo_max_mb * MB
        )
    elif form.remove_logo.data and company.logo_name:
        service.remove_logo(session, company, settings.upload_dir)
    return company


def _form_page(form: CompanyForm, company: ProductionCompany | None, status: int = 200):
    return (
        render_template(
            "projects/company_form.html",
            form=form,
            company=company,
            photo_max_mb=current_settings().photo_max_mb,
        ),
        status,
    )


@bp.get("")
def index():
    if (gate := login_first()) is not None:
        return gate
    if not uses_projects(current_user):
        abort(403)
    session = db.session()
    query = service.live_companies_query()
    if not can_manage(current_user):
        query = query.where(
            ProductionCompany.id.in_(
                select(CompanyMember.company_id).where(CompanyMember.user_id == current_user.id)
            )
        )
    companies = list(session.scalars(query.order_by(func.lower(ProductionCompany.name))))
    counts = service.project_counts(session, [c.id for c in companies])
    return render_template(
        "projects/companies.html",
        companies=companies,
        counts=counts,
        can_manage=can_manage(current_user),
        specialisation_labels=COMPANY_SPECIALISATIONS,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    if (gate := staff_only()) is not None:
        return gate
    form = CompanyForm()
    form.fill_choices(db.session(), current_language())
    if form.wants_refresh():  # no JavaScript: the country's cities; nothing checked or saved
        return _form_page(form, None)
    if form.validate_on_submit():
        try:
            company = _save(form, None)
        except Refused as refusal:
            return _form_page(form, None, apply_to_form(form, refusal))
        flash(_("Société « %(name)s » créée.", name=company.name), "success")
        return redirect(url_for("companies.detail", company_id=company.id))
    return _form_page(form, None, 422 if form.errors else 200)


@bp.get("/<int:company_id>")
def detail(company_id: int):
    if (gate := login_first()) is not None:
        return gate
    company = visible_company_or_404(company_id)
    session = db.session()
    projects = list(
        session.scalars(
            visible_projects(session, current_user)
            .where(Project.company_id == company.id)
            .order_by(Project.number.desc())
        )
    )
    manage = can_manage(current_user)
    return render_template(
        "projects/company.html",
        company=company,
        projects=projects,
        members=service.members_of(session, company.id) if manage else [],
        can_manage=manage,
        can_verify=can_verify_companies(current_user),
        form=ButtonForm(),
        specialisation_labels=COMPANY_SPECIALISATIONS,
        status_labels=PROJECT_STATUSES,
    )


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
def edit(company_id: int):
    if (gate := staff_only()) is not None:
        return gate
    company = live_company_or_404(company_id)
    form = CompanyForm()
    if request.method == "GET":
        form.fill_from(company)
    form.fill_choices(db.session(), current_language())
    if form.wants_refresh():  # no JavaScript: the country's cities; nothing checked or saved
        return _form_page(form, company)
    if form.validate_on_submit():
        try:
            _save(form, company)
        except Refused as refusal:
            return _form_page(form, company, apply_to_form(form, refusal))
        flash(_("Société enregistrée."), "success")
        return redirect(url_for("companies.detail", company_id=company.id))
    return _form_page(form, company, 422 if form.errors else 200)


@bp.post("/<int:company_id>/delete")
def delete(company_id: int):
    if (gate := staff_only()) is not None:
        return gate
    company = live_company_or_404(company_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    service.delete_company(db.session(), company, current_actor())
    flash(_("Société « %(name)s » supprimée.", name=company.name), "success")
    return redirect(url_for("companies.index"))


@bp.post("/<int:company_id>/verify")
def verify(company_id: int):
    """Admins mark a company as verified (``verified=1``) or withdraw that (``verified=0``)."""
    if (gate := login_first()) is not None:
        return gate
    if not can_verify_companies(current_user):
        abort(403)
    company = live_company_or_404(company_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    verified = request.form.get("verified") != "0"
    if service.set_verified(db.session(), company, verified, current_actor()):
        flash(
            _("Société marquée comme vérifiée.")
            if verified
            else _("Vérification de la société retirée."),
            "success",
        )
    return redirect(url_for("companies.detail", company_id=company.id))


@bp.route("/<int:company_id>/members", methods=["GET", "POST"])
def members(company_id: int):
    if (gate := staff_only()) is not None:
        return gate
    company = live_company_or_404(company_id)
    form = MemberForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.add_member(db.session(), company, form.email.data or "", current_actor())
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            flash(
                _("%(name)s est maintenant membre de la société.", name=user.full_name), "success"
            )
            return redirect(url_for("companies.members", company_id=company.id))
    elif form.errors:
        status = 422
    return (
        render_template(
            "projects/company_members.html",
            company=company,
            form=form,
            button=ButtonForm(),
            members=service.members_of(db.session(), company.id),
        ),
        status,
    )


@bp.post("/<int:company_id>/members/<int:user_id>/remove")
def remove_member(company_id: int, user_id: int):
    if (gate := staff_only()) is not None:
        return gate
    company = live_company_or_404(company_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not service.remove_member(db.session(), company, user_id, current_actor()):
        abort(404)
    flash(_("Membre retiré de la société."), "success")
    return redirect(url_for("companies.members", company_id=company.id))


@bp.get("/<int:company_id>/logo")
def logo(company_id: int):
    """The logo, to whoever may see the company (404 for anyone else, as without a logo)."""
    company = db.session.scalars(
        service.live_companies_query().where(ProductionCompany.id == company_id)
    ).first()
    if company is None or not can_see_company(company):
        abort(404)
    path = service.logo_path(upload_root(), company)
    if path is None or not path.is_file():
        abort(404)
    response = send_from_directory(path.parent, path.name, mimetype="image/jpeg", max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
