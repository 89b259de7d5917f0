"""`talento db upgrade` and `talento db check` (Alembic)."""

from __future__ import annotations

import click

from talento.cli.base import data_app, main


@main.group("db")
def db_group() -> None:
    """Migrations du schéma (Alembic)."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Applique les migrations jusqu'à la dernière version."""
    from flask_migrate import upgrade

    app = data_app(check_keys=False)
    with app.app_context():
        upgrade()
    click.echo("✔ Schéma à jour.")


@db_group.command("check")
def db_check() -> None:
    """Vérifie que les modèles et les migrations concordent (alembic check)."""
    from flask_migrate import check

    app = data_app(check_keys=False)
    with app.app_context():
        check()
