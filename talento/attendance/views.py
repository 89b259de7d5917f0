"""Attendance pages of the set team (blueprint ``attendance``, issue 15 points 1, 3–5, 7).

- ``GET  /attendance``                                   the viewer's projects and days
- ``GET  /attendance/<project_id>/<day>``                the day page (no JavaScript needed)
- ``POST /attendance/<project_id>/<day>/scan``           one scan (form field ``code``, or JSON)
- ``POST /attendance/<project_id>/<day>/sync``           a scanner's offline batch (JSON)
- ``POST /attendance/<project_id>/<day>/group``          « tous présents », « tous partis », meals
- ``GET/POST /attendance/days/<booking_id>/<day>``       one person's day record, corrections

Access (attendance.access): casting staff, admins and presence on their assigned days record;
company members read; anyone else signed in gets the 404 of a project that does not exist
(talents and recruiters get 403 on the list). Each answer of a scan or a sync carries a
``Server-Timing`` header (the view's own time; the unit of work's commit comes after) for the
bench, which also times the whole request on localhost.
"""

from __future__ import annotations

import datetime as dt
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from talento.attendance import day as day_service
from talento.attendance.access import (
    Grant,
    day_grant,
    granted_days,
    is_attendance_staff,
    live_project,
    project_grant,
)
from talento.attendance.corrections import correct, day_record
from talento.attendance.forms import CodeForm, CorrectionForm, GroupForm
from talento.attendance.services import (
    DEVICE_KINDS,
    ScanInput,
    Where,
    new_scan_id,
    record_scans,
)
from talento.attendance.signoff import may_sign, signoff_of
from talento.attendance.texts import local_time, meaning_label, site_zone
from talento.extensions import db, utcnow
from talento.i18n import gettext as _
from talento.projects.access import member_company_ids, visible_projects
from talento.projects.badge_tokens import public_keys
from talento.projects.models import Booking, BookingDay, Project
from talento.projects.vocabulary import ROLE_COLOURS, ROLE_TEXT_COLOURS
from talento.refusals import Refused, apply_to_form

bp = Blueprint("attendance", __name__, url_prefix="/attendance")

#: A scanner's batch: more than this in one request is refused (the page sends smaller ones).
MAX_BATCH = 1000


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        abort(404)


def _project_day(project_id: int, day_text: str, need: Grant) -> tuple[Project, dt.date, Grant]:
    """The project and day, or the refusal: 404 for what the viewer may not see, 403 for a
    reader asked to write."""
    day = _day(day_text)
    project = live_project(db.session(), project_id)
    if project is None:
        abort(404)
    grant = day_grant(db.session(), current_user, project, day)
    if grant is Grant.NONE:
        abort(404)
    if grant.value < need.value:
        abort(403)
    return project, day, grant


def _where(project: Project, day: dt.date, device_id: str | None = None) -> Where:
    return Where(
        project_id=project.id,
        day=day,
        zone=site_zone(),
        keys=public_keys(current_app.config["SECRET_KEY"]),
        recorded_by_id=current_user.id,
        device_id=device_id,
    )


def _timed(response):
    started = g.get("attendance_started")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def scanner_url(project_id: int, day: dt.date) -> str:
    """The scanning page (attendance/scanner_views.py)."""
    return url_for("scanner.page", project_id=project_id, day=day.isoformat())


@bp.get("")
@login_required
def index():
    session = db.session()
    is_member = bool(member_company_ids(session, current_user.id))
    if not is_attendance_staff(current_user) and not is_member:
        abort(403)
    projects = session.scalars(visible_projects(session, current_user).order_by(Project.name))
    listing = []
    for project in projects:
        days = sorted(
            session.scalars(
                select(BookingDay.day)
                .join(Booking, Booking.id == BookingDay.booking_id)
                .where(
                    Booking.project_id == project.id,
                    Booking.status.in_(("pending", "confirmed")),
                )
                .distinct()
            )
        )
        days = granted_days(session, current_user, project, days)
        if days:
            listing.append((project, days))
    return render_template(
        "attendance/index.html", listing=listing, today=utcnow().astimezone(site_zone()).date()
    )


@bp.get("/<int:project_id>/<day>")
@login_required
def day_page(project_id: int, day: str):
    project, work_day, grant = _project_day(project_id, day, Grant.READ)
    return _render_day(project, work_day, CodeForm(), can_record=grant is Grant.RECORD)


def _is_staff() -> bool:
    from talento.projects.access import is_casting_staff

    return is_casting_staff(current_user)


def _thumb_url(project_id: int, name: str | None) -> str | None:
    return url_for("attendance.thumb", project_id=project_id, name=name) if name else None


@bp.get("/<int:project_id>/thumbs/<name>")
@login_required
def thumb(project_id: int, name: str):
    """The badge photo of a person booked on the project, small, for the set team (the
    badges already print it; the casting photos themselves stay staff-only)."""
    from pathlib import Path

    from sqlalchemy import and_

    from talento.casting.media_files import PHOTO_NAME_RE, THUMBS_DIR
    from talento.casting.models import CastingPhoto
    from talento.context import current_settings
    from talento.projects.review_photos import small_thumbnail

    project = live_project(db.session(), project_id)
    if project is None or project_grant(db.session(), current_user, project) is Grant.NONE:
        abort(404)
    if not PHOTO_NAME_RE.match(name):
        abort(404)
    booked = db.session.scalar(
        select(Booking.id)
        .join(
            CastingPhoto,
            and_(CastingPhoto.user_id == Booking.talent_id, CastingPhoto.is_primary),
        )
        .where(
            Booking.project_id == project.id,
            Booking.status.in_(("pending", "confirmed")),
            CastingPhoto.thumb_name == name,
        )
        .limit(1)
    )
    made = small_thumbnail(Path(current_settings().upload_dir).resolve() / THUMBS_DIR / name)
    if booked is None or made is None:
        abort(404)
    body, mimetype = made
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:project_id>/<day>/scan")
@login_required
def scan(project_id: int, day: str):
    g.attendance_started = time.perf_counter()
    project, work_day, _grant = _project_day(project_id, day, Grant.RECORD)
    data = request.get_json(silent=True) if request.is_json else None
    if data is not None:
        if not isinstance(data, dict):
            return jsonify({"error": _("Requête illisible.")}), 400
        item = _item(data, source="camera")
        if isinstance(item, str):
            return jsonify({"error": item}), 400
        device = data.get("device_id")
        device = device if isinstance(device, str) and len(device) <= 64 else None
        batch = record_scans(db.session(), _where(project, work_day, device), [item])
        result = batch.results[0]
        body = result.as_json() | {
            "role": result.role,
            "colour": ROLE_COLOURS.get(result.talent_type),
            "thumb": _thumb_url(project.id, result.thumb_name),
        }
        return _timed(jsonify(body))
    form = CodeForm()
    if not form.validate_on_submit():
        return _day_again(project, work_day, form), 422
    kind = form.kind.data if form.kind.data in DEVICE_KINDS else "scan"
    item = ScanInput(new_scan_id(), utcnow(), code=form.code.data, kind=kind, source="typed")
    batch = record_scans(db.session(), _where(project, work_day), [item])
    result = batch.results[0]
    response = current_app.make_response(
        (
            render_template(
                "attendance/feedback.html",
                project=project,
                day=work_day,
                result=result,
                colour=ROLE_COLOURS.get(result.talent_type, "#333333"),
                text_colour=ROLE_TEXT_COLOURS.get(result.talent_type, "#FFFFFF"),
                thumb=_thumb_url(project.id, result.thumb_name),
                code_form=CodeForm(formdata=None),
            ),
            422 if result.status == "refused" else 200,
        )
    )
    return _timed(response)


def _day_again(project: Project, work_day: dt.date, form: CodeForm):
    return _render_day(project, work_day, form, can_record=True)


def _render_day(project: Project, work_day: dt.date, code_form: CodeForm, can_record: bool):
    """The day page: its roster by role, the forms that record, the day sheets."""
    zone = site_zone()
    session = db.session()
    groups = day_service.day_roster(session, project, work_day, zone, utcnow())
    return render_template(
        "attendance/day.html",
        project=project,
        day=work_day,
        groups=groups,
        can_record=can_record,
        can_sign=may_sign(session, current_user, project.id, work_day),
        signoffs={group.role_id: signoff_of(session, group.role_id, work_day) for group in groups},
        show_standby_names=_is_staff(),
        code_form=code_form,
        group_form=GroupForm(),
        scanner_url=scanner_url(project.id, work_day),
        colours=ROLE_COLOURS,
        text_colours=ROLE_TEXT_COLOURS,
        local_time=lambda at: local_time(at, zone),
        timezone=zone.key,
    )


def _parse_at(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return at.astimezone(dt.UTC)


def _item(data: dict, *, source: str) -> ScanInput | str:
    """One scan of a device's JSON, or why it cannot be read."""
    scan_id = data.get("id") or new_scan_id()
    token, code = data.get("token"), data.get("code")
    kind = data.get("kind") or "scan"
    if not isinstance(scan_id, str) or not 8 <= len(scan_id) <= 36:
        return _("Identifiant de scan illisible.")
    if token is not None and not isinstance(token, str):
        return _("Badge illisible.")
    if code is not None and not isinstance(code, str):
        return _("Code illisible.")
    if kind not in DEVICE_KINDS:
        return _("Type de scan inconnu.")
    at = _parse_at(data["at"]) if data.get("at") is not None else utcnow()
    if at is None:
        return _("Heure du scan illisible.")
    return ScanInput(scan_id, at, token=token or None, code=code or None, kind=kind, source=source)


@bp.post("/<int:project_id>/<day>/sync")
@login_required
def sync(project_id: int, day: str):
    """A scanner's queue, in the order it was made; ids already recorded count once."""
    g.attendance_started = time.perf_counter()
    project, work_day, _grant = _project_day(project_id, day, Grant.RECORD)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("scans"), list):
        return jsonify({"error": _("Requête illisible : une liste de scans est attendue.")}), 400
    scans = data["scans"]
    if len(scans) > MAX_BATCH:
        return jsonify({"error": _("Trop de scans à la fois (1000 au plus).")}), 413
    device = data.get("device_id")
    if device is not None and (not isinstance(device, str) or len(device) > 64):
        return jsonify({"error": _("Identifiant d'appareil illisible.")}), 400
    items: list[ScanInput] = []
    unreadable: dict[int, tuple[str, str]] = {}
    for index, raw in enumerate(scans):
        item = _item(raw, source="offline") if isinstance(raw, dict) else _("Scan illisible.")
        if isinstance(item, str):
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            unreadable[index] = (raw_id if isinstance(raw_id, str) else "", item)
        else:
            items.append(item)
    batch = record_scans(db.session(), _where(project, work_day, device), items)
    recorded = iter(batch.results)
    results = []
    for index in range(len(scans)):
        if index in unreadable:
            scan_id, reason = unreadable[index]
            results.append(
                {
                    "id": scan_id,
                    "status": "refused",
                    "meaning": None,
                    "reason": reason,
                    "name": "",
                    "time": "",
                    "feedback": "",
                }  # fmt: skip
            )
        else:
            results.append(next(recorded).as_json())
    return _timed(jsonify({"results": results, "conflicts": batch.conflicts}))


#: The group form's buttons: ``<kind>:role:<id>``, ``<kind>:selected``, ``<kind>:booking:<id>``.
GROUP_KINDS = ("arrival", "departure", "meal_start", "meal_end")


@bp.post("/<int:project_id>/<day>/group")
@login_required
def group(project_id: int, day: str):
    project, work_day, _grant = _project_day(project_id, day, Grant.RECORD)
    form = GroupForm()
    back = url_for("attendance.day_page", project_id=project.id, day=work_day.isoformat())
    if not form.validate_on_submit():
        abort(400)
    kind, _sep, target = (request.form.get("action") or "").partition(":")
    if kind not in GROUP_KINDS:
        flash(_("Choisissez une action."), "error")
        return redirect(back)
    roster = day_service.day_roster(
        db.session(), project, work_day, site_zone(), utcnow(), with_standby=False
    )
    on_day = {line.row.booking_id: line.row.role_id for group in roster for line in group.lines}
    scope, _sep, ident = target.partition(":")
    if scope == "role" and ident.isdigit():
        chosen = [b for b, role in on_day.items() if role == int(ident)]
    elif scope == "booking" and ident.isdigit():
        chosen = [int(ident)] if int(ident) in on_day else []
    else:
        ticked = {int(v) for v in request.form.getlist("booking") if v.isdigit()}
        chosen = [b for b in on_day if b in ticked]
    if not chosen:
        flash(_("Cochez au moins une personne."), "error")
        return redirect(back)
    at = _group_time(work_day, request.form.get("time") or "")
    if at is None:
        flash(_("Heure illisible : indiquez-la comme 07:30."), "error")
        return redirect(back)
    batch = day_service.group_action(db.session(), _where(project, work_day), chosen, kind, at)
    done = sum(1 for r in batch.results if r.status == "recorded")
    flash(
        _("%(what)s : %(count)s personne(s).", what=meaning_label(kind).capitalize(), count=done),
        "success",
    )
    return redirect(back)


def _group_time(work_day: dt.date, text: str) -> dt.datetime | None:
    """« à 06:30 » on the page's day (the bus came in before the assistant could tick it), or
    now when empty (a night's small hours are recorded live or corrected on the record)."""
    if not text.strip():
        return utcnow()
    try:
        moment = dt.time.fromisoformat(text.strip())
    except ValueError:
        return None
    return dt.datetime.combine(work_day, moment, tzinfo=site_zone()).astimezone(dt.UTC)


@bp.route("/days/<int:booking_id>/<day>", methods=["GET", "POST"])
@login_required
def record(booking_id: int, day: str):
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    project, work_day, grant = _project_day(booking.project_id, day, Grant.READ)
    if work_day not in booking.days:
        abort(404)
    zone = site_zone()
    form = CorrectionForm()
    status = 200
    if request.method == "POST":
        if grant is not Grant.RECORD:
            abort(403)
        _choices(form, day_record(db.session(), booking, work_day, zone), zone)
        if form.validate_on_submit():
            at = None
            if form.time.data is not None:
                on = form.date.data or work_day
                at = dt.datetime.combine(on, form.time.data, tzinfo=zone).astimezone(dt.UTC)
            try:
                correct(
                    db.session(),
                    booking,
                    work_day,
                    action=form.action.data,
                    reason=form.reason.data or "",
                    zone=zone,
                    now=utcnow(),
                    by_id=current_user.id,
                    scan_uuid=form.scan.data or None,
                    at=at,
                    kind=form.kind.data,
                )
            except Refused as refusal:
                status = apply_to_form(form, refusal)
            else:
                flash(_("Correction enregistrée."), "success")
                return redirect(request.path)
        else:
            status = 422
    the_record = day_record(db.session(), booking, work_day, zone)
    _choices(form, the_record, zone)
    from talento.accounts.models import User

    names = db.session.execute(
        select(User.first_name, User.last_name).where(User.id == booking.talent_id)
    ).first()
    return (
        render_template(
            "attendance/record.html",
            project=project,
            booking=booking,
            person_name=" ".join(part for part in (names or ()) if part),
            day=work_day,
            record=the_record,
            form=form,
            can_record=grant is Grant.RECORD,
            local_time=lambda at: local_time(at, zone),
            meaning_label=meaning_label,
            timezone=zone.key,
        ),
        status,
    )


def _choices(form: CorrectionForm, the_record, zone) -> None:
    form.scan.choices = [("", "—")] + [
        (
            event.scan.scan_uuid,
            f"{meaning_label(event.meaning or event.scan.kind)} "
            f"{local_time(event.scan.occurred_at, zone)}",
        )
        for event in the_record.events
        if event.meaning is not None
    ]
    if not form.date.data:
        form.date.data = the_record.day


__all__ = ["bp"]
