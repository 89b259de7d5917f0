"""Start-up refuses an unsafe configuration, listing every problem at once."""

import pytest
from cryptography.fernet import Fernet

from talento.settings import (
    DEFAULT_DATABASE_URL,
    ConfigError,
    Settings,
    is_placeholder,
    normalise_database_url,
)

GOOD = {
    "SECRET_KEY": "a" * 64,
    "ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "ADMIN_PASSWORD": "Correct-Horse-Battery-9",
}


def problems(env: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    return caught.value.problems


def test_good_configuration_loads_with_defaults():
    settings = Settings.from_env(GOOD)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.production is True
    assert settings.encryption_keys_previous == ()


def test_nothing_set_lists_every_secret_with_its_generation_command():
    found = problems({})
    assert len(found) == 3
    text = "\n".join(found)
    for name in ("SECRET_KEY", "ENCRYPTION_KEY", "ADMIN_PASSWORD"):
        assert name in text
    assert """secrets.token_hex(32)""" in text
    assert "Fernet.generate_key().decode()" in text


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_values_are_refused(value):
    found = problems({**GOOD, "SECRET_KEY": value})
    assert len(found) == 1
    assert "SECRET_KEY" in found[0]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "your-secret-key-here"),
        ("SECRET_KEY", "<votre-clé-générée-étape-2>"),
        ("ENCRYPTION_KEY", "your-encryption-key-here"),
        ("ENCRYPTION_KEY", "<votre-clé-de-chiffrement-générée-étape-2>"),
        ("ADMIN_PASSWORD", "<votre-mot-de-passe-admin-sécurisé>"),
        ("ADMIN_PASSWORD", "change-me-please-now"),
    ],
)
def test_placeholders_from_example_and_seed_are_refused(name, value):
    found = problems({**GOOD, name: value})
    assert len(found) == 1
    assert name in found[0]
    assert "exemple" in found[0]


def test_invalid_fernet_key_is_refused_and_warns_against_replacing_an_old_key():
    found = problems({**GOOD, "ENCRYPTION_KEY": "not-a-fernet-key-at-all-0123456789abcdefghij"})
    assert "ENCRYPTION_KEY n'est pas une clé Fernet valide" in found[0]
    assert "ANCIENNE clé" in found[0]


def test_short_secret_key_is_refused():
    found = problems({**GOOD, "SECRET_KEY": "k" * 31})
    assert "SECRET_KEY est trop courte (31" in found[0]
    Settings.from_env({**GOOD, "SECRET_KEY": "k" * 32})


@pytest.mark.parametrize(
    "weak", ["@4dm1n", "admin", "password", "Password1234", "admin@talento.com"]
)
def test_weak_or_default_admin_passwords_are_refused(weak):
    found = problems({**GOOD, "ADMIN_PASSWORD": weak})
    assert "ADMIN_PASSWORD" in found[0]


def test_short_admin_password_is_refused():
    found = problems({**GOOD, "ADMIN_PASSWORD": "Xk9!mP2#qL7"})  # 11 characters
    assert "trop court (11" in found[0]


def test_all_problems_are_reported_together():
    found = problems(
        {
            "SECRET_KEY": "short",
            "ENCRYPTION_KEY": "bad",
            "ADMIN_PASSWORD": "@4dm1n",
            "ENCRYPTION_KEYS_PREVIOUS": "also-bad",
            "FLASK_ENV": "staging",
        }
    )
    assert len(found) == 5


def test_previous_keys_are_parsed_and_validated():
    k1, k2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings = Settings.from_env({**GOOD, "ENCRYPTION_KEYS_PREVIOUS": f" {k1} ,{k2},"})
    assert settings.encryption_keys_previous == (k1, k2)
    assert settings.all_encryption_keys == (GOOD["ENCRYPTION_KEY"], k1, k2)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://u:p@localhost:5432/talento_db",
            "postgresql+psycopg://u:p@localhost:5432/talento_db",
        ),
        ("postgresql://u:p@localhost/talento_db", "postgresql+psycopg://u:p@localhost/talento_db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected
    assert Settings.from_env({**GOOD, "DATABASE_URL": url}).database_url == expected


def test_production_warns_when_base_url_is_not_https():
    settings = Settings.from_env(
        {**GOOD, "FLASK_ENV": "production", "BASE_URL": "http://talentsmaroc.com"}
    )
    assert settings.warnings
    assert "https" in settings.warnings[0]
    settings = Settings.from_env(
        {**GOOD, "FLASK_ENV": "production", "BASE_URL": "https://talentsmaroc.com/"}
    )
    assert settings.warnings == ()
    assert settings.base_url == "https://talentsmaroc.com"


def test_secrets_are_not_in_repr():
    text = repr(Settings.from_env(GOOD))
    assert GOOD["SECRET_KEY"] not in text
    assert GOOD["ENCRYPTION_KEY"] not in text
    assert GOOD["ADMIN_PASSWORD"] not in text


def test_generated_values_are_not_placeholders():
    assert not is_placeholder(Fernet.generate_key().decode())
    assert is_placeholder("your-admin-password-here")


def test_audit_retention_and_idle_timeout_are_read_and_checked():
    defaults = Settings.from_env(GOOD)
    assert (defaults.audit_retention_days, defaults.session_idle_minutes) == (365, 120)
    custom = Settings.from_env({**GOOD, "AUDIT_RETENTION_DAYS": "90", "SESSION_IDLE_MINUTES": "0"})
    assert (custom.audit_retention_days, custom.session_idle_minutes) == (90, 0)
    found = problems({**GOOD, "SESSION_IDLE_MINUTES": "deux heures"})
    assert any("SESSION_IDLE_MINUTES" in p for p in found)


# --- one table, read by start-up and by `talento doctor` --------------------------------------


def test_every_setting_comes_from_one_variable_of_the_table():
    from dataclasses import fields

    from talento.settings import VARIABLES

    attributes = [variable.attribute for variable in VARIABLES]
    assert len(set(attributes)) == len(attributes)
    not_from_env = {"warnings", "ratelimit_key_prefix"}
    assert set(attributes) == {f.name for f in fields(Settings)} - not_from_env
    for variable in VARIABLES:  # the Settings defaults are the table's
        field = Settings.__dataclass_fields__[variable.attribute]
        assert field.repr is not variable.secret
        if not variable.required:
            assert field.default == variable.default, variable.name


def test_the_readme_documents_every_variable():
    from talento.settings import PROJECT_ROOT, VARIABLES

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [v.name for v in VARIABLES if f"`{v.name}`" not in readme]
    assert not missing


def test_read_settings_keeps_the_good_values_of_a_refused_configuration():
    from talento.settings import read_settings

    reading = read_settings({**GOOD, "LOG_LEVEL": "loud", "UPLOAD_DIR": "/srv/up"})
    assert reading.settings is None
    assert [(p.variable, p.message) for p in reading.problems] == [
        ("LOG_LEVEL", "LOG_LEVEL inconnu : 'LOUD' (DEBUG, INFO, WARNING, ERROR).")
    ]
    assert "LOG_LEVEL" not in reading.values
    assert reading.values["UPLOAD_DIR"] == "/srv/up"
    assert GOOD["ADMIN_PASSWORD"] not in repr(reading)


BAD = {
    "SECRET_KEY": "short",
    "ENCRYPTION_KEY": "your-encryption-key-here",
    "ADMIN_PASSWORD": "admin",
    "ENCRYPTION_KEYS_PREVIOUS": "also-bad",
    "FLASK_ENV": "staging",
    "LOG_FORMAT": "xml",
    "SESSION_IDLE_MINUTES": "deux heures",
    "MAIL_PORT": "70000",
    "MAIL_USERNAME": "talento",
}


def test_doctor_shows_every_problem_start_up_refuses_with_in_the_same_words(tmp_path):
    from talento.ops.doctor import FAIL, run_doctor

    env = {**BAD, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    refused = caught.value.problems
    assert len(refused) == 9
    output = "\n".join(f.render() for f in run_doctor(env, None, root=tmp_path))
    for problem in refused:
        message, *fixes = problem.split("\n    ")
        assert f"{FAIL} {message}" in output
        for fix in fixes:
            assert fix in output
    for value in (BAD["SECRET_KEY"], BAD["ENCRYPTION_KEY"]):
        assert value not in output


def test_doctor_shows_the_start_up_warnings(tmp_path):
    from talento.ops.doctor import WARN, run_doctor

    env = {
        **GOOD,
        "FLASK_ENV": "production",
        "BASE_URL": "http://talentsmaroc.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}",
    }
    warnings = Settings.from_env(env).warnings
    assert len(warnings) == 1
    output = "\n".join(f.render() for f in run_doctor(env, None, root=tmp_path))
    assert f"{WARN} {warnings[0]}\n    → Configurez HTTPS dans nginx" in output
