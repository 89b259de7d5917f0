"""The deploy files, run as the operator runs them: real gunicorn processes, clean environments.

Every gunicorn here runs from the project directory (so it reads ./gunicorn.conf.py, the shim
over deploy/gunicorn.conf.py, exactly like the seed's command) with an environment built from
scratch: PATH, HOME (a tmp dir), TALENTO_ENV_FILE=none and every Talento variable set
explicitly, so a developer's .env can never fill a gap.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from talento.crypto import fingerprint
from talento.ops.gunicorn_hooks import warn_public_bind
from talento.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
GUNICORN = str(BIN / "gunicorn")
TALENTO = str(BIN / "talento")
DEPLOY = PROJECT_ROOT / "deploy"
REFUSAL_TIMEOUT = 20
READY_TIMEOUT = 30
TALENTO_VARS = (
    "SECRET_KEY",
    "ENCRYPTION_KEY",
    "ENCRYPTION_KEYS_PREVIOUS",
    "ADMIN_PASSWORD",
    "DATABASE_URL",
    "BASE_URL",
    "FLASK_ENV",
    "LOG_FILE",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "UPLOAD_DIR",
    "RATELIMIT_STORAGE_URI",
    "PROXY_HOPS",
)


def new_key() -> str:
    return Fernet.generate_key().decode()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TALENTO_ENV_FILE": "none",
    }
    env.update(dict.fromkeys(TALENTO_VARS, ""))
    env.update(
        SECRET_KEY=os.urandom(32).hex(),
        ENCRYPTION_KEY=new_key(),
        ADMIN_PASSWORD="Deploy-test-password-2026",
        DATABASE_URL=f"sqlite:///{tmp_path / 'talento.db'}",
        BASE_URL="https://talento.test",
        FLASK_ENV="production",
        UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    env.update(values)
    return env


def seed_command(port: int, workers: int = 1) -> list[str]:
    """The seed guide's command, on a free loopback port."""
    return [
        GUNICORN,
        "--bind",
        f"127.0.0.1:{port}",
        "--reuse-port",
        "--workers",
        str(workers),
        "app:app",
    ]


class Gunicorn:
    """A gunicorn master started in its own process group, output in files (no pipe stalls)."""

    def __init__(self, tmp_path: Path, name: str, command: list[str], env: dict[str, str]):
        self.stdout = tmp_path / f"{name}.out"
        self.stderr = tmp_path / f"{name}.err"
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.stderr.read_text(errors="replace") + self.stdout.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def wait_exit(self, timeout: int = REFUSAL_TIMEOUT) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"gunicorn still running after {timeout} s:\n{self.log()}")

    def stop(self) -> int:
        """SIGTERM (graceful stop, as systemd does); status of the master."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"gunicorn ignored SIGTERM:\n{self.log()}")


def get(port: int, path: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            ctype = response.headers.get("Content-Type", "")
            return response.status, ctype, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def wait_ready(server: Gunicorn, port: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.process.returncode}:\n{server.log()}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    pytest.fail(f"gunicorn not ready after {READY_TIMEOUT} s:\n{server.log()}")


@pytest.fixture
def servers():
    started: list[Gunicorn] = []
    yield started
    for server in started:
        server.kill()


def start(servers, tmp_path, name, command, env) -> Gunicorn:
    server = Gunicorn(tmp_path, name, command, env)
    servers.append(server)
    return server


def db_upgrade(env: dict[str, str]) -> None:
    result = subprocess.run(
        [TALENTO, "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# a. The seed's command with the seed's bad values: one refusal, status 2, no worker.


def test_seed_command_refuses_bad_secrets_once_with_status_2(tmp_path, servers):
    env = clean_env(tmp_path, SECRET_KEY="", ADMIN_PASSWORD="@4dm1n")
    server = start(servers, tmp_path, "refused", seed_command(free_port(), workers=2), env)

    status = server.wait_exit()

    output = server.log()
    assert status == 2, output
    assert "SECRET_KEY" in output
    assert "ADMIN_PASSWORD" in output
    assert "secrets.token_hex(32)" in output
    assert output.count("Booting worker") == 0  # refused in the master, before any fork
    assert output.count("Starting gunicorn") == 1  # no restart loop


def test_systemd_command_refuses_with_status_2(tmp_path, servers):
    env = clean_env(
        tmp_path,
        ENCRYPTION_KEY="your-encryption-key-here",
        GUNICORN_BIND=f"127.0.0.1:{free_port()}",
    )
    command = [GUNICORN, "-c", "deploy/gunicorn.conf.py", "app:app"]
    server = start(servers, tmp_path, "systemd", command, env)

    status = server.wait_exit()

    assert status == 2, server.log()
    assert "ENCRYPTION_KEY" in server.log()
    assert "Booting worker" not in server.log()


# b. A valid configuration serves; command-line flags win over the config file.


def test_valid_config_serves_health_and_login(tmp_path, servers):
    env = clean_env(tmp_path)
    db_upgrade(env)
    port = free_port()
    server = start(servers, tmp_path, "ok", seed_command(port), env)
    wait_ready(server, port)  # answering on `port`, not 5004: --bind won over the config

    status, ctype, body = get(port, "/healthz")
    assert status == 200
    assert ctype.startswith("application/json")
    assert json.loads(body) == {"status": "ok"}
    status, _, body = get(port, "/auth/login")
    assert status == 200
    assert "Connexion" in body

    assert server.stop() == 0
    output = server.log()
    assert "Using worker: gthread" in output  # the deploy config applied through the shim
    assert f"Talento écoute sur http://127.0.0.1:{port} (1 worker(s))." in output
    assert output.count("Booting worker") == 1  # --workers 1 won too


def test_systemd_command_logs_the_address_it_listens_on(tmp_path, servers):
    """Without --reuse-port the master holds the socket: the line names the real listener."""
    port = free_port()
    env = clean_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1")
    db_upgrade(env)
    command = [GUNICORN, "-c", "deploy/gunicorn.conf.py", "app:app"]
    server = start(servers, tmp_path, "systemd-ok", command, env)
    wait_ready(server, port)
    assert server.stop() == 0
    assert f"Talento écoute sur http://127.0.0.1:{port} (1 worker(s))." in server.log()


def test_unreachable_database_does_not_stop_the_master(tmp_path, servers):
    env = clean_env(tmp_path, DATABASE_URL="postgresql://talento:x@127.0.0.1:1/talento_db")
    port = free_port()
    server = start(servers, tmp_path, "nodb", seed_command(port), env)
    wait_ready(server, port)

    assert get(port, "/readyz")[0] == 503
    assert server.stop() == 0
    assert "injoignable" in server.log()


# c. A wrong ENCRYPTION_KEY stops the master; adding the old key to the previous keys fixes it.


def test_key_mismatch_refuses_with_status_2_then_previous_key_fixes_it(tmp_path, servers):
    k1, k2 = new_key(), new_key()
    env = clean_env(tmp_path, ENCRYPTION_KEY=k1)
    db_upgrade(env)
    port = free_port()
    first = start(servers, tmp_path, "k1", seed_command(port), env)
    wait_ready(first, port)  # the worker has recorded K1's canary
    assert first.stop() == 0

    wrong = start(
        servers, tmp_path, "k2", seed_command(free_port(), workers=2), {**env, "ENCRYPTION_KEY": k2}
    )
    status = wrong.wait_exit()
    output = wrong.log()
    assert status == 2, output
    assert fingerprint(k1) in output
    assert "ENCRYPTION_KEYS_PREVIOUS" in output
    assert "Booting worker" not in output

    port = free_port()
    rotated = start(
        servers,
        tmp_path,
        "k2-k1",
        seed_command(port),
        {**env, "ENCRYPTION_KEY": k2, "ENCRYPTION_KEYS_PREVIOUS": k1},
    )
    wait_ready(rotated, port)
    assert get(port, "/healthz")[0] == 200
    assert get(port, "/readyz")[0] == 200  # K1's canary is read through the previous keys
    assert rotated.stop() == 0


def test_config_files_import_nothing_of_the_app():
    """The master must not import talento: it would be stale in workers after `kill -HUP`."""
    probe = (
        "import runpy, sys; runpy.run_path('gunicorn.conf.py'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('talento', 'flask')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent"},
    )
    assert result.stdout.strip() == "[]"


def test_public_bind_is_warned(caplog):
    with caplog.at_level(logging.WARNING, logger="talento.gunicorn"):
        warn_public_bind(["127.0.0.1:5004", "localhost:5004", "[::1]:5004", "unix:/run/t.sock"])
        assert caplog.records == []
        warn_public_bind(["0.0.0.0:5004"])
    assert "0.0.0.0:5004" in caplog.text


# d. systemd unit, nginx site, logrotate.


def test_systemd_unit_does_not_restart_a_refusal():
    unit = (DEPLOY / "talento.service").read_text()
    assert re.search(r"^RestartPreventExitStatus=2$", unit, re.M)
    assert re.search(r"^Restart=on-failure$", unit, re.M)
    assert re.search(r"^EnvironmentFile=/opt/talento/\.env$", unit, re.M)
    assert re.search(
        r"^ExecStart=/opt/talento/\.venv/bin/gunicorn -c deploy/gunicorn\.conf\.py app:app$",
        unit,
        re.M,
    )
    assert re.search(r"^User=talento$", unit, re.M)


def test_systemd_unit_verifies(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    unit = (DEPLOY / "talento.service").read_text()
    copy = tmp_path / "talento.service"  # point ExecStart at a gunicorn that exists here
    copy.write_text(unit.replace("/opt/talento/.venv/bin/gunicorn", GUNICORN))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "talento.service" not in result.stderr, result.stderr  # no warning about our unit


def test_nginx_site_has_the_required_pieces():
    site = (DEPLOY / "nginx.conf").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in site.splitlines())
    assert code.count("{") == code.count("}")
    assert "http {" not in code  # server blocks for sites-available, not a main config
    for directive in (
        "listen 443 ssl http2;",
        "server_name talentsmaroc.com;",
        "ssl_certificate /etc/letsencrypt/live/talentsmaroc.com/fullchain.pem;",
        "ssl_certificate_key /etc/letsencrypt/live/talentsmaroc.com/privkey.pem;",
        "server 127.0.0.1:5004;",
        "proxy_pass http://talento;",
        "proxy_set_header Host $host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Request-ID $request_id;",
        "error_page 413 /413.html;",
        "location ^~ /.well-known/acme-challenge/",
        "root /var/www/certbot;",
        "return 301 https://",
        "alias /opt/talento/talento/static/;",
    ):
        assert directive in code, directive
    # The alias serves the app's own static folder (/opt/talento is the project directory).
    assert (PROJECT_ROOT / "talento" / "static").is_dir()


def test_nginx_accepts_the_site(tmp_path):
    nginx = "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        pytest.skip("nginx is not installed (/usr/sbin/nginx): `nginx -t` not run")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=talentsmaroc.com",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (
        (DEPLOY / "nginx.conf")
        .read_text()
        .replace("/etc/letsencrypt/live/talentsmaroc.com/", f"{tmp_path}/")
    )
    (tmp_path / "talento.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/talento.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_logrotate_config_parses(tmp_path):
    logrotate = shutil.which("logrotate") or "/usr/sbin/logrotate"
    if not os.path.exists(logrotate):
        pytest.skip("logrotate is not installed")
    owner = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout
    group = subprocess.run(["id", "-gn"], capture_output=True, text=True, check=True).stdout
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "app.log").write_text("line\n")
    conf = (DEPLOY / "logrotate").read_text()
    assert "create 0640 talento talento" in conf
    assert "copytruncate" not in conf.split("{", 1)[1]  # WatchedFileHandler reopens the file
    conf = conf.replace("/var/log/talento", str(logs)).replace(
        "talento talento", f"{owner.strip()} {group.strip()}"
    )
    if os.geteuid() != 0:  # `su` needs root; rotating one's own files does not
        conf = re.sub(r"^\s*su .*$", "", conf, flags=re.M)
    (tmp_path / "talento").write_text(conf)
    result = subprocess.run(
        [logrotate, "--force", "-s", str(tmp_path / "state"), str(tmp_path / "talento")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (logs / "app.log.1").read_text() == "line\n"
    assert (logs / "app.log").exists()
    assert (logs / "app.log").stat().st_size == 0
