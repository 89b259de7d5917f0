"""The e-mailed one-time sign-in link offered when an identifier's failures reached their ceiling.

`POST /auth/sign-in-link` answers the same page whether or not the identifier has an account,
and the e-mail leaves after the response, so neither the page nor its timing tells. Opening the
link (`GET /auth/link/<token>`) only shows a button: mail scanners that follow links must not
spend it; the button's POST spends it and signs in, or starts the second step of an account
with two-factor authentication.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from flask_login import login_user
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from talento.accounts import login_limits
from talento.accounts.services import find_by_identifier
from talento.accounts.sign_in_link import LinkStatus, check_link, consume, send_sign_in_link
from talento.accounts.views import VIA_EMAIL_LINK, _landing, _start_second_step
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.context import current_settings
from talento.extensions import db, utcnow
from talento.i18n import lazy_gettext as _l
from talento.i18n import ngettext

bp = Blueprint("sign_in_link", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)

PROBLEMS = {
    LinkStatus.EXPIRED: (_l("Ce lien a expiré : il n'est valable que 15 minutes."), 410),
    LinkStatus.USED: (_l("Ce lien a déjà servi : il ne fonctionne qu'une seule fois."), 410),
    LinkStatus.INVALID: (
        _l("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."),
        400,
    ),
}


class SignInLinkForm(FlaskForm):
    """The identifier typed on the login page, sent back by the offer's button."""

    identifier = HiddenField(validators=[DataRequired(), Length(max=254)])


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the link's token is in the URL."""


def _private(body, status: int = 200):
    """Pages reached through a token: never sent as a Referer (never cached either, like
    every page that is not public: talento.web.caching)."""
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/sign-in-link")
def request_link():
    form = SignInLinkForm()
    if not form.validate_on_submit():
        abort(400)
    assert form.identifier.data is not None  # DataRequired: a validated form has it
    identifier = form.identifier.data
    account = find_by_identifier(db.session(), identifier)
    with login_limits.answering() as limits:
        attempt = limits.reserve(limits.link_buckets(identifier, account, request.remote_addr))
    if isinstance(attempt, login_limits.Refusal):
        minutes = max(1, -(-attempt.retry_after // 60))
        error = ngettext(
            "Trop de demandes de lien. Réessayez dans %(num)d minute.",
            "Trop de demandes de lien. Réessayez dans %(num)d minutes.",
            minutes,
        )
        log.info("Demande de lien de connexion refusée (limite %s)", attempt.bucket)
        page = render_template("accounts/sign_in_link.html", error=error)
        response = _private(page, 429)
        response.headers["Retry-After"] = str(attempt.retry_after)
        return response
    send_sign_in_link(db.session(), current_settings(), account)
    return _private(render_template("accounts/sign_in_link.html", sent=True))


@bp.route("/link/<token>", methods=["GET", "POST"])
def follow_link(token: str):
    check = check_link(db.session(), current_settings().secret_key, token)
    if check.status is LinkStatus.VALID and request.method == "POST":
        # CSRFProtect has checked the token of the button's form before this view runs.
        with login_limits.answering() as limits:
            check = consume(limits, check)
    if check.user is None:
        problem, status = PROBLEMS[check.status]
        log.info("Lien de connexion refusé (%s)", check.status.value)
        page = render_template("accounts/sign_in_link.html", problem=problem)
        return _private(page, status)
    if request.method == "GET":
        return _private(render_template("accounts/sign_in_link.html", form=ConfirmForm()))
    user = check.user
    if user.two_factor_enabled:
        _start_second_step(user, None, via=VIA_EMAIL_LINK)
        log.info("Lien de connexion utilisé, code demandé : utilisateur id=%s", user.id)
        return redirect(url_for("auth.two_factor"))
    user.last_login_at = utcnow()
    audit.record(
        db.session(),
        AuditAction.LOGIN,
        audit.as_actor(user, request.remote_addr, g.get("request_id")),
        detail={"via": VIA_EMAIL_LINK},
        **audit.about(user),
    )
    login_user(user)
    log.info("Connexion par lien e-mail : utilisateur id=%s", user.id)
    return redirect(_landing(user))
