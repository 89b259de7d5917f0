"""`talento seed-demo`: demo talents for a showcase or a load test, never in production by
accident.

One unit of work: the whole load commits at the end or not at all (an interrupted run leaves
neither rows nor photos behind); PostgreSQL holds 100,000 inserted rows in one transaction
without trouble.
"""

from __future__ import annotations

import sys
import time

import click

from talento.cli.base import data_app, main, unit_of_work


@main.command("seed-demo")
@click.option(
    "--users", "count", type=click.IntRange(1, 1_000_000), default=None,
    help="Nombre de profils de démonstration à créer.",
)  # fmt: skip
@click.option(
    "--cinema", type=click.IntRange(1, 1_000_000), default=None,
    help="Donne un profil CINEMA (casting) à N talents de démonstration qui n'en ont pas.",
)  # fmt: skip
@click.option("--country", default="MA", show_default=True, help="Pays de résidence (ISO-2).")
@click.option("--seed", type=int, default=None, help="Graine du hasard (données reproductibles).")
@click.option("--remove", is_flag=True, help="Supprime tous les profils de démonstration.")
@click.option("--force", is_flag=True, help="Accepte de s'exécuter avec FLASK_ENV=production.")
def seed_demo(
    count: int | None, cinema: int | None, country: str, seed: int | None, remove: bool, force: bool
) -> None:
    """Crée des profils de démonstration complets et publics (photo dessinée localement,
    e-mail en @demo.talento.invalid, aucun mot de passe utilisable), ou les supprime."""
    from talento.profiles.demo import DEMO_DOMAIN, remove_demo

    if count is None and cinema is None and not remove:
        click.echo("✖ Indiquez --users N (profils à créer), --cinema N ou --remove.", err=True)
        sys.exit(1)
    app = data_app()
    settings = app.extensions["talento.settings"]
    if settings.production and not force:
        click.echo(
            "✖ Refusé : FLASK_ENV=production. Des profils de démonstration mélangés aux vrais "
            "talents tromperaient les recruteurs. Relancez avec --force si c'est voulu "
            "(une base de recette, par exemple).",
            err=True,
        )
        sys.exit(1)
    if remove:
        with unit_of_work(app) as session:
            removed = remove_demo(session, settings.upload_dir)
        click.echo(f"✔ {removed} profil(s) de démonstration supprimé(s) (@{DEMO_DOMAIN}).")
        if count is None and cinema is None:
            return

    if count is not None:
        _seed_talents(app, settings, count, country, seed)
    if cinema is not None:
        _seed_cinema(app, settings, cinema, seed)


def _seed_cinema(app, settings, count: int, seed: int | None) -> None:
    from talento.casting.demo import seed_casting

    def progress(done: int) -> None:
        if done % 20_000 == 0:
            click.echo(f"  … {done} profils CINEMA")

    started = time.perf_counter()
    with unit_of_work(app) as session:
        created = seed_casting(session, settings.upload_dir, count, seed=seed, progress=progress)
    seconds = time.perf_counter() - started
    click.echo(f"✔ {created} profil(s) CINEMA de démonstration créé(s) en {seconds:.1f} s.")


def _seed_talents(app, settings, count: int, country: str, seed: int | None) -> None:
    from talento.profiles.demo import UnknownCountry
    from talento.profiles.demo import seed_demo as seed_talents

    def progress(done: int) -> None:
        if done % 10_000 == 0 or done == count:
            click.echo(f"  … {done}/{count}")

    started = time.perf_counter()
    try:
        with unit_of_work(app) as session:
            report = seed_talents(
                session, settings.upload_dir, count, country, seed=seed, progress=progress
            )
    except UnknownCountry:
        click.echo(f"✖ Pays inconnu ou sans ville : {country}.", err=True)
        sys.exit(1)
    seconds = time.perf_counter() - started  # the commit included
    rate = report.created / max(seconds, 1e-6)
    click.echo(
        f"✔ {report.created} profil(s) de démonstration créé(s) en {seconds:.1f} s "
        f"({rate:.0f} profils/s), codes {report.first_code} à {report.last_code}, "
        f"{report.photos_drawn} avatar(s) dessiné(s)."
    )
