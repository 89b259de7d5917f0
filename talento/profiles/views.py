"""The talent's own space. `/profile` shows decrypted contact data to its owner."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("profiles", __name__)


@bp.get("/profile")
@login_required
def me():
    return render_template("profiles/me.html", user=current_user)
