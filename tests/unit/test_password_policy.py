"""The one password policy: length, common passwords (French and Moroccan ones too), own
details; and every place where a password is chosen refuses the same weak passwords."""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from talento.accounts.password_policy import (
    COMMON_PASSWORDS,
    MIN_LENGTH,
    is_common,
    password_problem,
)
from talento.password_rules import ADMIN_DEFAULT_PASSWORDS
from talento.settings import ConfigError, Settings, read_settings
from tests.helpers import USER_PASSWORD, _csrf_from, login, new_key


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


@pytest.mark.parametrize("password", ["motdepasse123", "marocmaroc2024", "Azerty123456"])
def test_common_says_so_in_french(password):
    assert password_problem(password) == (
        "Ce mot de passe est trop courant : choisissez-en un moins prévisible."
    )


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abababababab", "!!!!!!!!!!!1"])
def test_repeated_characters_are_too_simple(password):
    assert "trop simple" in password_problem(password)


@pytest.mark.parametrize(
    ("password", "email", "names"),
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


def test_the_minimum_is_twelve_and_the_admin_defaults_are_in_the_one_list():
    assert MIN_LENGTH == 12
    assert ADMIN_DEFAULT_PASSWORDS <= COMMON_PASSWORDS
    assert "@4dm1n" in COMMON_PASSWORDS
    assert "admin@talento.com" in COMMON_PASSWORDS


# --- one policy everywhere a password is chosen ----------------------------------------------

#: Refused everywhere: too short (11), known (as is or dressed up), the seed's admin password,
#: repeated characters, too long.
WEAK = (
    "Abc-12345",
    "Xk9!mP2#qL7",
    "admin",
    "@4dm1n",
    "admin@talento.com",
    "Password1234",
    "motdepasse123",
    "Marocmaroc2024",
    "Soleil2024!!",
    "aaaaaaaaaaaa",
    "Long-phrase " * 90,
)
STRONG = "Une phrase de passe solide 2026"
SECRETS = {"SECRET_KEY": "k" * 40, "ENCRYPTION_KEY": new_key()}


@pytest.mark.parametrize("password", WEAK)
def test_admin_password_setting_refuses_the_weak_passwords(password):
    assert password_problem(password) is not None
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**SECRETS, "ADMIN_PASSWORD": password})
    [problem] = caught.value.problems
    assert problem.startswith("ADMIN_PASSWORD est ")
    assert password not in problem  # the value is never echoed


def test_admin_password_setting_accepts_what_the_policy_accepts():
    assert Settings.from_env({**SECRETS, "ADMIN_PASSWORD": STRONG}).admin_password == STRONG
    assert read_settings({**SECRETS, "ADMIN_PASSWORD": STRONG}).problems == ()


@pytest.mark.parametrize("password", WEAK)
def test_cli_set_password_refuses_the_weak_passwords(password):
    from talento.cli import main

    result = CliRunner().invoke(main, ["admin", "set-password", "--password-stdin"], password)
    assert result.exit_code == 1
    assert "✖ Mot de passe trop faible (minimum 12 caractères" in result.output


def _field_error(response, field: str) -> str:
    assert response.status_code == 400
    found = re.search(
        rf'<p class="field-error" id="{field}-error">([^<]*)</p>', response.get_data(as_text=True)
    )
    assert found, f"no error under {field}"
    return html.unescape(found.group(1))


def _register(client, password: str):
    token = _csrf_from(client.get("/auth/register").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "first_name": "Yasmine",
        "last_name": "El Amrani",
        "email": "yasmine@example.ma",
        "password": password,
        "password_confirm": password,
    }
    return client.post("/auth/register", data=data, content_type="multipart/form-data")


def test_registration_refuses_the_weak_passwords(client):
    for password in WEAK:
        assert _field_error(_register(client, password), "password") == password_problem(password)
    assert 'id="password-error"' not in _register(client, STRONG).get_data(as_text=True)


def test_reset_and_set_password_links_refuse_the_weak_passwords(app, client, make_user):
    from talento.accounts.models import User
    from talento.accounts.reset import make_token
    from talento.extensions import db

    user_id = make_user(email="reset.policy@example.org")
    with app.app_context():
        user = db.session.get(User, user_id)
        path = f"/auth/reset/{make_token(app.extensions['talento.settings'].secret_key, user)}"
        db.session.remove()
    for password in WEAK:
        token = _csrf_from(client.get(path).get_data(as_text=True))
        data = {"csrf_token": token, "password": password, "password_confirm": password}
        assert _field_error(client.post(path, data=data), "password") == password_problem(password)
    assert login(client, "reset.policy@example.org", USER_PASSWORD).status_code == 302


def test_password_change_refuses_the_weak_passwords(client, make_talent):
    make_talent(email="change.policy@example.org")
    login(client, "change.policy@example.org")
    for password in WEAK:
        token = _csrf_from(client.get("/profile/password").get_data(as_text=True))
        data = {
            "csrf_token": token,
            "current_password": USER_PASSWORD,
            "new_password": password,
            "new_password_confirm": password,
        }
        response = client.post("/profile/password", data=data)
        assert _field_error(response, "new_password") == password_problem(password)
