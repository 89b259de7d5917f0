"""`talento init-env`, `init-db` and `doctor`: a new machine, a schema, a check-up."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from talento import refuse
from talento.cli.base import data_app, main
from talento.settings import ConfigError, load_dotenv_file


@main.command("init-env")
@click.option(
    "--path",
    "path",
    type=click.Path(path_type=Path),
    default=None,
    help="Fichier à écrire (défaut : .env du dossier courant).",
)
def init_env(path: Path | None) -> None:
    """Écrit un nouveau .env (mode 600) avec des secrets fraîchement générés."""
    from talento.ops.envfile import EnvFileExists, write_new_env

    target = path or Path.cwd() / ".env"
    try:
        generated = write_new_env(target)
    except EnvFileExists as exc:
        click.echo(f"✖ {exc}", err=True)
        sys.exit(1)
    click.echo(f"✔ {generated.path} créé (mode 600).")
    click.echo(
        f"  Mot de passe administrateur (affiché une seule fois) : {generated.admin_password}"
    )
    click.echo("  Connexion : admin@talento.com ou MAN0001RAB.")
    click.echo("  Sauvegardez ENCRYPTION_KEY en lieu sûr : sans elle les données sont illisibles.")


@main.command("init-db")
def init_db_command() -> None:
    """Met le schéma à jour, charge les données de référence, crée l'admin et le canari."""
    from talento.keys.canary import KeyMismatchError
    from talento.ops.initdb import init_db

    app = data_app(check_keys=False)
    try:
        report = init_db(app)
    except KeyMismatchError as exc:
        refuse(str(exc))
    for line in report.lines:
        click.echo(line)
    click.echo(
        f"{report.changes} changement(s) appliqué(s)." if report.changes else "Aucun changement."
    )


@main.command()
def doctor() -> None:
    """Vérifie la configuration, la base, la clé et l'admin (une ligne par vérification)."""
    from talento.ops.doctor import FAIL, run_doctor

    try:
        env_path = load_dotenv_file()
    except ConfigError as exc:
        click.echo(f"✖ {exc.problems[0]}")
        sys.exit(1)
    findings = run_doctor(os.environ, env_path)
    for finding in findings:
        click.echo(finding.render())
    failed = sum(f.status == FAIL for f in findings)
    click.echo(f"{failed} problème(s) bloquant(s)." if failed else "Tout est en ordre.")
    sys.exit(1 if failed else 0)
