"""The key status report (`talento keys status`): which configured key reads each stored value,
how many no configured key reads (shown as « Donnée indisponible », kept as stored by every
form), and what a key adoption left to do."""

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


def count_encrypted_values(
    session: Session, keyring: KeyRing, *, batch_size: int = 1000
) -> dict[str, ValueCounts]:
    """Classify every stored ciphertext of every place by which configured key reads it
    (the raw stored text: nothing goes through the ORM's decryption, no value is kept).

    Rows are read in batches by primary key (keyset paging), so memory stays flat whatever the
    number of profiles; each value is decrypted, since only that tells a tampered or
    corrupted value from a good one."""
    result: dict[str, ValueCounts] = {}
    primary = keyring.primary_fingerprint
    for place in PLACES:
        raw = type_coerce(place.table.c[place.column], Text())
        [pk] = place.table.primary_key.columns
        counts = ValueCounts()
        last = None
        while True:
            stmt = select(pk, raw).where(raw.is_not(None))
            if last is not None:
                stmt = stmt.where(pk > last)
            rows = session.execute(stmt.order_by(pk).limit(batch_size)).all()
            if not rows:
                break
            last = rows[-1][0]
            for _key, stored in rows:
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
