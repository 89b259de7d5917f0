"""Login and logout. The login path reads only email, code, password hash and status."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from talento.accounts.forms import LoginForm
from talento.accounts.models import User
from talento.accounts.services import LoginOutcome, authenticate
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.services import as_actor
from talento.audit.web import current_actor
from talento.extensions import db, limiter, login_manager
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l

bp = Blueprint("auth", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Session ids are "<user id>:<session version>"; a bumped version ends the session."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active_account:
        return None
    return user


def _settings():
    return current_app.extensions["talento.settings"]


def _identifier_key() -> str:
    """Rate-limit key per identifier, hashed so no email sits in the limiter storage."""
    identifier = request.form.get("identifier", "").strip().lower()
    return "login-id:" + hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:32]


def _login_failed(response) -> bool:
    return bool(g.get("login_failed"))


def safe_next(target: str | None) -> str | None:
    """Honour `next` only for a same-site relative path."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: _settings().login_limit_per_ip, methods=["POST"], deduct_when=_login_failed)
@limiter.limit(
    lambda: _settings().login_limit_per_identifier,
    key_func=_identifier_key,
    methods=["POST"],
    deduct_when=_login_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        result = authenticate(
            db.session,
            form.identifier.data,
            form.password.data,
            current_app.extensions["talento.passwords"],
        )
        if result.outcome is LoginOutcome.OK:
            audit.record(
                db.session,
                AuditAction.LOGIN,
                as_actor(result.user, request.remote_addr, g.get("request_id")),
                **audit.about(result.user),
            )
            db.session.commit()
            login_user(result.user)
            log.info("Connexion réussie : utilisateur id=%s", result.user.id)
            return redirect(safe_next(request.args.get("next")) or _landing(result.user))
        g.login_failed = True
        db.session.rollback()
        target = result.user
        audit.record_now(
            db.session,
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


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


def _landing(user: User) -> str:
    return url_for("admin.dashboard") if user.is_admin else url_for("profiles.me")
