"""Account security pages: turn TOTP two-factor authentication on and off, new recovery codes.

- ``two_factor.settings``    GET       /account/2fa                 status and actions
- ``two_factor.setup``       GET/POST  /account/2fa/setup           QR code, secret, confirm code
- ``two_factor.disable``     GET/POST  /account/2fa/disable         password + code
- ``two_factor.regenerate``  GET/POST  /account/2fa/recovery-codes  password + code

With ``ADMIN_2FA_REQUIRED=1`` an admin without 2FA is sent to ``/account/2fa`` from every page
but these, logout, static files, health checks (see
:func:`talento.web.gates.require_admin_enrolment`). Pages showing the secret or the recovery
codes are never cached.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from talento.accounts import session_views, two_factor
from talento.accounts.confirmation_limit import confirmation_limited
from talento.accounts.current import signed_in_user
from talento.accounts.two_factor_forms import ConfirmTwoFactorForm, EnableTwoFactorForm
from talento.audit.web import current_actor
from talento.context import current_passwords, current_settings
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l

bp = Blueprint("two_factor", __name__, url_prefix="/account")
log = logging.getLogger(__name__)

#: Session key of the enrolment in progress: the user id and a nonce (never the secret).
ENROLMENT_KEY = "two_factor_enrolment"


def _user():
    return signed_in_user()


def _private(body, status: int = 200):
    """A page showing a secret or recovery codes (never stored: talento.web.caching makes
    every page of a signed-in session ``private, no-store``)."""
    return make_response(body, status)


@bp.get("/2fa")
@login_required
def settings():
    user = _user()
    remaining = (
        two_factor.remaining_recovery_codes(db.session(), user) if user.two_factor_enabled else None
    )
    return render_template(
        "accounts/two_factor_settings.html",
        user=user,
        remaining=remaining,
        total=two_factor.RECOVERY_CODE_COUNT,
        required=two_factor.must_enrol(user, current_settings().admin_2fa_required),
        can_disable=not (current_settings().admin_2fa_required and user.is_admin),
        other_sessions=session_views.other_sessions(user),
    )


def _enrolment_secret(create: bool) -> str | None:
    """The secret offered to this user, derived from a nonce kept in the session."""
    state = session.get(ENROLMENT_KEY)
    if not (isinstance(state, dict) and state.get("uid") == current_user.id):
        if not create:
            return None
        state = {"uid": current_user.id, "nonce": two_factor.new_enrolment_nonce()}
        session[ENROLMENT_KEY] = state
    nonce = state.get("nonce")
    if not isinstance(nonce, str):
        return None
    return two_factor.enrolment_secret(current_settings().secret_key, current_user.id, nonce)


@bp.route("/2fa/setup", methods=["GET", "POST"])
@login_required
def setup():
    user = _user()
    if user.two_factor_enabled:
        flash(_("La double authentification est déjà activée sur ce compte."), "info")
        return redirect(url_for(".settings"))
    form = EnableTwoFactorForm()
    secret = _enrolment_secret(create=request.method == "GET")
    if secret is None:  # POST without an enrolment in progress (expired session, other tab)
        flash(_("Scannez à nouveau le QR code : l'activation a été interrompue."), "warning")
        return redirect(url_for(".setup"))
    status = 200
    if form.validate_on_submit():
        assert form.code.data is not None  # DataRequired: a validated form has it
        codes = two_factor.enable(db.session(), user, secret, form.code.data, current_actor())
        if codes is not None:
            session.pop(ENROLMENT_KEY, None)
            log.info("Double authentification activée : utilisateur id=%s", user.id)
            flash(_("Double authentification activée."), "success")
            page = render_template("accounts/two_factor_codes.html", codes=codes, first=True)
            return _private(page)
        form.code.errors = [
            _("Code incorrect. Vérifiez l'heure du téléphone et saisissez le code affiché.")
        ]
        status = 400
    elif request.method == "POST":
        status = 400
    uri = two_factor.provisioning_uri(secret, user.email)
    page = render_template(
        "accounts/two_factor_setup.html",
        form=form,
        secret=two_factor.grouped(secret),
        qr=two_factor.qr_data_uri(uri),
    )
    return _private(page, status)


def _confirm_errors(form: ConfirmTwoFactorForm, outcome: two_factor.ChangeOutcome) -> None:
    if outcome is two_factor.ChangeOutcome.BAD_PASSWORD:
        form.password.errors = [_("Mot de passe incorrect.")]
    else:
        form.code.errors = [_("Code incorrect ou déjà utilisé.")]


_CONFIRM_TITLES = {
    "disable": _l("Désactiver la double authentification"),
    "regenerate": _l("Nouveaux codes de secours"),
}


def _confirm_page(form, action: str, status: int):
    page = render_template(
        "accounts/two_factor_confirm.html", form=form, action=action, title=_CONFIRM_TITLES[action]
    )
    return page, status


@bp.route("/2fa/disable", methods=["GET", "POST"])
@login_required
@confirmation_limited
def disable():
    user = _user()
    if not user.two_factor_enabled:
        return redirect(url_for(".settings"))
    if current_settings().admin_2fa_required and user.is_admin:
        flash(_("La double authentification est obligatoire pour les administrateurs."), "error")
        return redirect(url_for(".settings"))
    form = ConfirmTwoFactorForm()
    if form.validate_on_submit():
        # DataRequired: a validated form has both
        assert form.password.data is not None
        assert form.code.data is not None
        passwords = current_passwords()
        outcome = two_factor.disable(
            db.session(), user, form.password.data, form.code.data, passwords, current_actor()
        )
        if outcome is two_factor.ChangeOutcome.OK:
            log.info("Double authentification désactivée : utilisateur id=%s", user.id)
            flash(_("Double authentification désactivée."), "success")
            return redirect(url_for(".settings"))
        db.session.rollback()
        _confirm_errors(form, outcome)
        return _confirm_page(form, "disable", 401)
    return _confirm_page(form, "disable", 400 if request.method == "POST" else 200)


@bp.route("/2fa/recovery-codes", methods=["GET", "POST"])
@login_required
@confirmation_limited
def regenerate():
    user = _user()
    if not user.two_factor_enabled:
        return redirect(url_for(".settings"))
    form = ConfirmTwoFactorForm()
    if form.validate_on_submit():
        # DataRequired: a validated form has both
        assert form.password.data is not None
        assert form.code.data is not None
        passwords = current_passwords()
        outcome, codes = two_factor.regenerate_recovery_codes(
            db.session(), user, form.password.data, form.code.data, passwords, current_actor()
        )
        if outcome is two_factor.ChangeOutcome.OK:
            log.info("Nouveaux codes de secours : utilisateur id=%s", user.id)
            flash(_("Nouveaux codes de secours créés : les anciens ne servent plus."), "success")
            page = render_template("accounts/two_factor_codes.html", codes=codes, first=False)
            return _private(page)
        db.session.rollback()
        _confirm_errors(form, outcome)
        return _confirm_page(form, "regenerate", 401)
    return _confirm_page(form, "regenerate", 400 if request.method == "POST" else 200)
