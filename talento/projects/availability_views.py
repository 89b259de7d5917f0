"""Casting staff's availability checks (issue 14, point 6), on the bookings blueprint:
``/projects/roles/<role_id>/availability``.

- GET ``?entry=<id>&entry=<id>`` (from the shortlist page): who will be asked, about which
  days, whether an e-mail and a WhatsApp link can reach each person; « Envoyer la demande ».
- POST: sends (projects.availability_services.send_checks) and answers with the result page:
  who got an e-mail (or whose guardian did), and a « WhatsApp » button per adult talent with a
  number, opening ``wa.me`` with the pre-written message (each number shown is audited).
- GET ``?request=<id>…``: that result page again for requests already sent (e.g. to open a
  WhatsApp link later from another phone).
"""

from __future__ import annotations

from flask import current_app, flash, render_template, request
from flask_login import current_user

from talento.audit.web import current_actor
from talento.context import current_language, current_settings
from talento.extensions import db, utcnow
from talento.i18n import ngettext
from talento.profiles.search.query_args import parse_id
from talento.projects import availability_services as service
from talento.projects.booking_forms import SendChecksForm
from talento.projects.booking_texts import weekday_label
from talento.projects.booking_views import bp, entry_ids, role_or_404, shortlist_path, staff_only
from talento.projects.models import CastingRole
from talento.projects.vocabulary import AVAILABILITY_ANSWERS, SHORTLIST_STATUSES
from talento.refusals import Refused, apply_to_form


def _request_ids() -> list[int]:
    return [i for i in map(parse_id, request.args.getlist("request")) if i is not None]


def _sent_page(role: CastingRole, request_ids: list[int]):
    checks = service.sent_checks(
        db.session(),
        current_settings(),
        current_app.config["SECRET_KEY"],
        role,
        request_ids,
        current_actor(),
        utcnow().date(),
    )
    return render_template(
        "projects/availability_sent.html",
        role=role,
        project=role.project,
        checks=checks,
        answer_labels=AVAILABILITY_ANSWERS,
        shortlist_url=shortlist_path(role.id),
    )


@bp.route("/roles/<int:role_id>/availability", methods=["GET", "POST"])
def availability(role_id: int):
    refused = staff_only()
    if refused is not None:
        return refused
    role = role_or_404(role_id)
    if request.method == "GET" and request.args.getlist("request"):
        return _sent_page(role, _request_ids())
    form = SendChecksForm()
    chosen = service.chosen_entries(db.session(), role, entry_ids())
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                made = service.send_checks(
                    db.session(),
                    current_settings(),
                    current_app.config["SECRET_KEY"],
                    role,
                    [entry.id for entry in chosen],
                    current_user.id,
                    utcnow(),
                    form.note.data or "",
                )
            except Refused as refusal:
                status = apply_to_form(form, refusal)
            else:
                flash(
                    ngettext(
                        "Demande de disponibilité envoyée à %(num)d personne.",
                        "Demande de disponibilité envoyée à %(num)d personnes.",
                        len(made),
                    ),
                    "success",
                )
                return _sent_page(role, made)
    today = utcnow().date()
    lang = current_language()
    return (
        render_template(
            "projects/availability_compose.html",
            role=role,
            project=role.project,
            form=form,
            people=service.people(db.session(), chosen, today),
            days_text=[weekday_label(day, lang) for day in role.days if day >= today],
            past_only=bool(role.days) and all(day < today for day in role.days),
            status_labels=SHORTLIST_STATUSES,
            shortlist_url=shortlist_path(role.id),
        ),
        status,
    )
