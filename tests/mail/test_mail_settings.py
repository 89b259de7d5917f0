"""MAIL_* settings: defaults, validation in French, secrets kept out of reprs."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from talento.settings import INSTANCE_DIR, ConfigError, Settings

GOOD = {
    "SECRET_KEY": "a" * 64,
    "ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "ADMIN_PASSWORD": "Correct-Horse-Battery-9",
}


def problems(env: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**GOOD, **env})
    return caught.value.problems


def test_defaults_without_a_server_use_the_outbox():
    settings = Settings.from_env(GOOD)
    assert settings.mail_server is None
    assert settings.mail_use_tls is False
    assert settings.mail_use_ssl is False
    assert settings.mail_default_sender == "Talento <no-reply@localhost>"
    assert settings.mail_timeout == 10.0
    assert settings.mail_outbox_dir == str(INSTANCE_DIR / "outbox")


def test_a_server_defaults_to_starttls_on_587():
    settings = Settings.from_env({**GOOD, "MAIL_SERVER": "smtp.example.org"})
    assert settings.mail_server == "smtp.example.org"
    assert settings.mail_port == 587
    assert settings.mail_use_tls
    assert not settings.mail_use_ssl


def test_ssl_defaults_to_465_without_starttls():
    settings = Settings.from_env({**GOOD, "MAIL_SERVER": "smtp.example.org", "MAIL_USE_SSL": "1"})
    assert settings.mail_port == 465
    assert settings.mail_use_ssl
    assert not settings.mail_use_tls


def test_explicit_values_are_read():
    settings = Settings.from_env(
        {
            **GOOD,
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_PORT": "2525",
            "MAIL_USE_TLS": "false",
            "MAIL_USERNAME": "talento",
            "MAIL_PASSWORD": "smtp-password-value",
            "MAIL_DEFAULT_SENDER": "Talento <contact@talentsmaroc.com>",
            "MAIL_TIMEOUT": "2.5",
            "MAIL_OUTBOX_DIR": "/var/lib/talento/outbox",
        }
    )
    assert (settings.mail_port, settings.mail_use_tls, settings.mail_timeout) == (2525, False, 2.5)
    assert settings.mail_username == "talento"
    assert settings.mail_password == "smtp-password-value"
    assert settings.mail_default_sender == "Talento <contact@talentsmaroc.com>"
    assert settings.mail_outbox_dir == "/var/lib/talento/outbox"
    assert "smtp-password-value" not in repr(settings)
    assert any("en clair" in warning for warning in settings.warnings)


@pytest.mark.parametrize("port", ["abc", "0", "70000", "-1", "²"])
def test_a_bad_port_is_a_french_config_error(port):
    (found,) = problems({"MAIL_PORT": port})
    assert found.startswith("MAIL_PORT doit être un port entre 1 et 65535")


def test_tls_and_ssl_together_are_refused():
    (found,) = problems({"MAIL_SERVER": "smtp.x", "MAIL_USE_TLS": "1", "MAIL_USE_SSL": "1"})
    assert "MAIL_USE_TLS" in found
    assert "MAIL_USE_SSL" in found
    assert "exclusifs" in found


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"MAIL_TIMEOUT": "soon"}, "MAIL_TIMEOUT"),
        ({"MAIL_TIMEOUT": "0"}, "MAIL_TIMEOUT"),
        ({"MAIL_DEFAULT_SENDER": "Talento"}, "MAIL_DEFAULT_SENDER"),
        ({"MAIL_USERNAME": "talento"}, "MAIL_PASSWORD"),
    ],
)
def test_other_bad_values_are_reported(env, name):
    (found,) = problems(env)
    assert name in found


def test_every_mail_problem_is_reported_at_once():
    found = problems({"MAIL_PORT": "x", "MAIL_TIMEOUT": "y", "MAIL_DEFAULT_SENDER": "z"})
    assert len(found) == 3
