"""The nightly backup units: same conventions as talento.service, a command line the real CLI
accepts, and `systemd-analyze verify` where systemd is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from talento.cli import main
from talento.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
TALENTO = str(Path(sys.executable).parent / "talento")


def settings_of(unit: str) -> dict[str, list[str]]:
    """Key → values of a unit file (comments and section headers skipped)."""
    values: dict[str, list[str]] = {}
    for line in unit.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_service_runs_the_backup_like_the_app_runs():
    service = settings_of((DEPLOY / "talento-backup.service").read_text())
    app = settings_of((DEPLOY / "talento.service").read_text())
    assert service["Type"] == ["oneshot"]
    for key in ("User", "Group", "WorkingDirectory", "EnvironmentFile"):
        assert service[key] == app[key], key
    assert service["ReadWritePaths"][0].split()[0] == "/opt/talento/instance"  # BACKUP_DIR
    assert "Restart" not in service  # a failed night shows in systemctl --failed
    (command,) = service["ExecStart"]
    assert command.startswith("/opt/talento/.venv/bin/talento backup ")
    (credential,) = service["LoadCredential"]
    name = credential.split(":", 1)[0]
    assert f"--passphrase-file ${{CREDENTIALS_DIRECTORY}}/{name}" in command


def test_service_command_line_is_accepted_by_the_cli(tmp_path):
    (command,) = settings_of((DEPLOY / "talento-backup.service").read_text())["ExecStart"]
    program, name, *args = command.replace("${CREDENTIALS_DIRECTORY}", str(tmp_path)).split()
    assert program == "/opt/talento/.venv/bin/talento"
    backup = main.get_command(click.Context(main), name)
    assert backup is not None
    assert backup.name == "backup"
    context = backup.make_context(name, args)
    assert context.params["passphrase_file"] == tmp_path / "backup-passphrase"
    assert context.params["keep"] is None  # BACKUP_KEEP decides
    with pytest.raises(click.UsageError):
        backup.make_context(name, [*args, "--no-such-option"])


def test_timer_runs_the_service_each_night():
    timer_text = (DEPLOY / "talento-backup.timer").read_text()
    timer = settings_of(timer_text)
    (calendar,) = timer["OnCalendar"]
    assert re.fullmatch(r"\*-\*-\* 0[0-5]:\d\d:00", calendar)  # at night
    assert timer["Persistent"] == ["true"]
    assert re.fullmatch(r"\d+min", timer["RandomizedDelaySec"][0])
    assert timer["Unit"] == ["talento-backup.service"]
    assert timer["WantedBy"] == ["timers.target"]


def test_units_verify(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    service = (DEPLOY / "talento-backup.service").read_text()
    # point ExecStart at a talento that exists here
    (tmp_path / "talento-backup.service").write_text(
        service.replace("/opt/talento/.venv/bin/talento", TALENTO)
    )
    shutil.copy(DEPLOY / "talento-backup.timer", tmp_path / "talento-backup.timer")
    result = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            str(tmp_path / "talento-backup.service"),
            str(tmp_path / "talento-backup.timer"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "talento-backup" not in result.stderr, result.stderr  # no warning about our units
    calendar = subprocess.run(
        ["systemd-analyze", "calendar", "*-*-* 03:15:00"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert calendar.returncode == 0, calendar.stderr
