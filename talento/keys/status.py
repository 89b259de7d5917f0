"""The key status report (`talento keys status`): which configured key reads each stored value,
and what a key adoption left to do."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.crypto import KeyRing, stored_fingerprint
from talento.keys.models import LostValue
from talento.keys.places import PLACES


@dataclass
class ValueCounts:
    current: int = 0
    previous: int = 0
    unreadable: int = 0
    by_fingerprint: Counter = field(default_factory=Counter)


def count_encrypted_values(session: Session, keyring: KeyRing) -> dict[str, ValueCounts]:
    """Classify every stored ciphertext of every place by which configured key reads it
    (the raw stored text: nothing goes through the ORM's decryption)."""
    result: dict[str, ValueCounts] = {}
    primary = keyring.primary_fingerprint
    for place in PLACES:
        raw = type_coerce(place.table.c[place.column], Text())
        counts = ValueCounts()
        for stored in session.scalars(select(raw).where(raw.is_not(None))):
            counts.by_fingerprint[stored_fingerprint(stored) or "?"] += 1
            try:
                _, fp = keyring.decrypt_with_fingerprint(stored)
            except InvalidToken:
                counts.unreadable += 1
                continue
            if fp == primary:
                counts.current += 1
            else:
                counts.previous += 1
        result[place.name] = counts
    return result


def lost_data_summary(session: Session) -> tuple[int, int]:
    """(values in quarantine, people who still have something to re-enter)."""
    quarantined = session.scalar(select(func.count()).select_from(LostValue)) or 0
    flagged = session.scalar(select(func.count()).where(User.lost_fields.is_not(None))) or 0
    return quarantined, flagged
