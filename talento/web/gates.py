"""The app-wide gates, registered here in the order they run on every request.

1. ``assign_request_id``: every request gets an id (logs, the X-Request-ID header).
2. ``refuse_unstorable_input``: a NUL (or a lone surrogate) anywhere in the request is a 400
   before anything reads the database, the user loader and CSRF included
   (``talento.web.input_guard``).
3. ``end_idle_sessions``: a session left unused for SESSION_IDLE_MINUTES is logged out first,
   so no later gate acts for someone who is no longer signed in.
4. ``require_admin_enrolment``: with ADMIN_2FA_REQUIRED, an admin without two-factor sees only
   the enrolment pages.
5. ``send_flagged_people_to_reentry``: after ``talento keys adopt``, someone whose data was lost
   re-enters it before anything else (two-factor set-up, when required, comes first).

Each gate lets through :data:`ALWAYS_REACHABLE` (leaving, static files, health checks) plus the
pages it sends people to. The domain packages say *whether* a person must do something
(``two_factor.must_enrol``, ``User.lost_fields``); this module says *where the request goes*.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, flash, g, redirect, request, url_for
from flask_login import current_user

from talento.accounts import two_factor
from talento.context import current_settings
from talento.i18n import SUPPORTED_LANGUAGES
from talento.i18n import gettext as _
from talento.web.input_guard import refuse_unstorable_input
from talento.web.security import end_idle_session

#: Endpoints every "finish this first" gate lets through: leaving, static files, health checks.
ALWAYS_REACHABLE = frozenset({"auth.logout", "static", "ops.healthz", "ops.readyz"})
#: The two-factor enrolment pages: open to an admin who must enrol, and to a flagged person
#: (two-factor set-up comes before the re-entry of lost data).
TWO_FACTOR_ENDPOINTS = frozenset(
    {
        "two_factor.settings",
        "two_factor.setup",
        "two_factor.disable",
        "two_factor.regenerate",
    }
)
#: The lost-data re-entry page.
REENTRY_ENDPOINTS = frozenset({"lost_data.reenter"})

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex[:16]


def end_idle_sessions():
    return end_idle_session(current_settings().session_idle_minutes)


def require_admin_enrolment():
    """ADMIN_2FA_REQUIRED: an admin without 2FA sees only the enrolment pages (and can log
    out). The language switch (`?lang=`) is carried over to the enrolment page."""
    endpoint = request.endpoint
    if not current_settings().admin_2fa_required or endpoint is None:
        return None
    if endpoint in ALWAYS_REACHABLE or endpoint in TWO_FACTOR_ENDPOINTS:
        return None
    if not current_user.is_authenticated or not two_factor.must_enrol(current_user, True):
        return None
    flash(
        _(
            "Par sécurité, les comptes administrateurs doivent activer la double "
            "authentification avant d'utiliser Talento. Activez-la ci-dessous."
        ),
        "warning",
    )
    lang = request.args.get("lang", "").lower()
    return redirect(
        url_for("two_factor.settings", lang=lang if lang in SUPPORTED_LANGUAGES else None)
    )


def send_flagged_people_to_reentry():
    endpoint = request.endpoint or ""
    if not endpoint or endpoint in ALWAYS_REACHABLE:
        return None
    if endpoint in REENTRY_ENDPOINTS or endpoint in TWO_FACTOR_ENDPOINTS:
        return None
    if not current_user.is_authenticated or not current_user.lost_fields:
        return None
    return redirect(url_for("lost_data.reenter"))


#: The gates, in the order they run.
GATES = (
    assign_request_id,
    refuse_unstorable_input,
    end_idle_sessions,
    require_admin_enrolment,
    send_flagged_people_to_reentry,
)


def register_gates(app: Flask) -> None:
    """Install the gates ahead of any other before-request function."""
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs[:0] = list(GATES)
