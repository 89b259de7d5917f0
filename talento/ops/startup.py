"""Start-up checks run by every entry point (app, each gunicorn worker, data CLI commands)."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import OperationalError

from talento.accounts.services import apply_admin_password_if_changed
from talento.crypto import KeyRing
from talento.extensions import db
from talento.keys.canary import canary_table_exists, verify_keys_or_raise
from talento.ops.checks import current_revisions, migration_heads

log = logging.getLogger(__name__)


def run_startup_checks(app: Flask, keyring: KeyRing) -> None:
    """Refuse a key that cannot read the data (KeyMismatchError); apply a new ADMIN_PASSWORD.

    A database that does not answer does not stop start-up: pages answer 503 and /readyz says
    why until it comes back.
    """
    settings = app.extensions["talento.settings"]
    with app.app_context():
        session = db.session()
        try:
            if not canary_table_exists(session):
                log.warning(
                    "Base de données non initialisée : lancez `python3 migrations_init.py`."
                )
                return
            verify_keys_or_raise(session, keyring)
            if current_revisions(session) != migration_heads():
                session.rollback()
                log.warning(
                    "Schéma de base en retard sur le code : lancez `python3 migrations_init.py` "
                    "(ADMIN_PASSWORD sera appliqué ensuite)."
                )
                return
            if apply_admin_password_if_changed(
                session, settings.admin_password, app.extensions["talento.passwords"]
            ):
                session.commit()
                log.info("ADMIN_PASSWORD a changé : appliqué au compte administrateur.")
            else:
                session.rollback()
        except OperationalError as exc:
            session.rollback()
            log.error(
                "Base de données injoignable au démarrage (%s) : vérifiez DATABASE_URL.",
                type(exc.orig).__name__,
            )
        finally:
            db.session.remove()
