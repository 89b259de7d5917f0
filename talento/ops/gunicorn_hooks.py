"""Pre-fork checks for gunicorn: refuse a bad start in the master, before any worker exists.

Without them, every worker imports `app.py`, refuses, and the master halts with gunicorn's
WORKER_BOOT_ERROR (3) after printing the same message once per worker. With them the master
stops first, once, with Talento's own refusal status 2, which the systemd unit lists in
`RestartPreventExitStatus=2` so a configuration refusal never restart-loops.

What stops the master (exit status 2):
  * a configuration error (`ConfigError`: missing/weak secrets, bad values, unusable
    DATABASE_URL),
  * a LOG_FILE that cannot be written (`LogFileError`),
  * configured keys that cannot read the database's key canary (`KeyMismatchError`).
What does NOT stop it: a database that does not answer, or one not initialised yet. That is
only a warning; workers start, pages answer 503 and `/readyz` says why until the database
comes back, and each worker repeats the key check when it boots.

The master runs this module in a short-lived child process (`python -m
talento.ops.gunicorn_hooks`, see `deploy/gunicorn.conf.py`) rather than importing it: whatever
the master imports is inherited by every worker and never re-imported on `kill -HUP`
(`systemctl reload talento`), so importing the application into the master would make a reload
run old and new code side by side. The check itself only reads the database.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from pathlib import Path

from talento.keys.canary import KeyMismatchError
from talento.logging import LogFileError, open_log_file
from talento.settings import ConfigError, Settings, load_dotenv_file

#: Exit status of a refused start (same as `talento.StartupRefused`).
REFUSED = 2
#: Seconds to wait for a PostgreSQL server before calling it unreachable.
DB_CONNECT_TIMEOUT = 5

log = logging.getLogger("talento.gunicorn")


def check_before_fork() -> None:
    """Load .env, validate the settings, LOG_FILE and the key canary.

    Raises ConfigError, LogFileError or KeyMismatchError; an unreachable or uninitialised
    database only logs a warning.
    """
    load_dotenv_file()
    settings = Settings.from_env()
    if settings.log_file:
        open_log_file(settings.log_file).close()
    check_key_canary(settings)


def check_key_canary(settings: Settings) -> None:
    """Read-only canary check; raise KeyMismatchError when the configured keys cannot read it."""
    from sqlalchemy import create_engine, make_url
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError
    from sqlalchemy.orm import Session

    from talento import models  # noqa: F401  (complete metadata before mappers configure)
    from talento.crypto import KeyRing
    from talento.keys.canary import canary_table_exists, check_canary, mismatch_message

    url = make_url(settings.database_url)  # already validated by Settings.from_env
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not Path(database).is_file():
            _warn_uninitialised()  # connecting would create an empty file: leave it
            return
        engine = create_engine(url)
    else:
        engine = create_engine(url, connect_args={"connect_timeout": DB_CONNECT_TIMEOUT})

    keyring = KeyRing.from_keys(settings.encryption_key, settings.encryption_keys_previous)
    try:
        with Session(engine) as session:
            if not canary_table_exists(session):
                _warn_uninitialised()
                return
            report = check_canary(session, keyring)
    except SQLAlchemyError as exc:
        cause = type(exc.orig).__name__ if isinstance(exc, DBAPIError) else type(exc).__name__
        log.warning(
            "Base de données injoignable avant le démarrage des workers (%s) : vérifiez "
            "DATABASE_URL. Les workers démarrent quand même (pages 503, /readyz) et vérifieront "
            "la clé de chiffrement quand la base répondra.",
            cause,
        )
        return
    finally:
        engine.dispose()
    if not report.ok:
        raise KeyMismatchError(mismatch_message(report, keyring))


def _warn_uninitialised() -> None:
    log.warning(
        "La base de données n'est pas initialisée : lancez `python3 migrations_init.py` "
        "(ou `talento init-db`)."
    )


def warn_public_bind(binds: list[str]) -> None:
    """Warn when gunicorn listens beyond the loopback interface (the seed's 0.0.0.0:5004).

    Behind nginx, gunicorn should listen on 127.0.0.1 only: reachable directly, it lets
    anyone bypass HTTPS and send the X-Forwarded-* headers that the app trusts from nginx
    (PROXY_HOPS), e.g. to fake the client address the login rate limits count.
    """
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            continue
        host = bind.rpartition(":")[0].strip("[]") if ":" in bind else bind
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            log.warning(
                "gunicorn écoute sur %s : joignable sans passer par nginx. Préférez "
                "--bind 127.0.0.1:5004 (nginx fait proxy_pass vers 127.0.0.1:5004) ou "
                "fermez le port 5004 au pare-feu.",
                bind,
            )


def main(argv: list[str] | None = None) -> int:
    """`python -m talento.ops.gunicorn_hooks [--bind ADDR]...`: 0 = go on, 2 = refuse."""
    parser = argparse.ArgumentParser(prog="python -m talento.ops.gunicorn_hooks")
    parser.add_argument("--bind", action="append", default=[], help="gunicorn bind addresses")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S %z",
    )
    try:
        check_before_fork()
    except (ConfigError, KeyMismatchError, LogFileError) as exc:
        print(exc, file=sys.stderr, flush=True)
        return REFUSED
    warn_public_bind(args.bind)
    return 0


if __name__ == "__main__":
    sys.exit(main())
