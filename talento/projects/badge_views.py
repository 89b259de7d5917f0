"""Badges, the talent list and the badge keys (blueprint ``badges``; issue 14 point 7).

- ``badges.project_badges`` GET /projects/<project_id>/badges.pdf   every live booking
- ``badges.role_badges``    GET /projects/roles/<role_id>/badges.pdf  one role's
- ``badges.booking_badge``  GET /projects/bookings/<booking_id>/badge.pdf  one booking's
- ``badges.talent_list``    GET /projects/<project_id>/talents.pdf  the set's list
- ``badges.keys``           GET /projects/badge-keys.json  the public keys that verify badges

Who: casting staff and admins, the members of the project's company, the presence accounts
assigned to the project (projects.access.can_see_project); anyone else signed in gets the 404
of a project that does not exist, anonymous visitors the login page. A presence account
assigned to some days only prints the bookings of those days (projects.access). The keys
are public: they only verify, and a scanner downloads them before going offline.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, jsonify
from flask_login import current_user, login_required
from werkzeug.exceptions import Conflict

from talento.audit.web import current_actor
from talento.casting.vocabulary import TALENT_TYPES
from talento.context import current_language, current_settings
from talento.extensions import db, limiter
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.projects.access import (
    assigned_days,
    can_manage,
    can_see_project,
    live_projects,
    member_company_ids,
)
from talento.projects.badge_pdf import BadgeLabels
from talento.projects.badge_rows import ProjectHeader, project_header
from talento.projects.badge_tokens import keys_document
from talento.projects.models import Booking, CastingRole, Project
from talento.projects.prints import print_badges, print_talent_list
from talento.projects.talent_list_pdf import TalentListLabels, subtitle_text

bp = Blueprint("badges", __name__, url_prefix="/projects")

#: Per client IP and endpoint: a 300-badge PDF takes seconds of a worker. One person's badge
#: is cheap, and a set's desk may reprint a few dozen in a row.
PRINT_LIMIT = "20 per minute"
ONE_BADGE_LIMIT = "60 per minute"


class NoBadge(Conflict):
    """409: a cancelled or declined booking has no badge (it would open the set's door)."""

    @property
    def page_message(self) -> str:
        return _(
            "Cette réservation est annulée ou déclinée : aucun badge ne peut être imprimé pour "
            "elle."
        )


def _visible_project(project_id: int) -> Project:
    project = db.session.scalar(live_projects().where(Project.id == project_id))
    if project is None or not can_see_project(db.session(), current_user, project):
        abort(404)
    return project


def _days_of(project: Project) -> set[dt.date] | None:
    """The days whose bookings the viewer prints: None for every day (casting staff, the
    company's members, presence assigned to every day), else a presence account's days."""
    if can_manage(current_user) or project.company_id in member_company_ids(
        db.session(), current_user.id
    ):
        return None
    days = assigned_days(db.session(), current_user.id, project.id)
    return days or None


def _labels(header: ProjectHeader) -> BadgeLabels:
    return BadgeLabels(
        title=_("Badges — %(project)s", project=header.project_name),
        cinema_code=_("Code CINEMA"),
        booking=_("Réservation"),
        caption=_("Badge nominatif — à présenter à l'entrée du plateau"),
        empty=_("Aucune réservation en cours : aucun badge à imprimer."),
        talent_types={code: str(label) for code, label in TALENT_TYPES.items()},
    )


def _pdf(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response  # private, no-store: web/caching.py


def _badges(project: Project, name: str, **scope: int) -> Response:
    header = project_header(project)
    on_days = _days_of(project)
    settings = current_settings()
    body, _count = print_badges(
        db.session(),
        header,
        actor=current_actor(),
        secret_key=settings.secret_key,
        upload_dir=settings.upload_dir,
        labels=_labels(header),
        lang=current_language(),
        on_days=on_days,
        **scope,
    )
    return _pdf(body, name)


@bp.get("/<int:project_id>/badges.pdf")
@login_required
@limiter.limit(PRINT_LIMIT)
def project_badges(project_id: int) -> Response:
    project = _visible_project(project_id)
    return _badges(project, f"badges-projet-{project.id}.pdf")


@bp.get("/roles/<int:role_id>/badges.pdf")
@login_required
@limiter.limit(PRINT_LIMIT)
def role_badges(role_id: int) -> Response:
    role = db.session.get(CastingRole, role_id)
    if role is None:
        abort(404)
    project = _visible_project(role.project_id)
    return _badges(project, f"badges-role-{role.id}.pdf", role_id=role.id)


@bp.get("/bookings/<int:booking_id>/badge.pdf")
@login_required
@limiter.limit(ONE_BADGE_LIMIT)
def booking_badge(booking_id: int) -> Response:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    project = _visible_project(booking.project_id)
    if not booking.is_live:
        raise NoBadge()
    on_days = _days_of(project)
    if on_days is not None and not on_days.intersection(booking.days):
        abort(404)  # a presence account sees the bookings of its days only
    return _badges(project, f"badge-{booking.code}.pdf", booking_id=booking.id)


@bp.get("/<int:project_id>/talents.pdf")
@login_required
@limiter.limit(PRINT_LIMIT)
def talent_list(project_id: int) -> Response:
    project = _visible_project(project_id)
    header = project_header(project)
    lang = current_language()

    def labels_for(count: int) -> TalentListLabels:
        people = ngettext("%(num)d talent", "%(num)d talents", count)
        return TalentListLabels(
            title=_("Liste des talents — %(project)s", project=header.project_name),
            subtitle=subtitle_text(header, people, lang),
            headings=(
                _("Rôle"),
                _("Réservation"),
                _("Code CINEMA"),
                _("Nom"),
                _("Jours"),
                _("Convocation"),
                _("Notes"),
            ),
            page=_("Page %(page)s sur %(pages)s", page="{page}", pages="{nb}"),
            empty=_("Aucune réservation en cours pour ce projet."),
        )

    body = print_talent_list(
        db.session(),
        header,
        actor=current_actor(),
        labels_for=labels_for,
        lang=lang,
        on_days=_days_of(project),
    )
    return _pdf(body, f"talents-projet-{project.id}.pdf")


@bp.get("/badge-keys.json")
def keys() -> Response:
    """The public keys that verify badge tokens (one today; a list, for a future rotation)."""
    return jsonify(keys_document(current_settings().secret_key))
