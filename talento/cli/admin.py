"""`talento admin set-password` and `talento admin reset-2fa`."""

from __future__ import annotations

import sys

import click

from talento.cli.base import data_app, main, unit_of_work


@main.group()
def admin() -> None:
    """Compte administrateur."""


@admin.command("set-password")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
def admin_set_password(password_stdin: bool) -> None:
    """Change le mot de passe du compte admin (met fin à ses autres sessions)."""
    from talento.accounts.password_policy import MIN_LENGTH, password_problem
    from talento.accounts.services import get_admin, set_password
    from talento.audit import services as audit
    from talento.audit.models import AuditAction

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt(
            "Nouveau mot de passe", hide_input=True, confirmation_prompt="Confirmez"
        )
    if password_problem(password) is not None:
        click.echo(
            f"✖ Mot de passe trop faible (minimum {MIN_LENGTH} caractères, "
            "pas un mot de passe connu).",
            err=True,
        )
        sys.exit(1)
    app = data_app()
    with unit_of_work(app) as session:
        user = get_admin(session)
        if user is None:
            click.echo("✖ Compte administrateur absent : python3 migrations_init.py", err=True)
            sys.exit(1)
        set_password(user, password, app.extensions["talento.passwords"])
        audit.record(
            session,
            AuditAction.PASSWORD_CHANGE,
            audit.SYSTEM,
            detail={"by": "cli"},
            **audit.about(user),
        )
    click.echo("✔ Mot de passe administrateur changé. Les autres sessions admin sont fermées.")


@admin.command("reset-2fa")
@click.argument("identifier")
def admin_reset_2fa(identifier: str) -> None:
    """Désactive la double authentification d'un compte (téléphone et codes de secours perdus)."""
    from talento.accounts import two_factor
    from talento.accounts.services import find_by_identifier
    from talento.audit import services as audit

    app = data_app()
    with unit_of_work(app) as session:
        user = find_by_identifier(session, identifier)
        if user is None:
            click.echo(f"✖ Aucun compte pour « {identifier} » (e-mail ou code unique).", err=True)
            sys.exit(1)
        code = user.code
        if not two_factor.reset(session, user, audit.SYSTEM):
            click.echo(f"ℹ Double authentification non activée pour {code} : rien à faire.")
            return
    click.echo(
        f"✔ Double authentification désactivée pour {code} : secret et codes de secours "
        "supprimés, sessions ouvertes fermées. La personne se connecte avec son seul mot de "
        "passe et peut la réactiver dans « Sécurité du compte »."
    )
