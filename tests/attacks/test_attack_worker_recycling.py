"""Worker recycling under load, through the real nginx site in front of the real gunicorn config.

gunicorn replaces each worker after `max_requests` requests; nginx keeps its connections to
gunicorn open between requests. If gunicorn closes an idle connection at the moment nginx sends a
request on it, the request is lost: nginx resends a GET, but a POST becomes a 502 for the visitor.
That race is rare, so besides counting failed requests under load (GETs and POSTs, workers
recycled every ~20 requests), the test checks the rule that prevents it: at the end, every idle
connection is closed by nginx (the side that closes first keeps the socket in TIME_WAIT), even
while gunicorn stops its workers.

The site is deploy/nginx.conf itself: only ports, certificate paths, the static folder and the
upstream's port are rewritten (each rewrite must match once, so a changed file fails here rather
than being tested half). gunicorn runs deploy/gunicorn.conf.py; GUNICORN_CMD_ARGS lowers
max_requests and adds an access log with each request's worker pid and upstream port.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import runpy
import signal
import ssl
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from gunicorn.workers import gthread

from talento.settings import PROJECT_ROOT
from tests.deploy.test_gunicorn import (
    GUNICORN,
    Gunicorn,
    clean_env,
    free_port,
    wait_ready,
)

NGINX = "/usr/sbin/nginx"
SITE = PROJECT_ROOT / "deploy" / "nginx.conf"
HOST = "talentsmaroc.com"
MAX_REQUESTS = 20
JITTER = 5
RECYCLED = 4  # workers replaced during the load, at least (each of the 2 twice)
MIN_REQUESTS = 120
BUSY_VISITORS = 4
SLOW_VISITORS = 2
THINK = 3.0  # seconds, at most, between two requests of a slow visitor
DEADLINE = 120  # seconds: a hang, not a slow machine
#: The worker pid, the upstream connection's source port (nginx's side), method, path, status.
ACCESS_FORMAT = "%(p)s %({REMOTE_PORT}e)s %(m)s %(U)s %(s)s"


def site_code() -> str:
    return "\n".join(line.split("#", 1)[0] for line in SITE.read_text().splitlines())


def seconds(value: str) -> float:
    """An nginx time value ("1s", "500ms", "75") in seconds."""
    number, unit = re.fullmatch(r"(\d+)(ms|s|m)?", value).groups()  # type: ignore[union-attr]
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[unit]


def rewrite(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} should appear once in {SITE}"
    return text.replace(old, new)


def self_signed(directory: Path) -> None:
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
            f"/CN={HOST}",
            "-keyout",
            str(directory / "privkey.pem"),
            "-out",
            str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


class Nginx:
    """An nginx master (not a daemon) serving the site on loopback ports, everything in tmp."""

    def __init__(self, root: Path, upstream_port: int):
        self.root = root
        self.https_port, self.http_port = free_port(), free_port()
        (root / "certbot").mkdir(parents=True)
        self_signed(root)
        site = SITE.read_text()
        site = rewrite(site, "listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = rewrite(
            site, "listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"
        )
        site = rewrite(site, "server 127.0.0.1:5004;", f"server 127.0.0.1:{upstream_port};")
        site = rewrite(site, "root /var/www/certbot;", f"root {root / 'certbot'};")
        site = rewrite(
            site,
            "alias /opt/talento/talento/static/;",
            f"alias {PROJECT_ROOT / 'talento' / 'static'}/;",
        )
        site = site.replace("/etc/letsencrypt/live/talentsmaroc.com/", f"{root}/")
        (root / "site.conf").write_text(site)
        temp = "".join(
            f"    {kind}_temp_path {root / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # `user` only means something to a master started as root (nginx warns otherwise).
        user = "user root;\n" if os.geteuid() == 0 else ""
        (root / "nginx.conf").write_text(
            f"{user}worker_processes 2;\n"
            f"pid {root / 'nginx.pid'};\n"
            f"error_log {root / 'error.log'} info;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            "    log_format upstream '$request_method $uri $status "
            "upstream=$upstream_addr/$upstream_status';\n"
            f"    access_log {root / 'access.log'} upstream;\n"
            f"{temp}"
            f"    include {root / 'site.conf'};\n"
            "}\n"
        )
        self.log_file = root / "nginx.out"
        with self.log_file.open("wb") as out:
            self.process = subprocess.Popen(
                [NGINX, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def errors(self) -> str:
        log = self.root / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"nginx exited: {self.log_file.read_text()}{self.errors()}")
            try:
                conn = https(self.https_port)
                conn.request("GET", "/healthz", headers={"Host": HOST})
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"nginx not answering:\n{self.errors()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def sockets(port: int, state: str) -> set[int]:
    """Remote ports of the loopback TCP sockets whose local port is `port`, in `state`
    ("01" established, "06" TIME_WAIT: the side that closed a connection first keeps it)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, st = fields[1], fields[2], fields[3]
        if st == state and int(local.split(":")[1], 16) == port:
            found.add(int(remote.split(":")[1], 16))
    return found


def https(port: int) -> http.client.HTTPSConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)


class Visitor(threading.Thread):
    """One browser tab: a single kept-alive connection to nginx, a session cookie, pages and a
    login form posted without a password (a POST the app answers with the form and its error,
    400, without counting a failed login) until told to stop. `pause` adds think time, so the
    upstream connections also sit idle for a while between requests."""

    def __init__(self, port: int, stop: threading.Event, pause: float = 0.0):
        super().__init__(daemon=True)
        self.conn = https(port)
        self.stop = stop
        self.pause = pause
        self.cookie = ""
        self.sent = 0
        self.failures: list[str] = []

    def call(self, method: str, path: str, expected: int, body: str = "", text: str = "") -> str:
        headers = {"Host": HOST, "Referer": f"https://{HOST}/auth/login"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.sent += 1
        try:
            self.conn.request(method, path, body=body or None, headers=headers)
            response = self.conn.getresponse()
            page = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            self.failures.append(f"{method} {path}: {exc!r}")
            self.conn.close()  # a browser would open a new connection for the next request
            return ""
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.status != expected or text not in page:
            self.failures.append(f"{method} {path}: {response.status} {page[-300:]!r}")
        return page

    def think(self) -> None:
        if self.pause:
            self.stop.wait(random.uniform(0, self.pause))

    def run(self) -> None:
        while not self.stop.is_set():
            page = self.call("GET", "/auth/login", 200)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
            self.think()
            self.call("GET", "/healthz", 200)
            self.call("GET", "/", 200)
            self.think()
            self.call("GET", "/geo/cities?country=MA", 200)
            self.call("GET", "/static/css/talento.css", 200)
            if token:
                self.think()
                form = f"csrf_token={token.group(1)}&identifier=visiteur%40example.org&password="
                self.call("POST", "/auth/login", 400, form, text="Indiquez votre mot de passe.")
        self.conn.close()


@pytest.fixture
def stack(tmp_path, database_url, cleanup):
    """gunicorn (deploy/gunicorn.conf.py, 2 workers recycled every ~20 requests) behind nginx."""
    if not os.path.exists(NGINX):
        pytest.skip(f"nginx is not installed ({NGINX}): `make nginx` installs it")
    port = free_port()
    access = tmp_path / "gunicorn-access.log"
    env = clean_env(
        tmp_path,
        DATABASE_URL=database_url,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        GUNICORN_ACCESSLOG=str(access),
        GUNICORN_CMD_ARGS=(
            f"--max-requests {MAX_REQUESTS} --max-requests-jitter {JITTER} "
            f"--access-logformat '{ACCESS_FORMAT}'"
        ),
    )
    command = [GUNICORN, "-c", "deploy/gunicorn.conf.py", "app:app"]
    gunicorn = Gunicorn(tmp_path, "gunicorn", command, env)
    nginx = None
    try:
        wait_ready(gunicorn, port)
        nginx = Nginx(tmp_path / "nginx", port)
        nginx.wait_ready()
        yield gunicorn, port, nginx, access
    finally:
        if nginx is not None:
            nginx.stop()
        gunicorn.kill()


def test_idle_upstream_connections_are_closed_by_nginx_first():
    """nginx must drop an idle connection before gunicorn may close it, or it will one day send
    a request on a connection gunicorn is closing."""
    code = site_code()
    upstream = re.search(r"upstream talento \{(.*?)\}", code, re.S)
    assert upstream, "no `upstream talento` block"
    assert re.search(r"^\s*keepalive \d+;", upstream.group(1), re.M)
    timeout = re.search(r"keepalive_timeout (\w+);", upstream.group(1))
    assert timeout, "no keepalive_timeout in the upstream block (nginx's default is 60 s)"
    nginx_idle = seconds(timeout.group(1))
    assert "proxy_pass http://talento;" in code
    assert "proxy_http_version 1.1;" in code
    assert 'proxy_set_header Connection "";' in code
    assert "non_idempotent" not in code  # a POST is never sent twice

    config = runpy.run_path(str(PROJECT_ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    # Margins of a whole second: timers on a loaded machine fire late.
    assert nginx_idle + 1 <= config["keepalive"]
    assert nginx_idle + 1 <= gthread.STOP_KEEPALIVE_LINGER


def test_recycling_workers_under_load_fails_no_request(stack):
    gunicorn, port, nginx, access = stack
    stop = threading.Event()
    visitors = [Visitor(nginx.https_port, stop) for _ in range(BUSY_VISITORS)]
    visitors += [Visitor(nginx.https_port, stop, pause=THINK) for _ in range(SLOW_VISITORS)]
    started = time.monotonic()
    for visitor in visitors:
        visitor.start()
    # Until enough workers have been replaced under the load (a worker boots in seconds on a
    # loaded machine: a count, not a duration, ends the run; the deadline only stops a hang).
    while time.monotonic() - started < DEADLINE:
        served = {line.split(" ", 1)[0] for line in access.read_text().splitlines()}
        sent = sum(visitor.sent for visitor in visitors)
        if len(served) >= 2 + RECYCLED and sent >= MIN_REQUESTS:
            break
        time.sleep(0.5)
    stop.set()
    for visitor in visitors:
        visitor.join(timeout=60)
    elapsed = time.monotonic() - started

    assert not any(visitor.is_alive() for visitor in visitors), "a visitor is stuck"
    # The connections nginx keeps open, idle now; then a graceful stop (systemd's SIGTERM: the
    # same drain as a max_requests exit). Whoever closes a connection first keeps it in
    # TIME_WAIT: nginx must have closed every one of them, gunicorn none.
    idle = sockets(port, "01")
    assert gunicorn.stop() == 0, gunicorn.log()[-3000:]
    closed_by_gunicorn = idle & sockets(port, "06")
    sent = sum(visitor.sent for visitor in visitors)
    failures = [failure for visitor in visitors for failure in visitor.failures]
    lines = [line.split() for line in access.read_text().splitlines() if line.strip()]
    pids = Counter(line[0] for line in lines)
    connections = {(line[0], line[1]) for line in lines}
    resent = [line for line in (nginx.root / "access.log").read_text().splitlines() if ", " in line]
    report = (
        f"{sent} requests in {elapsed:.1f} s, {len(pids)} worker pids, {len(lines)} requests "
        f"upstream over {len(connections)} connections, {len(resent)} resent by nginx; "
        f"{len(idle)} idle at the end, {len(closed_by_gunicorn)} of them closed by gunicorn\n"
        + "\n".join(failures[:20] + resent[:10])
        + "\n"
        + nginx.errors()[-3000:]
    )
    assert failures == [], report
    # No worker killed or crashed (SIGTERM is the final stop reaching a worker already leaving).
    crash = re.search(r"WORKER TIMEOUT|exited with code|was sent (?!SIGTERM)", gunicorn.log())
    assert crash is None, gunicorn.log()[-3000:]
    assert sent >= MIN_REQUESTS, report
    # Recycled during the run: each new worker pid served requests.
    assert len(pids) >= 2 + RECYCLED, report
    # Kept alive: far fewer upstream connections than requests sent over them.
    assert len(connections) <= len(lines) / 3, report
    assert idle, report
    assert closed_by_gunicorn == set(), report
