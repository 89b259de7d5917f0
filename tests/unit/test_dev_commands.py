"""The developer's entry points: `make run PORT=…` and a bare `python3 migrations_init.py`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from talento.settings import PROJECT_ROOT


def test_make_run_takes_the_port_from_port() -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # -n prints the recipe without running it; -o install keeps make from rebuilding .venv.
    result = subprocess.run(
        [make, "-n", "-s", "run", "PORT=5010", "-o", "install"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--port 5010" in result.stdout
    assert "--port 5004" not in result.stdout


def test_readme_says_how_to_stop_and_restart() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "PORT=" in readme
    assert "Ctrl+C" in readme
    assert "redémarre" in readme


def test_migrations_init_without_dependencies_says_make_install(tmp_path: Path) -> None:
    """A fresh clone (no .venv) run with a python3 that lacks Flask: a sentence, not a traceback."""
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python3")
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy(PROJECT_ROOT / "migrations_init.py", clone)
    (clone / "talento").symlink_to(PROJECT_ROOT / "talento")
    # -S: no site-packages (so no Flask, whatever the system has); -I: ignore PYTHON* variables.
    result = subprocess.run(
        [python, "-S", "-I", str(clone / "migrations_init.py")],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "make install" in result.stderr
    assert "Traceback" not in result.stderr
