"""The operator's commands, run as the operator runs them (subprocesses, clean environment)."""

import os
import stat

import pytest
from sqlalchemy import create_engine, text

from talento.crypto import fingerprint
from talento.settings import PROJECT_ROOT
from tests.helpers import PYTHON, TALENTO, make_settings, new_key, run_cli

ADMIN_PW = "Operator-chosen-pass-42"


@pytest.fixture
def fresh_db(tmp_path, database_url):
    """An empty database of the parametrized backend (SQLite file or a PostgreSQL schema)."""
    if database_url.startswith("sqlite"):
        # a folder that does not exist yet, like instance/ on a fresh clone
        yield f"sqlite:///{tmp_path / 'instance' / 'fresh.db'}"
        return
    engine = create_engine(database_url)
    schema = f"fresh_{os.getpid()}_{abs(hash(tmp_path)) % 10**6}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    url = database_url + f"?options=-csearch_path%3D{schema}"
    yield url
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def _env(db_url, **extra):
    base = {
        "SECRET_KEY": "k" * 40,
        "ENCRYPTION_KEY": extra.pop("key", None) or new_key(),
        "ADMIN_PASSWORD": ADMIN_PW,
        "DATABASE_URL": db_url,
        "FLASK_ENV": "development",
    }
    base.update(extra)
    return base


def _admin_login_works(db_url, env, password) -> bool:
    from talento.accounts.services import authenticate
    from talento.extensions import db
    from talento.web import build_app

    app = build_app(make_settings(db_url, encryption_key=env["ENCRYPTION_KEY"]))
    with app.app_context():
        result = authenticate(
            db.session, "MAN0001RAB", password, app.extensions["talento.passwords"]
        )
        ok = result.user is not None and result.outcome.value == "ok"
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return ok


@pytest.mark.both_backends
def test_init_db_is_idempotent_and_migrations_init_is_the_same(fresh_db):
    env = _env(fresh_db)
    first = run_cli([TALENTO, "init-db"], env)
    assert first.returncode == 0, first.stderr
    assert "Compte administrateur créé" in first.stdout
    assert "changement(s) appliqué(s)" in first.stdout
    # exactly as the seed guide types it: the system python3, from the project directory
    second = run_cli(["python3", "migrations_init.py"], env)
    assert second.returncode == 0, second.stderr
    assert "Aucun changement." in second.stdout
    assert _admin_login_works(fresh_db, env, ADMIN_PW)
    engine = create_engine(make_settings(fresh_db).database_url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM users")) == 1
        assert conn.scalar(text("SELECT code FROM users")) == "MAN0001RAB"
        assert (
            conn.scalar(text("SELECT last_value FROM code_counters WHERE country_iso2='MA'")) == 1
        )
        assert conn.scalar(text("SELECT count(*) FROM countries")) >= 248
        assert conn.scalar(text("SELECT count(*) FROM key_canaries")) == 1
    engine.dispose()


def test_admin_password_follows_the_operator_and_survives_in_app_changes(fresh_db):
    env = _env(fresh_db)
    assert run_cli([TALENTO, "init-db"], env).returncode == 0
    # the admin changes the password inside the app: a restart must not undo it
    changed = run_cli(
        [TALENTO, "admin", "set-password", "--password-stdin"], env, stdin="Changed-in-the-app-77\n"
    )
    assert changed.returncode == 0, changed.stderr
    assert run_cli([TALENTO, "init-db"], env).returncode == 0
    assert _admin_login_works(fresh_db, env, "Changed-in-the-app-77")
    # the operator writes a new ADMIN_PASSWORD in .env and restarts: it applies
    env["ADMIN_PASSWORD"] = "Brand-new-operator-pass-9"
    result = run_cli([TALENTO, "init-db"], env)
    assert "ADMIN_PASSWORD a changé" in result.stdout
    assert _admin_login_works(fresh_db, env, "Brand-new-operator-pass-9")
    assert not _admin_login_works(fresh_db, env, "Changed-in-the-app-77")


@pytest.mark.parametrize(
    "command", [[TALENTO, "init-db"], [PYTHON, "migrations_init.py"], [TALENTO, "keys", "status"]]
)
def test_data_commands_refuse_a_bad_configuration_with_status_2(command, tmp_path):
    env = {
        "SECRET_KEY": "short",
        "ADMIN_PASSWORD": "@4dm1n",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    result = run_cli(command, env)
    assert result.returncode == 2, result.stderr
    for name in ("SECRET_KEY", "ENCRYPTION_KEY", "ADMIN_PASSWORD"):
        assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_flask_run_refuses_a_bad_configuration(tmp_path):
    flask = str(PROJECT_ROOT / ".venv" / "bin" / "flask")
    result = run_cli(
        [flask, "--app", "talento", "run", "--port", "5999"],
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
        timeout=30,
    )
    assert result.returncode == 2
    assert "ENCRYPTION_KEY est absente" in result.stderr


def test_data_commands_refuse_a_wrong_key(fresh_db):
    k1, k2 = new_key(), new_key()
    assert run_cli([TALENTO, "init-db"], _env(fresh_db, key=k1)).returncode == 0
    refused = run_cli([TALENTO, "init-db"], _env(fresh_db, key=k2))
    assert refused.returncode == 2
    assert fingerprint(k1) in refused.stderr
    assert "ENCRYPTION_KEYS_PREVIOUS" in refused.stderr
    assert k1 not in refused.stderr + refused.stdout
    ok = run_cli([TALENTO, "init-db"], _env(fresh_db, key=k2, ENCRYPTION_KEYS_PREVIOUS=k1))
    assert ok.returncode == 0, ok.stderr


def test_keys_status_counts_values_by_key(fresh_db):
    from talento.crypto import KeyRing

    k1, k2 = new_key(), new_key()
    assert run_cli([TALENTO, "init-db"], _env(fresh_db, key=k1)).returncode == 0
    engine = create_engine(make_settings(fresh_db).database_url)
    old, new = KeyRing.from_keys(k1), KeyRing.from_keys(k2)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE users SET phone = :p, whatsapp = :w, address = :a"),
            {
                "p": old.encrypt("+212600000009"),
                "w": new.encrypt("+212600000008"),
                "a": "0123$garbage",
            },
        )
    engine.dispose()
    result = run_cli(
        [TALENTO, "keys", "status"], _env(fresh_db, key=k2, ENCRYPTION_KEYS_PREVIOUS=k1)
    )
    assert f"Clé courante (ENCRYPTION_KEY) : {fingerprint(k2)}" in result.stdout
    assert f"Ancienne clé (ENCRYPTION_KEYS_PREVIOUS) : {fingerprint(k1)}" in result.stdout
    assert "Total : 1 clé courante, 1 ancienne clé seulement, 1 illisibles." in result.stdout
    assert result.returncode == 1  # an unreadable value is a problem to look at


def test_keys_fingerprint_reads_stdin():
    key = new_key()
    result = run_cli([TALENTO, "keys", "fingerprint"], {}, stdin=f"ENCRYPTION_KEY={key}\n")
    assert result.stdout.strip() == fingerprint(key)


def test_init_env_writes_a_private_file_once(tmp_path):
    target = tmp_path / ".env"
    first = run_cli([TALENTO, "init-env"], {}, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    values = dict(
        line.split("=", 1) for line in target.read_text().splitlines() if line and line[0] != "#"
    )
    assert values["FLASK_ENV"] == "development"
    assert values["BASE_URL"] == "http://127.0.0.1:5004"
    assert values["DATABASE_URL"].startswith("sqlite:///")
    assert values["ADMIN_PASSWORD"] in first.stdout  # printed once
    from talento.settings import Settings

    Settings.from_env(values)  # the generated values pass validation
    before = target.read_text()
    second = run_cli([TALENTO, "init-env"], {}, cwd=tmp_path)
    assert second.returncode == 1
    assert "existe déjà" in second.stderr
    assert target.read_text() == before


def test_env_example_placeholders_are_rejected():
    from talento.settings import ConfigError, Settings

    lines = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(values)
    assert len(caught.value.problems) == 3


def test_doctor_exit_codes(fresh_db, tmp_path):
    env = _env(fresh_db)
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(f"{k}={v}" for k, v in env.items()) + "\n")
    env_file.chmod(0o600)
    broken = run_cli([TALENTO, "doctor"], {"TALENTO_ENV_FILE": str(env_file)})
    assert broken.returncode == 1
    expected = "✖ Base de données absente" if fresh_db.startswith("sqlite") else "✖ Migrations"
    assert expected in broken.stdout
    if fresh_db.startswith("sqlite"):  # doctor reports a missing file, it never creates one
        assert not (tmp_path / "instance" / "fresh.db").exists()
    assert run_cli([TALENTO, "init-db"], env).returncode == 0
    healthy = run_cli([TALENTO, "doctor"], {"TALENTO_ENV_FILE": str(env_file)})
    assert healthy.returncode == 0, healthy.stdout
    assert "✔ Clé de chiffrement conforme aux données (canari)" in healthy.stdout
    assert "✔ .env protégé (mode 600)" in healthy.stdout
    for secret in (env["SECRET_KEY"], env["ENCRYPTION_KEY"], ADMIN_PW):
        assert secret not in healthy.stdout
    env_file.chmod(0o644)
    loose = run_cli([TALENTO, "doctor"], {"TALENTO_ENV_FILE": str(env_file)})
    assert loose.returncode == 0
    assert "⚠ .env lisible" in loose.stdout
    loose_in_production = run_cli(
        [TALENTO, "doctor"], {"TALENTO_ENV_FILE": str(env_file), "FLASK_ENV": "production"}
    )
    assert loose_in_production.returncode == 1
    assert "✖ .env lisible par tous les utilisateurs" in loose_in_production.stdout
    wrong = run_cli(
        [TALENTO, "doctor"],
        {"TALENTO_ENV_FILE": str(env_file), "ENCRYPTION_KEY": new_key(), "ADMIN_PASSWORD": "admin"},
    )
    assert wrong.returncode == 1
    assert "✖ La clé ne lit pas les données de la base" in wrong.stdout
    assert "✖ ADMIN_PASSWORD est un mot de passe connu" in wrong.stdout
