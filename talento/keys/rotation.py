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

`talento keys reindex` (:func:`reindex_phones`) recomputes the blind indexes alone. Every place
walked here is declared once in `talento.keys.places`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import (
    Table,
    Text,
    and_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from talento.crypto import KeyRing, Unavailable
from talento.extensions import rowcount, table_of
from talento.keys.canary import ensure_primary_canary
from talento.keys.models import KeyCanary
from talento.keys.places import BLIND_INDEXED, PLACES, Place


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
            select(func.count())
            .select_from(place.table)
            .where(_not_current(place.table, place.column, keyring))
        )
        or 0
        for place in PLACES
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
    for place in PLACES:
        table, column, index_name = place.table, place.column, place.blind_index
        [pk] = table.primary_key.columns
        col = _raw(table, column)
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
                values: dict[Any, Any] = {table.c[column]: literal(keyring.encrypt(plain), Text())}
                if index_name:
                    values[table.c[index_name]] = keyring.blind_index(plain)
                done = session.execute(
                    update(table).where(pk == key, col == literal(stored, Text())).values(values)
                )
                if rowcount(done):
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


def reindex_phones(session: Session, keyring: KeyRing, only_missing: bool = False) -> int:
    """Recompute every blind index (the phone and WhatsApp numbers) under the primary key;
    returns how many rows (accounts) were updated. Run after a key change (the index derives
    from the key) and once after migration 0004 (`only_missing`: rows written before the index
    existed). A value no key reads keeps the index it had. The caller commits."""
    by_model: dict[type, list[Place]] = {}
    for place in BLIND_INDEXED:
        by_model.setdefault(place.model, []).append(place)
    updated = 0
    for model, places in by_model.items():
        updated += _reindex(session, keyring, model, places, only_missing)
    return updated


def _reindex(
    session: Session, keyring: KeyRing, model: Any, places: list[Place], only_missing: bool
) -> int:
    values = [getattr(model, p.attribute) for p in places]
    indexes = [getattr(model, p.blind_index) for p in places]  # type: ignore[arg-type]
    [pk] = table_of(model).primary_key.columns
    stmt = select(pk, *values, *indexes).where(or_(*(v.is_not(None) for v in values)))
    if only_missing:
        stmt = stmt.where(
            or_(*(v.is_not(None) & i.is_(None) for v, i in zip(values, indexes, strict=True)))
        )

    def index(value, old):
        if isinstance(value, Unavailable):
            return old  # unreadable: keep what was there
        return keyring.blind_index(value) if value is not None else None

    count = len(places)
    updates = []
    for row in session.execute(stmt.order_by(pk)):
        key, plain, old = row[0], row[1 : 1 + count], tuple(row[1 + count :])
        new = tuple(index(v, o) for v, o in zip(plain, old, strict=True))
        if new != old:
            updates.append({"row_key": key, **{f"index_{n}": new[n] for n in range(count)}})
    table = table_of(model)
    statement = (
        update(table)
        .where(table.c[pk.name] == bindparam("row_key"))
        .values({p.blind_index: bindparam(f"index_{n}") for n, p in enumerate(places)})
    )
    for start in range(0, len(updates), 1000):
        session.execute(statement, updates[start : start + 1000])
    return len(updates)
