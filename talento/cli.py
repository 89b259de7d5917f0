"""The `talento` command group. Commands that touch data refuse a bad configuration or a
wrong encryption key exactly as the web app does (exit status 2)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from talento import boot, refuse
from talento.settings import ConfigError, load_dotenv_file


def _app(check_keys: bool = True):
    """Build the app for a data command; with check_keys, run the start-up checks too."""
    return boot(startup_checks=check_keys)


@click.group(help="Talento : commandes d'exploitation.")
def main() -> None:
    pass


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
    from talento.ops.initdb import init_db
    from talento.ops.keys import KeyMismatchError

    app = _app(check_keys=False)
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


@main.group()
def keys() -> None:
    """Clés de chiffrement : empreintes et état des données chiffrées."""


@keys.command("status")
def keys_status() -> None:
    """Empreintes configurées et connues, et nombre de valeurs lisibles par clé."""
    from talento.extensions import db
    from talento.ops.keys import canary_table_exists, check_canary, count_encrypted_values

    app = _app(check_keys=False)
    keyring = app.extensions["talento.keyring"]
    with app.app_context():
        click.echo(f"Clé courante (ENCRYPTION_KEY) : {keyring.primary_fingerprint}")
        for fp in keyring.fingerprints[1:]:
            click.echo(f"Ancienne clé (ENCRYPTION_KEYS_PREVIOUS) : {fp}")
        if not canary_table_exists(db.session):
            click.echo("Base non initialisée : python3 migrations_init.py")
            sys.exit(1)
        report = check_canary(db.session, keyring)
        for fp in report.recorded:
            state = (
                "lisible" if fp not in report.unreadable else "ILLISIBLE avec les clés configurées"
            )
            click.echo(f"Clé connue de la base : {fp} ({state})")
        totals = [0, 0, 0]
        for place, counts in count_encrypted_values(db.session, keyring).items():
            click.echo(
                f"  {place} : {counts.current} avec la clé courante, {counts.previous} avec une "
                f"ancienne clé seulement, {counts.unreadable} illisibles"
            )
            totals = [
                totals[0] + counts.current,
                totals[1] + counts.previous,
                totals[2] + counts.unreadable,
            ]
        click.echo(
            f"Total : {totals[0]} clé courante, {totals[1]} ancienne clé seulement, "
            f"{totals[2]} illisibles."
        )
    sys.exit(0 if report.ok and totals[2] == 0 else 1)


@keys.command("fingerprint")
def keys_fingerprint() -> None:
    """Empreinte d'une clé lue sur l'entrée standard (pour retrouver l'ancienne clé)."""
    from talento.crypto import fingerprint
    from talento.settings import is_valid_fernet_key

    key = sys.stdin.readline().strip()
    if key.startswith("ENCRYPTION_KEY="):
        key = key.split("=", 1)[1]
    if not is_valid_fernet_key(key):
        click.echo("✖ Ce n'est pas une clé Fernet valide.", err=True)
        sys.exit(1)
    click.echo(fingerprint(key))


@keys.command("rotate")
def keys_rotate() -> None:
    """Génère une nouvelle clé et affiche la modification exacte du .env."""
    from talento.crypto import fingerprint
    from talento.ops.rotation import rotation_instructions

    app = _app()
    settings = app.extensions["talento.settings"]
    new_key, lines = rotation_instructions(
        settings.encryption_key, settings.encryption_keys_previous
    )

    click.echo(f"Nouvelle clé (empreinte {fingerprint(new_key)}). Dans le fichier .env, remplacez")
    click.echo("les lignes ENCRYPTION_KEY et ENCRYPTION_KEYS_PREVIOUS par :\n")
    for line in lines:
        click.echo(f"    {line}")
    click.echo(
        "\nPuis redémarrez (systemctl restart talento) et lancez `talento keys reencrypt`.\n"
        "Gardez une copie de l'ancienne clé tant que reencrypt n'a pas dit qu'elle peut partir."
    )


@keys.command("reencrypt")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
def keys_reencrypt(batch_size: int) -> None:
    """Rechiffre toutes les valeurs, index et canari avec la clé courante (reprend où il
    s'est arrêté ; sans danger pendant que l'application sert)."""
    from talento.extensions import db
    from talento.ops.rotation import reencrypt, values_to_reencrypt

    app = _app()
    keyring = app.extensions["talento.keyring"]
    with app.app_context():
        total = values_to_reencrypt(db.session, keyring)
        click.echo(f"{total} valeur(s) à rechiffrer avec la clé {keyring.primary_fingerprint}.")
        with click.progressbar(length=total, label="Rechiffrement", file=sys.stderr) as bar:
            report = reencrypt(db.session, keyring, batch_size=batch_size, progress=bar.update)
    click.echo(
        f"✔ {report.reencrypted} rechiffrée(s), {report.skipped_changed} déjà réécrite(s) par "
        f"l'application, {report.unreadable} illisible(s), {report.remaining} restante(s)."
    )
    if report.previous_keys_removable:
        click.echo(
            "Plus aucune donnée ne dépend des anciennes clés : vous pouvez vider "
            "ENCRYPTION_KEYS_PREVIOUS dans .env puis redémarrer."
        )
    else:
        click.echo(
            "Gardez ENCRYPTION_KEYS_PREVIOUS : des valeurs en dépendent encore "
            "(relancez `talento keys reencrypt`, voir `talento keys status`)."
        )
        sys.exit(1)


@keys.command("reindex")
def keys_reindex() -> None:
    """Recalcule les index de recherche des téléphones (après un changement de clé)."""
    from talento.extensions import db
    from talento.ops.keys import reindex_phones

    app = _app()
    with app.app_context():
        count = reindex_phones(db.session, app.extensions["talento.keyring"])
        db.session.commit()
    click.echo(f"✔ Index des téléphones recalculés : {count} compte(s) mis à jour.")


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
    from talento.extensions import db

    day = _date_option(since)
    app = _app(check_keys=False)
    with app.app_context():
        if output is None:
            count = services.write_export(db.session, day, fmt, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = services.write_export(db.session, day, fmt, handle)
        services.record(
            db.session,
            AuditAction.AUDIT_EXPORT,
            services.SYSTEM,
            detail={"rows": count, "format": fmt, "since": day.isoformat() if day else None},
        )
        db.session.commit()
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

    app = _app(check_keys=False)
    retention = days or app.extensions["talento.settings"].audit_retention_days
    with app.app_context():
        removed = services.purge(db.session, retention)
    click.echo(f"✔ {removed} événement(s) de plus de {retention} jours supprimé(s).")


@main.group()
def admin() -> None:
    """Compte administrateur."""


@admin.command("set-password")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
def admin_set_password(password_stdin: bool) -> None:
    """Change le mot de passe du compte admin (met fin à ses autres sessions)."""
    from talento.accounts.services import get_admin, set_password
    from talento.audit import services as audit
    from talento.audit.models import AuditAction
    from talento.extensions import db
    from talento.settings import MIN_ADMIN_PASSWORD_LENGTH, WEAK_ADMIN_PASSWORDS

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt(
            "Nouveau mot de passe", hide_input=True, confirmation_prompt="Confirmez"
        )
    if len(password) < MIN_ADMIN_PASSWORD_LENGTH or password.lower() in WEAK_ADMIN_PASSWORDS:
        click.echo(
            f"✖ Mot de passe trop faible (minimum {MIN_ADMIN_PASSWORD_LENGTH} caractères, "
            "pas un mot de passe connu).",
            err=True,
        )
        sys.exit(1)
    app = _app()
    with app.app_context():
        user = get_admin(db.session)
        if user is None:
            click.echo("✖ Compte administrateur absent : python3 migrations_init.py", err=True)
            sys.exit(1)
        set_password(user, password, app.extensions["talento.passwords"])
        audit.record(
            db.session,
            AuditAction.PASSWORD_CHANGE,
            audit.SYSTEM,
            detail={"by": "cli"},
            **audit.about(user),
        )
        db.session.commit()
    click.echo("✔ Mot de passe administrateur changé. Les autres sessions admin sont fermées.")


@main.group()
def db() -> None:
    """Migrations du schéma (Alembic)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Applique les migrations jusqu'à la dernière version."""
    from flask_migrate import upgrade

    app = _app(check_keys=False)
    with app.app_context():
        upgrade()
    click.echo("✔ Schéma à jour.")


@db.command("check")
def db_check() -> None:
    """Vérifie que les modèles et les migrations concordent (alembic check)."""
    from flask_migrate import check

    app = _app(check_keys=False)
    with app.app_context():
        check()
