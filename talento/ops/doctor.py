"""`talento doctor`: the seed guide's "Diagnostic" section as one command.

One line per check with ✔ / ⚠ / ✖ and a French hint. Never prints a secret value.
Exit status 0 when there is no ✖, 1 otherwise.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from talento.password_rules import ADMIN_DEFAULT_PASSWORDS
from talento.settings import PROJECT_ROOT, REQUIRED_SECRETS, Problem, read_settings

OK, WARN, FAIL = "✔", "⚠", "✖"


@dataclass(frozen=True)
class Finding:
    status: str
    label: str
    hint: str = ""

    def render(self) -> str:
        hint = "\n      ".join(self.hint.splitlines())
        return f"{self.status} {self.label}" + (f"\n    → {hint}" if hint else "")

    @classmethod
    def of(cls, status: str, problem: Problem) -> Finding:
        return cls(status, problem.message, problem.fix)


def run_doctor(env: Mapping[str, str], env_file: Path | None, root: Path = PROJECT_ROOT):
    """The configuration as start-up reads it (same problems, same words), then what only a
    running system shows: .env rights, database, migrations, key canary, admin, files."""
    reading = read_settings(env)
    values = reading.values
    findings: list[Finding] = []
    add = findings.append

    for name in REQUIRED_SECRETS:
        if name in values:
            add(Finding(OK, f"{name} définie et valide"))
        findings += [Finding.of(FAIL, p) for p in reading.problems if p.variable == name]
    findings += [
        Finding.of(FAIL, p) for p in reading.problems if p.variable not in REQUIRED_SECRETS
    ]
    previous = values.get("ENCRYPTION_KEYS_PREVIOUS", ())
    if previous:
        add(Finding(OK, f"ENCRYPTION_KEYS_PREVIOUS : {len(previous)} ancienne(s) clé(s) valide(s)"))

    production = values.get("FLASK_ENV", "production") == "production"
    findings += _env_file_findings(env_file, root, production)

    if "DATABASE_URL" in values:  # else its problem is listed above
        findings += _database_findings(
            values["DATABASE_URL"], values.get("ENCRYPTION_KEY"), previous
        )

    base_url = values.get("BASE_URL")
    base_url_warnings = [w for w in reading.warnings if w.variable == "BASE_URL"]
    if base_url_warnings:
        findings += [Finding.of(WARN, warning) for warning in base_url_warnings]
    elif base_url is not None and base_url.startswith("https://"):
        add(Finding(OK, f"BASE_URL en https ({base_url})"))
    elif base_url is not None:
        add(Finding(OK, f"BASE_URL : {base_url} (développement)"))
    findings += [Finding.of(WARN, w) for w in reading.warnings if w.variable != "BASE_URL"]

    log_file = values.get("LOG_FILE")
    if log_file:
        findings.append(_log_file_finding(Path(log_file)))
    else:
        add(Finding(OK, "LOG_FILE non défini : journaux sur la sortie d'erreur (journalctl)"))
    if "UPLOAD_DIR" in values:
        findings.append(_upload_dir_finding(Path(values["UPLOAD_DIR"])))
    return findings


def _env_file_findings(env_file: Path | None, root: Path, production: bool) -> list[Finding]:
    """Secrets any local user can read, or that one `git add .` would publish: a blocking
    problem in production, a warning elsewhere (a developer's laptop)."""
    found: list[Finding] = []
    serious = FAIL if production else WARN
    if env_file is None or not env_file.is_file():
        found.append(
            Finding(
                WARN,
                "Aucun fichier .env trouvé (variables lues de l'environnement)",
                "Créez-le : talento init-env, ou à la main puis chmod 600 .env",
            )
        )
    else:
        mode = stat.S_IMODE(env_file.stat().st_mode)
        if mode & 0o004:
            found.append(
                Finding(
                    serious,
                    f".env lisible par tous les utilisateurs de la machine (mode {mode:o})",
                    f"chmod 600 {env_file}",
                )
            )
        elif mode & 0o077:
            found.append(
                Finding(
                    WARN,
                    f".env lisible par d'autres utilisateurs (mode {mode:o})",
                    f"chmod 600 {env_file}",
                )
            )
        else:
            found.append(Finding(OK, f".env protégé (mode {mode:o})"))
    gitignore = root / ".gitignore"
    if not gitignore.is_file() and not (root / ".git").exists():
        return found  # not a git checkout: nothing can commit the file by mistake
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.is_file() else []
    if ".env" in (line.strip() for line in lines):
        found.append(Finding(OK, ".env est listé dans .gitignore"))
    else:
        found.append(
            Finding(
                serious,
                ".env n'est pas listé dans .gitignore",
                "echo .env >> .gitignore (ne versionnez jamais vos secrets)",
            )
        )
    return found


def _database_findings(url: str, key: str | None, previous: tuple[str, ...]) -> list[Finding]:
    from talento.crypto import KeyRing
    from talento.keys.canary import canary_table_exists, check_canary, mismatch_message
    from talento.ops.checks import current_revisions, migration_heads

    found: list[Finding] = []
    sqlite_file = _missing_sqlite_file(url)
    if sqlite_file is not None:  # connecting would create an empty file: report instead
        found.append(
            Finding(FAIL, f"Base de données absente ({sqlite_file})", "python3 migrations_init.py")
        )
        return found
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            session.execute(text("SELECT 1"))
            found.append(
                Finding(OK, f"Base de données joignable ({engine.url.render_as_string()})")
            )
            heads, current = migration_heads(), current_revisions(session)
            if current == heads:
                found.append(Finding(OK, "Migrations à jour"))
            else:
                found.append(
                    Finding(FAIL, "Migrations en retard sur le code", "python3 migrations_init.py")
                )
                return found
            if key is None:  # its problem is listed above
                found.append(
                    Finding(FAIL, "Canari de clé non vérifiable sans ENCRYPTION_KEY valide")
                )
            elif canary_table_exists(session):
                keyring = KeyRing.from_keys(key, previous)
                report = check_canary(session, keyring)
                if report.ok:
                    found.append(Finding(OK, "Clé de chiffrement conforme aux données (canari)"))
                else:
                    found.append(
                        Finding(
                            FAIL,
                            "La clé ne lit pas les données de la base",
                            mismatch_message(report, keyring),
                        )
                    )
            found.append(_admin_finding(session))
    except SQLAlchemyError as exc:
        found.append(
            Finding(
                FAIL,
                f"Base de données injoignable ({type(exc).__name__})",
                "Vérifiez DATABASE_URL et que PostgreSQL tourne "
                "(sudo systemctl status postgresql).",
            )
        )
    finally:
        engine.dispose()
    return found


def _missing_sqlite_file(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if Path(parsed.database).exists() else parsed.database


def _admin_finding(session: Session) -> Finding:
    from talento.accounts.passwords import PasswordService
    from talento.accounts.services import ADMIN_CODE

    row = session.execute(
        text("SELECT password_hash FROM users WHERE code = :code"), {"code": ADMIN_CODE}
    ).first()
    if row is None:
        return Finding(FAIL, "Compte administrateur absent", "python3 migrations_init.py")
    passwords = PasswordService()
    for weak in sorted(ADMIN_DEFAULT_PASSWORDS):
        if passwords.verify(row[0], weak).ok:
            return Finding(
                FAIL,
                "Le mot de passe administrateur est un mot de passe connu",
                "Changez ADMIN_PASSWORD dans .env puis redémarrez, ou : talento admin set-password",
            )
    return Finding(OK, "Compte administrateur présent (mot de passe non trivial)")


def _log_file_finding(path: Path) -> Finding:
    parent = path.parent
    writable = (path.exists() and os.access(path, os.W_OK)) or (
        not path.exists() and parent.is_dir() and os.access(parent, os.W_OK)
    )
    if writable:
        return Finding(OK, f"LOG_FILE accessible en écriture ({path})")
    return Finding(
        FAIL,
        f"LOG_FILE non accessible en écriture ({path})",
        f"sudo mkdir -p {parent} && sudo chown $(whoami): {parent}",
    )


#: Below this, photos and CVs may soon fail with "espace disque insuffisant".
LOW_DISK_BYTES = 100 * 1024 * 1024


def _upload_dir_finding(path: Path) -> Finding:
    """Write and remove a 1-byte file where uploads go: as root, permission bits say nothing,
    and a full disk only shows when writing."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return Finding(
            FAIL,
            f"UPLOAD_DIR n'est pas un dossier ({existing})",
            f"Déplacez le fichier {existing} ou changez UPLOAD_DIR.",
        )
    hint = f"sudo mkdir -p {path} && sudo chown -R $(whoami): {path} && sudo chmod 750 {path}"
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".talento-doctor-")
        try:
            os.write(fd, b"\0")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return Finding(
                FAIL,
                f"UPLOAD_DIR : disque plein, photos et CV refusés ({path})",
                f"Libérez de la place : df -h {existing}",
            )
        return Finding(
            FAIL,
            f"UPLOAD_DIR non accessible en écriture ({path} : {exc.strerror})",
            hint,
        )
    free = shutil.disk_usage(existing).free
    if free < LOW_DISK_BYTES:
        return Finding(
            WARN,
            f"UPLOAD_DIR : peu d'espace disque ({free // (1024 * 1024)} Mo libres, {path})",
            f"Libérez de la place : df -h {existing}",
        )
    if existing != path:
        return Finding(OK, f"UPLOAD_DIR absent, créé au premier envoi ({path})")
    return Finding(OK, f"UPLOAD_DIR accessible en écriture ({path})")
