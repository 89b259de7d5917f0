"""Who may keep a copy of a response: the one place that sets ``Cache-Control``.

Private unless known public. Every response gets ``Cache-Control: private, no-store`` (no
browser, proxy or CDN keeps a copy, nothing stays on a shared computer's disk) unless all of:

- its endpoint is in :data:`PUBLIC_ENDPOINTS`: pages that are the same for every visitor and
  name nobody (the login and registration forms, the legal pages, robots.txt, the sitemap, the
  icons and manifest, reference data);
- the request carries no login (no Flask-Login user id in the session, no remember cookie);
- the response does not change the session (a login, a logout, a new CSRF token, a flash
  message): a response that sets the session cookie must never be handed to someone else.

So the pages behind a login, the admin pages, exports, CVs, photos, QR codes, the public profile
pages, the directory and the home page (it shows the newest talents' names and photos) are all
``no-store``, and a new view is private until someone decides
otherwise here. Public profile pages (and photos, and the directory) are public but carry a
person's name, face and bio: the talent may unpublish or the account be deactivated at any
moment, and that must take effect at once, not when some cache's copy expires; a page rendered
per request costs one query. Static files, signed in or not, keep their caching (Flask's
conditional requests, nginx's ``expires 7d``); :data:`PUBLIC_CACHE_CONTROL` gives public
reference data its lifetime. The sitemap lists talents' addresses (no name, no photo) for
crawlers: an hour's copy at most, and an unpublished profile's address then answers 404.

No ``Pragma: no-cache``: RFC 9111 deprecates it and caches obey ``Cache-Control``.

Decided without the database: the session cookie is already decoded, and nothing here loads the
user, so this also holds for the error pages of a database outage.
"""

from __future__ import annotations

from flask import current_app, request, session

NO_STORE = "private, no-store"

#: Endpoints whose answer to a visitor who is not signed in is the same for everyone and
#: carries nobody's data. Anything else is private.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "registration.register",
        "reset.forgot",
        "geo.cities",
        "ops.healthz",
        "ops.readyz",
        "legal.notice",
        "legal.privacy",
        "legal.terms",
        "legal.cookies",
        "pages.robots",
        "pages.sitemap",
        "pages.sitemap_part",
        "pages.manifest",
        "pages.favicon",
        "badges.keys",
        "scanner.manifest",
        "scanner.worker",
    }
)
#: Lifetimes of public endpoints that are worth keeping (reference data changes rarely).
#: Public endpoints not listed keep what their view or Flask gives them.
PUBLIC_CACHE_CONTROL = {
    "geo.cities": "public, max-age=86400",
    "pages.robots": "public, max-age=86400",
    "pages.sitemap": "public, max-age=3600",
    "pages.sitemap_part": "public, max-age=3600",
    "pages.manifest": "public, max-age=86400",
    "pages.favicon": "public, max-age=604800",
    # The keys that verify badges: they change only with SECRET_KEY.
    "badges.keys": "public, max-age=3600",
    "scanner.manifest": "public, max-age=86400",
    # The scanner's service worker: checked at every visit, so a fix reaches the phones.
    "scanner.worker": "no-cache",
}


def apply_cache_policy(response):
    """Set the response's ``Cache-Control`` (after the view, before the session is saved)."""
    if _is_private():
        response.headers["Cache-Control"] = NO_STORE
        response.headers.pop("Expires", None)  # send_file's, from a max_age
        return response
    lifetime = PUBLIC_CACHE_CONTROL.get(request.endpoint or "")
    if lifetime is not None:
        response.headers["Cache-Control"] = lifetime
    return response


def _is_private() -> bool:
    if request.endpoint == "static":  # the same files for everyone, signed in or not
        return False
    return (
        request.endpoint not in PUBLIC_ENDPOINTS
        or signed_in_session()
        # `modified`, not `accessed`: nearly every page reads the session (current_user)
        or session.modified
    )


def signed_in_session() -> bool:
    """Whether the request comes with a login, without loading the user (no query).

    ``in`` on the session does not mark it accessed (no ``Vary: Cookie`` for nothing). A
    session whose user no longer exists still counts: private is the safe side.
    """
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or remember_cookie in request.cookies
