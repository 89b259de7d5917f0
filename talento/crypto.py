"""Field encryption: a key ring over Fernet, the EncryptedText column type, fingerprints, canary.

Stored form of an encrypted value: ``"<fingerprint>$<fernet token>"``. The fingerprint names the
key that wrote the value (as Rails' ``store_key_references`` does), so status reports and a
later re-encryption know which values need work without trial decryption.

A value that no configured key can read never raises into a request: it loads as
:data:`UNAVAILABLE`, a falsy marker that templates show as « Donnée indisponible », and one
warning per value names the table, column and row.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, has_app_context
from sqlalchemy import Text, event, inspect
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

FINGERPRINT_LENGTH = 12
CANARY_PLAINTEXT = "talento-key-canary-v1"
_SEPARATOR = "$"


class Unavailable(str):
    """A value that could not be decrypted: falsy, and rendered as « Donnée indisponible ».

    It carries a short digest of the unreadable ciphertext (never the ciphertext itself) so
    the warning is logged once per value, not once per row id.
    """

    digest: str

    def __new__(cls, digest: str = "") -> Unavailable:
        instance = super().__new__(cls, "")
        instance.digest = digest
        return instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNAVAILABLE"

    def __html__(self) -> str:
        from markupsafe import escape

        from talento.i18n import gettext

        label = gettext("Donnée indisponible")
        return f'<span class="unavailable">{escape(label)}</span>'


UNAVAILABLE = Unavailable()


def is_unavailable(value: object) -> bool:
    return isinstance(value, Unavailable)


def fingerprint(key: str) -> str:
    """One-way, safe-to-print identifier of a key: a keyed hash (HMAC) prefix."""
    digest = hmac.new(key.encode("ascii"), b"talento-key-fingerprint", hashlib.sha256)
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


BLIND_INDEX_LENGTH = 32


def blind_index_key(key: str) -> bytes:
    """The HMAC key for blind indexes, derived from an encryption key (never the key itself:
    an index must not help an attacker with the ciphertexts). Key rotation recomputes the
    indexes with the new key's derivation."""
    return hmac.new(key.encode("ascii"), b"talento-blind-index-v1", hashlib.sha256).digest()


def blind_index(key: str, normalised: str) -> str:
    """HMAC-SHA256 of `normalised` under the key derived from `key`, hex, 128 bits kept."""
    digest = hmac.new(blind_index_key(key), normalised.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:BLIND_INDEX_LENGTH]


@dataclass(frozen=True)
class KeyRing:
    """The primary key encrypts; it and every previous key decrypt."""

    keys: tuple[str, ...]
    # fingerprint -> Fernet, built from `keys` (not a constructor argument, not compared)
    _fernets: dict[str, Fernet] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a key ring needs at least one key")
        object.__setattr__(self, "_fernets", {fingerprint(k): Fernet(k) for k in self.keys})

    @classmethod
    def from_keys(cls, primary: str, previous: Iterable[str] = ()) -> KeyRing:
        ordered = [primary] + [k for k in previous if k != primary]
        return cls(tuple(dict.fromkeys(ordered)))

    @property
    def primary_fingerprint(self) -> str:
        return fingerprint(self.keys[0])

    @property
    def fingerprints(self) -> tuple[str, ...]:
        return tuple(fingerprint(k) for k in self.keys)

    def encrypt(self, plaintext: str) -> str:
        fp = self.primary_fingerprint
        token = self._fernets[fp].encrypt(plaintext.encode("utf-8")).decode("ascii")
        return f"{fp}{_SEPARATOR}{token}"

    def decrypt(self, stored: str) -> str:
        """Decrypt, or raise InvalidToken if no configured key reads the value."""
        return self.decrypt_with_fingerprint(stored)[0]

    def decrypt_with_fingerprint(self, stored: str) -> tuple[str, str]:
        """Return (plaintext, fingerprint of the key that read it)."""
        fp, _, token = stored.rpartition(_SEPARATOR)
        named = self._fernets.get(fp)
        if named is not None:  # the usual case: the key that wrote it (no list, no loop)
            try:
                return named.decrypt(token.encode("ascii")).decode("utf-8"), fp
            except (InvalidToken, UnicodeEncodeError, ValueError):
                pass
        for candidate in self._fernets:
            if candidate == fp:
                continue
            try:
                plain = self._fernets[candidate].decrypt(token.encode("ascii"))
            except (InvalidToken, UnicodeEncodeError, ValueError):
                continue
            return plain.decode("utf-8"), candidate
        raise InvalidToken

    def blind_index(self, normalised: str) -> str:
        """Keyed index of a normalised value (E.164 phone) under the primary key: exact search
        on an encrypted column without decrypting it."""
        return blind_index(self.keys[0], normalised)

    def blind_index_candidates(self, normalised: str) -> tuple[str, ...]:
        """The value's index under every configured key: during a key rotation, rows not yet
        recomputed still carry an index derived from a previous key."""
        return tuple(dict.fromkeys(blind_index(k, normalised) for k in self.keys))

    def make_canary(self) -> str:
        return self.encrypt(CANARY_PLAINTEXT)

    def reads_canary(self, stored: str) -> bool:
        try:
            return self.decrypt(stored) == CANARY_PLAINTEXT
        except InvalidToken:
            return False


_active_keyring: KeyRing | None = None


def install_keyring(keyring: KeyRing) -> None:
    """Make `keyring` the one EncryptedText columns use (done once by create_app)."""
    global _active_keyring
    _active_keyring = keyring


def active_keyring() -> KeyRing:
    """The current app's key ring inside an app context, else the one installed last."""
    if has_app_context():
        keyring = current_app.extensions.get("talento.keyring")
        if keyring is not None:
            return keyring
    if _active_keyring is None:
        raise RuntimeError("no encryption key ring installed: create the app first")
    return _active_keyring


def stored_fingerprint(stored: str) -> str | None:
    fp, sep, _ = stored.rpartition(_SEPARATOR)
    return fp if sep else None


class EncryptedText(TypeDecorator):
    """Text encrypted with the active key ring; unreadable values load as UNAVAILABLE."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or isinstance(value, Unavailable):
            # An unreadable value is never written back over its ciphertext by accident.
            if isinstance(value, Unavailable):
                raise ValueError("refusing to overwrite an unreadable value with nothing")
            return None
        if value == "":
            return None
        return active_keyring().encrypt(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return active_keyring().decrypt(value)
        except InvalidToken:
            return Unavailable(hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:16])

    def compare_values(self, x, y):
        return x == y and type(x) is type(y)


_warned: set[tuple[str, str, object, str]] = set()
_WARNED_LIMIT = 100_000


def warn_unreadable(table: str, column: str, row_id: object, digest: str = "") -> None:
    """Log once per value; the message names the place and the likely cause, never a secret."""
    marker = (table, column, row_id, digest)
    if marker in _warned:
        return
    if len(_warned) >= _WARNED_LIMIT:  # bounded memory in a long-running worker
        _warned.clear()
    _warned.add(marker)
    log.warning(
        "Échec du déchiffrement (clé incorrecte ?) : table=%s colonne=%s id=%s — la valeur est "
        "affichée comme « Donnée indisponible ». Vérifiez ENCRYPTION_KEY / "
        "ENCRYPTION_KEYS_PREVIOUS (`talento keys status`).",
        table,
        column,
        row_id,
    )


def encrypted_columns(model) -> list[str]:
    return [c.key for c in model.__table__.columns if isinstance(c.type, EncryptedText)]


def watch_unreadable_values(model) -> None:
    """After each load of `model`, warn about encrypted attributes that could not be read."""
    columns = encrypted_columns(model)

    @event.listens_for(model, "load")
    def _on_load(target, context):
        for name in columns:
            value = target.__dict__.get(name)
            if isinstance(value, Unavailable):
                identity = inspect(target).identity  # the primary key (user_id for profiles)
                row_id = identity[0] if identity and len(identity) == 1 else identity
                warn_unreadable(model.__tablename__, name, row_id, value.digest)

    @event.listens_for(model, "refresh")
    def _on_refresh(target, context, attrs):
        _on_load(target, context)
