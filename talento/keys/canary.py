"""Key canary checks and the key status report.

The database records, for each encryption key that has written data, its fingerprint and a
canary token. Start-up refuses to go on when a recorded key is not among the configured keys:
a wrong ENCRYPTION_KEY is found at start-up, never in front of a user at login.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talento.crypto import EncryptedText, KeyRing, stored_fingerprint
from talento.extensions import db
from talento.keys.models import KeyCanary


class KeyMismatchError(Exception):
    """The configured keys cannot read data already in the database."""


@dataclass
class CanaryReport:
    recorded: list[str]
    configured: list[str]
    unreadable: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unreadable


def canary_table_exists(session: Session) -> bool:
    return inspect(session.connection()).has_table(KeyCanary.__tablename__)


def check_canary(session: Session, keyring: KeyRing) -> CanaryReport:
    canaries = session.scalars(select(KeyCanary).order_by(KeyCanary.created_at)).all()
    report = CanaryReport(
        recorded=[c.fingerprint for c in canaries], configured=list(keyring.fingerprints)
    )
    report.unreadable = [c.fingerprint for c in canaries if not keyring.reads_canary(c.token)]
    return report


def ensure_primary_canary(session: Session, keyring: KeyRing) -> bool:
    """Record the primary key as a writer of data. Safe when several workers race."""
    fp = keyring.primary_fingerprint
    if session.get(KeyCanary, fp) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(KeyCanary(fingerprint=fp, token=keyring.make_canary()))
    except IntegrityError:
        return False  # another worker recorded it first
    return True


def mismatch_message(report: CanaryReport, keyring: KeyRing) -> str:
    configured = ", ".join(
        f"{'ENCRYPTION_KEY' if i == 0 else 'ENCRYPTION_KEYS_PREVIOUS'}={fp}"
        for i, fp in enumerate(keyring.fingerprints)
    )
    expected = ", ".join(report.unreadable)
    return "\n".join(
        [
            "Talento ne peut pas démarrer : la clé de chiffrement ne correspond pas aux données "
            "de la base.",
            f"  Empreinte(s) de clé attendue(s) par les données : {expected}",
            f"  Empreinte(s) configurée(s) : {configured}",
            "  (une empreinte identifie une clé sans la révéler ; `talento keys fingerprint` "
            "calcule celle d'une clé lue sur l'entrée standard)",
            "Solutions :",
            "  1. Remettez la clé d'origine dans ENCRYPTION_KEY (fichier .env), puis redémarrez.",
            "  2. Ou gardez la nouvelle clé et ajoutez l'ancienne à ENCRYPTION_KEYS_PREVIOUS "
            "(liste séparée par des virgules) : les deux seront lues.",
            "  3. Si l'ancienne clé est définitivement perdue (cherchée partout) : sauvegardez "
            "(`talento backup`), puis `talento keys adopt --accept-data-loss`. Seules les "
            "valeurs qu'aucune clé ne lit sont effacées (gardées chiffrées en quarantaine) ; "
            "les personnes concernées les ressaisissent à leur prochaine connexion.",
        ]
    )


def verify_keys_or_raise(session: Session, keyring: KeyRing) -> bool:
    """The start-up check: refuse on mismatch, then record the primary key as a writer.

    Returns True when the primary key's canary was created (and committed) by this call.
    """
    report = check_canary(session, keyring)
    if not report.ok:
        raise KeyMismatchError(mismatch_message(report, keyring))
    if ensure_primary_canary(session, keyring):
        session.commit()
        return True
    return False


def encrypted_columns_by_table() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table in db.metadata.sorted_tables:
        cols = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if cols:
            found[table.name] = cols
    return found


@dataclass
class ValueCounts:
    current: int = 0
    previous: int = 0
    unreadable: int = 0
    by_fingerprint: Counter = field(default_factory=Counter)


def count_encrypted_values(session: Session, keyring: KeyRing) -> dict[str, ValueCounts]:
    """Classify every stored ciphertext by which configured key reads it (raw SQL, no ORM)."""
    result: dict[str, ValueCounts] = {}
    primary = keyring.primary_fingerprint
    for table, columns in encrypted_columns_by_table().items():
        for column in columns:
            counts = ValueCounts()
            rows = session.execute(
                text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
            )
            for (stored,) in rows:
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
            result[f"{table}.{column}"] = counts
    return result


def reindex_phones(session: Session, keyring: KeyRing, only_missing: bool = False) -> int:
    """Recompute the phone and WhatsApp blind indexes under the primary key; returns how many
    accounts were updated. Run after a key change (the index derives from the key) and once
    after migration 0004 (`only_missing`: rows written before the index existed)."""
    from sqlalchemy import bindparam, or_, update

    from talento.accounts.models import User
    from talento.crypto import Unavailable

    def index(value):
        if value is None or isinstance(value, Unavailable):
            return None
        return keyring.blind_index(value)

    stmt = select(User.id, User.phone, User.whatsapp, User.phone_index, User.whatsapp_index)
    stmt = stmt.where(or_(User.phone.is_not(None), User.whatsapp.is_not(None)))
    if only_missing:
        stmt = stmt.where(
            or_(
                User.phone.is_not(None) & User.phone_index.is_(None),
                User.whatsapp.is_not(None) & User.whatsapp_index.is_(None),
            )
        )
    updates = []
    for user_id, phone, whatsapp, old_phone, old_whatsapp in session.execute(
        stmt.order_by(User.id)
    ):
        new = (index(phone), index(whatsapp))
        if isinstance(phone, Unavailable):
            new = (old_phone, new[1])  # unreadable: keep what was there
        if isinstance(whatsapp, Unavailable):
            new = (new[0], old_whatsapp)
        if new != (old_phone, old_whatsapp):
            updates.append({"uid": user_id, "p": new[0], "w": new[1]})
    table = User.__table__
    for start in range(0, len(updates), 1000):
        session.execute(
            update(table)
            .where(table.c.id == bindparam("uid"))
            .values(phone_index=bindparam("p"), whatsapp_index=bindparam("w")),
            updates[start : start + 1000],
        )
    return len(updates)
