"""Talento: talent profiles for Morocco and Africa.

``create_app(settings)`` wires the application and does no I/O (tests pass their own Settings).
``create_app()`` without settings is the entry-point form (``app.py``, ``flask --app talento``):
it loads ``.env``, refuses to start on a bad configuration (exit status 2, every problem listed)
and runs the start-up checks (key canary, ADMIN_PASSWORD).
"""

from __future__ import annotations

import sys

from flask import Flask

from talento.settings import Settings


class StartupRefused(SystemExit):
    """Start-up must stop: exit status 2, message already printed to stderr."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(2)


def create_app(settings: Settings | None = None) -> Flask:
    if settings is None:
        return boot()
    from talento.web import build_app

    return build_app(settings)


def boot() -> Flask:
    """Load .env, validate, build, run the start-up checks; print and exit 2 on refusal."""
    from talento.crypto import KeyRing
    from talento.logging import LogFileError
    from talento.ops.keys import KeyMismatchError
    from talento.ops.startup import run_startup_checks
    from talento.settings import ConfigError, load_dotenv_file
    from talento.web import build_app

    try:
        load_dotenv_file()
        settings = Settings.from_env()
        app = build_app(settings)
        run_startup_checks(app, KeyRing.from_keys(*_keys(settings)))
    except (ConfigError, KeyMismatchError, LogFileError) as exc:
        message = str(exc)
        print(message, file=sys.stderr, flush=True)
        raise StartupRefused(message) from None
    return app


def _keys(settings: Settings) -> tuple[str, tuple[str, ...]]:
    return settings.encryption_key, settings.encryption_keys_previous
