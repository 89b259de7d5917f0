"""`talento lost-data notify`: tell the people a key adoption asked to re-enter data."""

from __future__ import annotations

import sys

import click

from talento.cli.base import data_app, main


@main.group("lost-data")
def lost_data() -> None:
    """Données perdues lors d'une adoption de clé : prévenir les personnes concernées."""


@lost_data.command("notify")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=50, show_default=True)
def lost_data_notify(batch_size: int) -> None:
    """Envoie l'e-mail « données à ressaisir » à chaque personne concernée qui ne l'a pas
    encore reçu (reprend où il s'est arrêté ; jamais deux fois à la même personne, même
    lancé deux fois en même temps)."""
    from talento.audit import services as audit
    from talento.extensions import db
    from talento.keys.reentry import not_yet_notified, notify_flagged

    app = data_app()
    settings = app.extensions["talento.settings"]
    with app.app_context():
        # A batch job: each person is claimed and committed before the mail (see notify_flagged)
        report = notify_flagged(db.session(), settings, audit.SYSTEM, batch_size=batch_size)
        remaining = not_yet_notified(db.session())
        db.session.remove()
    click.echo(
        f"✔ {report.sent} e-mail(s) « données à ressaisir » envoyé(s), {report.failed} "
        f"échec(s) ; {remaining} personne(s) encore à prévenir."
    )
    if report.failed:
        click.echo(
            "✖ Des envois ont échoué (voir le journal) : relancez `talento lost-data notify`.",
            err=True,
        )
        sys.exit(1)
