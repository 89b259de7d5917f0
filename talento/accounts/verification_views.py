"""The links e-mailed to prove an address (accounts/verification.py, accounts/email_change.py).

- ``verification.verify``          GET       /auth/verify/<token>        verifies, no login needed
- ``verification.confirm_change``  GET, POST /auth/email-change/<token>  a button, then the change

Opening a verification link verifies at once (it is idempotent and only proves what the link
proves). A change of address is not done by a GET: mail scanners open links, so the page shows a
button whose POST (CSRF-checked) makes the change. Both pages are reached through a token: never
sent as a Referer, never cached (they are private for talento.web.caching).
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm

from talento.accounts.email_change import ChangeStatus, apply_email_change, check_change
from talento.accounts.verification import VerifyStatus, confirm_email
from talento.audit.web import current_actor
from talento.context import current_settings
from talento.crypto import active_keyring
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l

bp = Blueprint("verification", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)

VERIFY_PAGES = {
    VerifyStatus.VERIFIED: (_l("Merci : votre adresse e-mail est vérifiée."), 200),
    VerifyStatus.ALREADY: (
        _l("Votre adresse e-mail est déjà vérifiée : rien d'autre à faire."),
        200,
    ),
    VerifyStatus.EXPIRED: (
        _l(
            "Ce lien a expiré : il n'est valable que 48 heures. Connectez-vous pour en "
            "demander un nouveau."
        ),
        410,
    ),
    VerifyStatus.OTHER_ADDRESS: (
        _l(
            "Ce lien a été envoyé à une adresse que votre compte n'utilise plus : il ne "
            "vérifie pas l'adresse actuelle."
        ),
        410,
    ),
    VerifyStatus.INVALID: (
        _l("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."),
        400,
    ),
}

CHANGE_PROBLEMS = {
    ChangeStatus.EXPIRED: (
        _l(
            "Ce lien a expiré : il n'est valable que 48 heures. Refaites la demande depuis "
            "votre espace."
        ),
        410,
    ),
    ChangeStatus.STALE: (
        _l("L'adresse de ce compte a changé depuis l'envoi de ce lien : il n'est plus valable."),
        410,
    ),
    ChangeStatus.TAKEN: (
        _l("Un autre compte utilise désormais cette adresse : le changement est impossible."),
        409,
    ),
    ChangeStatus.INVALID: (
        _l("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."),
        400,
    ),
}


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the link's token is in the URL."""


def _private(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/verify/<token>")
def verify(token: str):
    check = confirm_email(db.session(), current_settings().secret_key, token, current_actor())
    message, status = VERIFY_PAGES[check.status]
    log.info("Lien de vérification ouvert (%s)", check.status.value)
    signed_in = current_user.is_authenticated
    page = render_template(
        "accounts/verify_email.html",
        message=message,
        ok=status == 200,
        status=check.status.value,
        signed_in=signed_in,
    )
    return _private(page, status)


@bp.route("/email-change/<token>", methods=["GET", "POST"])
def confirm_change(token: str):
    settings, keyring = current_settings(), active_keyring()
    if request.method == "GET":
        check = check_change(db.session(), settings.secret_key, keyring, token)
    else:  # CSRFProtect has checked the button's form before this view runs
        check = apply_email_change(db.session(), settings, keyring, token, current_actor())
    log.info("Lien de changement d'adresse (%s, %s)", request.method, check.status.value)
    if check.status is ChangeStatus.DONE:
        page = render_template("accounts/email_change.html", done=True)
        return _private(page)
    if check.status is not ChangeStatus.VALID:
        problem, status = CHANGE_PROBLEMS[check.status]
        return _private(render_template("accounts/email_change.html", problem=problem), status)
    if request.method == "GET":
        page = render_template(
            "accounts/email_change.html", form=ConfirmForm(), new_email=check.new_email
        )
        return _private(page)
    user = check.user
    if current_user.is_authenticated and user is not None and current_user.id == user.id:
        login_user(user)  # every session ended: this browser goes on with the new version
        flash(_("Votre adresse e-mail est changée. Vos autres sessions sont fermées."), "success")
        return redirect(url_for("profiles.me"))
    flash(
        _("Votre adresse e-mail est changée. Connectez-vous avec la nouvelle adresse."), "success"
    )
    return redirect(url_for("auth.login"))
