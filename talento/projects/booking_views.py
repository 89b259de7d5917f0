"""Casting staff's pages of the bookings blueprint: « Engager » people of a role's shortlist,
one booking's page, its cancellation (issue 14, point 6). The availability checks' pages are
projects/availability_views.py, on the same blueprint.

Access (projects.access): « Engager » and « Annuler » are casting staff's and admins' (others
signed in: 403, anonymous: the login page); a booking's page is also open, read-only, to the
project's company members and assigned presence accounts, and 404 for anyone else — as for a
booking of a deleted project. The chosen people come from the shortlist page as
``?entry=<id>&entry=<id>`` (or the same form fields); ids of another role are ignored.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from talento.accounts.models import User
from talento.audit.web import current_actor
from talento.context import current_language, current_settings
from talento.extensions import db, login_manager, utcnow
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.profiles.search.query_args import parse_id
from talento.projects import booking_services as service
from talento.projects.access import can_manage, can_see_project
from talento.projects.availability_services import chosen_entries, people
from talento.projects.booking_forms import BookingForm, CancelForm
from talento.projects.booking_texts import (
    day_label,
    money_label,
    parse_days,
    time_label,
    weekday_label,
)
from talento.projects.models import Booking, CastingRole, Project
from talento.projects.project_views import routed
from talento.projects.vocabulary import BOOKING_STATUSES, SHORTLIST_STATUSES
from talento.refusals import Refused, apply_to_form

bp = Blueprint("bookings", __name__, url_prefix="/projects")


def staff_only():
    """Anonymous: the login page; signed in without the capability: 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can_manage(current_user):
        abort(403)
    return None


def _live(project: Project) -> bool:
    return project.deleted_at is None and project.company.deleted_at is None


def role_or_404(role_id: int) -> CastingRole:
    role = db.session.get(CastingRole, role_id)
    if role is None or not _live(role.project):
        abort(404)
    return role


def entry_ids() -> list[int]:
    """The chosen entries (query string or form); what is not an id is ignored."""
    return [i for i in map(parse_id, request.values.getlist("entry")) if i is not None]


def shortlist_path(role_id: int) -> str:
    """The role's shortlist page (another blueprint's; built as a path)."""
    return f"/projects/roles/{role_id}/shortlist"


def _booking_form(role: CastingRole) -> BookingForm:
    lang = current_language()
    form = BookingForm()
    form.days.choices = [(day.isoformat(), weekday_label(day, lang)) for day in role.days]
    if request.method == "GET":
        form.days.data = [day.isoformat() for day in role.days]
        form.rate_per_day.data = role.rate_per_day
    return form


def _input(form: BookingForm) -> service.BookingInput:
    return service.BookingInput(
        days=parse_days(form.days.data or []),
        rate_per_day=form.rate_per_day.data,
        call_time=form.call_time.data,
        meeting_point=form.meeting_point.data or "",
        what_to_bring=form.what_to_bring.data or "",
    )


@bp.route("/roles/<int:role_id>/bookings/new", methods=["GET", "POST"])
def new_booking(role_id: int):
    refused = staff_only()
    if refused is not None:
        return refused
    role = role_or_404(role_id)
    form = _booking_form(role)
    chosen = chosen_entries(db.session(), role, entry_ids())
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            report = service.book(
                db.session(),
                current_settings(),
                current_app.config["SECRET_KEY"],
                role,
                [entry.id for entry in chosen],
                _input(form),
                current_user.id,
                utcnow(),
            )
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            flash(
                ngettext(
                    "%(num)d talent engagé : l'e-mail de confirmation part maintenant.",
                    "%(num)d talents engagés : les e-mails de confirmation partent maintenant.",
                    len(report.booked),
                ),
                "success",
            )
            if report.already:
                flash(
                    _(
                        "Déjà engagés sur ce rôle, rien de changé : %(names)s.",
                        names=", ".join(report.already),
                    ),
                    "warning",
                )
            if len(report.booked) == 1:
                return redirect(url_for(".booking", booking_id=report.booked[0].id))
            return redirect(shortlist_path(role.id))
    elif request.method == "POST":
        status = 400
    lang = current_language()
    live = service.live_bookings_by_talent(db.session(), role.id)
    return (
        render_template(
            "projects/booking_new.html",
            role=role,
            project=role.project,
            form=form,
            people=people(db.session(), chosen, utcnow().date()),
            live=live,
            status_labels=SHORTLIST_STATUSES,
            rate_label=money_label(role.rate_per_day, role.currency, lang),
            days_text=[day_label(day, lang) for day in role.days],
            shortlist_url=shortlist_path(role.id),
        ),
        status,
    )


def _booking_or_404(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not can_see_project(db.session(), current_user, booking.project):
        abort(404)
    return booking


def _render_booking(booking: Booking, form: CancelForm | None = None, status: int = 200):
    manage = can_manage(current_user)
    lang = current_language()
    user = db.session.get(User, booking.talent_id)
    today = utcnow().date()
    offer_whatsapp = (
        manage and booking.is_live and service.has_whatsapp(db.session(), booking, today)
    )
    whatsapp = None
    if offer_whatsapp and request.args.get("whatsapp") == "1":
        whatsapp = service.whatsapp_link(
            db.session(),
            current_settings().base_url,
            current_app.config["SECRET_KEY"],
            booking,
            current_actor(),
            today,
        )
    return (
        render_template(
            "projects/booking.html",
            booking=booking,
            talent=user,
            manage=manage,
            form=form or CancelForm(),
            status_label=BOOKING_STATUSES.get(booking.status, booking.status),
            days_text=[weekday_label(day, lang) for day in booking.days],
            rate_label=money_label(booking.rate_per_day, booking.currency, lang),
            call_label=time_label(booking.call_time, lang),
            confirm_url=service.confirmation_url(
                current_settings().base_url, current_app.config["SECRET_KEY"], booking.id
            )
            if manage and booking.is_live
            else None,
            shortlist_url=shortlist_path(booking.role_id) if manage else None,
            offer_whatsapp=offer_whatsapp,
            routed=routed,
            whatsapp_url=whatsapp,
        ),
        status,
    )


@bp.get("/bookings/<int:booking_id>")
@login_required
def booking(booking_id: int):
    return _render_booking(_booking_or_404(booking_id))


@bp.post("/bookings/<int:booking_id>/cancel")
def cancel(booking_id: int):
    refused = staff_only()
    if refused is not None:
        return refused
    booking = _booking_or_404(booking_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_booking(booking, form, 400)
    try:
        service.cancel(
            db.session(),
            current_settings(),
            booking,
            form.reason.data or "",
            current_user.id,
            utcnow(),
        )
    except Refused as refusal:
        return _render_booking(booking, form, apply_to_form(form, refusal))
    flash(_("Engagement annulé : le talent est prévenu par e-mail."), "success")
    return redirect(url_for(".booking", booking_id=booking.id))
