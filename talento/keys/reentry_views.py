"""The re-entry page after a key adoption, and the gate that sends flagged people to it.

The form (keys/reentry_forms.py) checks the shape of what was typed;
`talento.keys.reentry.save_reentered` checks the values (phone numbers for the person's country,
web addresses) and its refusals are written back onto the form's fields.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from talento.accounts.two_factor_views import TWO_FACTOR_ENDPOINTS
from talento.audit.web import current_actor
from talento.extensions import db
from talento.i18n import gettext as _
from talento.keys.reentry import FIELD_LABELS, save_reentered
from talento.keys.reentry_forms import LostDataForm
from talento.refusals import Refused, apply_to_form
from talento.security import ALWAYS_REACHABLE

bp = Blueprint("lost_data", __name__, url_prefix="/profile")

#: Pages a flagged person may still reach: this one and the always reachable ones. Two-factor
#: set-up comes first when it is required.
ALLOWED_ENDPOINTS = frozenset({"lost_data.reenter", *ALWAYS_REACHABLE, *TWO_FACTOR_ENDPOINTS})


@bp.before_app_request
def send_flagged_people_to_reentry():
    endpoint = request.endpoint or ""
    if endpoint in ALLOWED_ENDPOINTS:
        return None
    if not endpoint or not current_user.is_authenticated or not current_user.lost_fields:
        return None
    return redirect(url_for("lost_data.reenter"))


@bp.route("/lost-data", methods=["GET", "POST"])
@login_required
def reenter():
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.lost_fields:
        return redirect(url_for("profiles.me"))
    form = LostDataForm.for_user(user)
    if form.validate_on_submit():
        try:
            save_reentered(db.session, user, form.to_input(), current_actor())
        except Refused as refusal:
            apply_to_form(form, refusal)  # answered 400 below, as any refused submission
        else:
            db.session.commit()
            flash(_("Merci, vos informations sont à jour."), "success")
            return redirect(url_for("profiles.me"))
    status = 400 if request.method == "POST" else 200
    labels = [FIELD_LABELS[name] for name in user.lost_field_names]
    return render_template("profiles/lost_data.html", form=form, labels=labels), status
