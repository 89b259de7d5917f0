"""What the current request or command runs with: its settings, services and language.

One place instead of a ``_settings()`` / ``_lang()`` copy in every view module. It sits at the
foundation (it imports nothing of Talento's but the i18n defaults) so domain views may use it
without reaching up into ``talento.web``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import get_locale

from talento.i18n import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from talento.accounts.passwords import PasswordService
    from talento.crypto import KeyRing
    from talento.settings import Settings


def current_settings() -> Settings:
    """The frozen Settings the running app was built with."""
    return current_app.extensions["talento.settings"]


def current_passwords() -> PasswordService:
    """The password service (Argon2id at the configured parameters)."""
    return current_app.extensions["talento.passwords"]


def current_keyring() -> KeyRing:
    """The encryption key ring the app was built with."""
    return current_app.extensions["talento.keyring"]


def current_language() -> str:
    """The page's language code ("fr", "en"); French outside a request."""
    return str(get_locale() or DEFAULT_LANGUAGE)
