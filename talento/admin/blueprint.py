"""The admin blueprint. It is guarded as a whole in before_request, so a new admin route
cannot ship unprotected; each views module of this package adds its routes to `bp`."""

from __future__ import annotations

from flask import Blueprint, abort, current_app
from flask_login import current_user

from talento.accounts.capabilities import CAPABILITY_LABELS
from talento.admin.forms import BULK_LABELS
from talento.admin.labels import ACTION_LABELS
from talento.extensions import login_manager

#: Audit action labels keyed by the stored value, built once.
_ACTION_LABELS_BY_VALUE = {action.value: label for action, label in ACTION_LABELS.items()}

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


@bp.context_processor
def admin_helpers() -> dict:
    """`admin_has(endpoint)`: link to a page only once it exists; the admin's label
    dictionaries (capabilities, bulk actions, audit actions), so no view passes them by hand."""

    return {
        "admin_has": lambda endpoint: endpoint in current_app.view_functions,
        "capability_labels": CAPABILITY_LABELS,
        "bulk_labels": BULK_LABELS,
        "action_labels": _ACTION_LABELS_BY_VALUE,
    }
