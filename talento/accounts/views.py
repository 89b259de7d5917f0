"""Login (password, then the TOTP second step when the account has one) and logout.

The login path reads only email, code, password hash, status and the TOTP columns (in clear on
purpose: see accounts/two_factor.py). After a correct password, an account with two-factor
authentication gets no session yet: the session cookie only remembers, for five minutes, who is
half-way in (id, session version, time); `/auth/2fa` finishes the login.

Limits (accounts/login_limits.py): every attempt reserves its place before the password or code
is checked, and a success gives it back, so parallel guesses cannot overtake the count. Failed
passwords and codes from one address share a bucket; per identifier (or account, for codes)
there is a short limit per address and a ceiling over every address. Past the password ceiling
the page offers an e-mailed sign-in link instead of refusing (sign_in_link_views.py), so an
attack from other addresses never locks the owner out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from talento.accounts import login_limits, session_views, two_factor
from talento.accounts.forms import LoginForm
from talento.accounts.models import Capability, User
from talento.accounts.services import LoginOutcome, check_password, find_by_identifier
from talento.accounts.two_factor_forms import SecondStepForm
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.services import as_actor
from talento.audit.web import current_actor
from talento.context import current_passwords, current_settings
from talento.extensions import db, login_manager, utcnow
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.i18n import ngettext

bp = Blueprint("auth", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)

#: Session key of a login waiting for its second factor.
PENDING_KEY = "two_factor_login"
#: Audit detail of a login whose first step was the e-mailed link, not the password.
VIA_EMAIL_LINK = "email_link"

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Session ids are "<user id>:<session version>"; a bumped version ends the session. The
    cookie must also hold the token of a live server-side session of that account: logging out
    deletes it, so a copy of the cookie opens nothing afterwards (accounts/session_views.py)."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active_account:
        return None
    if not session_views.is_live(user):
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """Honour `next` only for a same-site relative path."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _too_many(refusal: login_limits.Refusal, template: str, **context):
    """A 429 on the same page, saying who is limited and for how long, with Retry-After."""
    minutes = max(1, -(-refusal.retry_after // 60))
    wait = ngettext("Réessayez dans %(num)d minute.", "Réessayez dans %(num)d minutes.", minutes)
    if refusal.bucket == login_limits.ADDRESS:
        error = _("Trop de tentatives de connexion depuis votre adresse.")
    elif refusal.bucket == login_limits.SECOND_STEP:
        error = _("Trop de codes incorrects pour ce compte.")
    else:
        error = _("Trop de tentatives sur ce compte depuis votre adresse.")
    log.info("Tentative de connexion refusée (limite %s)", refusal.bucket)
    page = render_template(template, error=f"{error} {wait}", **context)
    return page, 429, {"Retry-After": str(refusal.retry_after)}


def _offer_sign_in_link(form: LoginForm, refusal: login_limits.Refusal):
    """The ceiling of failures on this identifier is reached: no password is checked any more,
    the page offers the one-time link by e-mail instead (sign_in_link_views.py)."""
    log.info("Plafond d'échecs atteint pour un identifiant : lien de connexion proposé")
    page = render_template("accounts/login.html", form=form, error=None, offer_link=True)
    return page, 429, {"Retry-After": str(refusal.retry_after)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        # DataRequired: a validated form has both
        assert form.identifier.data is not None
        assert form.password.data is not None
        account = find_by_identifier(db.session(), form.identifier.data)
        with login_limits.answering() as limits:
            attempt = limits.reserve(
                limits.password_buckets(
                    current_settings(), form.identifier.data, account, request.remote_addr
                )
            )
        if isinstance(attempt, login_limits.Refusal):
            if attempt.bucket == login_limits.IDENTIFIER:
                return _offer_sign_in_link(form, attempt)
            return _too_many(attempt, "accounts/login.html", form=form)
        try:
            result = check_password(account, form.password.data, current_passwords())
        except BaseException:
            attempt.release()  # not a failed password: the check itself did not finish
            raise
        if result.outcome is LoginOutcome.OK:
            attempt.release()  # only failures count
            user = result.user
            assert user is not None  # an OK outcome always carries its user
            if user.two_factor_enabled:
                _start_second_step(user, safe_next(request.args.get("next")))
                log.info("Mot de passe vérifié, code demandé : utilisateur id=%s", user.id)
                return redirect(url_for("auth.two_factor"))
            audit.record(
                db.session(),
                AuditAction.LOGIN,
                as_actor(user, request.remote_addr, g.get("request_id")),
                **audit.about(user),
            )
            login_user(user)
            log.info("Connexion réussie : utilisateur id=%s", user.id)
            return redirect(safe_next(request.args.get("next")) or _landing(user))
        db.session.rollback()
        target = result.user
        audit.record_now(
            db.session(),
            AuditAction.LOGIN_FAILED,
            current_actor(),
            subject_id=target.id if target else None,
            subject_code=target.code if target else None,
            detail={"reason": result.outcome.value if target else "unknown_identifier"},
        )
        if result.outcome is LoginOutcome.INACTIVE:
            error = _("Ce compte est désactivé. Contactez l'administration de Talento.")
            status = 403
        else:
            error = _("Identifiant ou mot de passe incorrect.")
            status = 401
        log.info("Échec de connexion (%s)", result.outcome.value)
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form, error=error), status


# -- second step --------------------------------------------------------------------------------


def _start_second_step(user: User, next_url: str | None, via: str | None = None) -> None:
    """`via` names a first step other than the password (the e-mailed link), for the audit."""
    session.pop(PENDING_KEY, None)
    session[PENDING_KEY] = {
        "uid": user.id,
        "sv": user.session_version,
        "at": int(time.time()),
        "next": next_url,
    }
    if via is not None:
        session[PENDING_KEY]["via"] = via


def _pending_state() -> dict | None:
    """The half-done login, if well formed and not older than PENDING_LOGIN_SECONDS."""
    state = session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    if not all(isinstance(state.get(key), int) for key in ("uid", "sv", "at")):
        return None
    if not 0 <= time.time() - state["at"] <= two_factor.PENDING_LOGIN_SECONDS:
        return None
    return state


def _pending_user(state: dict | None) -> User | None:
    """The account still waiting: same session version (no password change since), active,
    and still with 2FA (not reset by the operator meanwhile)."""
    if state is None:
        return None
    user = db.session.get(User, state["uid"])
    if (
        user is None
        or user.session_version != state["sv"]
        or not user.is_active_account
        or not user.two_factor_enabled
    ):
        return None
    return user


@bp.route("/2fa", methods=["GET", "POST"], endpoint="two_factor")
def two_factor_step():
    """The code (or a recovery code) after a correct password."""
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    state = _pending_state()
    user = _pending_user(state)
    recovery = request.args.get("recovery") == "1"
    if user is None:
        session.pop(PENDING_KEY, None)
        status = 400 if request.method == "POST" else 200
        return render_template("accounts/two_factor_login.html", expired=True), status
    assert state is not None  # a pending user comes from a pending state
    form = SecondStepForm()
    error = None
    status = 200
    if form.validate_on_submit():
        with login_limits.answering() as limits:
            attempt = limits.reserve(
                limits.second_step_buckets(current_settings(), user.id, request.remote_addr)
            )
        if isinstance(attempt, login_limits.Refusal):
            return _too_many(
                attempt,
                "accounts/two_factor_login.html",
                form=form,
                expired=False,
                recovery=recovery,
            )
        actor = as_actor(user, request.remote_addr, g.get("request_id"))
        assert form.code.data is not None  # DataRequired: a validated form has it
        try:
            used = two_factor.verify_second_factor(db.session(), user, form.code.data, actor)
        except BaseException:
            attempt.release()
            raise
        if used is not None:
            attempt.release()
            return _finish_login(user, used, state)
        db.session.rollback()
        audit.record_now(
            db.session(),
            AuditAction.LOGIN_FAILED,
            current_actor(),
            **audit.about(user),
            detail={"reason": "totp"},
        )
        log.info("Échec de connexion (code de vérification)")
        error = _("Code incorrect ou déjà utilisé. Réessayez avec le code affiché maintenant.")
        status = 401
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "accounts/two_factor_login.html",
            form=form,
            error=error,
            expired=False,
            recovery=recovery,
        ),
        status,
    )


def _via(state: dict) -> dict:
    return {"via": VIA_EMAIL_LINK} if state.get("via") == VIA_EMAIL_LINK else {}


def _finish_login(user: User, used: two_factor.SecondFactor, state: dict):
    user.last_login_at = utcnow()
    audit.record(
        db.session(),
        AuditAction.LOGIN,
        as_actor(user, request.remote_addr, g.get("request_id")),
        detail={"second_factor": used.value, **_via(state)},
        **audit.about(user),
    )
    left = None
    if used is two_factor.SecondFactor.RECOVERY_CODE:
        left = two_factor.remaining_recovery_codes(db.session(), user)
    session.pop(PENDING_KEY, None)
    login_user(user)
    log.info("Connexion réussie (2FA %s) : utilisateur id=%s", used.value, user.id)
    if left is not None:
        flash(
            _(
                "Code de secours accepté : il ne servira plus. Il vous en reste %(left)s. "
                "Générez-en de nouveaux depuis « Sécurité du compte » si besoin.",
                left=left,
            ),
            "warning",
        )
    return redirect(safe_next(state.get("next")) or _landing(user))


@bp.post("/logout")
@login_required
def logout():
    """Ends the session on the server too: ``user_logged_out`` deletes its row."""
    logout_user()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


#: Landing pages higher layers add for accounts without any capability: each takes the
#: account and returns a path or None (projects: a production company's own staff account
#: lands on its company's projects). Asked in order.
CAPABILITYLESS_LANDINGS: list[Callable[[User], str | None]] = []


def _landing(user: User) -> str:
    """Where a signed-in account starts: admins on the dashboard; casting staff without a
    talent profile of their own on the casting search; an account without any capability
    where a higher layer says (CAPABILITYLESS_LANDINGS); everyone else on their own space."""
    if user.is_admin:
        return url_for("admin.dashboard")
    if user.can(Capability.CASTING.value) and not user.can(Capability.TALENT.value):
        return url_for("casting_search.talents")
    if not user.capabilities:
        for landing_of in CAPABILITYLESS_LANDINGS:
            path = landing_of(user)
            if path:
                return path
    return url_for("profiles.me")


def landing(user: User) -> str:
    """Public name of :func:`_landing` (the home page sends signed-in people there too)."""
    return _landing(user)
