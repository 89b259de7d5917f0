"""« Mon profil casting » ``/cinema/me``: the casting side of the signed-in account.

- A complete profile: its CINEMA code and every section of the registration, each with
  « Modifier » (the step's page, which returns here once saved).
- A registration in progress: where it stands and « Continuer mon inscription », with the
  sections filled so far.
- A talent account without one: « Créer mon profil casting » (POST ``/cinema/me/create``)
  creates it prefilled from the account and talent profile, and opens its first step.
- A staff account (no ``talent`` capability): what a casting profile is and who may have one.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from talento.accounts.current import signed_in_user
from talento.casting import steps
from talento.casting.models import REGISTRATION_STEPS
from talento.casting.registration_views import step_url
from talento.casting.services import add_casting_profile, can_have_casting_profile, casting_of
from talento.casting.summary import STEP_TITLES, sections
from talento.context import current_language
from talento.extensions import db, utctoday
from talento.i18n import gettext as _

bp = Blueprint("casting_me", __name__, url_prefix="/cinema/me")
log = logging.getLogger(__name__)


@bp.get("")
@login_required
def me():
    user = signed_in_user()
    casting = casting_of(user)
    summary = sections(user, casting, current_language(), utctoday()) if casting else []
    edit_urls = {
        step: step_url(step)
        for step in REGISTRATION_STEPS
        if casting is not None and steps.reached(casting, step)
    }
    next_step = None
    if casting is not None and not casting.is_complete:
        next_step = {
            "url": step_url(casting.registration_step),
            "number": steps.step_number(casting.registration_step),
            "title": STEP_TITLES[casting.registration_step],
        }
    return render_template(
        "casting/me.html",
        user=user,
        casting=casting,
        allowed=can_have_casting_profile(user),
        sections=summary,
        edit_urls=edit_urls,
        next_step=next_step,
        total=len(REGISTRATION_STEPS),
    )


@bp.post("/create")
@login_required
def create():
    user = signed_in_user()
    if not can_have_casting_profile(user):
        abort(403)
    if casting_of(user) is None:
        add_casting_profile(db.session(), user)
        log.info("Profil casting ajouté : utilisateur id=%s", user.id)
        flash(
            _(
                "Votre profil casting est créé avec ce que votre compte contient déjà : "
                "vérifiez-le et complétez chaque étape."
            ),
            "success",
        )
    casting = casting_of(user)
    assert casting is not None
    if casting.is_complete:
        return redirect(url_for(".me"))
    return redirect(step_url(casting.registration_step))
