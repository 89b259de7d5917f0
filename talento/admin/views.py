"""Administration. The whole blueprint is guarded in before_request: a new route cannot ship
unprotected."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from talento.admin.services import platform_totals
from talento.extensions import db, login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


@bp.get("")
def dashboard():
    return render_template("admin/dashboard.html", totals=platform_totals(db.session))
