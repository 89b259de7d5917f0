"""Language choice: `?lang=` (remembered in a cookie), then the cookie, then Accept-Language.

French is the default; English is second. Source strings are written in French, so a string
missing from the English catalogue still shows in the platform's first language.
"""

from __future__ import annotations

from flask import g, has_request_context, request
from flask_babel import gettext, lazy_gettext, ngettext

SUPPORTED_LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "lang"

__all__ = ["gettext", "lazy_gettext", "ngettext", "select_locale", "SUPPORTED_LANGUAGES"]


def select_locale() -> str:
    if not has_request_context():  # CLI, services run from a command: the default language
        return DEFAULT_LANGUAGE
    asked = request.args.get("lang", "").lower()
    if asked in SUPPORTED_LANGUAGES:
        g.set_lang_cookie = asked
        return asked
    cookie = request.cookies.get(LANG_COOKIE, "").lower()
    if cookie in SUPPORTED_LANGUAGES:
        return cookie
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or DEFAULT_LANGUAGE


def remember_language(response):
    lang = g.pop("set_lang_cookie", None)
    if lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax")
    return response
