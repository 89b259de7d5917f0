"""`talento doctor` on the .env itself: readable by every local user, or one `git add .` away
from being published — blocking in production, a warning on a developer's machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from talento.ops.doctor import FAIL, OK, WARN, run_doctor
from tests.helpers import new_key


def _env(tmp_path: Path, flask_env: str) -> dict[str, str]:
    return {
        "SECRET_KEY": "k" * 40,
        "ENCRYPTION_KEY": new_key(),
        "ADMIN_PASSWORD": "Doctor-test-password-2026",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'absent.db'}",
        "BASE_URL": "https://talento.test",
        "FLASK_ENV": flask_env,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }


def _project(tmp_path: Path, gitignore: str | None, mode: int) -> tuple[Path, Path]:
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()  # a git checkout
    if gitignore is not None:
        (root / ".gitignore").write_text(gitignore, encoding="utf-8")
    env_file = root / ".env"
    env_file.write_text("SECRET_KEY=x\n", encoding="utf-8")
    env_file.chmod(mode)
    return root, env_file


def _env_findings(tmp_path: Path, flask_env: str, gitignore: str | None, mode: int):
    root, env_file = _project(tmp_path, gitignore, mode)
    findings = run_doctor(_env(tmp_path, flask_env), env_file, root)
    return {f.label.split(" (")[0]: f.status for f in findings if ".env" in f.label}


@pytest.mark.parametrize(("flask_env", "expected"), [("production", FAIL), ("development", WARN)])
def test_env_readable_by_everyone(tmp_path, flask_env, expected):
    found = _env_findings(tmp_path, flask_env, ".venv\n.env\n", 0o644)
    assert found[".env lisible par tous les utilisateurs de la machine"] == expected
    assert found[".env est listé dans .gitignore"] == OK


@pytest.mark.parametrize(("flask_env", "expected"), [("production", FAIL), ("development", WARN)])
def test_env_missing_from_gitignore(tmp_path, flask_env, expected):
    found = _env_findings(tmp_path, flask_env, ".venv\n", 0o600)
    assert found[".env n'est pas listé dans .gitignore"] == expected
    assert found[".env protégé"] == OK


def test_git_checkout_without_gitignore_is_a_problem_in_production(tmp_path):
    found = _env_findings(tmp_path, "production", None, 0o600)
    assert found[".env n'est pas listé dans .gitignore"] == FAIL


def test_group_readable_stays_a_warning_and_not_a_checkout_needs_no_gitignore(tmp_path):
    root = tmp_path / "release"
    root.mkdir()
    env_file = root / ".env"
    env_file.write_text("SECRET_KEY=x\n", encoding="utf-8")
    env_file.chmod(0o640)  # e.g. readable by the service's group only
    findings = run_doctor(_env(tmp_path, "production"), env_file, root)
    labels = {f.label: f.status for f in findings if ".env" in f.label}
    assert labels == {".env lisible par d'autres utilisateurs (mode 640)": WARN}
