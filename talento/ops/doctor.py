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

from talento.settings import (
    DEFAULT_BASE_URL,
    DEFAULT_DATABASE_URL,
    GENERATE_COMMANDS,
    PROJECT_ROOT,
    REQUIRED_SECRETS,
    WEAK_ADMIN_PASSWORDS,
    check_secret,
    is_valid_fernet_key,
    normalise_database_url,
)

OK, WARN, FAIL = "✔", "⚠", "✖"


@dataclass(frozen=True)
class Finding:
    status: str
    label: str
    hint: str = ""

    def render(self) -> str:
        return f"{self.status} {self.label}" + (f"\n    → {self.hint}" if self.hint else "")


def run_doctor(env: Mapping[str, str], env_file: Path | None, root: Path = PROJECT_ROOT):
    findings: list[Finding] = []
    add = findings.append

    for name in REQUIRED_SECRETS:
        problem = check_secret(name, (env.get(name) or "").strip())
        if problem:
            add(Finding(FAIL, problem, f"Générez une valeur : {GENERATE_COMMANDS[name]}"))
        else:
            add(Finding(OK, f"{name} définie et valide"))
    previous = [k.strip() for k in (env.get("ENCRYPTION_KEYS_PREVIOUS") or "").split(",")]
    previous = [k for k in previous if k]
    if any(not is_valid_fernet_key(k) for k in previous):
        add(
            Finding(
                FAIL,
                "ENCRYPTION_KEYS_PREVIOUS contient une clé invalide",
                "Clés Fernet de 44 caractères, séparées par des virgules.",
            )
        )
    elif previous:
        add(Finding(OK, f"ENCRYPTION_KEYS_PREVIOUS : {len(previous)} ancienne(s) clé(s) valide(s)"))

    findings += _env_file_findings(env_file, root)

    url = normalise_database_url((env.get("DATABASE_URL") or DEFAULT_DATABASE_URL).strip())
    findings += _database_findings(env, url, previous)

    base_url = (env.get("BASE_URL") or DEFAULT_BASE_URL).strip()
    production = (env.get("FLASK_ENV") or "production").strip().lower() == "production"
    if base_url.startswith("https://"):
        add(Finding(OK, f"BASE_URL en https ({base_url})"))
    elif production:
        add(
            Finding(
                WARN,
                f"BASE_URL n'est pas en https ({base_url}) alors que FLASK_ENV=production",
                "Configurez HTTPS dans nginx (certbot) et mettez BASE_URL=https://votre-domaine.",
            )
        )
    else:
        add(Finding(OK, f"BASE_URL : {base_url} (développement)"))

    log_file = (env.get("LOG_FILE") or "").strip()
    if log_file:
        findings.append(_log_file_finding(Path(log_file)))
    else:
        add(Finding(OK, "LOG_FILE non défini : journaux sur la sortie d'erreur (journalctl)"))
    upload_dir = root / ((env.get("UPLOAD_DIR") or "").strip() or "instance/uploads")
    findings.append(_upload_dir_finding(upload_dir))
    return findings


def _env_file_findings(env_file: Path | None, root: Path) -> list[Finding]:
    found: list[Finding] = []
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
        if mode & 0o077:
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
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.is_file() else []
    if ".env" in (line.strip() for line in lines):
        found.append(Finding(OK, ".env est listé dans .gitignore"))
    else:
        found.append(
            Finding(
                WARN,
                ".env n'est pas listé dans .gitignore",
                "echo .env >> .gitignore (ne versionnez jamais vos secrets)",
            )
        )
    return found


def _database_findings(env: Mapping[str, str], url: str, previous: list[str]) -> list[Finding]:
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
            key = (env.get("ENCRYPTION_KEY") or "").strip()
            if not is_valid_fernet_key(key):
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
    for weak in sorted(WEAK_ADMIN_PASSWORDS):
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
