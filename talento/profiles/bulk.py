"""Bulk loading of talents: users, profiles, skills and languages in a few statements per batch.

Used by `talento seed-demo` and the `make bench` scripts (bench/directory.py), so both load the
same way. Rows are plain dicts of column values (encrypted columns take the clear value: the
column type encrypts; blind indexes are the caller's, as no ORM event runs here). One batch is
four INSERTs (users with RETURNING id, then profiles, skills, languages), whatever its size.
The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.profiles.models import TalentLanguage, TalentProfile, talent_skills

BATCH = 1000


@dataclass
class TalentRow:
    """One talent to insert: the ``users`` columns, the ``talent_profiles`` columns (without
    user_id), skill ids and language codes."""

    user: dict
    profile: dict = field(default_factory=dict)
    skill_ids: Sequence[int] = ()
    languages: Sequence[str] = ()


def insert_talents(session: Session, rows: Sequence[TalentRow]) -> list[int]:
    """Insert one batch (any size; callers use about :data:`BATCH`); returns the new user ids
    in the order of ``rows``."""
    if not rows:
        return []
    ids = list(
        session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True), [r.user for r in rows]
        )
    )
    pairs = list(zip(ids, rows, strict=True))
    session.execute(insert(TalentProfile), [{**r.profile, "user_id": uid} for uid, r in pairs])
    skills = [{"user_id": uid, "skill_id": s} for uid, r in pairs for s in r.skill_ids]
    if skills:
        session.execute(insert(talent_skills), skills)
    languages = [{"user_id": uid, "code": c} for uid, r in pairs for c in r.languages]
    if languages:
        session.execute(insert(TalentLanguage), languages)
    return ids
