"""One validated, read-only Settings object built from the environment.

Every variable is written once, in VARIABLES: its name, default, coercion, check, whether it
is secret, and how to fix it. `read_settings` reads them all and returns the Settings, or every
problem (and warning) with its fix; start-up (`Settings.from_env`, which raises ConfigError)
and `talento doctor` both call it, so they say the same thing in the same words.

Secrets have no default anywhere: a missing, empty, placeholder or weak value is a
configuration error, and every error is reported at once so the operator fixes the
`.env` file in one pass (the seed guide's step 3). ADMIN_PASSWORD follows the one password
policy of `talento.password_rules`.

This module is the foundation: it imports nothing of Talento but `password_rules`.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talento import password_rules

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'talento.db'}"
DEFAULT_BASE_URL = "http://127.0.0.1:5004"
DEFAULT_MAIL_SENDER = "Talento <no-reply@localhost>"
#: Uploads (MB). A photo may weigh PHOTO_MAX_MB (a phone photo straight from the camera); a CV
#: CV_MAX_MB. A request (a profile form with its photo and CV) may weigh REQUEST_MAX_MB, which
#: must leave room for both plus the form's fields, and equal nginx's client_max_body_size
#: (deploy/nginx.conf; tests/deploy checks the two agree).
DEFAULT_PHOTO_MAX_MB = 20
CV_MAX_MB = 10
FORM_FIELDS_MB = 2
DEFAULT_REQUEST_MAX_MB = 32

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
MIN_SECRET_KEY_LENGTH = 32

_PLACEHOLDER_RE = re.compile(
    r"^(<.*>|your[-_].*|.*[-_]here|.*votre.*|change[-_ ]?me.*|xxx+|\.\.\.|todo|tbd|placeholder.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with one variable (or a combination), in French, and how to fix it."""

    variable: str
    message: str
    #: What to do; several lines allowed. Start-up prints it under the message, doctor after →.
    fix: str = ""

    def __str__(self) -> str:
        return self.message + "".join(f"\n    {line}" for line in self.fix.splitlines())


class ConfigError(Exception):
    """Raised with every configuration problem found, so all are fixed in one pass.

    `sources` (variable → where its value came from) adds that line under each problem: the
    operator fixes the .env file while a stale `Environment=` line of the unit wins, otherwise.
    """

    def __init__(self, problems: Sequence[str | Problem], sources: Mapping[str, str] | None = None):
        sources = sources or {}
        self.problems = [
            str(problem)
            + (
                f"\n    ({sources[problem.variable]})"
                if isinstance(problem, Problem) and problem.variable in sources
                else ""
            )
            for problem in problems
        ]
        super().__init__(format_problems(self.problems))


#: Variables set by the loaded .env file (not those the process environment already had).
_FROM_ENV_FILE: dict[str, Path] = {}


def value_source(name: str) -> str:
    """Where start-up read `name`: the .env file, or the process environment that wins over it."""
    if name in _FROM_ENV_FILE:
        return f"valeur lue dans le fichier {_FROM_ENV_FILE[name]}"
    if name in os.environ:
        return (
            "valeur lue dans l'environnement du processus (export, Environment= de systemd…), "
            "qui l'emporte sur le fichier .env"
        )
    return "définie nulle part : ni dans un fichier .env chargé, ni dans l'environnement"


def format_problems(problems: list[str]) -> str:
    lines = ["Talento ne peut pas démarrer : configuration invalide."]
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


# --- coercions (name, stripped raw value) -> value, raising Invalid ---------------------------


class Invalid(ValueError):
    """A value that cannot be used; `messages` are the French problems (usually one)."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = messages


def _text(name: str, raw: str) -> str:
    return raw


def _flag(name: str, raw: str) -> bool:
    return raw.lower() in {"1", "true", "yes", "oui", "on"}


def _project_path(name: str, raw: str) -> str:
    """Relative paths are relative to the project, whatever the working directory."""
    return str(PROJECT_ROOT / raw)


def _items(name: str, raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _count(floor: int = 0) -> Callable[[str, str], int]:
    def coerce(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            value = -1
        if value < 0:
            raise Invalid(f"{name} doit être un entier positif (reçu : {raw!r}).")
        return max(floor, value)

    return coerce


def _port(name: str, raw: str) -> int:
    port = int(raw) if raw.isascii() and raw.isdigit() else 0
    if not 0 < port < 65536:
        raise Invalid(f"{name} doit être un port entre 1 et 65535 (reçu : {raw!r}).")
    return port


def _seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 300:
        raise Invalid(f"{name} doit être un nombre de secondes entre 0 et 300 (reçu : {raw!r}).")
    return value


def _timeout(name: str, raw: str) -> float:
    """Seconds, 0 meaning no limit."""
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 300:
        raise Invalid(
            f"{name} doit être un nombre de secondes entre 0 (aucune limite) et 300 "
            f"(reçu : {raw!r})."
        )
    return value


def _fernet_keys(name: str, raw: str) -> tuple[str, ...]:
    keys, bad = [], []
    for index, item in enumerate(raw.split(",")):
        item = item.strip()
        if item and not is_valid_fernet_key(item):
            bad.append(
                f"{name} : la clé n°{index + 1} n'est pas une clé Fernet valide (44 caractères "
                "base64 url-safe, séparées par des virgules)."
            )
        elif item:
            keys.append(item)
    if bad:
        raise Invalid(*bad)
    return tuple(keys)


# --- checks (name, value) -> the French problem or None ---------------------------------------


def _one_of(choices: str, message: str) -> Callable[[str, str], str | None]:
    """`choices` separated by spaces; `message` is formatted with the value received."""
    allowed = choices.split()
    return lambda name, value: None if value in allowed else message.format(value=value)


def _base_url_problem(name: str, value: str) -> str | None:
    if re.match(r"^https?://[^/\s]+", value):
        return None
    return f"BASE_URL doit commencer par http:// ou https:// (reçu : {value!r})."


def _sender_problem(name: str, value: str) -> str | None:
    from email.utils import parseaddr

    if "@" in parseaddr(value)[1] and "\n" not in value and "\r" not in value:
        return None
    return (
        f"MAIL_DEFAULT_SENDER doit être une adresse e-mail, par exemple « {DEFAULT_MAIL_SENDER} »."
    )


def _contact_problem(name: str, value: str) -> str | None:
    if re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", value):
        return None
    return f"CONTACT_EMAIL doit être une adresse e-mail (reçu : {value!r})."


def _cndp_problem(name: str, value: str) -> str | None:
    """A declaration or authorisation number as the CNDP writes it (« D-123/2026 »)."""
    if re.fullmatch(r"[\w./ -]{1,60}", value):
        return None
    return (
        "CNDP_DECLARATION_NUMBER : lettres, chiffres, espaces et - / . seulement, 60 caractères "
        f"au plus (reçu : {value!r})."
    )


def _rate_limit_problem(name: str, value: str) -> str | None:
    """A limit such as « 5 per minute » or « 5 per minute;20 per hour » (the `limits` syntax)."""
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        return f"{name} n'est pas une limite valide (reçu : {value!r} ; exemple : 5 per minute)."
    return None


def _storage_problem(name: str, value: str) -> str | None:
    """The login limits reserve attempts with an atomic script: in memory or in Redis."""
    if re.match(r"^(memory|redis|rediss)://", value):
        return None
    return f"{name} doit commencer par memory://, redis:// ou rediss:// (reçu : {value!r})."


def _secret_problem(name: str, value: str) -> str | None:
    """A required secret: no sample value, then the rule of each one."""
    if is_placeholder(value):
        return f"{name} contient encore une valeur d'exemple : remplacez-la."
    if name == "SECRET_KEY" and len(value) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY est trop courte ({len(value)} caractères, minimum 32)."
    if name == "ENCRYPTION_KEY" and not is_valid_fernet_key(value):
        return "ENCRYPTION_KEY n'est pas une clé Fernet valide (44 caractères base64 url-safe)."
    if name == "ADMIN_PASSWORD":
        return admin_password_problem(value)
    return None


def admin_password_problem(value: str) -> str | None:
    """The one password policy (talento.password_rules), in the operator's words."""
    found = password_rules.weakness(value)
    if found is None:
        return None
    if password_rules.is_common(value):  # even when too short: "admin" is a known one
        return "ADMIN_PASSWORD est un mot de passe connu ou par défaut : choisissez-en un autre."
    if found is password_rules.Weakness.TOO_SHORT:
        return (
            f"ADMIN_PASSWORD est trop court ({len(value)} caractères, "
            f"minimum {password_rules.MIN_LENGTH})."
        )
    if found is password_rules.Weakness.TOO_LONG:
        return (
            f"ADMIN_PASSWORD est trop long ({len(value)} caractères, "
            f"maximum {password_rules.MAX_LENGTH})."
        )
    return "ADMIN_PASSWORD est trop simple (caractères répétés) : choisissez-en un autre."


# --- the table --------------------------------------------------------------------------------

#: The default of a variable that must be set: unset or empty is a problem.
REQUIRED: Any = object()


@dataclass(frozen=True)
class Variable:
    """One environment variable: read once, here, for start-up and `talento doctor` alike.

    Unset, empty or blank means `default` (`default_from(values read so far)` when given).
    Otherwise the stripped value goes through `coerce` (which may raise Invalid), then `check`.
    The Settings attribute is the lower-case name; `secret` values stay out of reprs and
    messages.
    """

    name: str
    default: Any
    doc: str
    coerce: Callable[[str, str], Any] = _text
    check: Callable[[str, Any], str | None] | None = None
    secret: bool = False
    fix: str = ""
    default_from: Callable[[Mapping[str, Any]], Any] | None = None
    strip: bool = True

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def attribute(self) -> str:
        return self.name.lower()


def _generate(name: str, note: str = "") -> str:
    return f"Générez une valeur : {GENERATE_COMMANDS[name]}" + (f"\n{note}" if note else "")


_OLD_KEY_NOTE = (
    "Si des utilisateurs existent déjà, remettez l'ANCIENNE clé au lieu d'en générer une "
    "nouvelle (sinon leurs données chiffrées sont illisibles)."
)
_FLASK_ENVS = _one_of(
    "production development testing",
    "FLASK_ENV doit valoir production, development ou testing (reçu : {value!r}).",
)
_LOG_LEVELS = _one_of(
    "DEBUG INFO WARNING ERROR CRITICAL",
    "LOG_LEVEL inconnu : {value!r} (DEBUG, INFO, WARNING, ERROR).",
)
DEFAULT_TIMEZONE = "Africa/Casablanca"


def _timezone_problem(name: str, value: str) -> str | None:
    """An IANA zone name that zoneinfo knows (the tz database ships with the tzdata package)."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return (
            f"TIMEZONE n'est pas un fuseau horaire connu (reçu : {value!r}) ; "
            "exemple : Africa/Casablanca."
        )
    return None


_LOG_FORMATS = _one_of("text json", "LOG_FORMAT doit valoir text ou json (reçu : {value!r}).")

# One line per variable (a table: the formatter keeps out). The README lists them all.
# fmt: off
VARIABLES: tuple[Variable, ...] = (
    Variable("SECRET_KEY", REQUIRED, "Signe les sessions et les jetons CSRF (32 caractères min.).",
             check=_secret_problem, secret=True, fix=_generate("SECRET_KEY")),
    Variable("ENCRYPTION_KEY", REQUIRED, "Clé Fernet qui chiffre les données personnelles.",
             check=_secret_problem, secret=True, fix=_generate("ENCRYPTION_KEY", _OLD_KEY_NOTE)),
    Variable("ADMIN_PASSWORD", REQUIRED, "Mot de passe admin : la politique des mots de passe.",
             check=_secret_problem, secret=True, fix=_generate("ADMIN_PASSWORD")),
    Variable("ENCRYPTION_KEYS_PREVIOUS", (), "Anciennes clés Fernet (lisent), séparées par des ,",
             coerce=_fernet_keys, secret=True),
    Variable("FLASK_ENV", "production", "production, development ou testing.",
             coerce=lambda name, raw: raw.lower(), check=_FLASK_ENVS),
    Variable("BASE_URL", DEFAULT_BASE_URL, "URL publique (liens, QR codes, e-mails).",
             coerce=lambda name, raw: raw.rstrip("/"), check=_base_url_problem),
    Variable("CONTACT_EMAIL", None, "Adresse de contact publique (pied de page, pages légales).",
             check=_contact_problem),
    Variable("CNDP_DECLARATION_NUMBER", None,
             "Numéro de déclaration CNDP (loi 09-08), cité par la politique de confidentialité.",
             check=_cndp_problem),
    Variable("DATABASE_URL", DEFAULT_DATABASE_URL, "postgresql://… ou sqlite:///chemin.",
             coerce=lambda name, raw: normalise_database_url(raw),
             check=lambda name, value: check_database_url(value)),
    Variable("DATABASE_TIMEOUT", 5.0, "Attente maximale de la base en s (0 : aucune).",
             coerce=_timeout),
    Variable("LOG_FILE", None, "Fichier de journal en plus de stderr."),
    Variable("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING, ERROR.",
             coerce=lambda name, raw: raw.upper(), check=_LOG_LEVELS),
    Variable("LOG_FORMAT", "text", "text ou json.",
             coerce=lambda name, raw: raw.lower(), check=_LOG_FORMATS),
    Variable("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"), "Photos et CV (relatif : au projet).",
             coerce=_project_path),
    Variable("PHOTO_MAX_MB", DEFAULT_PHOTO_MAX_MB, "Poids maximal d'une photo envoyée (Mo).",
             coerce=_count(floor=1)),
    Variable("REQUEST_MAX_MB", DEFAULT_REQUEST_MAX_MB,
             "Poids maximal d'une requête (Mo) : égal à client_max_body_size de nginx.",
             coerce=_count(floor=1)),
    Variable("RATELIMIT_STORAGE_URI", "memory://", "Stockage des limites (redis://…).",
             check=_storage_problem),
    Variable("LOGIN_LIMIT_PER_IP", "30 per 15 minutes", "Échecs de connexion par adresse IP.",
             check=_rate_limit_problem),
    Variable("LOGIN_LIMIT_PER_IDENTIFIER", "5 per minute", "Échecs par identifiant et adresse IP.",
             check=_rate_limit_problem),
    Variable("LOGIN_CEILING_PER_IDENTIFIER", "20 per hour",
             "Échecs par identifiant, toutes adresses ; au-delà : lien par e-mail.",
             check=_rate_limit_problem),
    Variable("REGISTRATION_LIMIT_PER_IP", "300 per hour",
             "Envois du formulaire d'inscription par adresse IP (lieu, école, opérateur mobile).",
             check=_rate_limit_problem),
    Variable("REGISTRATION_LIMIT_PER_EMAIL", "5 per hour", "Inscriptions tentées par e-mail.",
             check=_rate_limit_problem),
    Variable("REGISTRATION_LIMIT_PER_PHONE", "5 per hour", "Inscriptions tentées par téléphone.",
             check=_rate_limit_problem),
    Variable("RESET_LIMIT_PER_IP", "60 per hour",
             "Demandes de réinitialisation du mot de passe par adresse IP.",
             check=_rate_limit_problem),
    Variable("RESET_LIMIT_PER_EMAIL", "3 per hour", "Demandes de réinitialisation par e-mail.",
             check=_rate_limit_problem),
    Variable("CONTACT_LIMIT_PER_IP", "30 per hour",
             "Messages « Contacter » par adresse IP (plafond large : réseau partagé).",
             check=_rate_limit_problem),
    Variable("CONTACT_LIMIT_PER_SENDER", "5 per hour;20 per day",
             "Messages « Contacter » par expéditeur (e-mail saisi, ou compte).",
             check=_rate_limit_problem),
    Variable("CONTACT_LIMIT_PER_TALENT", "10 per hour",
             "Messages reçus par un talent d'expéditeurs non recruteurs.",
             check=_rate_limit_problem),
    Variable("CONTACT_CAP_PER_TALENT", "20 per day",
             "Plafond quotidien de messages reçus par un talent (hors recruteurs).",
             check=_rate_limit_problem),
    Variable("CONTACT_CEILING_PER_RECRUITER", "60 per hour;300 per day",
             "Messages par compte recruteur (non soumis aux plafonds par talent).",
             check=_rate_limit_problem),
    Variable("ARGON2_MEMORY_KIB", 19456, "Argon2id : mémoire (Kio).", coerce=_count()),
    Variable("ARGON2_TIME_COST", 2, "Argon2id : itérations.", coerce=_count()),
    Variable("ARGON2_PARALLELISM", 1, "Argon2id : parallélisme.", coerce=_count()),
    Variable("PROXY_HOPS", 1, "Proxys (nginx) devant l'application.", coerce=_count()),
    Variable("AUDIT_RETENTION_DAYS", 365, "Jours gardés par `talento audit purge` (1 minimum).",
             coerce=_count(floor=1)),
    Variable("SESSION_IDLE_MINUTES", 120, "Fin d'une session inutilisée (0 : jamais).",
             coerce=_count()),
    Variable("ADMIN_2FA_REQUIRED", False, "1 : double authentification obligatoire (admins).",
             coerce=_flag),
    Variable("BACKUP_DIR", str(INSTANCE_DIR / "backups"), "Archives de `talento backup`.",
             coerce=_project_path),
    Variable("BACKUP_KEEP", 14, "Archives gardées (0 : toutes).", coerce=_count()),
    Variable("TIMEZONE", DEFAULT_TIMEZONE, "Fuseau des heures affichées (présence sur le plateau).",
             check=_timezone_problem),
    Variable("TRUSTED_PROXIES", ("127.0.0.1", "::1"), "Adresses dont X-Forwarded-* est cru.",
             coerce=_items),
    Variable("MAIL_SERVER", None, "Serveur SMTP ; vide : fichiers .eml dans MAIL_OUTBOX_DIR."),
    Variable("MAIL_USE_SSL", False, "TLS dès la connexion (port 465).", coerce=_flag),
    Variable("MAIL_USE_TLS", True, "STARTTLS ; par défaut oui quand MAIL_SERVER est défini.",
             coerce=_flag,
             default_from=lambda v: v["MAIL_SERVER"] is not None and not v["MAIL_USE_SSL"]),
    Variable("MAIL_PORT", 587, "Port SMTP (465 par défaut avec MAIL_USE_SSL).", coerce=_port,
             default_from=lambda v: 465 if v["MAIL_USE_SSL"] else 587),
    Variable("MAIL_TIMEOUT", 10.0, "Délai SMTP en secondes.", coerce=_seconds),
    Variable("MAIL_DEFAULT_SENDER", DEFAULT_MAIL_SENDER, "Expéditeur des e-mails.",
             check=_sender_problem),
    Variable("MAIL_USERNAME", None, "Identifiant SMTP."),
    Variable("MAIL_PASSWORD", None, "Mot de passe SMTP (gardé tel quel, espaces compris).",
             secret=True, strip=False),
    Variable("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"), "Dossier des .eml sans SMTP."),
)
# fmt: on
VARIABLE = {variable.name: variable for variable in VARIABLES}
ORDER = {variable.name: index for index, variable in enumerate(VARIABLES)}
REQUIRED_SECRETS = tuple(variable.name for variable in VARIABLES if variable.required)


@dataclass(frozen=True)
class Rule:
    """A problem (or a warning) about a combination of variables read without problem."""

    needs: tuple[str, ...]
    applies: Callable[[Mapping[str, Any]], bool]
    problem: Problem


#: Combinations start-up refuses.
RULES: tuple[Rule, ...] = (
    Rule(
        ("PHOTO_MAX_MB", "REQUEST_MAX_MB"),
        lambda v: v["REQUEST_MAX_MB"] < v["PHOTO_MAX_MB"] + CV_MAX_MB + FORM_FIELDS_MB,
        Problem(
            "REQUEST_MAX_MB",
            f"REQUEST_MAX_MB doit laisser la place d'une photo (PHOTO_MAX_MB), d'un CV "
            f"({CV_MAX_MB} Mo) et des champs du formulaire ({FORM_FIELDS_MB} Mo) : au moins "
            f"PHOTO_MAX_MB + {CV_MAX_MB + FORM_FIELDS_MB}.",
            "Augmentez REQUEST_MAX_MB (ou baissez PHOTO_MAX_MB), et mettez la même valeur dans "
            "client_max_body_size de nginx (deploy/nginx.conf), suivie de m.",
        ),
    ),
    Rule(
        ("MAIL_USE_TLS", "MAIL_USE_SSL"),
        lambda v: v["MAIL_USE_TLS"] and v["MAIL_USE_SSL"],
        Problem(
            "MAIL_USE_TLS",
            "MAIL_USE_TLS (STARTTLS, port 587) et MAIL_USE_SSL (TLS direct, port 465) sont "
            "exclusifs : n'en activez qu'un.",
        ),
    ),
    Rule(
        ("MAIL_USERNAME", "MAIL_PASSWORD"),
        lambda v: v["MAIL_USERNAME"] and not v["MAIL_PASSWORD"],
        Problem("MAIL_PASSWORD", "MAIL_USERNAME est défini mais MAIL_PASSWORD est vide."),
    ),
)
#: Combinations start-up accepts but logs, and `talento doctor` shows with ⚠.
WARNINGS: tuple[Rule, ...] = (
    Rule(
        ("FLASK_ENV", "BASE_URL"),
        lambda v: v["FLASK_ENV"] == "production" and not v["BASE_URL"].startswith("https://"),
        Problem(
            "BASE_URL",
            "FLASK_ENV=production mais BASE_URL n'est pas en https:// : les cookies Secure "
            "et les liens (QR codes, e-mails) supposent HTTPS derrière nginx.",
            "Configurez HTTPS dans nginx (certbot) et mettez BASE_URL=https://votre-domaine.",
        ),
    ),
    Rule(
        ("MAIL_USERNAME", "MAIL_SERVER", "MAIL_USE_TLS", "MAIL_USE_SSL"),
        lambda v: (
            v["MAIL_USERNAME"] and v["MAIL_SERVER"] and not (v["MAIL_USE_TLS"] or v["MAIL_USE_SSL"])
        ),
        Problem(
            "MAIL_USERNAME",
            "MAIL_USERNAME est défini sans MAIL_USE_TLS ni MAIL_USE_SSL : le mot de passe SMTP "
            "circulerait en clair.",
        ),
    ),
)


def _field(name: str) -> Any:
    """The Settings attribute of a variable: its default and repr come from the table."""
    variable = VARIABLE[name]
    if variable.required:
        return field(repr=not variable.secret)
    return field(default=variable.default, repr=not variable.secret)


@dataclass(frozen=True)
class Settings:
    secret_key: str = _field("SECRET_KEY")
    encryption_key: str = _field("ENCRYPTION_KEY")
    admin_password: str = _field("ADMIN_PASSWORD")
    encryption_keys_previous: tuple[str, ...] = _field("ENCRYPTION_KEYS_PREVIOUS")
    database_url: str = _field("DATABASE_URL")
    #: Longest wait for PostgreSQL (statement, lock, connection, answer), seconds; 0: none.
    database_timeout: float = _field("DATABASE_TIMEOUT")
    base_url: str = _field("BASE_URL")
    #: Public contact address (footer, legal pages); None: the footer links to the legal notice.
    contact_email: str | None = _field("CONTACT_EMAIL")
    #: The CNDP's number for the declaration of the processing (law 09-08); None while pending.
    cndp_declaration_number: str | None = _field("CNDP_DECLARATION_NUMBER")
    flask_env: str = _field("FLASK_ENV")
    log_file: str | None = _field("LOG_FILE")
    log_level: str = _field("LOG_LEVEL")
    log_format: str = _field("LOG_FORMAT")
    upload_dir: str = _field("UPLOAD_DIR")
    #: A photo may weigh this many MB (MiB); larger ones are refused on the form's page.
    photo_max_mb: int = _field("PHOTO_MAX_MB")
    #: A request may weigh this many MB (MiB): Flask's MAX_CONTENT_LENGTH, nginx's
    #: client_max_body_size. Above it: the readable 413 page, the form's input lost.
    request_max_mb: int = _field("REQUEST_MAX_MB")
    ratelimit_storage_uri: str = _field("RATELIMIT_STORAGE_URI")
    #: Prefix of the limiter's keys in its storage; not read from the environment (a test run
    #: sets one per worker).
    ratelimit_key_prefix: str = "talento"
    login_limit_per_ip: str = _field("LOGIN_LIMIT_PER_IP")
    #: Failed logins on one identifier from one address (the short limit: a 429)...
    login_limit_per_identifier: str = _field("LOGIN_LIMIT_PER_IDENTIFIER")
    #: ...and from every address: past it, the password is not checked and the login page
    #: offers an e-mailed one-time sign-in link, so an attack never locks the owner out.
    login_ceiling_per_identifier: str = _field("LOGIN_CEILING_PER_IDENTIFIER")
    #: Registration POSTs per client address: a high ceiling, so a venue or a carrier's shared
    #: address is never blocked; one attacker is stopped by the per-e-mail and per-phone limits.
    registration_limit_per_ip: str = _field("REGISTRATION_LIMIT_PER_IP")
    registration_limit_per_email: str = _field("REGISTRATION_LIMIT_PER_EMAIL")
    registration_limit_per_phone: str = _field("REGISTRATION_LIMIT_PER_PHONE")
    #: Password reset requests per client address and per e-mail (the victim's inbox).
    reset_limit_per_ip: str = _field("RESET_LIMIT_PER_IP")
    reset_limit_per_email: str = _field("RESET_LIMIT_PER_EMAIL")
    #: The contact relay (profiles/contact.py): a wide ceiling per client network, a low limit
    #: per sender, a limit and a daily cap per talent for senders who are not recruiters, and a
    #: generous ceiling per recruiter account (which skips the per-talent caps).
    contact_limit_per_ip: str = _field("CONTACT_LIMIT_PER_IP")
    contact_limit_per_sender: str = _field("CONTACT_LIMIT_PER_SENDER")
    contact_limit_per_talent: str = _field("CONTACT_LIMIT_PER_TALENT")
    contact_cap_per_talent: str = _field("CONTACT_CAP_PER_TALENT")
    contact_ceiling_per_recruiter: str = _field("CONTACT_CEILING_PER_RECRUITER")
    argon2_memory_kib: int = _field("ARGON2_MEMORY_KIB")
    argon2_time_cost: int = _field("ARGON2_TIME_COST")
    argon2_parallelism: int = _field("ARGON2_PARALLELISM")
    proxy_hops: int = _field("PROXY_HOPS")
    #: Audit events older than this are removed by `talento audit purge`.
    audit_retention_days: int = _field("AUDIT_RETENTION_DAYS")
    #: A session unused for this long ends (0: never).
    session_idle_minutes: int = _field("SESSION_IDLE_MINUTES")
    #: Admins must set up TOTP two-factor authentication before using the app.
    admin_2fa_required: bool = _field("ADMIN_2FA_REQUIRED")
    #: Where `talento backup` writes archives, and how many it keeps (0: keep all).
    backup_dir: str = _field("BACKUP_DIR")
    backup_keep: int = _field("BACKUP_KEEP")
    #: The site's time zone (an IANA name): times are stored in UTC and shown in it, and it
    #: names the local date of a scan on set (attendance).
    timezone: str = _field("TIMEZONE")
    trusted_proxies: tuple[str, ...] = _field("TRUSTED_PROXIES")
    #: No MAIL_SERVER: messages are written as .eml files to mail_outbox_dir (fresh installs).
    mail_server: str | None = _field("MAIL_SERVER")
    mail_port: int = _field("MAIL_PORT")
    mail_use_tls: bool = _field("MAIL_USE_TLS")
    mail_use_ssl: bool = _field("MAIL_USE_SSL")
    mail_username: str | None = _field("MAIL_USERNAME")
    mail_password: str | None = _field("MAIL_PASSWORD")
    mail_default_sender: str = _field("MAIL_DEFAULT_SENDER")
    mail_timeout: float = _field("MAIL_TIMEOUT")
    mail_outbox_dir: str = _field("MAIL_OUTBOX_DIR")
    #: Start-up logs them (the messages of WARNINGS that apply).
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
        reading = read_settings(environ)
        if reading.settings is None:
            sources = None
            if environ is None:  # the real environment: say where each bad value came from
                sources = {p.variable: value_source(p.variable) for p in reading.problems}
            raise ConfigError(reading.problems, sources)
        return reading.settings


@dataclass(frozen=True)
class Reading:
    """What the environment says: Settings when nothing is wrong, else every problem.

    `values` holds every variable that was read without problem (defaults included), so that
    `talento doctor` can go on checking the database or the upload folder of a configuration
    start-up would refuse.
    """

    settings: Settings | None
    values: Mapping[str, Any] = field(repr=False)
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def read_settings(environ: Mapping[str, str] | None = None) -> Reading:
    """Read every variable of the table; never raises for a bad value."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for variable in VARIABLES:
        raw = env.get(variable.name) or ""
        if variable.strip:
            raw = raw.strip()
        try:
            values[variable.name] = _read(variable, raw, values)
        except Invalid as exc:
            problems += [Problem(variable.name, message, variable.fix) for message in exc.messages]

    def found(rules: tuple[Rule, ...]) -> tuple[Problem, ...]:
        return tuple(
            rule.problem
            for rule in rules
            if all(name in values for name in rule.needs) and rule.applies(values)
        )

    problems += found(RULES)
    problems.sort(key=lambda problem: ORDER[problem.variable])  # stable: the table's order
    warnings = found(WARNINGS)
    settings = None
    if not problems:
        settings = Settings(
            **{variable.attribute: values[variable.name] for variable in VARIABLES},
            warnings=tuple(warning.message for warning in warnings),
        )
    return Reading(settings, values, tuple(problems), warnings)


def _read(variable: Variable, raw: str, values: Mapping[str, Any]) -> Any:
    if not raw:
        if variable.required:
            raise Invalid(f"{variable.name} est absente ou vide.")
        return variable.default_from(values) if variable.default_from else variable.default
    value = variable.coerce(variable.name, raw)
    problem = variable.check(variable.name, value) if variable.check else None
    if problem:
        raise Invalid(problem)
    return value


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
    from dotenv import dotenv_values, load_dotenv

    path = env_file_path()
    if path is not None and path.is_file():
        try:
            in_file = dotenv_values(path)
            _FROM_ENV_FILE.update(
                (name, path)
                for name, value in in_file.items()
                if value is not None and name not in os.environ
            )
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
