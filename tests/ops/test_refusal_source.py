"""The start-up refusal says where a bad value came from: the .env file (with its path) or the
process environment, which wins over the file (a stale systemd `Environment=` line)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import TALENTO, new_key, run_cli

GOOD = {
    "SECRET_KEY": "s" * 40,
    "ADMIN_PASSWORD": "Refusal-source-password-2026",
    "FLASK_ENV": "development",
}


def _env_file(tmp_path: Path, encryption_key: str) -> Path:
    env_file = tmp_path / "talento.env"
    values = {
        **GOOD,
        "ENCRYPTION_KEY": encryption_key,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
    }
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    env_file.chmod(0o600)
    return env_file


def test_bad_value_from_the_env_file_names_the_file(tmp_path):
    env_file = _env_file(tmp_path, "not-a-fernet-key")
    result = run_cli([TALENTO, "init-db"], {"TALENTO_ENV_FILE": str(env_file)}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "ENCRYPTION_KEY" in result.stderr
    assert f"valeur lue dans le fichier {env_file}" in result.stderr
    assert "environnement du processus" not in result.stderr
    assert "not-a-fernet-key" not in result.stderr  # never echo a secret's value


def test_bad_value_from_the_process_environment_says_so(tmp_path):
    env_file = _env_file(tmp_path, new_key())  # the file is right
    result = run_cli(
        [TALENTO, "init-db"],
        {"TALENTO_ENV_FILE": str(env_file), "ENCRYPTION_KEY": "stale-unit-value"},
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "valeur lue dans l'environnement du processus" in result.stderr
    assert f"valeur lue dans le fichier {env_file}" not in result.stderr


def test_missing_value_is_defined_nowhere(tmp_path):
    env_file = _env_file(tmp_path, new_key())
    text = env_file.read_text(encoding="utf-8")
    env_file.write_text(
        "".join(line + "\n" for line in text.splitlines() if not line.startswith("SECRET_KEY=")),
        encoding="utf-8",
    )
    result = run_cli([TALENTO, "init-db"], {"TALENTO_ENV_FILE": str(env_file)}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "SECRET_KEY est absente ou vide." in result.stderr
    assert "définie nulle part" in result.stderr
