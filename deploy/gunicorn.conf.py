"""Gunicorn configuration for Talento in production (systemd: `gunicorn -c deploy/gunicorn.conf.py
app:app`; the root `gunicorn.conf.py` applies it to the seed's bare `gunicorn ... app:app` too).

Command-line flags and GUNICORN_CMD_ARGS win over every value here.

Environment overrides: GUNICORN_BIND (default 127.0.0.1:5004: only nginx talks to gunicorn),
GUNICORN_WORKERS (default 2 x cores + 1, at most 4: 4 on the 2-core VPS), GUNICORN_THREADS (4),
GUNICORN_ACCESSLOG ("-" for stdout; off by default: nginx already writes one access line per
request and the app logs carry the request id, so a second copy would only fill the journal of a
small VPS), GUNICORN_LOGLEVEL (info).

Every name in this module that matches a gunicorn setting is applied by gunicorn, so helpers are
UPPERCASE or start with "_".
"""

import os
import subprocess
import sys
from pathlib import Path

_PROJECT_DIR = Path(__file__).resolve().parent.parent
_REFUSED = 2  # talento's "start refused" exit status (RestartPreventExitStatus=2 in the unit)
_CHECK_TIMEOUT = 60  # seconds; a PostgreSQL server that does not answer gives up after 5


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = [os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:5004"]
workers = _env_int("GUNICORN_WORKERS", min(2 * _cores() + 1, 4))
# Threads: a slow client or a long streamed export occupies a thread, not a whole worker, and
# the timeout below becomes a liveness check of the worker rather than a limit per request.
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 4)
timeout = 60
graceful_timeout = 30
# nginx keeps its connections to gunicorn open between requests and closes an idle one after
# 1 s (deploy/nginx.conf, upstream block): this must stay longer, so that gunicorn never closes
# a connection nginx may be sending a request on.
keepalive = 5
# Recycle workers now and then so a slow leak can never exhaust the VPS's memory. No visitor
# sees it: the worker stops taking new connections, finishes its requests (graceful_timeout),
# answers for 2 s more on its open connections with "Connection: close" (nginx has closed the
# idle ones after 1 s), then exits and the master starts a fresh one. The jitter keeps the
# workers from leaving together. tests/attacks/test_attack_worker_recycling.py recycles them
# every ~20 requests under load.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-* (scheme) from nginx on this host only; the app's ProxyFix does the rest.
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "").strip() or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "").strip() or "info"
# gunicorn >= 25 opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn by default: the
# service user's home is read-only under ProtectHome, systemctl reload/restart covers our
# needs, and two instances on one machine would fight over the same path.
control_socket_disable = True
proc_name = "talento"


def on_starting(server):
    """Refuse a bad configuration or a wrong ENCRYPTION_KEY before any worker is forked.

    The check (talento.ops.gunicorn_hooks) runs in a child process so the master imports none
    of the application (see that module). Status 2 from the child stops the master with status
    2; any other failure of the check itself is a warning and the workers check for themselves.
    """
    command = [sys.executable, "-m", "talento.ops.gunicorn_hooks"]
    command += [f"--bind={address}" for address in server.cfg.bind]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_DIR), env.get("PYTHONPATH")) if p)
    try:
        status = subprocess.run(command, env=env, timeout=_CHECK_TIMEOUT, check=False).returncode
    except (OSError, subprocess.TimeoutExpired) as exc:
        server.log.warning("Vérification avant démarrage impossible (%s).", exc)
        return
    if status == _REFUSED:
        server.log.error("Démarrage refusé : aucun worker lancé (code de sortie 2).")
        if server.pidfile is not None:
            server.pidfile.unlink()
        sys.exit(_REFUSED)
    if status != 0:
        server.log.warning(
            "Vérification avant démarrage impossible (code %s) : chaque worker vérifiera.", status
        )


def _url(address: str) -> str:
    return address if address.startswith(("unix:", "fd://")) else f"http://{address}"


def when_ready(server):
    """One French line with the address(es) listened on: gunicorn's own "Listening at:" is
    empty under the seed's --reuse-port (each worker opens its own socket), so the configured
    binds are named then; otherwise the master's actual sockets."""
    listeners = [str(listener) for listener in server.LISTENERS]
    addresses = ", ".join(listeners or [_url(address) for address in server.cfg.bind])
    server.log.info("Talento écoute sur %s (%s worker(s)).", addresses, server.num_workers)
