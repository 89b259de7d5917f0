"""The audit trail, read by admins: filter by action, person (code) and dates."""

from __future__ import annotations

import re

from flask import render_template, request

from talento.admin.blueprint import bp
from talento.audit.models import AuditAction
from talento.audit.services import AuditFilters, audit_page
from talento.extensions import db
from talento.profiles.search.query_args import QueryArgs

MAX_PAGE = 100_000
_PERSON_RE = re.compile(r"[A-Z0-9]{10}", re.ASCII)


def parse_audit_filters(args) -> AuditFilters:
    """The filters of the audit page; bad values are dropped, never an error."""
    read = QueryArgs(args)
    return AuditFilters(
        action=read.choice("action", set(AuditAction)),
        person=read.token("person", _PERSON_RE, fold=str.upper),
        since=read.date("since"),
        until=read.date("until"),
        page=read.page(last=MAX_PAGE),
    )


def _query_args(filters: AuditFilters) -> dict[str, str]:
    """The filters in use as query arguments, for the links to other pages."""
    values = {
        "action": filters.action,
        "person": filters.person,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
    }
    return {name: value for name, value in values.items() if value}


@bp.get("/audit")
def audit():
    filters = parse_audit_filters(request.args)
    page = audit_page(db.session(), filters)
    args = _query_args(filters)
    return render_template(
        "admin/audit.html",
        filters=filters,
        page=page,
        args=args,
    )
