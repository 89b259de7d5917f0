"""A role's shortlist for casting staff (blueprint ``shortlists``, issue 14 points 4 and 5):

- ``GET  /projects/roles/<role_id>/shortlist``              the faces, notes, verdicts, links
- ``POST /projects/roles/<role_id>/shortlist/add``          from the casting search: the
  checked faces, or (``all=1``) every result of the posted criteria
- ``POST /projects/roles/<role_id>/shortlist/order``        the order after drag and drop
- ``POST /projects/roles/<role_id>/shortlist/status``       a status for the checked faces
- ``POST /projects/shortlist/<entry_id>/{remove,move,status,note}``
- ``POST /projects/roles/<role_id>/review-links``           a new client review link
- ``POST /projects/review-links/<link_id>/revoke``
- the PDF and XLSX exports: talento/exports/shortlist_views.py (exports sit above projects).

Casting staff and admins only: a signed-in account without the capability (a company member,
presence, a talent) gets 403 as on the casting search, anonymous people the login page; an
unknown or deleted role, entry or link is a 404. Every form is a plain POST (no JavaScript
needed); drag and drop (static/js/shortlist-order.js) only fills the order form.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_login import current_user
from sqlalchemy.orm import Session

from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.web import current_actor
from talento.casting.search.filters import parse_filters
from talento.casting.search.views import SEARCH_TARGET, SearchTarget
from talento.context import current_passwords, current_settings
from talento.extensions import db, login_manager, utcnow, utctoday
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.profiles.search.query_args import parse_date, parse_id, parse_int
from talento.projects import review_services as reviews
from talento.projects import shortlist_services as shortlists
from talento.projects.access import can_manage
from talento.projects.availability_services import latest_answers
from talento.projects.booking_services import live_bookings_by_talent
from talento.projects.links import make_token
from talento.projects.models import CastingRole, ReviewLink, ShortlistEntry
from talento.projects.shortlist_faces import faces
from talento.projects.vocabulary import (
    AVAILABILITY_ANSWERS,
    BOOKING_STATUSES,
    NOTE_VISIBILITIES,
    REVIEW_VERDICTS,
    SHORTLIST_STATUSES,
)
from talento.refusals import Refused

bp = Blueprint("shortlists", __name__, url_prefix="/projects")

#: Faces a page of the shortlist (its forms weigh about 2.8 KB a face).
PER_PAGE = 40
MAX_PAGE = 200


@bp.before_request
def casting_staff_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can_manage(current_user):
        abort(403)
    return None


def _role_or_404(role_id: int) -> CastingRole:
    role = shortlists.live_role(db.session(), role_id)
    if role is None:
        abort(404)
    return role


def _entry_or_404(entry_id: int) -> ShortlistEntry:
    entry = shortlists.live_entry(db.session(), entry_id)
    if entry is None:
        abort(404)
    return entry


def _to_shortlist(role_id: int, entry_id: int | None = None):
    """Back to the shortlist: the page where the entry now is (after a move), else the page
    the form was posted from."""
    if entry_id:
        page = shortlists.index_of(db.session(), role_id, entry_id) // PER_PAGE + 1
    else:
        page = parse_int(request.form.get("page", ""), 1, MAX_PAGE) or 1
    anchor = f"#entry-{entry_id}" if entry_id else ""
    target = url_for("shortlists.shortlist", role_id=role_id, page=page if page > 1 else None)
    return redirect(target + anchor, code=303)


def _ids(name: str) -> list[int]:
    """Ids posted under `name` (bad or out-of-range values dropped), bounded."""
    found = (parse_id(value) for value in request.form.getlist(name)[: shortlists.MAX_SELECTION])
    return [value for value in found if value is not None]


def long_date(value: dt.date | dt.datetime | str) -> str:
    """« 15 mars 2027 » (from a date, or an ISO day as availability answers keep them)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, "d MMMM y")


def review_url(link: ReviewLink) -> str:
    """The address staff copy and send: built from BASE_URL, never from the request's Host
    header (as casting pages' QR codes)."""
    token = make_token(current_app.config["SECRET_KEY"], "review", link.id)
    return current_settings().base_url.rstrip("/") + url_for("review.page", token=token)


# -- the page ----------------------------------------------------------------------------------


@bp.get("/roles/<int:role_id>/shortlist")
def shortlist(role_id: int):
    return _page(_role_or_404(role_id))


def _page(role: CastingRole, link_errors: dict | None = None, link_values=None, status=200):
    """The shortlist, PER_PAGE faces a page (each face carries its forms: a crowd of 300 on
    one page would be most of a megabyte of HTML, which is never compressed)."""
    session = db.session()
    total = shortlists.count(session, role.id)
    pages = max(1, -(-total // PER_PAGE))
    page = min(parse_int(request.args.get("page", ""), 1, MAX_PAGE) or 1, pages)
    offset = (page - 1) * PER_PAGE
    links = reviews.links_of(session, role.id)
    booked = live_bookings_by_talent(session, role.id)
    now = utcnow()
    default_day = utctoday() + dt.timedelta(days=reviews.DEFAULT_DAYS)
    return (
        render_template(
            "projects/shortlist.html",
            role=role,
            project=role.project,
            faces=faces(session, role.id, current_user.id, offset, PER_PAGE),
            total=total,
            page=page,
            pages=pages,
            offset=offset,
            today=utctoday(),
            statuses=SHORTLIST_STATUSES,
            visibilities=NOTE_VISIBILITIES,
            verdict_labels=REVIEW_VERDICTS,
            answers=latest_answers(session, role.id),
            answer_labels=AVAILABILITY_ANSWERS,
            booked=booked,
            booking_labels=BOOKING_STATUSES,
            links=[(link, reviews.state_of(link, now), review_url(link)) for link in links],
            last_day=reviews.last_day,
            default_expiry=default_day.isoformat(),
            long_date=long_date,
            link_errors=link_errors or {},
            link_values=link_values or {},
            search_url=url_for("projects.role_find", role_id=role.id),
            role_url=url_for("projects.role", role_id=role.id),
        ),
        status,
    )


# -- adding from the search --------------------------------------------------------------------


@bp.post("/roles/<int:role_id>/shortlist/add")
def add(role_id: int):
    role = _role_or_404(role_id)
    session = db.session()
    f = parse_filters(request.form)
    back = url_for("casting_search.talents") + "?" + urlencode([*f.query_args(), ("role", role.id)])
    if request.form.get("all") == "1":
        done, cut = shortlists.add_search(session, role, f, utctoday(), current_user.id)
        if cut:
            flash(
                _(
                    "Seuls les %(num)s premiers résultats ont été pris : affinez la recherche.",
                    num=shortlists.MAX_FROM_SEARCH,
                ),
                "info",
            )
    else:
        ids = _ids("talent")
        if not ids:
            flash(_("Cochez au moins un talent à ajouter."), "error")
            return redirect(back, code=303)
        done = shortlists.add_talents(session, role, ids, current_user.id)
    flash(_added_message(role, done), "success")
    return redirect(back, code=303)


def _added_message(role: CastingRole, done: shortlists.Added) -> str:
    if not done.added:
        return ngettext(
            "Ce talent est déjà dans la shortlist.",
            "Ces %(num)s talents sont déjà dans la shortlist.",
            done.already,
        )
    message = ngettext(
        "%(num)s talent ajouté à la shortlist « %(role)s ».",
        "%(num)s talents ajoutés à la shortlist « %(role)s ».",
        done.added,
        role=role.name,
    )
    if done.already:
        message += " " + ngettext("%(num)s y était déjà.", "%(num)s y étaient déjà.", done.already)
    return message


def search_target(session: Session, viewer, args, page_ids) -> SearchTarget | None:
    """The casting search's « add to the shortlist of … » (installed below)."""
    role_id = parse_id(str(args.get("role", "")))
    if role_id is None or not can_manage(viewer):
        return None
    role = shortlists.live_role(session, role_id)
    if role is None:
        return None
    return SearchTarget(
        role_id=role.id,
        role_name=role.name,
        project_name=role.project.name,
        action=url_for("shortlists.add", role_id=role.id),
        shortlist_url=url_for("shortlists.shortlist", role_id=role.id),
        on_list=shortlists.count(session, role.id),
        already=shortlists.on_list(session, role.id, page_ids),
        most=shortlists.MAX_FROM_SEARCH,
    )


@bp.record_once
def _install_search_target(state) -> None:
    state.app.extensions[SEARCH_TARGET] = search_target


# -- changing the list -------------------------------------------------------------------------


def _refused(refusal: Refused, role_id: int, entry_id: int | None = None):
    for one in refusal:
        flash(one.message, "error")
    return _to_shortlist(role_id, entry_id)


@bp.post("/shortlist/<int:entry_id>/remove")
def remove(entry_id: int):
    entry = _entry_or_404(entry_id)
    role_id = entry.role_id
    shortlists.remove(db.session(), entry)
    flash(_("Talent retiré de la shortlist."), "success")
    return _to_shortlist(role_id)


@bp.post("/shortlist/<int:entry_id>/move")
def move(entry_id: int):
    entry = _entry_or_404(entry_id)
    try:
        shortlists.move(db.session(), entry, request.form.get("direction", ""))
    except Refused as refusal:
        return _refused(refusal, entry.role_id, entry.id)
    return _to_shortlist(entry.role_id, entry.id)


@bp.post("/roles/<int:role_id>/shortlist/order")
def order(role_id: int):
    role = _role_or_404(role_id)
    raw = request.form.get("order", "")[:20_000]
    ids = [value for value in (parse_id(part) for part in raw.split(",")) if value is not None]
    shortlists.reorder(db.session(), role, ids)
    flash(_("Nouvel ordre enregistré."), "success")
    return _to_shortlist(role.id)


@bp.post("/shortlist/<int:entry_id>/status")
def status(entry_id: int):
    entry = _entry_or_404(entry_id)
    try:
        shortlists.set_status(
            db.session(), entry.role_id, [entry.id], request.form.get("status", "")
        )
    except Refused as refusal:
        return _refused(refusal, entry.role_id, entry.id)
    return _to_shortlist(entry.role_id, entry.id)


#: The selection form's other buttons: the ticked faces taken to another page (GET, so
#: that page only shows what it will do).
SELECTION_PAGES = {"availability": "bookings.availability", "book": "bookings.new_booking"}


@bp.post("/roles/<int:role_id>/shortlist/status")
def bulk_status(role_id: int):
    """The ticked faces: a new status, or (button ``go``) to « Demander les disponibilités »
    or « Engager » with them."""
    role = _role_or_404(role_id)
    target = SELECTION_PAGES.get(request.form.get("go", ""))
    if target is not None:
        chosen = _ids("entry")
        if not chosen:
            flash(_("Cochez au moins un talent."), "error")
            return _to_shortlist(role.id)
        return redirect(url_for(target, role_id=role.id, entry=chosen), code=303)
    try:
        changed = shortlists.set_status(
            db.session(), role.id, _ids("entry"), request.form.get("status", "")
        )
    except Refused as refusal:
        return _refused(refusal, role.id)
    flash(
        ngettext(
            "Statut changé pour %(num)s talent.", "Statut changé pour %(num)s talents.", changed
        ),
        "success",
    )
    return _to_shortlist(role.id)


@bp.post("/shortlist/<int:entry_id>/note")
def note(entry_id: int):
    entry = _entry_or_404(entry_id)
    try:
        shortlists.add_note(
            db.session(),
            entry,
            current_user.id,
            request.form.get("body", ""),
            request.form.get("visibility", ""),
        )
    except Refused as refusal:
        return _refused(refusal, entry.role_id, entry.id)
    flash(_("Note ajoutée."), "success")
    return _to_shortlist(entry.role_id, entry.id)


# -- review links ------------------------------------------------------------------------------


@bp.post("/roles/<int:role_id>/review-links")
def create_link(role_id: int):
    role = _role_or_404(role_id)
    raw_day = request.form.get("expires_on", "").strip()
    day = parse_date(raw_day) if raw_day else None
    values = {
        "label": request.form.get("label", "")[:300],
        "expires_on": raw_day[:10],
    }
    if raw_day and day is None:
        return _page(role, {"expires_on": [_("Date invalide.")]}, values, 422)
    data = reviews.LinkInput(values["label"], day, request.form.get("passcode", ""))
    session = db.session()
    try:
        link = reviews.create_link(
            session, role, data, current_passwords(), current_user.id, utctoday()
        )
    except Refused as refusal:
        errors: dict[str, list[str]] = {}
        for one in refusal:
            errors.setdefault(one.field or "", []).append(one.message)
        return _page(role, errors, values, 422)
    audit.record(
        session,
        AuditAction.REVIEW_LINK_CREATE,
        current_actor(),
        detail={"link_id": link.id, "role_id": role.id, "passcode": bool(link.passcode_hash)},
    )
    flash(_("Lien de consultation créé : copiez-le ci-dessous et envoyez-le."), "success")
    return redirect(url_for("shortlists.shortlist", role_id=role.id) + f"#link-{link.id}", code=303)


@bp.post("/review-links/<int:link_id>/revoke")
def revoke_link(link_id: int):
    session = db.session()
    link = reviews.find_link(session, link_id)
    if link is None:
        abort(404)
    reviews.revoke_link(session, link, current_user.id)
    audit.record(
        session,
        AuditAction.REVIEW_LINK_REVOKE,
        current_actor(),
        detail={"link_id": link.id, "role_id": link.role_id},
    )
    flash(_("Lien retiré : il ne s'ouvre plus."), "success")
    return redirect(url_for("shortlists.shortlist", role_id=link.role_id) + "#links", code=303)
