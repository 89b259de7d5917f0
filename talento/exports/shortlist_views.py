"""``GET /projects/roles/<role_id>/shortlist.pdf`` and ``.xlsx``: a shortlist's exports, on
the projects' ``shortlists`` blueprint (its staff-only guard applies), written here because
the writers live in exports, a layer above projects. Each export is audited."""

from __future__ import annotations

from flask import Response, abort

from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.web import current_actor
from talento.context import current_settings
from talento.exports.casting_sheet import build_sheet_pdf, write_sheet_xlsx
from talento.exports.formats import XLSX_TYPE
from talento.exports.shortlist_sheet import PDF_MAX, XLSX_MAX, export_name, ranks, shortlist_rows
from talento.extensions import db, limiter, utctoday
from talento.i18n import gettext as _
from talento.projects.shortlist_services import live_role
from talento.projects.shortlist_views import bp
from talento.projects.vocabulary import SHORTLIST_STATUSES


def _attachment(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # private, no-store: web/caching.py


def _audit(role_id: int, fmt: str, rows: int) -> None:
    audit.record(
        db.session(),
        AuditAction.EXPORT,
        current_actor(),
        detail={"kind": "shortlist", "format": fmt, "role_id": role_id, "rows": rows},
    )


@bp.get("/roles/<int:role_id>/shortlist.pdf")
@limiter.limit("30 per minute")
def pdf(role_id: int) -> Response:
    session = db.session()
    role = live_role(session, role_id)
    if role is None:
        abort(404)
    today = utctoday()
    found = shortlist_rows(session, role.id, PDF_MAX)
    labels = {code: str(label) for code, label in SHORTLIST_STATUSES.items()}
    title = _(
        "Shortlist « %(role)s » — %(project)s — %(day)s",
        role=role.name,
        project=role.project.name,
        day=today.isoformat(),
    )
    data = build_sheet_pdf(
        found.rows,
        today,
        current_settings().upload_dir,
        cut=found.cut,
        title=title,
        captions=[labels.get(status, status) for status in found.statuses],
        empty=_("Aucun talent dans cette shortlist."),
        cut_note=_("Planche limitée aux %(num)s premiers talents : exportez en XLSX.", num=PDF_MAX),
    )
    _audit(role.id, "pdf", len(found.rows))
    response = Response(data, mimetype="application/pdf")
    return _attachment(response, export_name(role.id, today, "pdf"))


@bp.get("/roles/<int:role_id>/shortlist.xlsx")
@limiter.limit("30 per minute")
def xlsx(role_id: int) -> Response:
    session = db.session()
    role = live_role(session, role_id)
    if role is None:
        abort(404)
    today = utctoday()
    found = shortlist_rows(session, role.id, XLSX_MAX)
    labels = {code: str(label) for code, label in SHORTLIST_STATUSES.items()}
    extra = [
        (_("Rang"), ranks(len(found.rows))),
        (_("Statut"), [labels.get(status, status) for status in found.statuses]),
    ]
    body = b"".join(write_sheet_xlsx(found.rows, today, extra, sheet_name="Shortlist"))
    _audit(role.id, "xlsx", len(found.rows))
    return _attachment(Response(body, mimetype=XLSX_TYPE), export_name(role.id, today, "xlsx"))


__all__ = ["pdf", "xlsx"]
