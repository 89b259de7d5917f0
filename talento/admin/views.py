"""Admin dashboard. Other admin pages live in the *_views modules of this package."""

from __future__ import annotations

from flask import render_template

from talento.admin.blueprint import bp
from talento.admin.services import platform_totals
from talento.extensions import db


@bp.get("")
def dashboard():
    return render_template("admin/dashboard.html", totals=platform_totals(db.session))
