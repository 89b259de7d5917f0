"""Pages of the roles (issue 14, point 3), on the projects blueprint: create, page, edit,
delete, and « Trouver des talents », which opens the casting search pre-filled with the role's
criteria (role_services.search_args). Registered by importing this module (web/app.py).

Who: casting staff and admins manage roles; whoever may see the project reads its roles'
pages (without the staff-only links); anyone else gets a 404, as for a role that does not
exist.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from talento.audit.web import current_actor
from talento.casting import vocabulary as cv
from talento.extensions import db
from talento.i18n import gettext as _
from talento.profiles.choices import GENDER_LABELS
from talento.profiles.languages import language_label
from talento.projects import role_services as service
from talento.projects.access import can_manage
from talento.projects.company_forms import ButtonForm
from talento.projects.models import Booking, CastingRole, ShortlistEntry
from talento.projects.project_views import bp, labels
from talento.projects.role_forms import PHYSICAL, RoleForm
from talento.projects.web import (
    live_project_or_404,
    live_role_or_404,
    login_first,
    staff_only,
    visible_role_or_404,
)
from talento.refusals import Refused, apply_to_form


def _form_page(form: RoleForm, project, role: CastingRole | None, status: int = 200):
    return (
        render_template(
            "projects/role_form.html",
            form=form,
            project=project,
            role=role,
            physical=[name for name, _label, _vocabulary in PHYSICAL],
        ),
        status,
    )


@bp.route("/<int:project_id>/roles/new", methods=["GET", "POST"])
def role_new(project_id: int):
    if (gate := staff_only()) is not None:
        return gate
    project = live_project_or_404(project_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            role = service.create_role(db.session(), project, form.to_input())
        except Refused as refusal:
            return _form_page(form, project, None, apply_to_form(form, refusal))
        flash(_("Rôle « %(name)s » ajouté.", name=role.name), "success")
        return redirect(url_for("projects.role", role_id=role.id))
    return _form_page(form, project, None, 422 if form.errors else 200)


def _criteria_labels(role: CastingRole) -> list[tuple[str, str]]:
    """The role's stored criteria as (label, values) lines for its page."""
    criteria = service.clean_criteria(role.criteria or {})
    shown: list[tuple[str, str]] = []
    if criteria.get("language"):
        shown.append(
            (_("Langues"), ", ".join(language_label(code) for code in criteria["language"]))
        )
    if criteria.get("skill"):
        shown.append(
            (
                _("Compétences"),
                ", ".join(str(cv.SKILLS.get(code, code)) for code in criteria["skill"]),
            )
        )
    low, high = criteria.get("height_min", [""])[0], criteria.get("height_max", [""])[0]
    if low and high:
        shown.append((_("Taille"), f"{low}–{high} cm"))
    elif low:
        shown.append((_("Taille"), _("au moins %(cm)s cm", cm=low)))
    elif high:
        shown.append((_("Taille"), _("au plus %(cm)s cm", cm=high)))
    for name, label, vocabulary in PHYSICAL:
        if criteria.get(name):
            shown.append(
                (str(label), ", ".join(str(vocabulary.get(code, code)) for code in criteria[name]))
            )
    return shown


@bp.get("/roles/<int:role_id>")
def role(role_id: int):
    if (gate := login_first()) is not None:
        return gate
    role = visible_role_or_404(role_id)
    session = db.session()
    shortlisted = session.scalar(select(func.count()).where(ShortlistEntry.role_id == role.id))
    booked = session.scalar(
        select(func.count()).where(
            Booking.role_id == role.id, Booking.status.in_(("pending", "confirmed"))
        )
    )
    return render_template(
        "projects/role.html",
        role=role,
        project=role.project,
        shortlisted=shortlisted or 0,
        booked=booked or 0,
        criteria=_criteria_labels(role),
        gender_labels=GENDER_LABELS,
        can_manage=can_manage(current_user),
        form=ButtonForm(),
        **labels(),
    )


@bp.route("/roles/<int:role_id>/edit", methods=["GET", "POST"])
def role_edit(role_id: int):
    if (gate := staff_only()) is not None:
        return gate
    role = live_role_or_404(role_id)
    form = RoleForm()
    if request.method == "GET":
        form.fill_from(role)
    if form.validate_on_submit():
        try:
            service.update_role(db.session(), role, form.to_input())
        except Refused as refusal:
            return _form_page(form, role.project, role, apply_to_form(form, refusal))
        flash(_("Rôle enregistré."), "success")
        return redirect(url_for("projects.role", role_id=role.id))
    return _form_page(form, role.project, role, 422 if form.errors else 200)


@bp.post("/roles/<int:role_id>/delete")
def role_delete(role_id: int):
    if (gate := staff_only()) is not None:
        return gate
    role = live_role_or_404(role_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    project_id = role.project_id
    try:
        service.delete_role(db.session(), role, current_actor())
    except Refused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("projects.role", role_id=role.id))
    flash(_("Rôle supprimé."), "success")
    return redirect(url_for("projects.detail", project_id=project_id))


@bp.get("/roles/<int:role_id>/find")
def role_find(role_id: int):
    """« Trouver des talents »: the casting search with the role's criteria."""
    if (gate := staff_only()) is not None:
        return gate
    role = live_role_or_404(role_id)
    return redirect(url_for("casting_search.talents") + "?" + urlencode(service.search_args(role)))
