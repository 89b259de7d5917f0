"""Export of the admin's filtered user list (GET: the form; POST: the streamed file).

The filters are those of the list page, carried in the query string of both the page and the
form's action, and parsed by the list's own :func:`parse_admin_filters`, so the file holds
exactly « the current filtered list », in its order.

The response is streamed (``stream_with_context``: the database session and the request stay
alive while the body is produced) with no Content-Length and ``X-Accel-Buffering: no`` so
nginx passes bytes through at once: the browser's download starts immediately and shows its
progress. The audit row is committed by the service before the first byte.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from talento.admin.blueprint import bp
from talento.audit.web import current_actor
from talento.context import current_language
from talento.crypto import active_keyring
from talento.exports import formats
from talento.exports.forms import ExportForm
from talento.exports.services import (
    Export,
    ExportRefused,
    ExportSpec,
    PersonalDataForbidden,
    count_rows,
    describe_filters,
    may_export_personal,
    start_export,
)
from talento.extensions import db, utctoday
from talento.profiles.search.people import DEFAULT_PER_PAGE, AdminFilters, parse_admin_filters


def _query_args(filters: AdminFilters) -> list[tuple[str, str]]:
    """The filters as query pairs, without the list's page (an export is the whole list)."""
    return filters.query_args(page=1, per_page=DEFAULT_PER_PAGE)


def _url(endpoint: str, args: list[tuple[str, str]]) -> str:
    return url_for(endpoint) + ("?" + urlencode(args) if args else "")


def _list_url(args: list[tuple[str, str]]) -> str:
    """Back to the list with the same filters (the dashboard until the list page exists)."""
    if "admin.users" in current_app.view_functions:
        return _url("admin.users", args)
    return url_for("admin.dashboard")


def streamed(export: Export) -> Response:
    response = Response(stream_with_context(export.body), mimetype=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.route("/users/export", methods=["GET", "POST"])
def export_users():
    filters = parse_admin_filters(request.args)
    keyring = active_keyring()
    form = ExportForm()
    status = 200
    if form.validate_on_submit():
        spec = ExportSpec(
            fmt=form.format.data,
            columns=form.chosen_columns,
            include_personal=bool(form.include_personal.data),
        )
        try:
            export = start_export(
                # The proxy on purpose, not db.session(): the streamed body reads after the
                # request's teardown has closed the request's Session; the proxy then reaches
                # a fresh one in the re-pushed context, which the stream's own teardown closes
                # (a Session object would reopen a transaction that nothing ends).
                db.session,  # type: ignore[arg-type]
                filters,
                spec,
                current_actor(),
                keyring,
                lang=current_language(),
                today=utctoday(),
            )
        except PersonalDataForbidden:
            abort(403)
        except ExportRefused as refused:
            form.format.errors = [*form.format.errors, refused.message]
        else:
            return streamed(export)
    if form.is_submitted():
        status = 400
    args = _query_args(filters)
    total = count_rows(db.session(), filters, keyring)
    return (
        render_template(
            "admin/export.html",
            form=form,
            total=total,
            pdf_limit=formats.PDF_MAX_ROWS,
            action=_url("admin.export_users", args),
            list_url=_list_url(args),
            summary=describe_filters(db.session(), filters, current_language()),
            personal_allowed=may_export_personal(db.session(), current_actor()),
        ),
        status,
    )
