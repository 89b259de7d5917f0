"""The writer of the encrypted archives Talento made before the age format, kept for the tests
only: `talento backup` no longer writes this format, `talento restore` must still read it
(talento/ops/backup_legacy.py). This is the code that wrote those archives, unchanged."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from talento.ops.backup_legacy import (
    CHUNK_SIZE,
    HEADER,
    KDF_ARGON2ID,
    MAGIC,
    VERSION,
    KdfParams,
    derive_key,
)

#: Cheap Argon2id for the tests; the old CLI used KdfParams() (3 passes, 64 MiB).
FAST = KdfParams(time_cost=1, memory_kib=1024, parallelism=1)


class EncryptingWriter:
    """A write-only file object: plaintext in, header and sealed chunks out to `sink`."""

    def __init__(self, sink: BinaryIO, passphrase: str, params: KdfParams = FAST):
        salt, self._prefix = os.urandom(16), os.urandom(4)
        self._header = HEADER.pack(
            MAGIC,
            VERSION,
            KDF_ARGON2ID,
            params.time_cost,
            params.memory_kib,
            params.parallelism,
            salt,
            self._prefix,
            CHUNK_SIZE,
        )
        self._aead = ChaCha20Poly1305(derive_key(passphrase, salt, params))
        self._sink = sink
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        sink.write(self._header)

    def _seal(self, data: bytes, final: bool) -> None:
        nonce = self._prefix + self._counter.to_bytes(8, "big")
        self._sink.write(self._aead.encrypt(nonce, data, self._header + bytes([final])))
        self._counter += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        # strictly more than a chunk: the last full chunk may turn out to be the final one
        while len(self._buffer) > CHUNK_SIZE:
            self._seal(bytes(self._buffer[:CHUNK_SIZE]), final=False)
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def close(self) -> None:
        """Seal the final chunk; does not close the sink."""
        if not self._closed:
            self._seal(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True


def encrypt_legacy(data: bytes, passphrase: str, params: KdfParams = FAST) -> bytes:
    """`data` sealed in the legacy format, written in pieces that do not align with chunks."""
    out = io.BytesIO()
    writer = EncryptingWriter(out, passphrase, params)
    for start in range(0, len(data), 300_000):
        writer.write(data[start : start + 300_000])
    writer.close()
    return out.getvalue()


def legacy_archive(plain: Path, destination: Path, passphrase: str) -> Path:
    """What the old `talento backup --passphrase-file` wrote for the same content: the plain
    tar of `plain`, sealed in the legacy format (the old writer sealed the tar stream)."""
    destination.write_bytes(encrypt_legacy(plain.read_bytes(), passphrase))
    return destination
