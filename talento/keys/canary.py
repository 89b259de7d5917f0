"""The key canary and the start-up key check.

The database records, for each encryption key that has written data, its fingerprint and a
canary token. Start-up refuses to go on when a recorded key is not among the configured keys:
a wrong ENCRYPTION_KEY is found at start-up, never in front of a user at login.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talento.crypto import KeyRing
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
