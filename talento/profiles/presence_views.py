"""The talent's control over their presence: visibility, contact switch, e-mail address.

- ``presence.visibility``           GET, POST /profile/visibility    « Ma visibilité »
- ``presence.resend_verification``  POST      /profile/email/verify  « Renvoyer le lien »
- ``presence.change_email``         GET, POST /profile/email         new address + password

The change of address asks for the current password, limited per account like the other
confirmations (accounts/confirmation_limit.py); every verification or change e-mail also takes
a place in the account's sending limit (accounts/verification.SEND_LIMIT).
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from talento.accounts import login_limits
from talento.accounts.confirmation_limit import confirmation_limited
from talento.accounts.current import signed_in_user
from talento.accounts.email_change import request_email_change
from talento.accounts.verification import reserve_send, send_verification
from talento.audit.web import current_actor
from talento.context import current_passwords, current_settings
from talento.crypto import active_keyring
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.profiles.presence_forms import ChangeEmailForm, ResendForm, VisibilityForm
from talento.profiles.visibility import (
    CONTACT_HINT,
    VISIBILITY_CHOICES,
    seen_publicly,
    set_visibility,
)
from talento.refusals import Refused, apply_to_form

bp = Blueprint("presence", __name__, url_prefix="/profile")
log = logging.getLogger(__name__)


def _wait(refusal: login_limits.Refusal) -> str:
    minutes = max(1, -(-refusal.retry_after // 60))
    return ngettext("Réessayez dans %(num)d minute.", "Réessayez dans %(num)d minutes.", minutes)


@bp.route("/visibility", methods=["GET", "POST"])
@login_required
def visibility():
    user = signed_in_user()
    profile = user.profile
    if profile is None:  # an admin or a presence operator: no talent profile to show
        flash(_("Créez d'abord votre profil de talent."), "info")
        return redirect(url_for("profiles.me"))
    if request.method == "GET":
        data = {"visibility": profile.visibility, "contact_enabled": profile.contact_enabled}
        form = VisibilityForm(data=data)
    else:
        form = VisibilityForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            set_visibility(db.session(), user, form.to_input())
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            flash(_("Vos choix de visibilité sont enregistrés."), "success")
            return redirect(url_for("presence.visibility"))
    page = render_template(
        "profiles/visibility.html",
        form=form,
        user=user,
        profile=profile,
        explanations={value: hint for value, (_label, hint) in VISIBILITY_CHOICES.items()},
        contact_hint=CONTACT_HINT,
        seen_publicly=seen_publicly(user),
        resend_form=ResendForm(),
    )
    return page, status


@bp.post("/email/verify")
@login_required
def resend_verification():
    if not ResendForm().validate_on_submit():
        abort(400)
    user = signed_in_user()
    if user.email_verified:
        flash(_("Votre adresse e-mail est déjà vérifiée."), "info")
        return redirect(url_for("profiles.me"))
    with login_limits.answering() as limits:
        attempt = reserve_send(limits, user.id)
    if isinstance(attempt, login_limits.Refusal):
        log.info("Renvoi du lien de vérification refusé (limite) : utilisateur id=%s", user.id)
        flash(f"{_('Trop de liens envoyés à cette adresse.')} {_wait(attempt)}", "error")
        return redirect(url_for("profiles.me"))
    email = user.email
    send_verification(db.session(), current_settings(), user, current_actor(), report=_told)
    flash(_("Un nouveau lien a été envoyé à %(email)s.", email=email), "success")
    return redirect(url_for("profiles.me"))


def _told(sent: bool) -> None:
    if not sent:
        flash(_("L'e-mail n'a pas pu être envoyé : réessayez dans quelques minutes."), "warning")


@bp.route("/email", methods=["GET", "POST"])
@login_required
@confirmation_limited
def change_email():
    form = ChangeEmailForm()
    user = signed_in_user()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        assert form.current_password.data is not None  # DataRequired: a validated form has it
        assert form.new_email.data is not None
        if not current_passwords().verify(user.password_hash, form.current_password.data).ok:
            form.current_password.errors = [_("Mot de passe actuel incorrect.")]
            # 401: a wrong password keeps its place in the per-account limit
            return render_template("profiles/email.html", form=form, user=user), 401
        with login_limits.answering() as limits:
            attempt = reserve_send(limits, user.id)
        if isinstance(attempt, login_limits.Refusal):
            message = f"{_('Trop de liens envoyés pour ce compte.')} {_wait(attempt)}"
            form.new_email.errors = [message]
            page = render_template("profiles/email.html", form=form, user=user)
            return page, 429, {"Retry-After": str(attempt.retry_after)}
        settings = current_settings()
        try:
            request_email_change(
                db.session(), settings, active_keyring(), user, form.new_email.data
            )
        except Refused as refusal:
            attempt.release()  # nothing was sent
            status = apply_to_form(form, refusal)
        else:
            flash(
                _(
                    "Un lien de confirmation a été envoyé à %(email)s. Votre adresse actuelle "
                    "reste en place tant que vous ne l'avez pas ouvert.",
                    email=form.new_email.data,
                ),
                "success",
            )
            return redirect(url_for("profiles.me"))
    return render_template("profiles/email.html", form=form, user=user), status
