"""Language choice: `?lang=` (remembered in a cookie), then the cookie, then Accept-Language.

French is the default; English is second. Source strings are written in French, so a string
missing from the English catalogue still shows in the platform's first language.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import g, has_request_context, request
from flask_babel import gettext, lazy_gettext, ngettext

SUPPORTED_LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

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


def compiled_translations(source: Path | None = None) -> Path:
    """The catalogue directory to serve, every .mo at least as new as its .po.

    Only `make install` compiles them (the .mo are not versioned): a clone served directly
    would otherwise speak French to everyone. Missing or stale ones are compiled here, next
    to the .po when the folder is writable, else into a private temporary copy.
    """
    source = source or TRANSLATIONS_DIR
    stale = [
        po
        for po in sorted(source.glob("*/LC_MESSAGES/messages.po"))
        if not po.with_suffix(".mo").is_file()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return source
    try:
        for po in stale:
            _compile(po, po.with_suffix(".mo"))
        return source
    except OSError:  # read-only install: compile every catalogue elsewhere
        target = Path(tempfile.mkdtemp(prefix="talento-translations-"))
        for po in source.glob("*/LC_MESSAGES/messages.po"):
            mo = target / po.relative_to(source).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            _compile(po, mo)
        return target


def _compile(po: Path, mo: Path) -> None:
    """Write `mo` atomically: several gunicorn workers may compile the same file at once."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=po.parent.parent.name)
    fd, partial = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalogue)
        os.replace(partial, mo)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
