"""The re-entry page after a key adoption (talento.web.gates sends flagged people to it)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from talento.audit.web import current_actor
from talento.extensions import db
from talento.i18n import gettext as _
from talento.profiles.lost_data import FIELD_LABELS, LostDataForm, save_reentered

bp = Blueprint("lost_data", __name__, url_prefix="/profile")

@bp.route("/lost-data", methods=["GET", "POST"])
@login_required
def reenter():
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.lost_fields:
        return redirect(url_for("profiles.me"))
    form = LostDataForm.for_user(user)
    if form.validate_on_submit():
        save_reentered(db.session, user, form, current_actor())
        flash(_("Merci, vos informations sont à jour."), "success")
        return redirect(url_for("profiles.me"))
    status = 400 if request.method == "POST" else 200
    labels = [FIELD_LABELS[name] for name in user.lost_field_names]
    return render_template("profiles/lost_data.html", form=form, labels=labels), status
