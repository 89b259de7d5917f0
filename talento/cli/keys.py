"""`talento keys …`: fingerprints, status, rotation, re-encryption, adoption, recovery."""

from __future__ import annotations

import sys

import click

from talento.cli.base import data_app, main, unit_of_work


@main.group()
def keys() -> None:
    """Clés de chiffrement : empreintes et état des données chiffrées."""


@keys.command("status")
def keys_status() -> None:
    """Empreintes configurées et connues, et nombre de valeurs lisibles par clé.

    Code de sortie 1 si une clé connue de la base manque ou si des valeurs sont illisibles
    (comptées par colonne, jamais affichées), 0 si tout est lisible."""
    from talento.extensions import db
    from talento.keys.canary import canary_table_exists, check_canary
    from talento.keys.status import count_encrypted_values, lost_data_summary

    app = data_app(check_keys=False)
    keyring = app.extensions["talento.keyring"]
    with app.app_context():
        click.echo(f"Clé courante (ENCRYPTION_KEY) : {keyring.primary_fingerprint}")
        for fp in keyring.fingerprints[1:]:
            click.echo(f"Ancienne clé (ENCRYPTION_KEYS_PREVIOUS) : {fp}")
        if not canary_table_exists(db.session()):
            click.echo("Base non initialisée : python3 migrations_init.py")
            sys.exit(1)
        report = check_canary(db.session(), keyring)
        for fp in report.recorded:
            state = (
                "lisible" if fp not in report.unreadable else "ILLISIBLE avec les clés configurées"
            )
            click.echo(f"Clé connue de la base : {fp} ({state})")
        totals = [0, 0, 0]
        for place, counts in count_encrypted_values(db.session(), keyring).items():
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
        if totals[2]:
            click.echo(
                f"✖ {totals[2]} valeur(s) illisible(s) avec les clés configurées : elles "
                "s'affichent « Donnée indisponible » et restent telles quelles en base "
                "(enregistrer un formulaire ne les efface pas ; seule une nouvelle valeur saisie "
                "les remplace). Retrouvez la clé qui les a chiffrées (ENCRYPTION_KEYS_PREVIOUS) ; "
                "si elle est perdue pour de bon : `talento keys adopt`."
            )
        quarantined, flagged = lost_data_summary(db.session())
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

    app = data_app()
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

    app = data_app()
    keyring = app.extensions["talento.keyring"]
    with app.app_context():
        total = values_to_reencrypt(db.session(), keyring)
        click.echo(f"{total} valeur(s) à rechiffrer avec la clé {keyring.primary_fingerprint}.")
        with click.progressbar(length=total, label="Rechiffrement", file=sys.stderr) as bar:
            report = reencrypt(db.session(), keyring, batch_size=batch_size, progress=bar.update)
    click.echo(
        f"✔ {report.reencrypted} rechiffrée(s), {report.skipped_changed} déjà réécrite(s) par "
        f"l'application, {report.unreadable} illisible(s), {report.remaining} restante(s)."
    )
    if report.previous_keys_removable:
        click.echo(
            "Plus aucune donnée ne dépend des anciennes clés : vous pouvez maintenant retirer "
            "l'ancienne clé de ENCRYPTION_KEYS_PREVIOUS dans .env (vider la ligne) puis "
            "redémarrer.\nGardez-en une copie hors du serveur : les sauvegardes faites avant "
            "la rotation restent chiffrées avec elle."
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
    from talento.keys.rotation import reindex_phones

    app = data_app()
    with unit_of_work(app) as session:
        count = reindex_phones(session, app.extensions["talento.keyring"])
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

    app = data_app(check_keys=False)
    keyring = app.extensions["talento.keyring"]
    with app.app_context():
        found = survey(db.session(), keyring)
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
                report = adopt(db.session(), keyring, batch_size=batch_size, progress=bar.update)
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
        db.session(),
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
    app = data_app()
    with app.app_context():
        report = recover(db.session(), app.extensions["talento.keyring"], key)
    click.echo(
        f"✔ {report.restored} valeur(s) remise(s), {report.superseded} déjà ressaisie(s) par "
        f"la personne (sa nouvelle valeur est gardée), {report.still_unreadable} toujours "
        "illisible(s) avec cette clé."
    )
    sys.exit(0 if report.restored or report.superseded else 1)
