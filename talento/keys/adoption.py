"""Lost key: adopt the configured key, clear what no key can read, ask people to re-enter it.

This is the seed guide's "Option B" done by the product. When the key that wrote some data is
truly gone, start-up refuses (the canary cannot be read). `talento keys adopt
--accept-data-loss` then:

1. surveys every encrypted value and counts, per column, those that *no* configured key reads
   (a value readable by ENCRYPTION_KEY or ENCRYPTION_KEYS_PREVIOUS is never touched);
2. moves each unreadable ciphertext to ``lost_values`` (kept, not destroyed: `talento keys
   recover` puts values back if the old key turns up), clears it and its blind index, and
   adds the field to the owner's ``users.lost_fields``; each row is cleared only if it still
   holds the ciphertext that was read, in committed batches, so an interrupted run resumes;
3. last, forgets the unreadable canaries and records the current key: start-up works again.

Flagged people are sent to a re-entry page at their next login (talento/keys/reentry.py). The
encrypted columns walked here, their owners and the names asked for are declared once in
`talento.keys.places`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import Table, Text, bindparam, delete, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.crypto import KeyRing, stored_fingerprint
from talento.extensions import db, rowcount, table_of
from talento.keys.canary import check_canary, ensure_primary_canary
from talento.keys.models import KeyCanary, LostValue
from talento.keys.places import FIELD_ORDER, PLACES, Place, place_of, undeclared_encrypted_columns

CONFIRMATION_WORD = "ADOPTER"


class NothingToAdopt(Exception):
    """Every canary and every value is readable: adopting would only lose the safety net."""


@dataclass
class AdoptionSurvey:
    unreadable_canaries: list[str] = field(default_factory=list)
    unreadable: Counter = field(default_factory=Counter)  # "users.phone" -> count
    readable: int = 0
    affected_users: set[int] = field(default_factory=set)
    lost_fingerprints: Counter = field(default_factory=Counter)

    @property
    def total_unreadable(self) -> int:
        return sum(self.unreadable.values())

    @property
    def needed(self) -> bool:
        return bool(self.unreadable_canaries or self.total_unreadable)


@dataclass
class AdoptionReport:
    cleared: int = 0
    skipped_changed: int = 0  # rewritten by the app meanwhile: nothing lost any more
    flagged_users: int = 0
    removed_canaries: list[str] = field(default_factory=list)


def _places() -> tuple[Place, ...]:
    unknown = undeclared_encrypted_columns(db.metadata)
    if unknown:  # a new encrypted column must say whose it is and what to ask for
        raise RuntimeError(f"Colonnes chiffrées non déclarées dans talento.keys.places : {unknown}")
    return PLACES


def _raw(table: Table, column: str):
    return type_coerce(table.c[column], Text())


def _readable(keyring: KeyRing, stored: str) -> bool:
    try:
        keyring.decrypt(stored)
    except InvalidToken:
        return False
    return True


def _scan(session: Session, place: Place, batch_size: int):
    """Yield batches of (primary key, owner id, stored ciphertext), in key order."""
    table = place.table
    [pk] = table.primary_key.columns
    owner = table.c[place.owner]
    raw = _raw(table, place.column)
    last = None
    while True:
        stmt = select(pk, owner, raw).where(raw.is_not(None))
        if last is not None:
            stmt = stmt.where(pk > last)
        rows = session.execute(stmt.order_by(pk).limit(batch_size)).all()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def survey(session: Session, keyring: KeyRing, batch_size: int = 1000) -> AdoptionSurvey:
    """What adopting would clear: nothing is written."""
    result = AdoptionSurvey(unreadable_canaries=check_canary(session, keyring).unreadable)
    for place in _places():
        for rows in _scan(session, place, batch_size):
            for _, owner, stored in rows:
                if _readable(keyring, stored):
                    result.readable += 1
                else:
                    result.unreadable[place.name] += 1
                    result.lost_fingerprints[stored_fingerprint(stored) or "?"] += 1
                    result.affected_users.add(owner)
    session.rollback()
    return result


def _flag(session: Session, lost_by_user: dict[int, set[str]]) -> None:
    """Add field names to users.lost_fields (merged with what is already there)."""
    users = table_of(User)
    current = dict(
        session.execute(
            select(users.c.id, users.c.lost_fields).where(users.c.id.in_(lost_by_user))
        ).all()
    )
    rows = []
    for user_id, names in lost_by_user.items():
        merged = set((current.get(user_id) or "").split(",")) | names
        rows.append({"uid": user_id, "lost": ",".join(n for n in FIELD_ORDER if n in merged)})
    session.execute(
        update(users)
        .where(users.c.id == bindparam("uid"))
        .values(lost_fields=bindparam("lost"), lost_data_notified_at=None),
        rows,
    )


def adopt(
    session: Session,
    keyring: KeyRing,
    *,
    batch_size: int = 500,
    max_batches: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> AdoptionReport:
    """Clear and quarantine every value no configured key reads, flag the owners, then record
    the current key. Raises NothingToAdopt when everything is readable. `max_batches` stops
    early (as an interruption would): a second call finishes the work."""
    if not survey(session, keyring).needed:
        raise NothingToAdopt
    report = AdoptionReport()
    flagged: set[int] = set()
    batches = 0
    for place in _places():
        table, column, index_name = place.table, place.column, place.blind_index
        [pk] = table.primary_key.columns
        raw = _raw(table, column)
        for rows in _scan(session, place, batch_size):
            if max_batches is not None and batches >= max_batches:
                return report
            lost_by_user: dict[int, set[str]] = {}
            for key, owner, stored in rows:
                if _readable(keyring, stored):
                    continue
                values = {table.c[column]: None}
                if index_name:
                    values[table.c[index_name]] = None
                done = session.execute(
                    update(table).where(pk == key, raw == literal(stored, Text())).values(values)
                )
                if not rowcount(done):
                    report.skipped_changed += 1
                    continue
                session.add(
                    LostValue(
                        table_name=table.name,
                        column_name=column,
                        row_id=key,
                        user_id=owner,
                        fingerprint=stored_fingerprint(stored) or "?",
                        ciphertext=stored,
                    )
                )
                lost_by_user.setdefault(owner, set()).add(place.field)
                report.cleared += 1
            if lost_by_user:
                _flag(session, lost_by_user)
                flagged |= set(lost_by_user)
            session.commit()
            batches += 1
            if progress is not None:
                progress(len(rows))
    unreadable = check_canary(session, keyring).unreadable
    if unreadable:
        session.execute(delete(KeyCanary).where(KeyCanary.fingerprint.in_(unreadable)))
    ensure_primary_canary(session, keyring)
    session.commit()
    report.removed_canaries = sorted(unreadable)
    report.flagged_users = len(flagged)
    return report


@dataclass
class RecoveryReport:
    restored: int = 0
    superseded: int = 0  # the person had re-entered the field: their new value wins
    still_unreadable: int = 0


def recover(session: Session, keyring: KeyRing, found_key: str) -> RecoveryReport:
    """The old key turned up after an adoption: put back, under the current key, every
    quarantined value the person has not re-entered since, and unflag those fields."""
    old = KeyRing.from_keys(found_key)
    report = RecoveryReport()
    for lost in session.scalars(select(LostValue).order_by(LostValue.id)).all():
        try:
            plain = old.decrypt(lost.ciphertext)
        except InvalidToken:
            report.still_unreadable += 1
            continue
        place = place_of(lost.table_name, lost.column_name)
        name = place.field
        user = session.get(User, lost.user_id) if lost.user_id is not None else None
        if user is None or name not in user.lost_field_names:
            report.superseded += 1  # already re-entered (or emptied) by the person: theirs wins
            session.delete(lost)
            continue
        table = place.table
        [pk] = table.primary_key.columns
        values: dict[Any, Any] = {table.c[place.column]: literal(keyring.encrypt(plain), Text())}
        if place.blind_index:
            values[table.c[place.blind_index]] = keyring.blind_index(plain)
        session.execute(update(table).where(pk == lost.row_id).values(values))
        user.lost_fields = ",".join(n for n in user.lost_field_names if n != name) or None
        report.restored += 1
        session.delete(lost)
    session.commit()
    return report
