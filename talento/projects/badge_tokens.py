"""Badge tokens: what a badge's QR code carries, signed with Ed25519 so that a scanning phone
verifies it offline with the public key alone and cannot make one (issue 14 point 7; DESIGN
"scanning").

Format (one line of URL-safe characters, short enough for a QR code read at arm's length)::

    base64url(payload) "." base64url(signature)

``payload`` is UTF-8 JSON with short keys, sorted, without spaces::

    {"b":"CCAFM0010001","f":"2027-03-15","k":"3f0c…","p":12,"t":"2027-03-16","v":1}

- ``b`` the booking code, ``p`` the project id;
- ``f`` / ``t`` the first and last booked day (ISO dates, ``null`` for a booking without
  days): the scanner refuses the badge outside them;
- ``k`` the key id (first 16 hex characters of the SHA-256 of the raw public key), ``v`` the
  format version.

The signature is Ed25519 over exactly the payload bytes as they appear base64url-decoded in
the token, so a browser checks it with WebCrypto (``crypto.subtle.verify("Ed25519", key,
signature, payloadBytes)``) or tweetnacl (``nacl.sign.detached.verify``), then parses the
JSON: nothing to canonicalise on the device. base64url is without padding (RFC 4648 §5).

The key pair is not stored anywhere: the private key is derived from ``SECRET_KEY`` with
HKDF-SHA256 (info ``talento badge signing v1``) into the 32-byte Ed25519 seed. So

- a copy of the database (a backup, a dump handed to a developer) cannot forge a badge;
- no new secret is required: the operator guide's variables are unchanged;
- changing ``SECRET_KEY`` changes the key: badges printed before are refused and must be
  printed again (docs/fr/exploitation.md says so). The key id lets a scanner tell "printed
  with another key" from "forged", and lets a future rotation publish two keys at once
  (``/projects/badge-keys.json`` is already a list).

What the token proves is only that the server made it: whether the booking is still live
(not cancelled since printing) is the roster's business, which the scanner keeps.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "FORMAT_VERSION",
    "BadgeClaims",
    "BadgeRefusal",
    "key_id",
    "keys_document",
    "public_keys",
    "sign_badge",
    "sign_claims",
    "verify_badge",
]

HKDF_INFO = b"talento badge signing v1"
FORMAT_VERSION = 1
ALGORITHM = "Ed25519"
#: A token longer than this is not one of ours (ours are about 220 characters): refused
#: before any decoding, so a scanner fed garbage does no work.
MAX_TOKEN_LENGTH = 1024
SIGNATURE_LENGTH = 64


class BadgeRefusal(enum.StrEnum):
    """Why a token is refused (the scanner shows a message per reason)."""

    BAD_FORMAT = "bad_format"  # not two base64url parts, not our JSON, wrong types
    UNKNOWN_KEY = "unknown_key"  # signed by a key the scanner does not know (other server,
    # or SECRET_KEY changed since printing)
    BAD_SIGNATURE = "bad_signature"  # altered or forged


@dataclass(frozen=True)
class BadgeClaims:
    """What a valid token says."""

    booking_code: str
    project_id: int
    valid_from: dt.date | None
    valid_until: dt.date | None
    key_id: str

    def valid_on(self, day: dt.date) -> bool:
        """Is the badge good on `day` (a badge without booked days is good any day)?"""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_until is not None and day > self.valid_until)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict base64url without padding: one spelling per byte string (a last character
    differing only in its unused bits is refused, so a token has exactly one valid form)."""
    if not text or any(ch not in _B64_ALPHABET for ch in text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@lru_cache(maxsize=4)
def _private_key(secret_key: str) -> Ed25519PrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """The first 16 hex characters of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_keys(secret_key: str) -> dict[str, bytes]:
    """{key id: raw public key} of the badge keys this server signs with (one today)."""
    raw = _raw_public(_private_key(secret_key))
    return {key_id(raw): raw}


def keys_document(secret_key: str) -> dict:
    """The JSON of ``/projects/badge-keys.json``: public, the same for everyone."""
    return {
        "keys": [
            {"kid": kid, "alg": ALGORITHM, "x": _b64encode(raw)}
            for kid, raw in public_keys(secret_key).items()
        ]
    }


def _payload_bytes(claims: dict) -> bytes:
    return json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_claims(
    secret_key: str,
    *,
    booking_code: str,
    project_id: int,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> str:
    """The signed token of these claims."""
    key = _private_key(secret_key)
    payload = _payload_bytes(
        {
            "b": booking_code,
            "p": project_id,
            "f": valid_from.isoformat() if valid_from else None,
            "t": valid_until.isoformat() if valid_until else None,
            "k": key_id(_raw_public(key)),
            "v": FORMAT_VERSION,
        }
    )
    return f"{_b64encode(payload)}.{_b64encode(key.sign(payload))}"


def sign_badge(secret_key: str, booking) -> str:
    """The token of a booking's badge: its code, project and first and last booked day.

    `booking` is anything with ``code``, ``project_id`` and ``days`` (a Booking, or the plain
    rows the badge PDF works from)."""
    days = sorted(booking.days)
    return sign_claims(
        secret_key,
        booking_code=booking.code,
        project_id=booking.project_id,
        valid_from=days[0] if days else None,
        valid_until=days[-1] if days else None,
    )


def _date_or_none(value: object) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("date")
    return dt.date.fromisoformat(value)


def _claims(payload: bytes) -> BadgeClaims:
    data = json.loads(payload.decode("utf-8"))
    if not isinstance(data, dict) or data.get("v") != FORMAT_VERSION:
        raise ValueError("version")
    code, project, kid = data.get("b"), data.get("p"), data.get("k")
    if not isinstance(code, str) or not code or not isinstance(kid, str):
        raise ValueError("fields")
    if not isinstance(project, int) or isinstance(project, bool):
        raise ValueError("project")
    return BadgeClaims(
        booking_code=code,
        project_id=project,
        valid_from=_date_or_none(data.get("f")),
        valid_until=_date_or_none(data.get("t")),
        key_id=kid,
    )


def verify_badge(keys: dict[str, bytes], token: str) -> BadgeClaims | BadgeRefusal:
    """The claims of a genuine token, or why it is refused. `keys` maps key ids to raw
    public keys (:func:`public_keys`, or what a scanner downloaded)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        return BadgeRefusal.BAD_FORMAT
    encoded_payload, encoded_signature = token.split(".")
    try:
        payload = _b64decode(encoded_payload)
        signature = _b64decode(encoded_signature)
        claims = _claims(payload)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return BadgeRefusal.BAD_FORMAT
    if len(signature) != SIGNATURE_LENGTH:
        return BadgeRefusal.BAD_FORMAT
    raw = keys.get(claims.key_id)
    if raw is None:
        return BadgeRefusal.UNKNOWN_KEY
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, payload)
    except (InvalidSignature, ValueError):
        return BadgeRefusal.BAD_SIGNATURE
    return claims
