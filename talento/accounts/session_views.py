"""The web side of server-side sessions (accounts/sessions.py).

- Every login, whatever its path (password, the two-factor step, registration, a future e-mailed
  link), goes through ``login_user``, whose ``user_logged_in`` signal records the session and
  puts its token in the cookie; ``user_logged_out`` (logout, idle timeout, account deletion)
  deletes the row, so a copy of the cookie taken before opens nothing afterwards.
- :func:`is_live` is what the user loader asks of every signed-in request.
- ``sessions.end_others``  POST  /account/sessions/end-others  "Déconnecter mes autres sessions"
  on the account security page.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, session, url_for
from flask_login import login_required, user_logged_in, user_logged_out

from talento.accounts import sessions
from talento.accounts.current import signed_in_user
from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.web import current_actor
from talento.context import current_settings
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import ngettext

bp = Blueprint("sessions", __name__, url_prefix="/account/sessions")
log = logging.getLogger(__name__)

#: Key of the session token in the signed cookie (its SHA-256 is the row's token_hash).
TOKEN_KEY = "sid"  # noqa: S105 - a session key name, not a secret


def _idle():
    return sessions.max_idle(current_settings().session_idle_minutes)


def is_live(user: User) -> bool:
    """Whether this request's cookie holds a live server-side session of `user`."""
    return sessions.live_session(db.session(), user.id, session.get(TOKEN_KEY), _idle()) is not None


def other_sessions(user: User) -> int:
    """How many other live sessions the account has (the account security page)."""
    return sessions.count_other_sessions(db.session(), user.id, session.get(TOKEN_KEY), _idle())


def _opened(sender, user: User, **extra) -> None:
    """A login: a new row and a new token (a token the browser had before is ended first)."""
    sessions.close_session(db.session(), session.pop(TOKEN_KEY, None))
    session[TOKEN_KEY] = sessions.open_session(db.session(), user.id, _idle())


def _closed(sender, user: User, **extra) -> None:
    sessions.close_session(db.session(), session.pop(TOKEN_KEY, None))


user_logged_in.connect(_opened)
user_logged_out.connect(_closed)


@bp.post("/end-others")
@login_required
def end_others():
    """End every other session of the account; this one stays signed in. (CSRFProtect checks
    the form's token before any view.)"""
    user = signed_in_user()
    ended = sessions.end_other_sessions(db.session(), user.id, session.get(TOKEN_KEY), _idle())
    audit.record(
        db.session(),
        AuditAction.OTHER_SESSIONS_ENDED,
        current_actor(),
        detail={"ended": ended},
        **audit.about(user),
    )
    log.info("Autres sessions fermées : utilisateur id=%s, %s session(s)", user.id, ended)
    if ended:
        message = ngettext(
            "%(num)d autre session fermée. Vous restez connecté ici.",
            "%(num)d autres sessions fermées. Vous restez connecté ici.",
            ended,
        )
        flash(message, "success")
    else:
        flash(_("Aucune autre session n'était ouverte."), "info")
    return redirect(url_for("two_factor.settings"))
