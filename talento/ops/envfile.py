"""`talento init-env`: write a new `.env` with freshly generated secrets (mode 600).

Generated is not default: no secret is ever in the code, and an existing file is never
overwritten (it may hold the only copy of the ENCRYPTION_KEY that reads the data).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from talento.settings import DEFAULT_BASE_URL, DEFAULT_DATABASE_URL


class EnvFileExists(Exception):
    pass


@dataclass(frozen=True)
class GeneratedEnv:
    path: Path
    admin_password: str


def generate_admin_password() -> str:
    return secrets.token_urlsafe(18)


def write_new_env(path: Path) -> GeneratedEnv:
    admin_password = generate_admin_password()
    content = "\n".join(
        [
            "# Fichier généré par `talento init-env`. Ne le versionnez jamais (chmod 600).",
            "# Sauvegardez ENCRYPTION_KEY en lieu sûr : sans elle, les données chiffrées",
            "# (téléphones, adresses) sont illisibles, sauvegardes comprises.",
            f"SECRET_KEY={secrets.token_hex(32)}",
            f"ENCRYPTION_KEY={Fernet.generate_key().decode()}",
            f"ADMIN_PASSWORD={admin_password}",
            f"DATABASE_URL={DEFAULT_DATABASE_URL}",
            f"BASE_URL={DEFAULT_BASE_URL}",
            "FLASK_ENV=development",
            "",
        ]
    )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise EnvFileExists(
            f"{path} existe déjà : il n'est jamais écrasé (il contient peut-être la seule copie "
            "de ENCRYPTION_KEY). Modifiez-le à la main ou supprimez-le d'abord."
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(path, 0o600)
    return GeneratedEnv(path=path, admin_password=admin_password)
