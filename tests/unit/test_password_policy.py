"""The password policy: length, common passwords (French and Moroccan ones too), own details."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talento.accounts.password_policy import (
    COMMON_PASSWORDS,
    MIN_LENGTH,
    is_common,
    password_problem,
)


def test_the_list_is_lower_case_and_holds_the_local_favourites():
    assert 100 <= len(COMMON_PASSWORDS) <= 300
    assert all(word == word.lower() and " " not in word for word in COMMON_PASSWORDS)
    for word in ("motdepasse", "azerty123", "marocmaroc", "123456", "password", "soleil"):
        assert word in COMMON_PASSWORDS


@pytest.mark.parametrize(
    "password",
    [
        "motdepasse",
        "MotDePasse",
        "azerty123",
        "marocmaroc",
        "Marocmaroc2024",
        "motdepasse2024!",
        "!!soleil2024",
        "soleilsoleil",
        "casablanca1",
        "1234567890",
        "azertyuiop",
        "mot de passe",
    ],
)
def test_common_passwords_and_their_dressed_up_forms_are_common(password):
    assert is_common(password)


@pytest.mark.parametrize(
    "password", ["Talent-password-2026", "Une phrase de passe solide 2026", "cinéma-à-rabat-2026"]
)
def test_real_passwords_are_accepted(password):
    assert password_problem(password) is None
    assert password_problem(password, email="talent1@example.org", names=("Amina", "Test1")) is None


def test_too_short_says_so_in_french():
    assert password_problem("Abc-12345") == (
        f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères."
    )
    assert password_problem("x" * 2000).startswith("Le mot de passe doit contenir au plus")


@pytest.mark.parametrize("password", ["motdepasse", "marocmaroc", "Azerty123456"])
def test_common_says_so_in_french(password):
    assert password_problem(password) == (
        "Ce mot de passe est trop courant : choisissez-en un moins prévisible."
    )


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abababababab", "!!!!!!!!!!!1"])
def test_repeated_characters_are_too_simple(password):
    assert "trop simple" in password_problem(password)


@pytest.mark.parametrize(
    "password, email, names",
    [
        ("nadia.benali", "nadia.benali@example.org", ()),
        ("nadia.benali2026", "nadia.benali@example.org", ()),
        ("Benali-Nadia-99", None, ("Nadia", "Benali")),
        ("MAF0042CAS!!", None, ("MAF0042CAS",)),
        ("nadia.benalii", "nadia.benali@example.org", ()),
    ],
)
def test_passwords_made_of_the_account_details_are_refused(password, email, names):
    assert password_problem(password, email=email, names=names) == (
        "Le mot de passe ne doit pas ressembler à votre nom ou à votre adresse e-mail."
    )


def test_a_name_inside_a_long_passphrase_is_fine():
    assert password_problem("Nadia aime le cinéma de Casablanca", names=("Nadia", "Benali")) is None


def test_missing_details_are_ignored():
    assert password_problem("Talent-password-2026", email=None, names=(None, "", "  ")) is None


@given(st.text(max_size=64))
def test_never_raises_and_answers_a_string_or_none(password):
    result = password_problem(password, email="a.b@example.org", names=("Ab", None))
    assert result is None or (isinstance(result, str) and result)
    if len(password) < MIN_LENGTH:
        assert result is not None
