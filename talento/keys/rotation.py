"""Key rotation: a new key for ENCRYPTION_KEY, then every value re-encrypted under it.

`talento keys rotate` prints a fresh key and the `.env` change (new key first, the old one moved
to ENCRYPTION_KEYS_PREVIOUS). After the restart the app writes with the new key and still reads
the old values; `talento keys reencrypt` then moves every value, blind index and canary to the
new key, in small committed batches:

* resumable: a value's stored fingerprint says which key wrote it, so a second run only sees
  what is left (and an interrupted run lost at most one uncommitted batch);
* safe while the app serves: each row is updated only if it still holds the ciphertext that was
  read (``WHERE col = :old``); a value the app rewrote meanwhile is already under the new key;
* honest: a value no configured key reads is counted and left untouched, never cleared.

When nothing remains under an old key, the old canaries are removed and the command says that
ENCRYPTION_KEYS_PREVIOUS can be emptied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Table, Text, and_, delete, func, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from talento.crypto import KeyRing
from talento.extensions import db
from talento.keys.canary import ensure_primary_canary
from talento.keys.models import KeyCanary

#: Blind indexes kept beside an encrypted column (recomputed with it, in the same UPDATE).
BLIND_INDEXES = {("users", "phone"): "phone_index", ("users", "whatsapp"): "whatsapp_index"}


def rotation_instructions(current_key: str, previous: tuple[str, ...]) -> tuple[str, list[str]]:
    """A new key and the `.env` lines that make it current while the old ones still read."""
    new_key = Fernet.generate_key().decode()
    kept = ",".join(dict.fromkeys([current_key, *previous]))
    return new_key, [f"ENCRYPTION_KEY={new_key}", f"ENCRYPTION_KEYS_PREVIOUS={kept}"]


@dataclass
class ReencryptReport:
    reencrypted: int = 0
    skipped_changed: int = 0  # rewritten by the app meanwhile: already under the new key
    unreadable: int = 0
    remaining: int = 0  # values still under an old key (after an interrupted run)
    removed_canaries: list[str] = field(default_factory=list)

    @property
    def previous_keys_removable(self) -> bool:
        return self.remaining == 0 and self.unreadable == 0


def _encrypted_places() -> list[tuple[Table, str]]:
    from talento.keys.canary import encrypted_columns_by_table

    tables = db.metadata.tables
    return [
        (tables[name], column)
        for name, columns in encrypted_columns_by_table().items()
        for column in columns
    ]


def _raw(table: Table, column: str):
    """The stored ciphertext as text (the column's own type would decrypt or encrypt it)."""
    return type_coerce(table.c[column], Text())


def _not_current(table: Table, column: str, keyring: KeyRing):
    raw = _raw(table, column)
    return and_(raw.is_not(None), ~raw.startswith(f"{keyring.primary_fingerprint}$"))


def values_to_reencrypt(session: Session, keyring: KeyRing) -> int:
    """How many stored values are not under the current key (readable or not)."""
    return sum(
        session.scalar(
            select(func.count()).select_from(table).where(_not_current(table, column, keyring))
        )
        or 0
        for table, column in _encrypted_places()
    )


def reencrypt(
    session: Session,
    keyring: KeyRing,
    *,
    batch_size: int = 500,
    max_batches: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReencryptReport:
    """Re-encrypt under the primary key; commits after each batch. `max_batches` stops early
    (as an interruption would); `progress(n)` is told how many values each batch handled."""
    report = ReencryptReport()
    batches = 0
    ensure_primary_canary(session, keyring)
    session.commit()
    for table, column in _encrypted_places():
        [pk] = table.primary_key.columns
        col = _raw(table, column)
        index_name = BLIND_INDEXES.get((table.name, column))
        last = None
        while max_batches is None or batches < max_batches:
            stmt = select(pk, col).where(_not_current(table, column, keyring))
            if last is not None:
                stmt = stmt.where(pk > last)
            rows = session.execute(stmt.order_by(pk).limit(batch_size)).all()
            if not rows:
                break
            for key, stored in rows:
                last = key
                try:
                    plain = keyring.decrypt(stored)
                except InvalidToken:
                    report.unreadable += 1
                    continue
                values = {table.c[column]: literal(keyring.encrypt(plain), Text())}
                if index_name:
                    values[table.c[index_name]] = keyring.blind_index(plain)
                done = session.execute(
                    update(table).where(pk == key, col == literal(stored, Text())).values(values)
                )
                if done.rowcount:
                    report.reencrypted += 1
                else:
                    report.skipped_changed += 1
            session.commit()
            batches += 1
            if progress is not None:
                progress(len(rows))
    report.remaining = values_to_reencrypt(session, keyring) - report.unreadable
    if report.previous_keys_removable:
        stale = session.scalars(
            select(KeyCanary.fingerprint).where(
                KeyCanary.fingerprint != keyring.primary_fingerprint
            )
        ).all()
        if stale:  # nothing is written under those keys any more: start-up stops needing them
            session.execute(delete(KeyCanary).where(KeyCanary.fingerprint.in_(stale)))
        session.commit()
        report.removed_canaries = sorted(stale)
    return report
