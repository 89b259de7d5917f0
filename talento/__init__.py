"""Talento: talent profiles for Morocco and Africa.

``create_app(settings)`` wires the application and does no I/O (tests pass their own Settings).
``create_app()`` without settings is the entry-point form (``app.py``, ``flask --app talento``):
it loads ``.env``, refuses to start on a bad configuration (exit status 2, every problem listed)
and runs the start-up checks (key canary, ADMIN_PASSWORD).
"""

from __future__ import annotations

import dataclasses
import sys
from typing import NoReturn

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


def boot(startup_checks: bool = True, long_jobs: bool = False) -> Flask:
    """Load .env, validate, build and (by default) run the start-up checks.

    Every entry point comes through here (app.py, `flask --app talento`, the `talento` data
    commands), so they all refuse the same way: the message on stderr, then exit status 2.
    ``long_jobs`` (the `talento` commands: backups, key re-encryption, migrations) lifts
    DATABASE_TIMEOUT, which bounds the web app's waits for the database.
    """
    from talento.keys.canary import KeyMismatchError
    from talento.logging import LogFileError
    from talento.ops.startup import run_startup_checks
    from talento.settings import ConfigError, load_dotenv_file
    from talento.web import build_app

    try:
        load_dotenv_file()
        settings = Settings.from_env()
        if long_jobs:
            settings = dataclasses.replace(settings, database_timeout=0.0)
        app = build_app(settings)
        if startup_checks:
            run_startup_checks(app, app.extensions["talento.keyring"])
    except (ConfigError, KeyMismatchError, LogFileError) as exc:
        refuse(str(exc))
    return app


def refuse(message: str) -> NoReturn:
    """Print why start-up stops and exit with status 2."""
    print(message, file=sys.stderr, flush=True)
    raise StartupRefused(message) from None
