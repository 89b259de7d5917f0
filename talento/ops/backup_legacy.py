"""Read-only: the encrypted archives Talento wrote before the age format (`TLNTOBAK`, version 1).

`talento backup` no longer writes this format (see `backup_crypto`: age); `talento restore`
still reads it, so the archives made before the change stay restorable. Nothing here writes.

Format (all integers big-endian), Argon2id + ChaCha20-Poly1305, streamed in chunks::

    header (46 bytes)
      magic         8   b"TLNTOBAK"
      version       1   1
      kdf           1   1 = Argon2id (argon2-cffi, hash_secret_raw, 32-byte key)
      time_cost     4
      memory_kib    4
      parallelism   4
      salt         16   random per archive
      nonce_prefix  4   random per archive
      chunk_size    4   plaintext bytes per chunk (1 MiB)
    chunks
      ChaCha20-Poly1305(key, nonce = nonce_prefix || counter (8 bytes),
                        aad = header || final flag (1 byte: 0 or 1))
      Every chunk but the last holds exactly chunk_size plaintext bytes; the last one holds
      0..chunk_size bytes and is sealed with final flag 1 (an empty archive still has one).

The counter in the nonce makes reordered or duplicated chunks fail authentication; the final
flag makes a truncated archive fail (the chunk that now ends the file was sealed as
non-final); the header in the associated data makes an edited header fail. A wrong passphrase
and a tampered archive are indistinguishable by design: both fail authentication of the first
chunk that is read. The archive is decrypted chunk by chunk, never whole in memory.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from talento.ops.backup_crypto import ALTERED_MESSAGE, BackupCryptoError

MAGIC = b"TLNTOBAK"
VERSION = 1
KDF_ARGON2ID = 1
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
HEADER = struct.Struct(">8sBBIII16s4sI")
HEADER_SIZE = HEADER.size

# Bounds accepted when reading a header, so a forged header cannot ask for 1 TiB of memory.
_MAX_MEMORY_KIB = 4 * 1024 * 1024
_MAX_TIME_COST = 64
_MAX_PARALLELISM = 64
_MAX_CHUNK = 64 * 1024 * 1024


@dataclass(frozen=True)
class KdfParams:
    """The Argon2id cost recorded in a header (the writer used 3 passes, 64 MiB, 1 lane)."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def is_legacy(head: bytes) -> bool:
    return head.startswith(MAGIC)


class DecryptingReader:
    """A read-only file object over a legacy archive; raises BackupCryptoError when a chunk
    fails authentication (wrong passphrase, altered, reordered or truncated archive)."""

    def __init__(self, source: BinaryIO, passphrase: str):
        header = source.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE:
            raise BackupCryptoError("Archive illisible : en-tête de chiffrement tronqué.")
        magic, version, kdf, time_cost, memory, parallelism, salt, prefix, chunk = HEADER.unpack(
            header
        )
        if magic != MAGIC:
            raise BackupCryptoError("Ce fichier n'est pas une archive chiffrée de Talento.")
        if version != VERSION or kdf != KDF_ARGON2ID:
            raise BackupCryptoError(
                f"Format d'archive chiffrée inconnu (version {version}) : mettez Talento à jour."
            )
        if not (
            1 <= time_cost <= _MAX_TIME_COST
            and 1 <= parallelism <= _MAX_PARALLELISM
            and 8 * parallelism <= memory <= _MAX_MEMORY_KIB
            and 1024 <= chunk <= _MAX_CHUNK
        ):
            raise BackupCryptoError("Archive illisible : en-tête de chiffrement invalide.")
        key = derive_key(passphrase, salt, KdfParams(time_cost, memory, parallelism))
        self._aead = ChaCha20Poly1305(key)
        self._header, self._prefix = header, prefix
        self._source = source
        self._sealed_size = chunk + TAG_SIZE
        self._pending = source.read(self._sealed_size)
        self._counter = 0
        self._plain = b""
        self._offset = 0
        self._done = False

    def _next_chunk(self) -> None:
        following = self._source.read(self._sealed_size)
        final = not following
        sealed = self._pending
        if not final and len(sealed) != self._sealed_size:
            raise BackupCryptoError(ALTERED_MESSAGE)
        nonce = self._prefix + self._counter.to_bytes(8, "big")
        try:
            self._plain = self._aead.decrypt(nonce, sealed, self._header + bytes([final]))
        except InvalidTag:
            raise BackupCryptoError(ALTERED_MESSAGE) from None
        self._offset = 0
        self._counter += 1
        self._pending = following
        self._done = final

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = size if size is not None and size >= 0 else None
        while wanted is None or wanted > 0:
            if self._offset >= len(self._plain):
                if self._done:
                    break
                self._next_chunk()
                continue
            end = len(self._plain) if wanted is None else self._offset + wanted
            piece = self._plain[self._offset : end]
            self._offset += len(piece)
            parts.append(piece)
            if wanted is not None:
                wanted -= len(piece)
        return b"".join(parts)

    def drain(self) -> None:
        """Read (and so authenticate) everything up to the final chunk."""
        while self.read(CHUNK_SIZE):
            pass
