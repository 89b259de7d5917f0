"""One validated, read-only Settings object built from the environment.

Secrets have no default anywhere: a missing, empty, placeholder or weak value is a
configuration error, and every error is reported at once so the operator fixes the
`.env` file in one pass (the seed guide's step 3).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'talento.db'}"
DEFAULT_BASE_URL = "http://127.0.0.1:5004"
DEFAULT_MAIL_SENDER = "Talento <no-reply@localhost>"

#: The exact commands of the seed guide (step 2), quoted in every error message.
GENERATE_COMMANDS = {
    "SECRET_KEY": """python3 -c 'import secrets; print("SECRET_KEY=" + secrets.token_hex(32))'""",
    "ENCRYPTION_KEY": (
        "python3 -c 'from cryptography.fernet import Fernet; "
        """print("ENCRYPTION_KEY=" + Fernet.generate_key().decode())'"""
    ),
    "ADMIN_PASSWORD": (
        """python3 -c 'import secrets; print("ADMIN_PASSWORD=" + secrets.token_urlsafe(18))'"""
    ),
}
REQUIRED_SECRETS = ("SECRET_KEY", "ENCRYPTION_KEY", "ADMIN_PASSWORD")

MIN_SECRET_KEY_LENGTH = 32
MIN_ADMIN_PASSWORD_LENGTH = 12

#: Passwords that must never protect the admin account, whatever their length.
WEAK_ADMIN_PASSWORDS = frozenset(
    {
        "@4dm1n",
        "admin",
        "administrator",
        "administrateur",
        "password",
        "motdepasse",
        "mot-de-passe",
        "changeme",
        "change-me",
        "talento",
        "talento123",
        "admin123",
        "admin1234",
        "password123",
        "password1234",
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "123456789012",
        "azerty",
        "azertyuiop",
        "qwerty",
        "qwertyuiop",
        "adminadmin",
        "adminadminadmin",
        "passwordpassword",
        "motdepasse123",
        "talentoadmin",
        "admin@talento",
        "admin@talento.com",
        "letmein",
        "welcome",
        "bienvenue",
        "bienvenue123",
        "administrator1",
        "password!",
        "p@ssw0rd",
        "p@ssword",
        "passw0rd",
        "@dm1n",
        "4dm1n",
    }
)

_PLACEHOLDER_RE = re.compile(
    r"^(<.*>|your[-_].*|.*[-_]here|.*votre.*|change[-_ ]?me.*|xxx+|\.\.\.|todo|tbd|placeholder.*)$",
    re.IGNORECASE,
)


class ConfigError(Exception):
    """Raised with every configuration problem found, so all are fixed in one pass."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(format_problems(problems))


def format_problems(problems: list[str]) -> str:
    lines = ["Talento ne peut pas démarrer : configuration invalide (fichier .env)."]
    lines += [f"  ✖ {p}" for p in problems]
    lines.append(
        "Corrigez le fichier .env (chmod 600) ou l'environnement, puis redémarrez. "
        "`talento doctor` vérifie la configuration."
    )
    return "\n".join(lines)


def is_placeholder(value: str) -> bool:
    """True for the sample values of .env.example and of the seed guide."""
    return bool(_PLACEHOLDER_RE.match(value.strip()))


def is_valid_fernet_key(value: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(raw) == 32 and len(value.strip()) == 44


def normalise_database_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` (the seed's form) and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui", "on"}


@dataclass(frozen=True)
class Settings:
    secret_key: str = field(repr=False)
    encryption_key: str = field(repr=False)
    admin_password: str = field(repr=False)
    encryption_keys_previous: tuple[str, ...] = field(default=(), repr=False)
    database_url: str = DEFAULT_DATABASE_URL
    base_url: str = DEFAULT_BASE_URL
    flask_env: str = "production"
    log_file: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"
    upload_dir: str = str(INSTANCE_DIR / "uploads")
    ratelimit_storage_uri: str = "memory://"
    #: Prefix of the limiter's keys in its storage (a test run sets one per worker).
    ratelimit_key_prefix: str = "talento"
    login_limit_per_ip: str = "30 per 15 minutes"
    login_limit_per_identifier: str = "5 per minute;20 per hour"
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    proxy_hops: int = 1
    #: Audit events older than this are removed by `talento audit purge`.
    audit_retention_days: int = 365
    #: A session unused for this long ends (0: never).
    session_idle_minutes: int = 120
    #: Admins must set up TOTP two-factor authentication before using the app.
    admin_2fa_required: bool = False
    #: Where `talento backup` writes archives, and how many it keeps (0: keep all).
    backup_dir: str = str(INSTANCE_DIR / "backups")
    backup_keep: int = 14
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    #: No MAIL_SERVER: messages are written as .eml files to mail_outbox_dir (fresh installs).
    mail_server: str | None = None
    mail_port: int = 587
    mail_use_tls: bool = True
    mail_use_ssl: bool = False
    mail_username: str | None = None
    mail_password: str | None = field(default=None, repr=False)
    mail_default_sender: str = DEFAULT_MAIL_SENDER
    mail_timeout: float = 10.0
    mail_outbox_dir: str = str(INSTANCE_DIR / "outbox")
    warnings: tuple[str, ...] = ()

    @property
    def production(self) -> bool:
        return self.flask_env == "production"

    @property
    def all_encryption_keys(self) -> tuple[str, ...]:
        return (self.encryption_key, *self.encryption_keys_previous)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate; raise ConfigError listing every problem."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        secrets: dict[str, str] = {}
        for name in REQUIRED_SECRETS:
            value = (env.get(name) or "").strip()
            problem = check_secret(name, value)
            if problem:
                problems.append(f"{problem}\n    Générez une valeur : {GENERATE_COMMANDS[name]}")
                if name == "ENCRYPTION_KEY":
                    problems[-1] += (
                        "\n    Si des utilisateurs existent déjà, remettez l'ANCIENNE clé au lieu "
                        "d'en générer une nouvelle (sinon leurs données chiffrées sont illisibles)."
                    )
            secrets[name] = value

        previous: list[str] = []
        for index, item in enumerate((env.get("ENCRYPTION_KEYS_PREVIOUS") or "").split(",")):
            item = item.strip()
            if not item:
                continue
            if not is_valid_fernet_key(item):
                problems.append(
                    f"ENCRYPTION_KEYS_PREVIOUS : la clé n°{index + 1} n'est pas une clé Fernet "
                    "valide (44 caractères base64 url-safe, séparées par des virgules)."
                )
            else:
                previous.append(item)

        flask_env = (env.get("FLASK_ENV") or "production").strip().lower()
        if flask_env not in {"production", "development", "testing"}:
            problems.append(
                f"FLASK_ENV doit valoir production, development ou testing (reçu : {flask_env!r})."
            )
        base_url = (env.get("BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+", base_url):
            problems.append(
                f"BASE_URL doit commencer par http:// ou https:// (reçu : {base_url!r})."
            )
        warnings: list[str] = []
        if flask_env == "production" and not base_url.startswith("https://"):
            warnings.append(
                "FLASK_ENV=production mais BASE_URL n'est pas en https:// : les cookies Secure "
                "et les liens (QR codes, e-mails) supposent HTTPS derrière nginx."
            )
        database_url = normalise_database_url(
            (env.get("DATABASE_URL") or DEFAULT_DATABASE_URL).strip()
        )
        database_problem = check_database_url(database_url)
        if database_problem:
            problems.append(database_problem)
        log_level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            problems.append(f"LOG_LEVEL inconnu : {log_level!r} (DEBUG, INFO, WARNING, ERROR).")
        log_format = (env.get("LOG_FORMAT") or "text").strip().lower()
        if log_format not in {"text", "json"}:
            problems.append(f"LOG_FORMAT doit valoir text ou json (reçu : {log_format!r}).")

        ints: dict[str, int] = {}
        for name, default in (
            ("ARGON2_MEMORY_KIB", 19456),
            ("ARGON2_TIME_COST", 2),
            ("ARGON2_PARALLELISM", 1),
            ("PROXY_HOPS", 1),
            ("AUDIT_RETENTION_DAYS", 365),
            ("SESSION_IDLE_MINUTES", 120),
            ("BACKUP_KEEP", 14),
        ):
            raw = (env.get(name) or "").strip()
            try:
                ints[name] = int(raw) if raw else default
                if ints[name] < 0:
                    raise ValueError
            except ValueError:
                problems.append(f"{name} doit être un entier positif (reçu : {raw!r}).")

        mail = _mail_settings(env, problems, warnings)

        if problems:
            raise ConfigError(problems)
        return cls(
            secret_key=secrets["SECRET_KEY"],
            encryption_key=secrets["ENCRYPTION_KEY"],
            admin_password=secrets["ADMIN_PASSWORD"],
            encryption_keys_previous=tuple(previous),
            database_url=database_url,
            base_url=base_url,
            flask_env=flask_env,
            log_file=(env.get("LOG_FILE") or "").strip() or None,
            log_level=log_level,
            log_format=log_format,
            # relative paths are relative to the project, whatever the working directory
            upload_dir=str(
                PROJECT_ROOT / ((env.get("UPLOAD_DIR") or "").strip() or "instance/uploads")
            ),
            ratelimit_storage_uri=(env.get("RATELIMIT_STORAGE_URI") or "").strip() or "memory://",
            login_limit_per_ip=(env.get("LOGIN_LIMIT_PER_IP") or "").strip() or "30 per 15 minutes",
            login_limit_per_identifier=(env.get("LOGIN_LIMIT_PER_IDENTIFIER") or "").strip()
            or "5 per minute;20 per hour",
            argon2_memory_kib=ints["ARGON2_MEMORY_KIB"],
            argon2_time_cost=ints["ARGON2_TIME_COST"],
            argon2_parallelism=ints["ARGON2_PARALLELISM"],
            proxy_hops=ints["PROXY_HOPS"],
            audit_retention_days=max(1, ints["AUDIT_RETENTION_DAYS"]),
            session_idle_minutes=ints["SESSION_IDLE_MINUTES"],
            admin_2fa_required=_flag(env.get("ADMIN_2FA_REQUIRED"), False),
            backup_dir=str(
                PROJECT_ROOT / ((env.get("BACKUP_DIR") or "").strip() or "instance/backups")
            ),
            backup_keep=ints["BACKUP_KEEP"],
            trusted_proxies=tuple(
                p.strip()
                for p in (env.get("TRUSTED_PROXIES") or "127.0.0.1,::1").split(",")
                if p.strip()
            ),
            warnings=tuple(warnings),
            **mail,
        )


def _mail_settings(env: Mapping[str, str], problems: list[str], warnings: list[str]) -> dict:
    """MAIL_* values. Without MAIL_SERVER, e-mails go to the outbox directory instead."""
    from email.utils import parseaddr

    server = (env.get("MAIL_SERVER") or "").strip() or None
    use_ssl = _flag(env.get("MAIL_USE_SSL"), False)
    use_tls = _flag(env.get("MAIL_USE_TLS"), default=server is not None and not use_ssl)
    if use_tls and use_ssl:
        problems.append(
            "MAIL_USE_TLS (STARTTLS, port 587) et MAIL_USE_SSL (TLS direct, port 465) sont "
            "exclusifs : n'en activez qu'un."
        )
    raw_port = (env.get("MAIL_PORT") or "").strip()
    port = 465 if use_ssl else 587
    if raw_port:
        port = int(raw_port) if raw_port.isascii() and raw_port.isdigit() else 0
        if not 0 < port < 65536:
            problems.append(f"MAIL_PORT doit être un port entre 1 et 65535 (reçu : {raw_port!r}).")
    raw_timeout = (env.get("MAIL_TIMEOUT") or "").strip()
    try:
        timeout = float(raw_timeout) if raw_timeout else 10.0
        if not 0 < timeout <= 300:
            raise ValueError
    except ValueError:
        timeout = 10.0
        problems.append(
            f"MAIL_TIMEOUT doit être un nombre de secondes entre 0 et 300 (reçu : {raw_timeout!r})."
        )
    sender = (env.get("MAIL_DEFAULT_SENDER") or "").strip() or DEFAULT_MAIL_SENDER
    if "@" not in parseaddr(sender)[1] or "\n" in sender or "\r" in sender:
        problems.append(
            "MAIL_DEFAULT_SENDER doit être une adresse e-mail, par exemple "
            f"« {DEFAULT_MAIL_SENDER} »."
        )
    username = (env.get("MAIL_USERNAME") or "").strip() or None
    password = env.get("MAIL_PASSWORD") or None
    if username and not password:
        problems.append("MAIL_USERNAME est défini mais MAIL_PASSWORD est vide.")
    if username and server and not (use_tls or use_ssl):
        warnings.append(
            "MAIL_USERNAME est défini sans MAIL_USE_TLS ni MAIL_USE_SSL : le mot de passe SMTP "
            "circulerait en clair."
        )
    return {
        "mail_server": server,
        "mail_port": port,
        "mail_use_tls": use_tls,
        "mail_use_ssl": use_ssl,
        "mail_username": username,
        "mail_password": password,
        "mail_default_sender": sender,
        "mail_timeout": timeout,
        "mail_outbox_dir": (env.get("MAIL_OUTBOX_DIR") or "").strip()
        or str(INSTANCE_DIR / "outbox"),
    }


def check_database_url(url: str) -> str | None:
    """Only SQLite files and PostgreSQL (psycopg 3) are supported; the URL is never echoed."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return (
            "DATABASE_URL n'est pas une URL valide (exemple : "
            "postgresql://votre_user:votre_password@localhost:5432/talento_db)."
        )
    if parsed.drivername not in {"sqlite", "postgresql+psycopg"}:
        return (
            f"DATABASE_URL : base « {parsed.drivername} » non prise en charge "
            "(postgresql:// ou sqlite:///chemin/talento.db)."
        )
    return None


def check_secret(name: str, value: str) -> str | None:
    """Return the French description of what is wrong with a required secret, if anything."""
    if not value:
        return f"{name} est absente ou vide."
    if is_placeholder(value):
        return f"{name} contient encore une valeur d'exemple : remplacez-la."
    if name == "SECRET_KEY" and len(value) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY est trop courte ({len(value)} caractères, minimum 32)."
    if name == "ENCRYPTION_KEY" and not is_valid_fernet_key(value):
        return "ENCRYPTION_KEY n'est pas une clé Fernet valide (44 caractères base64 url-safe)."
    if name == "ADMIN_PASSWORD":
        if value.lower() in WEAK_ADMIN_PASSWORDS:
            return (
                "ADMIN_PASSWORD est un mot de passe connu ou par défaut : choisissez-en un autre."
            )
        if len(value) < MIN_ADMIN_PASSWORD_LENGTH:
            return (
                f"ADMIN_PASSWORD est trop court ({len(value)} caractères, "
                f"minimum {MIN_ADMIN_PASSWORD_LENGTH})."
            )
    return None


def env_file_path() -> Path | None:
    """The `.env` to load: TALENTO_ENV_FILE if set ("none" disables), else ./.env, else the
    project's .env (so `python3 /opt/talento/migrations_init.py` works from any directory)."""
    chosen = os.environ.get("TALENTO_ENV_FILE")
    if chosen is not None:
        chosen = chosen.strip()
        return None if chosen.lower() in {"", "none"} else Path(chosen)
    for candidate in (Path.cwd() / ".env", PROJECT_ROOT / ".env"):
        if candidate.is_file():
            return candidate
    return None


def load_dotenv_file() -> Path | None:
    """Load the `.env` file without overriding variables already in the environment."""
    from dotenv import load_dotenv

    path = env_file_path()
    if path is not None and path.is_file():
        try:
            load_dotenv(path, override=False)
        except OSError as exc:
            raise ConfigError(
                [
                    f"Le fichier {path} n'est pas lisible ({exc.strerror}). Il doit appartenir à "
                    f"l'utilisateur qui lance Talento, en mode 600 : "
                    f"sudo chown talento: {path} && sudo chmod 600 {path}"
                ]
            ) from None
        return path
    return None
