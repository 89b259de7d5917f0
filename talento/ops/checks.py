"""Checks shared by /readyz, start-up and `talento doctor`."""

from __future__ import annotations

from dataclasses import dataclass, field

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from talento.crypto import KeyRing
from talento.keys.canary import canary_table_exists, check_canary
from talento.settings import MIGRATIONS_DIR


def migration_heads() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


def current_revisions(session: Session) -> set[str]:
    return set(MigrationContext.configure(session.connection()).get_current_heads())


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(v == "ok" for v in self.checks.values())

    def as_dict(self) -> dict:
        failed = [name for name, value in self.checks.items() if value != "ok"]
        return {"status": "ok" if self.ok else "fail", "checks": self.checks, "failed": failed}


def readiness(session: Session, keyring: KeyRing) -> Readiness:
    report = Readiness()
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        session.rollback()
        report.checks["database"] = "unreachable"
        report.checks["migrations"] = "unknown"
        report.checks["key_canary"] = "unknown"
        return report
    report.checks["database"] = "ok"
    report.checks["migrations"] = (
        "ok" if current_revisions(session) == migration_heads() else "not at head"
    )
    if not canary_table_exists(session):
        report.checks["key_canary"] = "missing"
    else:
        report.checks["key_canary"] = "ok" if check_canary(session, keyring).ok else "mismatch"
    session.rollback()
    return report
