"""Database side of backups: a consistent dump with its facts, emptiness checks, restore.

PostgreSQL: `pg_dump --format=custom` run inside a snapshot exported by a REPEATABLE READ
transaction, so the row counts, the migration head and the key fingerprints written to the
manifest describe exactly the rows of the dump, even while the app keeps writing. Restore is
`pg_restore --no-owner --no-privileges --single-transaction`: all or nothing.

SQLite: the online backup API copies the live database page by page (consistent even while
the app writes); the facts are then read from the copy. Restore copies the archived file into
place with the same API.

The password of a PostgreSQL URL is handed to pg_dump/pg_restore through PGPASSWORD, never on
their command line (where `ps` would show it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
#: Tables whose rows do not make a database "not empty" (an empty migrated schema is fine).
SCHEMA_ONLY_TABLES = frozenset({"alembic_version"})


class DatabaseError(Exception):
    """The database could not be dumped or restored; the message is French, without secrets."""


@dataclass
class DbFacts:
    """Row counts per table, Alembic heads and key fingerprints (`key_canaries`)."""

    tables: dict[str, int] = field(default_factory=dict)
    heads: list[str] = field(default_factory=list)
    fingerprints: list[str] = field(default_factory=list)

    @property
    def non_empty(self) -> dict[str, int]:
        return {
            name: count
            for name, count in self.tables.items()
            if count and name not in SCHEMA_ONLY_TABLES
        }


def backend_of(database_url: str) -> str:
    name = make_url(database_url).get_backend_name()
    if name not in (POSTGRESQL, SQLITE):
        raise DatabaseError(f"Base « {name} » non prise en charge par la sauvegarde.")
    return name


def sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise DatabaseError("DATABASE_URL désigne une base SQLite en mémoire : rien à sauvegarder.")
    return Path(database).expanduser()


def _conninfo_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq keyword/value connection string (no password) and the environment to run a
    PostgreSQL client with (PGPASSWORD when the URL has a password)."""
    url = make_url(database_url)
    parts = {"host": url.host, "port": url.port, "dbname": url.database, "user": url.username}
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else ",".join(value)
    conninfo = " ".join(
        f"{key}={_conninfo_value(str(value))}" for key, value in parts.items() if value
    )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return conninfo, env


def _client(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise DatabaseError(
            f"{name} est introuvable dans le PATH : installez le client PostgreSQL de la même "
            "version majeure que le serveur (Debian : apt-get install postgresql-client)."
        )
    return found


def _last_lines(stderr: str, count: int = 5) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return "\n    ".join(lines[-count:]) or "(aucun message)"


def _cause(exc: SQLAlchemyError) -> str:
    """The driver's exception class name: says what failed without echoing the URL."""
    return type(getattr(exc, "orig", None) or exc).__name__


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def read_facts(conn: Connection) -> DbFacts:
    """Count the rows of every table (all user schemas on PostgreSQL) and read the heads and
    key fingerprints when those tables exist."""
    facts = DbFacts()
    rows: Sequence[Sequence[str]]  # (schema, table) pairs
    if conn.dialect.name == POSTGRESQL:
        current = conn.scalar(text("SELECT current_schema()"))
        rows = conn.execute(
            text(
                "SELECT schemaname, tablename FROM pg_catalog.pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
                "ORDER BY schemaname, tablename"
            )
        ).all()
    else:
        current = "main"
        rows = [
            ("main", name)
            for name in conn.scalars(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            )
        ]
    for schema, table in rows:
        qualified = f"{_quote(conn, schema)}.{_quote(conn, table)}"
        key = table if schema == current else f"{schema}.{table}"
        facts.tables[key] = conn.scalar(text(f"SELECT count(*) FROM {qualified}"))  # noqa: S608
    if "alembic_version" in facts.tables:
        facts.heads = sorted(conn.scalars(text("SELECT version_num FROM alembic_version")))
    if "key_canaries" in facts.tables:
        facts.fingerprints = sorted(conn.scalars(text("SELECT fingerprint FROM key_canaries")))
    return facts


def _engine(database_url: str):
    return create_engine(database_url, poolclass=NullPool)


def dump_database(database_url: str, target: Path) -> DbFacts:
    """Write a consistent copy of the database to `target`; return the facts of that copy."""
    if backend_of(database_url) == SQLITE:
        return _dump_sqlite(database_url, target)
    return _dump_postgresql(database_url, target)


def _sqlite_copy(source_path: Path, target: Path, failure: str) -> None:
    """A consistent copy through SQLite's online backup API (safe while the app writes)."""
    try:
        source = sqlite3.connect(source_path)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    except sqlite3.Error as exc:
        raise DatabaseError(f"{failure} : {exc}.") from None


def _dump_sqlite(database_url: str, target: Path) -> DbFacts:
    source_path = sqlite_path(database_url)
    if not source_path.is_file():
        raise DatabaseError(f"Base SQLite introuvable : {source_path}.")
    _sqlite_copy(source_path, target, "Copie de la base SQLite impossible")
    engine = _engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return read_facts(conn)
    finally:
        engine.dispose()


def _dump_postgresql(database_url: str, target: Path) -> DbFacts:
    pg_dump = _client("pg_dump")
    conninfo, env = libpq_target(database_url)
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.execute(text("SET TRANSACTION READ ONLY"))
                snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
                facts = read_facts(conn)
                result = subprocess.run(
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-password",
                        f"--snapshot={snapshot}",
                        "--lock-wait-timeout=120s",
                        f"--file={target}",
                        f"--dbname={conninfo}",
                    ],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"Base PostgreSQL injoignable ({_cause(exc)}) : vérifiez DATABASE_URL."
        ) from None
    finally:
        engine.dispose()
    if result.returncode != 0:
        raise DatabaseError(
            f"pg_dump a échoué (code {result.returncode}) :\n    {_last_lines(result.stderr)}"
        )
    return facts


def inspect_target(database_url: str) -> DbFacts:
    """The facts of a restore target; a SQLite file that does not exist yet is empty."""
    if backend_of(database_url) == SQLITE and not sqlite_path(database_url).exists():
        return DbFacts()
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            return read_facts(conn)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"Base cible injoignable ({_cause(exc)}) : vérifiez DATABASE_URL et que la base "
            "existe (PostgreSQL : createdb)."
        ) from None
    finally:
        engine.dispose()


def restore_database(database_url: str, dump: Path, *, replace_empty_schema: bool) -> None:
    """Load `dump` into the (verified empty) target database, all or nothing.

    `replace_empty_schema`: the target already has tables (without rows); PostgreSQL then
    drops the archived objects before creating them (`--clean --if-exists`).
    """
    if backend_of(database_url) == SQLITE:
        target = sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        created = not target.exists()
        _sqlite_copy(dump, target, "Restauration de la base SQLite impossible")
        if created:
            os.chmod(target, 0o600)  # personal data: readable by the app's user only
        return
    pg_restore = _client("pg_restore")
    conninfo, env = libpq_target(database_url)
    command = [pg_restore, "--no-owner", "--no-privileges", "--single-transaction"]
    if replace_empty_schema:
        command += ["--clean", "--if-exists"]
    command += ["--no-password", f"--dbname={conninfo}", str(dump)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DatabaseError(
            f"pg_restore a échoué (code {result.returncode}), rien n'a été écrit dans la base :"
            f"\n    {_last_lines(result.stderr)}"
        )
