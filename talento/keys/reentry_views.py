"""The re-entry page after a key adoption (talento.web.gates sends flagged people to it).

The form (keys/reentry_forms.py) checks the shape of what was typed;
`talento.keys.reentry.save_reentered` checks the values (phone numbers for the person's country,
web addresses) and its refusals are written back onto the form's fields.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from talento.accounts.current import signed_in_user
from talento.audit.web import current_actor
from talento.extensions import db
from talento.i18n import gettext as _
from talento.keys.reentry import FIELD_LABELS, save_reentered
from talento.keys.reentry_forms import LostDataForm
from talento.refusals import Refused, apply_to_form

bp = Blueprint("lost_data", __name__, url_prefix="/profile")


@bp.route("/lost-data", methods=["GET", "POST"])
@login_required
def reenter():
    user = signed_in_user()
    if not user.lost_fields:
        return redirect(url_for("profiles.me"))
    form = LostDataForm.for_user(user)
    if form.validate_on_submit():
        try:
            save_reentered(db.session(), user, form.to_input(), current_actor())
        except Refused as refusal:
            apply_to_form(form, refusal)  # answered 400 below, as any refused submission
        else:
            flash(_("Merci, vos informations sont à jour."), "success")
            return redirect(url_for("profiles.me"))
    status = 400 if request.method == "POST" else 200
    labels = [FIELD_LABELS[name] for name in user.lost_field_names]
    return render_template("profiles/lost_data.html", form=form, labels=labels), status
