"""The talent's answers without an account (issue 14, point 6): ``/availability/<token>``
(« are you free on these days? ») and ``/booking/<token>`` (confirm or decline a booking).

Whoever holds the link reaches its page, like a password-reset link: the token is signed
(projects.links), so a forged or altered one is 404, the same as a request or booking that
no longer exists or belongs to a deleted project. An expired availability request answers 410
with a page that says so. Nothing here shows a shortlist, a note or another person.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from talento.context import current_language
from talento.extensions import db, utcnow
from talento.i18n import gettext as _
from talento.projects import availability_services as availability
from talento.projects import booking_services as bookings
from talento.projects.booking_forms import AnswerForm, RespondForm
from talento.projects.booking_texts import money_label, parse_days, time_label, weekday_label
from talento.projects.models import AvailabilityRequest, Booking, Project
from talento.projects.vocabulary import AVAILABILITY_ANSWERS, BOOKING_STATUSES
from talento.refusals import Refused, apply_to_form

bp = Blueprint("answers", __name__)

MY_BOOKINGS = "/cinema/me/bookings"


def _live(project: Project) -> bool:
    return project.deleted_at is None and project.company.deleted_at is None


def _back_to_mine() -> bool:
    """A button of the talent's own space (« Mes engagements ») returns there."""
    return request.form.get("back") == "me" and current_user.is_authenticated


def _request_or_404(token: str) -> AvailabilityRequest:
    found = availability.request_for_token(db.session(), current_app.config["SECRET_KEY"], token)
    if found is None or not _live(found.entry.role.project):
        abort(404)
    return found


@bp.route("/availability/<token>", methods=["GET", "POST"])
def availability_answer(token: str):
    found = _request_or_404(token)
    role = found.entry.role
    lang = current_language()
    asked = parse_days(found.days)
    if availability.is_expired(found, utcnow()):
        return render_template(
            "projects/answers/expired.html", role=role, project=role.project
        ), 410
    form = AnswerForm()
    form.days.choices = [(day.isoformat(), weekday_label(day, lang)) for day in asked]
    status = 200
    if request.method == "GET" and found.answer:
        form.answer.data = found.answer
        form.days.data = list(found.available_days or [])
        form.comment.data = found.comment
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                availability.answer(
                    db.session(),
                    found,
                    form.answer.data or "",
                    parse_days(form.days.data or []),
                    form.comment.data or "",
                    utcnow(),
                )
            except Refused as refusal:
                status = apply_to_form(form, refusal)
            else:
                flash(
                    _(
                        "Merci, votre réponse est enregistrée. Vous pouvez la modifier ici "
                        "tant que la demande est ouverte."
                    ),
                    "success",
                )
                if _back_to_mine():
                    return redirect(MY_BOOKINGS)
                return redirect(url_for(".availability_answer", token=token))
    return (
        render_template(
            "projects/answers/availability.html",
            request_row=found,
            role=role,
            project=role.project,
            form=form,
            days_text=[weekday_label(day, lang) for day in asked],
            answer_label=AVAILABILITY_ANSWERS.get(found.answer or "", ""),
            available_text=[
                weekday_label(day, lang) for day in parse_days(found.available_days or [])
            ],
            expires_text=weekday_label(found.expires_at.date(), lang),
        ),
        status,
    )


def _booking_or_404(token: str) -> Booking:
    found = bookings.booking_for_token(db.session(), current_app.config["SECRET_KEY"], token)
    if found is None or not _live(found.project):
        abort(404)
    return found


def render_booking(found: Booking, token: str, form: RespondForm | None = None, status: int = 200):
    lang = current_language()
    return (
        render_template(
            "projects/answers/booking.html",
            booking=found,
            token=token,
            form=form or RespondForm(),
            status_label=BOOKING_STATUSES.get(found.status, found.status),
            days_text=[weekday_label(day, lang) for day in found.days],
            rate_label=money_label(found.rate_per_day, found.currency, lang),
            call_label=time_label(found.call_time, lang),
        ),
        status,
    )


@bp.route("/booking/<token>", methods=["GET", "POST"])
def booking_answer(token: str):
    found = _booking_or_404(token)
    if request.method == "GET":
        return render_booking(found, token)
    form = RespondForm()
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in ("confirm", "decline"):
        if action not in ("confirm", "decline"):
            form.form_errors.append(_("Choisissez « Je confirme » ou « Je ne peux pas »."))
        return render_booking(found, token, form, 400)
    try:
        bookings.respond(db.session(), found, action == "confirm", utcnow())
    except Refused as refusal:
        return render_booking(found, token, form, apply_to_form(form, refusal))
    if action == "confirm":
        flash(_("Merci, votre présence est confirmée. À bientôt sur le tournage !"), "success")
    else:
        flash(
            _(
                "C'est noté : vous avez décliné cet engagement. "
                "L'équipe casting le verra tout de suite."
            ),
            "success",
        )
    if _back_to_mine():
        return redirect(MY_BOOKINGS)
    return redirect(url_for(".booking_answer", token=token))
