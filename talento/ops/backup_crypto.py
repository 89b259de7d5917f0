"""Passphrase encryption of backup archives: the age format (age-encryption.org/v1), via pyrage.

Why: an archive holds names, e-mails and password hashes in clear (only some fields are
field-encrypted), and it leaves the server. The passphrase protects it wherever it is copied.

Why age: it is a documented standard with independent implementations (rage, which pyrage
wraps; Go's `age`, packaged by Debian), so on a bad day `age -d archive.tar.enc > archive.tar`
opens an archive without Talento. A passphrase archive is::

    age-encryption.org/v1
    -> scrypt <salt> <log2 of the scrypt work factor, calibrated to about 1 s>
    <the random file key, wrapped with the scrypt key>
    --- <HMAC-SHA256 of the header, keyed from the file key>
    <16-byte nonce> <payload: ChaCha20-Poly1305 in 64 KiB chunks, counter and final flag in
                     each nonce (STREAM): reordered, truncated or extended archives fail>

A wrong passphrase and a tampered archive are both refused with ALTERED_MESSAGE.

Limit: pyrage's passphrase functions take and return whole `bytes` (its streaming
`encrypt_io`/`decrypt_io` accept key-pair recipients only, not a passphrase). Encrypting an
archive, and restoring an encrypted one, therefore hold the whole archive in memory, about
three times its size at the peak (plaintext, ciphertext, and the copy between Rust and
Python; measured: 1.2 GiB for a 400 MiB archive). Unencrypted archives are streamed. The
archives written before the age format are read, chunk by chunk, by `backup_legacy`.
"""

from __future__ import annotations

import stat
from pathlib import Path

from pyrage import DecryptError
from pyrage import passphrase as age_passphrase

AGE_MAGIC = b"age-encryption.org/v1"
MIN_PASSPHRASE_LENGTH = 12

ALTERED_MESSAGE = (
    "Phrase de passe incorrecte ou archive altérée : le déchiffrement authentifié a échoué. "
    "Vérifiez le fichier de phrase de passe, puis l'intégrité de la copie de l'archive."
)


class BackupCryptoError(Exception):
    """The archive cannot be decrypted; the message is for the operator (French)."""


class PassphraseError(Exception):
    """The passphrase file is missing, empty or too short."""


def read_passphrase_file(path: str | Path) -> tuple[str, list[str]]:
    """Read a passphrase (trailing newline removed); returns it with warnings to print."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        info = path.stat()
    except OSError as exc:
        raise PassphraseError(
            f"Fichier de phrase de passe illisible : {path} ({exc.strerror or exc})."
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PassphraseError(
            f"Le fichier de phrase de passe {path} n'est pas du texte UTF-8."
        ) from None
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text.strip():
        raise PassphraseError(f"Le fichier de phrase de passe {path} est vide.")
    if len(text) < MIN_PASSPHRASE_LENGTH:
        raise PassphraseError(
            f"Phrase de passe trop courte ({len(text)} caractères, minimum "
            f"{MIN_PASSPHRASE_LENGTH}) dans {path}."
        )
    warnings = []
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(
            f"Le fichier de phrase de passe {path} est lisible par d'autres utilisateurs : "
            f"chmod 600 {path}"
        )
    return text, warnings


def is_age(head: bytes) -> bool:
    return head.startswith(AGE_MAGIC)


def encrypt(plaintext: bytes, passphrase: str) -> bytes:
    """The whole archive, encrypted to an age file for `passphrase` (scrypt recipient)."""
    return age_passphrase.encrypt(plaintext, passphrase)


def decrypt(ciphertext: bytes, passphrase: str) -> bytes:
    """The whole plaintext of an age file; BackupCryptoError when it does not authenticate
    (wrong passphrase, altered or truncated archive)."""
    try:
        return age_passphrase.decrypt(ciphertext, passphrase)
    except DecryptError as exc:
        if "xcessive work" in str(exc):
            raise BackupCryptoError(
                "Archive illisible : son en-tête age demande un calcul de phrase de passe "
                "(scrypt) démesuré pour cette machine."
            ) from None
        raise BackupCryptoError(ALTERED_MESSAGE) from None
