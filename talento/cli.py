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
    from talento.keys.canary import KeyMismatchError
    from talento.ops.initdb import init_db

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
    from talento.keys.canary import canary_table_exists, check_canary
    from talento.keys.status import count_encrypted_values, lost_data_summary

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
        quarantined, flagged = lost_data_summary(db.session)
        if quarantined or flagged:
            click.echo(
                f"Après une adoption de clé : {quarantined} valeur(s) en quarantaine "
                f"(`talento keys recover` si l'ancienne clé est retrouvée), {flagged} compte(s) "
                "doivent encore ressaisir des données (/admin/lost-data)."
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
    from talento.keys.rotation import rotation_instructions

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
    from talento.keys.rotation import reencrypt, values_to_reencrypt

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
    from talento.keys.rotation import reindex_phones

    app = _app()
    with app.app_context():
        count = reindex_phones(db.session, app.extensions["talento.keyring"])
        db.session.commit()
    click.echo(f"✔ Index des téléphones recalculés : {count} compte(s) mis à jour.")


@keys.command("adopt")
@click.option(
    "--accept-data-loss",
    is_flag=True,
    help="Obligatoire : accepte d'effacer les valeurs qu'aucune clé configurée ne lit.",
)
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
def keys_adopt(accept_data_loss: bool, batch_size: int) -> None:
    """Ancienne clé définitivement perdue : adopte la clé configurée, efface seulement ce
    qu'aucune clé ne lit (gardé en quarantaine) et demande aux personnes de le ressaisir."""
    from talento.extensions import db
    from talento.keys.adoption import CONFIRMATION_WORD, NothingToAdopt, adopt, survey

    app = _app(check_keys=False)
    keyring = app.extensions["talento.keyring"]
    with app.app_context():
        found = survey(db.session, keyring)
        if not found.needed:
            click.echo(
                "✔ Rien à adopter : les clés configurées lisent le canari et toutes les "
                "valeurs. Aucune donnée n'a été touchée."
            )
            return
        click.echo(f"Clé configurée (ENCRYPTION_KEY) : {keyring.primary_fingerprint}")
        for fp in found.unreadable_canaries:
            click.echo(f"Clé perdue (connue de la base, absente de la configuration) : {fp}")
        click.echo(f"Valeurs lisibles, conservées : {found.readable}")
        for place, count in sorted(found.unreadable.items()):
            click.echo(f"Valeurs illisibles à effacer : {place} : {count}")
        click.echo(
            f"Total : {found.total_unreadable} valeur(s) illisible(s), "
            f"{len(found.affected_users)} compte(s) devront ressaisir des données."
        )
        if not accept_data_loss:
            click.echo(
                "✖ Rien n'a été modifié. Si l'ancienne clé est vraiment perdue (cherchez-la "
                "d'abord : ancien .env, gestionnaire de mots de passe, sauvegardes ; "
                "`talento keys fingerprint` reconnaît une clé), faites une sauvegarde "
                "(`talento backup`) puis relancez avec --accept-data-loss.",
                err=True,
            )
            sys.exit(1)
        click.echo(
            "Les valeurs illisibles seront effacées (gardées chiffrées en quarantaine : "
            "`talento keys recover` les remet si l'ancienne clé est retrouvée)."
        )
        typed = click.prompt(
            f"Pour confirmer, tapez {CONFIRMATION_WORD}", default="", show_default=False
        )
        if typed.strip() != CONFIRMATION_WORD:
            click.echo("✖ Confirmation absente : rien n'a été modifié.", err=True)
            sys.exit(1)
        with click.progressbar(
            length=found.total_unreadable + found.readable, label="Adoption", file=sys.stderr
        ) as bar:
            try:
                report = adopt(db.session, keyring, batch_size=batch_size, progress=bar.update)
            except NothingToAdopt:
                click.echo("✔ Rien à adopter : tout est devenu lisible entre-temps.")
                return
        _record_adoption(report)
    click.echo(
        f"✔ Clé {keyring.primary_fingerprint} adoptée. {report.cleared} valeur(s) effacée(s), "
        f"{report.flagged_users} compte(s) devront les ressaisir à leur prochaine connexion."
    )
    click.echo(
        "  Prévenez-les : page « Données à ressaisir » de l'administration (/admin/lost-data), "
        "bouton d'envoi de l'e-mail. L'application peut redémarrer."
    )


def _record_adoption(report) -> None:
    from talento.audit import services as audit
    from talento.audit.models import AuditAction
    from talento.extensions import db

    audit.record_now(
        db.session,
        AuditAction.KEY_ADOPTED,
        audit.SYSTEM,
        detail={"cleared": report.cleared, "users": report.flagged_users},
    )


@keys.command("recover")
def keys_recover() -> None:
    """L'ancienne clé est retrouvée après une adoption : lue sur l'entrée standard, elle
    remet les valeurs en quarantaine que les personnes n'ont pas encore ressaisies."""
    from talento.extensions import db
    from talento.keys.adoption import recover
    from talento.settings import is_valid_fernet_key

    key = sys.stdin.readline().strip()
    if key.startswith(("ENCRYPTION_KEY=", "ENCRYPTION_KEYS_PREVIOUS=")):
        key = key.split("=", 1)[1]
    if not is_valid_fernet_key(key):
        click.echo("✖ Ce n'est pas une clé Fernet valide (lue sur l'entrée standard).", err=True)
        sys.exit(1)
    app = _app()
    with app.app_context():
        report = recover(db.session, app.extensions["talento.keyring"], key)
    click.echo(
        f"✔ {report.restored} valeur(s) remise(s), {report.superseded} déjà ressaisie(s) par "
        f"la personne (sa nouvelle valeur est gardée), {report.still_unreadable} toujours "
        "illisible(s) avec cette clé."
    )
    sys.exit(0 if report.restored or report.superseded else 1)


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


@admin.command("reset-2fa")
@click.argument("identifier")
def admin_reset_2fa(identifier: str) -> None:
    """Désactive la double authentification d'un compte (téléphone et codes de secours perdus)."""
    from talento.accounts import two_factor
    from talento.accounts.services import find_by_identifier
    from talento.audit import services as audit
    from talento.extensions import db

    app = _app()
    with app.app_context():
        user = find_by_identifier(db.session, identifier)
        if user is None:
            click.echo(f"✖ Aucun compte pour « {identifier} » (e-mail ou code unique).", err=True)
            sys.exit(1)
        code = user.code
        if not two_factor.reset(db.session, user, audit.SYSTEM):
            click.echo(f"ℹ Double authentification non activée pour {code} : rien à faire.")
            return
        db.session.commit()
    click.echo(
        f"✔ Double authentification désactivée pour {code} : secret et codes de secours "
        "supprimés, sessions ouvertes fermées. La personne se connecte avec son seul mot de "
        "passe et peut la réactiver dans « Sécurité du compte »."
    )


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
    app = _app(check_keys=False)
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
        if not canary_table_exists(db.session):
            return frozenset()
        unreadable = check_canary(db.session, app.extensions["talento.keyring"]).unreadable
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
    app = _app(check_keys=False)
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


# --- talento lost-data: people asked to re-enter what a key adoption cleared ---------------


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

    app = _app()
    settings = app.extensions["talento.settings"]
    with app.app_context():
        report = notify_flagged(db.session, settings, audit.SYSTEM, batch_size=batch_size)
        remaining = not_yet_notified(db.session)
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
