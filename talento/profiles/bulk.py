"""Bulk loading of talents: users, profiles, skills and languages in a few statements per batch.

Used by `talento seed-demo` and the `make bench` scripts (bench/directory.py), so both load the
same way. Each talent gets its ``account_capabilities`` rows (``talent``) in the same batch.
Rows are plain dicts of column values; encrypted columns take the clear value and are
encrypted here with the active key ring; blind indexes are the caller's (no ORM event runs).
Every row of a table must carry the same keys; omitted columns take their server default
(`users.email_verified_at` has none: a row without it is an unverified talent, listed nowhere).

On PostgreSQL a batch is one ``nextval`` query for the user ids and one COPY per table (the
fastest way in: no per-row statement, no SQL to compile); elsewhere (SQLite) an executemany
per table. The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session

from talento.accounts.models import AccountCapability, Capability, User
from talento.crypto import EncryptedText, active_keyring
from talento.profiles.models import TalentLanguage, TalentProfile, talent_skills

BATCH = 1000


@dataclass
class TalentRow:
    """One talent to insert: the ``users`` columns, the ``talent_profiles`` columns (without
    user_id), skill ids, language codes and capabilities (the talent one unless told)."""

    user: dict
    profile: dict = field(default_factory=dict)
    skill_ids: Sequence[int] = ()
    languages: Sequence[str] = ()
    capabilities: Sequence[str] = (Capability.TALENT.value,)


def insert_talents(session: Session, rows: Sequence[TalentRow]) -> list[int]:
    """Insert one batch (any size; callers use about :data:`BATCH`); returns the new user ids
    in the order of ``rows``."""
    if not rows:
        return []
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        ids = list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('users', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": len(rows)},
            )
        )
        _copy(
            session,
            cast(Table, User.__table__),
            [{**r.user, "id": uid} for uid, r in zip(ids, rows, strict=True)],
        )
    else:
        ids = list(
            session.scalars(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [r.user for r in rows],
            )
        )
    pairs = list(zip(ids, rows, strict=True))
    tables: tuple[tuple[Table, list[dict]], ...] = (
        (
            cast(Table, AccountCapability.__table__),
            [{"user_id": uid, "capability": c} for uid, r in pairs for c in r.capabilities],
        ),
        (cast(Table, TalentProfile.__table__), [{**r.profile, "user_id": uid} for uid, r in pairs]),
        (talent_skills, [{"user_id": uid, "skill_id": s} for uid, r in pairs for s in r.skill_ids]),
        (
            cast(Table, TalentLanguage.__table__),
            [{"user_id": uid, "code": c} for uid, r in pairs for c in r.languages],
        ),
    )
    for table, values in tables:
        if not values:
            continue
        if postgresql:
            _copy(session, table, values)
        else:
            session.execute(insert(table), values)
    return ids


def _copy(session: Session, table: Table, rows: list[dict]) -> None:
    """COPY ``rows`` into ``table`` on the session's own connection (same transaction)."""
    columns = list(rows[0])
    encrypted = {c for c in columns if isinstance(table.c[c].type, EncryptedText)}
    keyring = active_keyring() if encrypted else None
    raw = session.connection().connection.driver_connection
    assert raw is not None  # a live psycopg connection inside the session's transaction
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    (keyring.encrypt(str(row[c])) if row[c] else None)  # type: ignore[union-attr]
                    if c in encrypted
                    else row[c]
                    for c in columns
                ]
            )
