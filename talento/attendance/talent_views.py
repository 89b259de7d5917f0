"""« Mes présences » ``/cinema/me/attendance``: the signed-in talent's own working days on set
(issue 15 point 5): project, role, arrival, departure, meals, hours, and each day's
corrections trail, like a voucher's second page; « Je confirme mes heures » signs a finished
day off. Only the person's own days: nothing about anyone else. An account without a casting
profile has none and is sent to « Mon profil casting », as « Mes engagements » does."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from talento.accounts.current import signed_in_user
from talento.attendance.corrections import acknowledge, talent_days
from talento.attendance.forms import AcknowledgeForm
from talento.attendance.texts import hours_text, local_time, meaning_label, site_zone
from talento.casting.services import casting_of
from talento.extensions import db, utcnow
from talento.i18n import gettext as _
from talento.refusals import Refused

bp = Blueprint("my_attendance", __name__, url_prefix="/cinema/me/attendance")


@bp.get("")
@login_required
def index():
    user = signed_in_user()
    if casting_of(user) is None:
        return redirect(url_for("casting_me.me"))
    zone = site_zone()
    return render_template(
        "attendance/my_attendance.html",
        days=talent_days(db.session(), user.id, zone),
        form=AcknowledgeForm(),
        local_time=lambda at: local_time(at, zone),
        hours_text=hours_text,
        meaning_label=meaning_label,
        timezone=zone.key,
    )


@bp.post("/acknowledge")
@login_required
def acknowledge_day():
    user = signed_in_user()
    if casting_of(user) is None:
        return redirect(url_for("casting_me.me"))
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        booking_id = int(form.booking.data or "")
        day = dt.date.fromisoformat(form.day.data or "")
    except ValueError:
        abort(404)
    try:
        acknowledge(db.session(), user.id, booking_id, day, site_zone(), utcnow())
    except Refused as refusal:
        if refusal.status == 404:
            abort(404)
        flash(refusal.message, "error")
    else:
        flash(_("Merci : vos heures de cette journée sont confirmées."), "success")
    return redirect(url_for("my_attendance.index"))
