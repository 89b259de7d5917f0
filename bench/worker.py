"""A Talento app served in a process of its own for a bench, as a gunicorn worker would be:
its memory can be read apart from the bench's (``/proc/<pid>/status``) and its first request
pays its own imports.

``start(url, upload_dir, secret, key)`` starts ``python -m bench.worker`` with the settings in
its environment and returns the process and the loopback port it printed; the caller
terminates it. ``settings(...)`` are the benches' settings (testing mode, quiet logs).
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys

ENV = ("BENCH_WORKER_URL", "BENCH_WORKER_UPLOAD", "BENCH_WORKER_SECRET", "BENCH_WORKER_KEY")


def settings(url: str, upload_dir: str, secret: str, key: str):
    from talento.settings import Settings

    return Settings(
        secret_key=secret,
        encryption_key=key,
        admin_password=os.environ.get("BENCH_ADMIN_PASSWORD") or secrets.token_urlsafe(18),
        database_url=url,
        database_timeout=0.0,
        flask_env="testing",
        log_level="WARNING",
        upload_dir=upload_dir,
    )


def start(url: str, upload_dir: str, secret: str, key: str) -> tuple[subprocess.Popen, int]:
    """The worker process and its port (read from its first line of output)."""
    env = {**os.environ, **dict(zip(ENV, (url, upload_dir, secret, key), strict=True))}
    worker = subprocess.Popen(
        [sys.executable, "-m", "bench.worker"], env=env, stdout=subprocess.PIPE, text=True
    )
    assert worker.stdout is not None
    return worker, int(worker.stdout.readline().strip())


def serve() -> None:
    """The app on a loopback port (printed on stdout), until terminated."""
    from werkzeug.serving import make_server

    from talento.web import build_app

    app = build_app(settings(*(os.environ[name] for name in ENV)))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve()
