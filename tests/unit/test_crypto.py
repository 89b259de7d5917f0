"""Field encryption: key ring, fingerprints, unreadable values, canary."""

import logging

import pytest
from cryptography.fernet import Fernet, InvalidToken

from talento.crypto import (
    UNAVAILABLE,
    EncryptedText,
    KeyRing,
    Unavailable,
    fingerprint,
    install_keyring,
    warn_unreadable,
)

K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_round_trip_and_stored_form_names_the_key():
    ring = KeyRing.from_keys(K1)
    stored = ring.encrypt("+212600000000")
    assert "+212600000000" not in stored
    assert stored.startswith(fingerprint(K1) + "$")
    assert ring.decrypt(stored) == "+212600000000"


def test_previous_keys_decrypt_and_primary_encrypts():
    old = KeyRing.from_keys(K1).encrypt("adresse")
    ring = KeyRing.from_keys(K2, [K1])
    assert ring.decrypt_with_fingerprint(old) == ("adresse", fingerprint(K1))
    assert ring.encrypt("x").startswith(fingerprint(K2))


def test_wrong_key_raises_invalid_token():
    with pytest.raises(InvalidToken):
        KeyRing.from_keys(K2).decrypt(KeyRing.from_keys(K1).encrypt("secret"))


def test_fingerprint_is_stable_short_and_reveals_nothing():
    assert fingerprint(K1) == fingerprint(K1) != fingerprint(K2)
    assert len(fingerprint(K1)) == 12
    assert fingerprint(K1) not in K1


def test_canary():
    canary = KeyRing.from_keys(K1).make_canary()
    assert KeyRing.from_keys(K1).reads_canary(canary)
    assert KeyRing.from_keys(K2, [K1]).reads_canary(canary)
    assert not KeyRing.from_keys(K2).reads_canary(canary)


def test_unavailable_is_falsy_and_renders_as_unavailable():
    assert not UNAVAILABLE
    assert isinstance(UNAVAILABLE, Unavailable)
    assert UNAVAILABLE == ""


def test_column_type_reads_unreadable_values_as_unavailable():
    column = EncryptedText()
    install_keyring(KeyRing.from_keys(K1))
    stored = column.process_bind_param("+212611111111", None)
    assert column.process_result_value(stored, None) == "+212611111111"
    install_keyring(KeyRing.from_keys(K2))
    unreadable = column.process_result_value(stored, None)
    assert isinstance(unreadable, Unavailable)
    assert not unreadable
    assert unreadable.digest
    assert unreadable.digest not in stored
    assert isinstance(column.process_result_value("garbage", None), Unavailable)
    assert column.process_bind_param(None, None) is None
    with pytest.raises(ValueError, match="unreadable value"):
        column.process_bind_param(UNAVAILABLE, None)


def test_warning_is_logged_once_per_value(caplog):
    caplog.set_level(logging.WARNING, logger="talento.crypto")
    warn_unreadable("users", "phone", 987654)
    warn_unreadable("users", "phone", 987654)
    warn_unreadable("users", "address", 987654)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "Échec du déchiffrement (clé incorrecte ?)" in messages[0]
    assert "table=users colonne=phone id=987654" in messages[0]
