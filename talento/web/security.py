"""Security headers on every response, and the idle session timeout.

The Content-Security-Policy allows scripts, styles, fonts and frames from this site only: no
inline script or style anywhere in the pages (JavaScript lives in static/js, charts are SVG
styled by classes), so an injected ``<script>`` or ``style=`` does nothing. Views may set a
stricter policy of their own (the QR code SVG does); these are defaults.
"""

from __future__ import annotations

import time

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from talento.i18n import gettext as _
from talento.web.caching import apply_cache_policy

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: The camera stays allowed for this site (QR scanning on set, later); the rest is off.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
#: Seconds between two refreshes of the "last seen" mark (not one cookie per request).
_SEEN_RESOLUTION = 30


def add_security_headers(response, production: bool):
    """Headers every response carries; :mod:`talento.web.caching` says who may keep it."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if production and request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return apply_cache_policy(response)


def end_idle_session(idle_minutes: int):
    """Log out a session left unused for `idle_minutes` (0: never). Returns a redirect to the
    login page when the session just ended, else None. Health checks and static files never
    load the user: they must answer even while the database is down."""
    if request.blueprint == "ops" or request.endpoint == "static":
        return None
    if idle_minutes <= 0 or not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get("seen")
    if isinstance(seen, int) and now - seen > idle_minutes * 60:
        logout_user()
        session.clear()
        flash(_("Votre session a expiré après une période d'inactivité. Reconnectez-vous."), "info")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
    if not isinstance(seen, int) or now - seen >= _SEEN_RESOLUTION:
        session["seen"] = now
    return None
