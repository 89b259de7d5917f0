"""Badge tokens (talento/projects/badge_tokens.py): what the QR code of a badge carries, and
every way a token is refused — an altered payload or signature, another server's key, an
unknown key, anything that is not a token. Pure functions: no database."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from talento.projects.badge_tokens import (
    BadgeClaims,
    BadgeRefusal,
    key_id,
    keys_document,
    public_keys,
    sign_badge,
    sign_claims,
    verify_badge,
)

SECRET = "a" * 64
OTHER_SECRET = "b" * 64
DAYS = (dt.date(2027, 3, 17), dt.date(2027, 3, 15), dt.date(2027, 3, 16))


@dataclass(frozen=True)
class FakeBooking:
    """What sign_badge reads of a booking."""

    code: str = "CCAFM0010042"
    project_id: int = 12
    days: tuple[dt.date, ...] = DAYS


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parts(token: str) -> tuple[bytes, bytes]:
    payload, signature = token.split(".")
    return unb64(payload), unb64(signature)


def test_round_trip_gives_the_booking_code_project_and_first_and_last_day():
    token = sign_badge(SECRET, FakeBooking())
    claims = verify_badge(public_keys(SECRET), token)
    assert claims == BadgeClaims(
        booking_code="CCAFM0010042",
        project_id=12,
        valid_from=dt.date(2027, 3, 15),
        valid_until=dt.date(2027, 3, 17),
        key_id=next(iter(public_keys(SECRET))),
    )
    assert isinstance(claims, BadgeClaims)
    assert claims.valid_on(dt.date(2027, 3, 16))
    assert not claims.valid_on(dt.date(2027, 3, 14))
    assert not claims.valid_on(dt.date(2027, 3, 18))


def test_the_format_is_what_a_browser_verifies_with_the_public_key_alone():
    """base64url (no padding) of compact sorted JSON, a dot, base64url of an Ed25519
    signature over exactly those bytes: WebCrypto's verify(payloadBytes) succeeds."""
    token = sign_badge(SECRET, FakeBooking())
    assert "=" not in token
    assert token.count(".") == 1
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    payload, signature = parts(token)
    assert payload == (
        b'{"b":"CCAFM0010042","f":"2027-03-15","k":"'
        + next(iter(public_keys(SECRET))).encode()
        + b'","p":12,"t":"2027-03-17","v":1}'
    )
    assert len(signature) == 64
    (kid, raw), *_ = public_keys(SECRET).items()
    Ed25519PublicKey.from_public_bytes(raw).verify(signature, payload)  # raises if not
    assert len(token) < 260, "short enough for a QR code read at arm's length"


def test_the_key_is_derived_from_secret_key_and_never_random():
    first, again, other = public_keys(SECRET), public_keys(SECRET), public_keys(OTHER_SECRET)
    assert first == again
    assert first != other
    (kid, raw), *_ = first.items()
    assert len(raw) == 32
    assert kid == key_id(raw) == hashlib.sha256(raw).hexdigest()[:16]
    assert sign_badge(SECRET, FakeBooking()) == sign_badge(SECRET, FakeBooking())  # Ed25519


def test_the_keys_document_publishes_the_raw_public_key_in_base64url():
    document = keys_document(SECRET)
    (kid, raw), *_ = public_keys(SECRET).items()
    assert document == {"keys": [{"kid": kid, "alg": "Ed25519", "x": b64(raw)}]}
    assert SECRET not in json.dumps(document)


def test_an_altered_payload_byte_is_refused_as_a_bad_signature():
    token = sign_badge(SECRET, FakeBooking())
    payload, signature = parts(token)
    for altered in (
        payload.replace(b"CCAFM0010042", b"CCAFM0010043"),  # another person's code
        payload.replace(b"2027-03-17", b"2027-12-31"),  # a longer validity
        payload.replace(b'"p":12', b'"p":13'),  # another project
    ):
        assert altered != payload
        forged = f"{b64(altered)}.{b64(signature)}"
        assert verify_badge(public_keys(SECRET), forged) is BadgeRefusal.BAD_SIGNATURE


def test_an_altered_signature_is_refused():
    token = sign_badge(SECRET, FakeBooking())
    payload, signature = parts(token)
    flipped = bytes([signature[0] ^ 0x01]) + signature[1:]
    assert verify_badge(public_keys(SECRET), f"{b64(payload)}.{b64(flipped)}") is (
        BadgeRefusal.BAD_SIGNATURE
    )
    zero = f"{b64(payload)}.{b64(bytes(64))}"
    assert verify_badge(public_keys(SECRET), zero) is BadgeRefusal.BAD_SIGNATURE


def test_a_token_signed_with_another_secret_key_is_refused():
    """Another server (or this one before SECRET_KEY changed): its key id is unknown here;
    made to claim our key id, its signature does not verify."""
    theirs = sign_badge(OTHER_SECRET, FakeBooking())
    assert verify_badge(public_keys(SECRET), theirs) is BadgeRefusal.UNKNOWN_KEY
    payload, signature = parts(theirs)
    our_kid = next(iter(public_keys(SECRET)))
    their_kid = next(iter(public_keys(OTHER_SECRET)))
    claiming_ours = payload.replace(their_kid.encode(), our_kid.encode())
    from talento.projects.badge_tokens import _private_key

    resigned = _private_key(OTHER_SECRET).sign(claiming_ours)
    forged = f"{b64(claiming_ours)}.{b64(resigned)}"
    assert verify_badge(public_keys(SECRET), forged) is BadgeRefusal.BAD_SIGNATURE


def test_an_unknown_key_id_is_refused():
    token = sign_badge(SECRET, FakeBooking())
    assert verify_badge({}, token) is BadgeRefusal.UNKNOWN_KEY
    assert verify_badge(public_keys(OTHER_SECRET), token) is BadgeRefusal.UNKNOWN_KEY


def test_a_scanner_with_both_keys_accepts_both_servers_badges():
    keys = {**public_keys(SECRET), **public_keys(OTHER_SECRET)}
    for secret in (SECRET, OTHER_SECRET):
        claims = verify_badge(keys, sign_badge(secret, FakeBooking()))
        assert isinstance(claims, BadgeClaims)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b.c",
        ".",
        "eyJ9.",
        "!!!.???",
        "x" * 2000 + "." + "y" * 86,
        b64(b"not json") + "." + b64(bytes(64)),
        b64(b"[1,2]") + "." + b64(bytes(64)),
        b64(b'{"b":"X","k":"0","p":1,"v":2}') + "." + b64(bytes(64)),  # unknown version
        b64(b'{"b":"X","k":"0","p":true,"v":1}') + "." + b64(bytes(64)),  # not an id
        b64(b'{"b":"","k":"0","p":1,"v":1}') + "." + b64(bytes(64)),  # no code
        b64(b'{"b":"X","f":"15/03/2027","k":"0","p":1,"v":1}') + "." + b64(bytes(64)),
        b64(b'{"b":"X","k":"0","p":1,"v":1}') + "." + b64(bytes(63)),  # short signature
        b64(b"\xff\xfe") + "." + b64(bytes(64)),  # not UTF-8
    ],
)
def test_anything_that_is_not_a_token_is_refused_as_bad_format(token):
    assert verify_badge(public_keys(SECRET), token) is BadgeRefusal.BAD_FORMAT


def test_a_second_spelling_of_the_same_bytes_is_refused():
    """The signature's last base64url character carries unused bits: a decoder that ignored
    them would accept several strings for one badge. Exactly one spelling is valid."""
    token = sign_badge(SECRET, FakeBooking())
    last = token[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 0x01]  # flips an unused low bit of the last char
    respelt = token[:-1] + twin
    assert unb64(respelt.split(".")[1]) == unb64(token.split(".")[1])
    assert verify_badge(public_keys(SECRET), respelt) is BadgeRefusal.BAD_FORMAT


def test_a_booking_without_days_is_good_any_day():
    token = sign_claims(
        SECRET, booking_code="CCAFM0010001", project_id=3, valid_from=None, valid_until=None
    )
    claims = verify_badge(public_keys(SECRET), token)
    assert isinstance(claims, BadgeClaims)
    assert claims.valid_from is None
    assert claims.valid_until is None
    assert claims.valid_on(dt.date(2030, 1, 1))


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0), replacement=st.sampled_from("AbZ09-_."))
def test_no_single_character_change_yields_another_valid_badge(position, replacement):
    token = sign_badge(SECRET, FakeBooking())
    index = position % len(token)
    if token[index] == replacement:
        return
    changed = token[:index] + replacement + token[index + 1 :]
    assert isinstance(verify_badge(public_keys(SECRET), changed), BadgeRefusal)
