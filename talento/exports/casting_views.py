"""The casting search's exports: ``GET /cinema/talents/print.pdf`` (a contact sheet) and
``GET /cinema/talents/export.xlsx``, for casting staff and admins, with the page's criteria."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from talento.casting.access import is_casting_staff
from talento.casting.search.filters import parse_filters
from talento.context import current_settings
from talento.exports.casting_sheet import (
    PDF_MAX,
    XLSX_MAX,
    build_sheet_pdf,
    sheet_rows,
    write_sheet_xlsx,
)
from talento.extensions import db, limiter, login_manager, utctoday
from talento.i18n import gettext as _

bp = Blueprint("casting_exports", __name__, url_prefix="/cinema/talents")


@bp.before_request
def casting_staff_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not is_casting_staff(current_user):
        abort(403)
    return None


def _attachment(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # private, no-store: web/caching.py (every export is private)


@bp.get("/print.pdf")
@limiter.limit("30 per minute")
def pdf() -> Response:
    today = utctoday()
    rows, cut = sheet_rows(db.session(), parse_filters(request.args), today, PDF_MAX)
    title = _("Planche contact CINEMA — %(day)s", day=today.isoformat())
    data = build_sheet_pdf(rows, today, current_settings().upload_dir, cut=cut, title=title)
    response = Response(data, mimetype="application/pdf")
    return _attachment(response, f"cinema-{today.isoformat()}.pdf")


@bp.get("/export.xlsx")
@limiter.limit("30 per minute")
def xlsx() -> Response:
    today = utctoday()
    rows, _cut = sheet_rows(db.session(), parse_filters(request.args), today, XLSX_MAX)
    body = b"".join(write_sheet_xlsx(rows, today))
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(Response(body, mimetype=mimetype), f"cinema-{today.isoformat()}.xlsx")
