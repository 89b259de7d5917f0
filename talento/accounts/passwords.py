"""The one password service: Argon2id hashing, verification, transparent upgrade.

Legacy Werkzeug hashes (``pbkdf2:…`` / ``scrypt:…``) verify too, and callers rehash them on a
successful login. An empty or unusable hash never matches.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash

_LEGACY_PREFIXES = ("pbkdf2:", "scrypt:")


@dataclass(frozen=True)
class PasswordCheck:
    ok: bool
    needs_rehash: bool = False


class PasswordService:
    def __init__(self, memory_kib: int = 19456, time_cost: int = 2, parallelism: int = 1):
        self._hasher = PasswordHasher(
            memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism, type=Type.ID
        )
        # Verified against when the account does not exist, so both paths take the same time.
        self._dummy_hash = self._hasher.hash("talento-timing-equaliser")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> PasswordCheck:
        if not stored_hash or not password:
            self.burn_time()
            return PasswordCheck(False)
        if stored_hash.startswith(_LEGACY_PREFIXES):
            ok = check_password_hash(stored_hash, password)
            return PasswordCheck(ok, needs_rehash=ok)
        try:
            self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return PasswordCheck(False)
        return PasswordCheck(True, needs_rehash=self._hasher.check_needs_rehash(stored_hash))

    def burn_time(self) -> None:
        """Spend one verification's worth of time (unknown account, empty hash)."""
        with contextlib.suppress(VerifyMismatchError):
            self._hasher.verify(self._dummy_hash, "not-the-password")
