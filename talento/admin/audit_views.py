"""The audit trail, read by admins: filter by action, person (code) and dates."""

from __future__ import annotations

import re

from flask import render_template, request

from talento.admin.blueprint import bp
from talento.audit.models import AuditAction
from talento.audit.services import AuditFilters, audit_page
from talento.extensions import db
from talento.i18n import lazy_gettext as _l
from talento.profiles.search.query_args import QueryArgs

MAX_PAGE = 100_000
_PERSON_RE = re.compile(r"[A-Z0-9]{10}", re.ASCII)

ACTION_LABELS = {
    AuditAction.PERSONAL_DATA_VIEW: _l("Consultation de données personnelles"),
    AuditAction.PERSONAL_DATA_EXPORT: _l("Export de données personnelles"),
    AuditAction.EXPORT: _l("Export"),
    AuditAction.LOGIN: _l("Connexion"),
    AuditAction.LOGIN_FAILED: _l("Échec de connexion"),
    AuditAction.PASSWORD_CHANGE: _l("Changement de mot de passe"),
    AuditAction.PASSWORD_RESET: _l("Réinitialisation de mot de passe"),
    AuditAction.PASSWORD_LINK_SENT: _l("Lien de mot de passe envoyé"),
    AuditAction.USER_CREATE: _l("Création de compte"),
    AuditAction.USER_UPDATE: _l("Modification de compte"),
    AuditAction.ROLE_CHANGE: _l("Changement de rôle"),
    AuditAction.STATUS_CHANGE: _l("Activation / désactivation"),
    AuditAction.USER_DELETE: _l("Suppression de compte"),
    AuditAction.AUDIT_EXPORT: _l("Export du journal"),
    AuditAction.AUDIT_PURGE: _l("Purge du journal"),
    AuditAction.TWO_FACTOR_ENABLED: _l("Double authentification activée"),
    AuditAction.TWO_FACTOR_DISABLED: _l("Double authentification désactivée"),
    AuditAction.TWO_FACTOR_RESET: _l("Double authentification réinitialisée"),
    AuditAction.RECOVERY_CODE_USED: _l("Code de secours utilisé"),
    AuditAction.RECOVERY_CODES_REGENERATED: _l("Nouveaux codes de secours"),
    AuditAction.KEY_ADOPTED: _l("Adoption d'une nouvelle clé (données perdues)"),
    AuditAction.LOST_DATA_REENTERED: _l("Données perdues ressaisies"),
    AuditAction.LOST_DATA_NOTIFIED: _l("E-mail « données à ressaisir » envoyé"),
}


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
        action_labels={action.value: label for action, label in ACTION_LABELS.items()},
        args=args,
    )
