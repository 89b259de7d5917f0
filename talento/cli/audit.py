"""`talento audit export` and `talento audit purge`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from talento.cli.base import data_app, main, unit_of_work


@main.group()
def audit() -> None:
    """Journal d'audit : export et purge."""


def _date_option(value: str | None):
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"date attendue au format AAAA-MM-JJ (reçu : {value!r})") from None


@audit.command("export")
@click.option("--since", "since", metavar="AAAA-MM-JJ", help="Événements depuis cette date (UTC).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Fichier à écrire (défaut : sortie standard).",
)
def audit_export(since: str | None, fmt: str, output: Path | None) -> None:
    """Exporte le journal d'audit en CSV ou en JSON (une ligne par événement)."""
    from talento.audit import services
    from talento.audit.models import AuditAction

    day = _date_option(since)
    app = data_app(check_keys=False)
    with unit_of_work(app) as session:
        if output is None:
            count = services.write_export(session, day, fmt, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = services.write_export(session, day, fmt, handle)
        services.record(
            session,
            AuditAction.AUDIT_EXPORT,
            services.SYSTEM,
            detail={"rows": count, "format": fmt, "since": day.isoformat() if day else None},
        )
    click.echo(f"✔ {count} événement(s) exporté(s).", err=True)


@audit.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Garder ce nombre de jours (défaut : AUDIT_RETENTION_DAYS, 365).",
)
def audit_purge(days: int | None) -> None:
    """Supprime les événements plus anciens que la durée de conservation."""
    from talento.audit import services
    from talento.extensions import db

    app = data_app(check_keys=False)
    retention = days or app.extensions["talento.settings"].audit_retention_days
    with app.app_context():
        removed = services.purge(db.session(), retention)
    click.echo(f"✔ {removed} événement(s) de plus de {retention} jours supprimé(s).")
