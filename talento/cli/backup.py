"""`talento backup` and `talento restore`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from talento.cli.base import data_app, main


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("octets", "Ko", "Mo", "Go"):
        if value < 1024 or unit == "Go":
            break
        value /= 1024
    text = f"{value:.0f}" if unit == "octets" else f"{value:.1f}".replace(".", ",")
    return f"{text} {unit}"


def _read_passphrase(path: Path | None, status: int) -> str | None:
    """The passphrase of --passphrase-file (warnings on stderr), or exit with `status`."""
    from talento.ops.backup_crypto import PassphraseError, read_passphrase_file

    if path is None:
        return None
    try:
        passphrase, warnings = read_passphrase_file(path)
    except PassphraseError as exc:
        click.echo(f"✖ {exc}", err=True)
        sys.exit(status)
    for warning in warnings:
        click.echo(f"⚠ {warning}", err=True)
    return passphrase


def _echo_tables(tables: dict[str, int]) -> None:
    for name, count in tables.items():
        click.echo(f"    {name} : {count}")


@main.command("backup")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier des archives (défaut : BACKUP_DIR, instance/backups).",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Chiffre l'archive avec la phrase de passe lue dans ce fichier (12 caractères minimum).",
)
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    default=None,
    help="Nombre d'archives gardées dans le dossier (défaut : BACKUP_KEEP, 14 ; 0 : toutes).",
)
def backup_command(output_dir: Path | None, passphrase_file: Path | None, keep: int | None) -> None:
    """Sauvegarde la base, les fichiers envoyés et un manifeste dans une archive."""
    from talento.ops.backup import BackupError, create_backup

    passphrase = _read_passphrase(passphrase_file, status=1)
    # No key refusal here: a backup is the first step of the lost-key procedure.
    app = data_app(check_keys=False)
    settings = app.extensions["talento.settings"]
    lost = _lost_key_fingerprints(app)
    try:
        report = create_backup(
            settings,
            output_dir=output_dir,
            passphrase=passphrase,
            keep=keep,
            lost_fingerprints=lost,
        )
    except BackupError as exc:
        click.echo(f"✖ Sauvegarde échouée : {exc}", err=True)
        sys.exit(1)
    for warning in report.warnings:
        click.echo(f"⚠ {warning}", err=True)
    kind = "chiffrée" if report.encrypted else "NON chiffrée"
    click.echo(f"✔ Archive écrite : {report.path}")
    click.echo(f"  Taille : {report.size} octets ({_human_size(report.size)}), {kind}.")
    heads = ", ".join(report.heads) or "aucune"
    click.echo(
        f"  Base {report.backend} (révision {heads}) : {sum(report.tables.values())} ligne(s)"
    )
    _echo_tables(report.tables)
    click.echo(f"  Fichiers envoyés : {report.files} ({_human_size(report.files_bytes)})")
    labels = [
        f"{fp} (ENCRYPTION_KEY actuelle)" if fp == report.primary_fingerprint else fp
        for fp in report.fingerprints
    ]
    click.echo(f"  Empreinte(s) de clé enregistrée(s) : {', '.join(labels)}")
    if report.lost_fingerprints:
        click.echo(
            f"⚠ Clé(s) perdue(s) {', '.join(report.lost_fingerprints)} : les valeurs qu'elles "
            "ont chiffrées sont dans l'archive mais illisibles sans elles (voir "
            "`talento keys adopt`).",
            err=True,
        )
    click.echo(
        "  Cette archive est illisible sans ENCRYPTION_KEY : gardez la clé (fichier .env) "
        "en lieu sûr, séparément des archives."
    )
    for path in report.deleted:
        click.echo(f"  Rotation : {path.name} supprimée.")


def _lost_key_fingerprints(app) -> frozenset[str]:
    """Keys recorded in the database that no configured key reads (empty on a new base)."""
    from talento.extensions import db
    from talento.keys.canary import canary_table_exists, check_canary

    with app.app_context():
        if not canary_table_exists(db.session()):
            return frozenset()
        unreadable = check_canary(db.session(), app.extensions["talento.keyring"]).unreadable
        db.session.remove()
    return frozenset(unreadable)


@main.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Fichier contenant la phrase de passe d'une archive chiffrée (.tar.enc).",
)
def restore_command(archive: Path, passphrase_file: Path | None) -> None:
    """Restaure une archive dans une base et un dossier de fichiers vides."""
    from talento.ops.backup import BackupError
    from talento.ops.restore import RestoreRefused, restore_backup

    passphrase = _read_passphrase(passphrase_file, status=2)
    # No key check here: the target database is empty; the archive's manifest is checked.
    app = data_app(check_keys=False)
    settings = app.extensions["talento.settings"]
    try:
        report = restore_backup(settings, archive, passphrase)
    except RestoreRefused as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except BackupError as exc:
        click.echo(f"✖ Restauration échouée : {exc}", err=True)
        sys.exit(1)
    for warning in report.warnings:
        click.echo(f"⚠ {warning}", err=True)
    click.echo(
        f"✔ Archive du {report.created_at} (Talento {report.app_version}) restaurée : base "
        f"{report.backend}, {sum(report.tables.values())} ligne(s)"
    )
    _echo_tables(report.tables)
    click.echo(f"  Fichiers envoyés : {report.files} ({_human_size(report.files_bytes)})")
    if report.needs_upgrade:
        click.echo(
            f"  Le schéma de l'archive ({', '.join(report.archive_heads) or 'aucun'}) est plus "
            f"ancien que celui du code ({', '.join(report.code_heads)}) : lancez "
            "`python3 migrations_init.py` avant de démarrer Talento."
        )
    click.echo("  Démarrez ensuite Talento (systemctl start talento).")
