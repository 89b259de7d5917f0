"""Password reset: a signed, single-use link valid one hour.

`/auth/forgot` answers the same page whether or not the address has an account, and the
e-mail leaves only after the response is written (the unit of work runs queued mail then), so
neither the body, the status nor the response time reveals which addresses are registered.
(With Flask's test client, the e-mail therefore leaves when the response is closed: post with
`buffered=True`.)

Limits (accounts/login_limits.py): a high ceiling per client address, so a shared address (a
venue, a mobile carrier) is not blocked, and a low one per e-mail, so a victim's inbox is not
flooded. Both count a request whether or not the address has an account: a refusal tells
nothing either.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, logout_user

from talento.accounts import login_limits
from talento.accounts.reset import TokenStatus, check_token, request_password_reset
from talento.accounts.reset_forms import ForgotPasswordForm, NewPasswordForm
from talento.accounts.services import set_password
from talento.accounts.verification import mark_verified
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.context import current_passwords, current_settings
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.i18n import ngettext

bp = Blueprint("reset", __name__)
log = logging.getLogger(__name__)

TOKEN_PROBLEMS = {
    TokenStatus.EXPIRED: (_l("Ce lien a expiré : il n'est valable qu'une heure."), 410),
    TokenStatus.USED: (
        _l("Ce lien a déjà servi, ou le mot de passe a été changé depuis son envoi."),
        410,
    ),
    TokenStatus.INVALID: (
        _l("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."),
        400,
    ),
}


def _private(response, status: int = 200):
    """Pages reached through a token: never sent as a Referer (never cached either: the
    endpoints are private for talento.web.caching)."""
    response = make_response(response, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/auth/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        settings = current_settings()
        assert form.email.data is not None  # DataRequired: a validated form has it
        with login_limits.answering() as limits:
            attempt = limits.reserve(
                limits.reset_buckets(settings, form.email.data, request.remote_addr)
            )
        if isinstance(attempt, login_limits.Refusal):
            return _too_many(form, attempt)
        request_password_reset(db.session(), settings, form.email.data)
        return render_template("accounts/forgot.html", sent=True)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form, sent=False), status


def _too_many(form: ForgotPasswordForm, refusal: login_limits.Refusal):
    """The form again (the address kept), the same whether or not the address has an account."""
    minutes = max(1, -(-refusal.retry_after // 60))
    wait = ngettext("Réessayez dans %(num)d minute.", "Réessayez dans %(num)d minutes.", minutes)
    if refusal.bucket == login_limits.RESET_FOR_EMAIL:
        message = _(
            "Trop de demandes pour cette adresse. Si un compte existe, des e-mails sont déjà "
            "partis : vérifiez aussi le dossier des courriers indésirables."
        )
    else:
        message = _("Trop de demandes de réinitialisation depuis votre connexion.")
    log.info("Demande de réinitialisation refusée (limite %s)", refusal.bucket)
    form.email.errors = [*form.email.errors, f"{message} {wait}"]
    page = render_template("accounts/forgot.html", form=form, sent=False)
    return page, 429, {"Retry-After": str(refusal.retry_after)}


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    settings = current_settings()
    check = check_token(db.session(), settings.secret_key, token)
    if check.user is None:
        message, status = TOKEN_PROBLEMS[check.status]
        log.info("Lien de réinitialisation refusé (%s)", check.status.value)
        return _private(render_template("accounts/reset.html", problem=message), status)
    user = check.user
    form = NewPasswordForm(email=user.email, names=(user.first_name, user.last_name, user.code))
    if form.validate_on_submit():
        assert form.password.data is not None  # DataRequired: a validated form has it
        set_password(user, form.password.data, current_passwords())
        actor = audit.as_actor(user, request.remote_addr, g.get("request_id"))
        audit.record(db.session(), AuditAction.PASSWORD_RESET, actor, **audit.about(user))
        # The link was bound to the address it was sent to: it proves the mailbox too.
        mark_verified(db.session(), user, actor)
        log.info("Mot de passe réinitialisé : utilisateur id=%s", user.id)
        if current_user.is_authenticated:
            logout_user()
        flash(_("Votre mot de passe a été modifié. Connectez-vous avec le nouveau."), "success")
        return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    return _private(render_template("accounts/reset.html", form=form, problem=None), status)
