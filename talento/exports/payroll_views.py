"""Hours that payroll can use (issue 15 point 6), blueprint ``attendance_exports``:

- ``payroll_xlsx`` / ``payroll_csv``  GET /attendance/<project_id>/payroll.xlsx|.csv
  ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` or ``?period=day|week|month&day=YYYY-MM-DD``: one row per
  talent and working day (exports.payroll_sheet);
- ``day_sheet``  GET /attendance/roles/<role_id>/<day>/sheet.pdf: a role's day sheet with its
  totals and sign-off (attendance.day_sheet_pdf);
- ``signoff``    POST /attendance/roles/<role_id>/<day>/signoff: sign it off at wrap;
- ``talent_history``  GET /attendance/<project_id>/talents/<talent_id>: one talent's days on
  the project (days worked, hours, amounts).

Written here, not in attendance/, because the spreadsheet writers live in exports, a layer
above attendance (tests/unit/test_layering.py).

Who (projects.access, decided once):
- casting staff and admins: everything, every day;
- the members of the project's company: read-only — exports, sheets and histories of every
  day; signing off is the set's job (403);
- presence accounts assigned to the project: exports, sheets and histories of their assigned
  days only (an export of a wider period holds only those days; another day's sheet is a 404),
  and they sign off the day sheets of the days they are assigned to: the assistant who ran the
  day on set is the one who signs it at wrap;
- anyone else signed in (talents, recruiters): the 404 of a project that does not exist;
  anonymous visitors: the login page.

Every export, sheet, history view and sign-off is audited (attendance.signoff).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import exists, select
from werkzeug.exceptions import HTTPException

from talento.accounts.models import User
from talento.attendance import payroll
from talento.attendance.day_sheet_pdf import DaySheetLabels, build_day_sheet_pdf
from talento.attendance.models import DaySheetSignoff
from talento.attendance.periods import Period, parse_day, period_of
from talento.attendance.signoff import audit_document, may_sign, sign_day_sheet, signoff_of
from talento.audit.models import AuditAction
from talento.audit.web import current_actor
from talento.casting.models import CastingProfile
from talento.context import current_language, current_settings
from talento.exports import payroll_sheet as sheet
from talento.exports.csv_format import write_csv
from talento.exports.formats import XLSX_TYPE
from talento.exports.xlsx_format import write_xlsx
from talento.extensions import db, limiter, utcnow
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.projects.access import (
    assigned_days,
    can_manage,
    can_see_project,
    live_projects,
    member_company_ids,
)
from talento.projects.booking_texts import money_label, weekday_label
from talento.projects.models import Booking, BookingDay, CastingRole, Project
from talento.refusals import Refused

bp = Blueprint("attendance_exports", __name__, url_prefix="/attendance")

EXPORT_LIMIT = "30 per minute"
DEFAULT_TIMEZONE = "Africa/Casablanca"


class SignoffForm(FlaskForm):
    """« Signer la feuille »: a button; the CSRF token is the whole form."""


class RefusedRequest(HTTPException):
    """A refusal shown on the error page with its French message (400 bad period, …)."""

    def __init__(self, refusal: Refused):
        super().__init__()
        self.code = refusal.status
        self.message = refusal.message

    @property
    def page_message(self) -> str:
        return self.message


def site_zone() -> ZoneInfo:
    """The site's time zone (setting ``TIMEZONE``; Africa/Casablanca until it exists)."""
    return ZoneInfo(getattr(current_settings(), "timezone", DEFAULT_TIMEZONE))


def local_today(zone: ZoneInfo) -> dt.date:
    return utcnow().astimezone(zone).date()


# -- access -----------------------------------------------------------------------------------


def _project_or_404(project_id: int) -> Project:
    project = db.session.scalar(live_projects().where(Project.id == project_id))
    if project is None or not can_see_project(db.session(), current_user, project):
        abort(404)
    return project


def _reads_every_day(project: Project) -> bool:
    return can_manage(current_user) or project.company_id in member_company_ids(
        db.session(), current_user.id
    )


def days_of(project: Project) -> set[dt.date] | None:
    """The days the viewer reads: None for every day, else a presence account's days."""
    if _reads_every_day(project):
        return None
    days = assigned_days(db.session(), current_user.id, project.id)
    if days is None:
        abort(404)
    return days or None


def _on_day(project: Project, day: dt.date) -> None:
    """404 unless the viewer reads `day` of the project."""
    days = days_of(project)
    if days is not None and day not in days:
        abort(404)


def _role_day(role_id: int, day: str) -> tuple[CastingRole, Project, dt.date]:
    when = parse_day(day)
    role = db.session.get(CastingRole, role_id)
    if role is None or when is None:
        abort(404)
    project = _project_or_404(role.project_id)
    _on_day(project, when)
    return role, project, when


# -- exports ----------------------------------------------------------------------------------


def _period() -> Period:
    args = request.args
    try:
        return period_of(args.get("period"), args.get("day"), args.get("from"), args.get("to"))
    except Refused as refusal:
        raise RefusedRequest(refusal) from None


def _attachment(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # private, no-store: web/caching.py


def _export(project_id: int, fmt: str) -> Response:
    project = _project_or_404(project_id)
    period = _period()
    zone = site_zone()
    rows = payroll.talent_days(
        db.session(),
        project,
        period.first,
        period.last,
        zone,
        today=local_today(zone),
        days=days_of(project),
    )
    yes, no = _("Oui"), _("Non")
    audit_document(
        db.session(),
        AuditAction.PAYROLL_EXPORTED,
        current_actor(),
        project_id=project.id,
        rows=rows,
        fmt=fmt,
        first=period.first,
        last=period.last,
    )
    name = f"paie-projet-{project.id}-{period.slug}.{fmt}"
    if fmt == "xlsx":
        body = b"".join(
            write_xlsx(
                sheet.labels(),
                [[sheet.xlsx_row(row, yes, no) for row in rows]],
                widths=sheet.WIDTHS,
                sheet_name=_("Paie"),
            )
        )
        return _attachment(Response(body, mimetype=XLSX_TYPE), name)
    body = b"".join(write_csv(sheet.labels(), [[sheet.csv_row(row, yes, no) for row in rows]]))
    return _attachment(Response(body, content_type="text/csv; charset=utf-8"), name)


@bp.get("/<int:project_id>/payroll.xlsx")
@login_required
@limiter.limit(EXPORT_LIMIT)
def payroll_xlsx(project_id: int) -> Response:
    return _export(project_id, "xlsx")


@bp.get("/<int:project_id>/payroll.csv")
@login_required
@limiter.limit(EXPORT_LIMIT)
def payroll_csv(project_id: int) -> Response:
    return _export(project_id, "csv")


# -- the day sheet ----------------------------------------------------------------------------


def _locale(lang: str) -> str:
    return lang if lang in ("fr", "en") else "fr"


def _number(lang: str):
    def number(value) -> str:
        return format_decimal(value, format="#,##0.00", locale=_locale(lang))

    return number


def _signed_text(signed: DaySheetSignoff | None, lang: str, zone: ZoneInfo) -> str:
    """« Signé par … le … à … » or « Non signée »."""
    if signed is None:
        return _("Non signée")
    signer = db.session.get(User, signed.signed_by_id) if signed.signed_by_id else None
    name = signer.full_name if signer is not None else _("un compte supprimé")
    when = signed.signed_at.astimezone(zone)
    return _(
        "Signé par %(name)s le %(day)s à %(time)s",
        name=name,
        day=weekday_label(when.date(), lang),
        time=when.strftime("%H:%M"),
    )


@bp.get("/roles/<int:role_id>/<day>/sheet.pdf")
@login_required
@limiter.limit(EXPORT_LIMIT)
def day_sheet(role_id: int, day: str) -> Response:
    role, project, when = _role_day(role_id, day)
    zone = site_zone()
    lang = current_language()
    rows = payroll.talent_days(db.session(), project, when, when, zone, today=when, role_id=role.id)
    summed = payroll.totals(rows)
    signed = signoff_of(db.session(), role.id, when)
    signed_line = _signed_text(signed, lang, zone)
    changed = ""
    if signed is not None and dict(signed.totals) != summed.as_json():
        changed = _(
            "Les chiffres ont changé depuis la signature (correction) : la feuille doit être "
            "signée à nouveau."
        )
    threshold = project.overtime_after_hours
    subtitle = " · ".join(
        part
        for part in (
            project.name,
            project.company.name,
            _(
                "heures supplémentaires au-delà de %(hours)s h",
                hours=format_decimal(threshold, format="#,##0.##", locale=_locale(lang)),
            )
            if threshold is not None
            else _("pas de seuil d'heures supplémentaires"),
        )
        if part
    )
    number = _number(lang)

    def money(amount) -> str:  # « 2 092,92 MAD », « 400,00 MAD »: always the centimes
        return f"{number(amount)} {summed.currency}"

    labels = DaySheetLabels(
        title=_(
            "Feuille de présence — %(role)s — %(day)s",
            role=role.name,
            day=weekday_label(when, lang),
        ),
        subtitle=subtitle,
        headings=(
            _("Réservation"),
            _("Code CINEMA"),
            _("Nom"),
            _("Arrivée"),
            _("Départ"),
            _("Repas"),
            _("Heures"),
            _("H. sup."),
            _("Montant"),
            _("Validé"),
        ),
        page=_("Page %(page)s sur %(pages)s", page="{page}", pages="{nb}"),
        empty=_("Personne n'est engagé ce jour-là dans ce rôle."),
        absent=_("Absent"),
        minutes=_("%(num)s min", num="{num}"),
        on_set=_("sur le plateau"),
        yes=_("Oui"),
        no=_("Non"),
        total=ngettext(
            "Total : %(num)d présent sur %(booked)d",
            "Total : %(num)d présents sur %(booked)d",
            summed.present,
            booked=summed.people,
        ),
        signed=signed_line,
        changed=changed,
    )
    body = build_day_sheet_pdf(rows, summed, labels=labels, money=money, number=number, lang=lang)
    audit_document(
        db.session(),
        AuditAction.DAY_SHEET_PRINTED,
        current_actor(),
        project_id=project.id,
        rows=rows,
        role_id=role.id,
        first=when,
    )
    response = Response(body, mimetype="application/pdf")
    return _attachment(response, f"feuille-{role.id}-{when.isoformat()}.pdf")


def day_page_path(project_id: int, day: dt.date) -> str:
    """The attendance day page (the ``attendance`` blueprint's)."""
    return url_for("attendance.day_page", project_id=project_id, day=day.isoformat())


@bp.post("/roles/<int:role_id>/<day>/signoff")
@login_required
def signoff(role_id: int, day: str):
    role, project, when = _role_day(role_id, day)
    if not may_sign(db.session(), current_user, project.id, when):
        abort(403)  # a company member reads, the set signs
    form = SignoffForm()
    if not form.validate_on_submit():
        abort(400)
    zone = site_zone()
    rows = payroll.talent_days(db.session(), project, when, when, zone, today=when, role_id=role.id)
    try:
        sign_day_sheet(
            db.session(),
            role_id=role.id,
            project_id=project.id,
            day=when,
            rows=rows,
            signer_id=current_user.id,
            actor=current_actor(),
            now=utcnow(),
        )
    except Refused as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("Feuille de présence « %(role)s » signée.", role=role.name), "success")
    return redirect(day_page_path(project.id, when))


# -- one talent's history ---------------------------------------------------------------------


def _booked_here(project: Project, talent_id: int, days: set[dt.date] | None) -> bool:
    """The talent has a booking on the project (on one of `days`, when given)."""
    query = select(Booking.id).where(
        Booking.project_id == project.id, Booking.talent_id == talent_id
    )
    if days is not None:
        query = query.where(
            exists().where(BookingDay.booking_id == Booking.id, BookingDay.day.in_(days))
        )
    return db.session.scalar(query.limit(1)) is not None


@bp.get("/<int:project_id>/talents/<int:talent_id>")
@login_required
def talent_history(project_id: int, talent_id: int):
    project = _project_or_404(project_id)
    days = days_of(project)
    person = db.session.get(User, talent_id)
    if person is None or not _booked_here(project, talent_id, days):
        abort(404)  # not booked on this project (or not on the viewer's days)
    zone = site_zone()
    lang = current_language()
    first, last = dt.date(1900, 1, 1), dt.date(9999, 12, 31)  # the whole project
    rows = payroll.talent_days(
        db.session(),
        project,
        first,
        last,
        zone,
        today=local_today(zone),
        days=days,
        talent_id=talent_id,
    )
    summed = payroll.totals(rows)
    audit_document(
        db.session(),
        AuditAction.ATTENDANCE_HISTORY_VIEW,
        current_actor(),
        project_id=project.id,
        rows=rows,
        talent_id=person.id,
        talent_code=person.code,
    )
    casting = db.session.get(CastingProfile, talent_id)
    return render_template(
        "attendance/talent_history.html",
        project=project,
        person=person,
        cinema_code=casting.code if casting is not None else None,
        rows=rows,
        summed=summed,
        number=_number(lang),
        money=lambda amount, currency: money_label(amount, currency, lang),
        day_label=lambda day: weekday_label(day, lang),
        remarks=sheet.remarks,
    )


__all__ = ["bp", "day_sheet", "payroll_csv", "payroll_xlsx", "signoff", "talent_history"]
