"""Benchmark of the admin's exports on PostgreSQL: `python -m bench.exports`.

Creates a throw-away database next to TEST_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test), initialises it like `talento init-db` (schema,
reference data, the admin, the key canary), bulk-loads 100,000 talents (BENCH_EXPORT_ROWS to
change) with :func:`bench.directory._load`, gives each an encrypted phone number
and spreads registration dates over ten days (so one day's filter is a 10,000-row list).

Then, each in a fresh process built like a gunicorn worker (``create_app()`` from the
environment) going through the real view (login, form, CSRF, streamed response):

- CSV and XLSX of every row with personal data (all columns: phone numbers are decrypted),
  and CSV without personal data (the difference is the cost of decryption),
- PDF of one registration day (10,000 rows, the PDF limit),

reporting wall time, time to the first byte and the process's peak memory (VmHWM) at
the end, next to its peak before the export (the app's own footprint).

Finally gunicorn is started with ``deploy/gunicorn.conf.py`` on a free port, two 100,000-row
XLSX exports run at once, and the login page is timed meanwhile (median and max).

Prints JSON. Never fails on speed; a failing measure prints its error; no PostgreSQL prints a
skip reason. Targets (issue point 8): CSV < 4 s, XLSX < 8 s, PDF 10k < 2 s, peak < 250 MB each,
login page < 0.5 s during two exports.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import os
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import bindparam, text, update

from bench.directory import throwaway_database
from talento.exports.columns import PERSONAL_KEYS, PUBLIC_KEYS
from talento.extensions import utctoday

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))
DAYS = 10
PROJECT = Path(__file__).resolve().parents[1]
ADMIN_EMAIL = "admin@talento.com"
ALL_COLUMNS = {  # every column of the allowlist, personal ones included
    "columns": list(PUBLIC_KEYS),
    "personal_columns": list(PERSONAL_KEYS),
    "include_personal": "y",
}
PDF_COLUMNS = {"columns": ["code", "first_name", "last_name", "city", "skills", "created_at"]}


def _rss_mb() -> float:
    """This process's peak resident memory, in MB.

    VmHWM (Linux) rather than ``ru_maxrss``: after fork + exec, ``ru_maxrss`` still counts the
    parent's memory at the fork (the bench parent holds the loading session), VmHWM only this
    program's.
    """
    try:
        status = Path("/proc/self/status").read_text()
        kib = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    except (OSError, AttributeError):
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kib / 1024, 1)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


# -- one export in this process (the child) -----------------------------------------------------


def child(spec: dict) -> dict:
    """Log in as the admin through the app, run one export, read it to the end."""
    from talento import create_app

    app = create_app()  # from the environment, with start-up checks: as a gunicorn worker
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    login = client.post(
        "/auth/login",
        data={
            "identifier": ADMIN_EMAIL,
            "password": os.environ["ADMIN_PASSWORD"],
            "csrf_token": _csrf(page),
        },
    )
    if login.status_code != 302:
        raise RuntimeError(f"login answered {login.status_code}")
    url = "/admin/users/export?" + urllib.parse.urlencode(spec.get("query", {}))
    form = client.get(url)
    data = dict(spec["form"], format=spec["format"], csrf_token=_csrf(form.get_data(as_text=True)))
    baseline = _rss_mb()
    cpu_start = time.process_time()
    start = time.perf_counter()
    response = client.post(url, data=data)
    if response.status_code != 200:
        raise RuntimeError(f"export answered {response.status_code}")
    first = None
    size = chunks = 0
    for chunk in response.response:
        if chunk:
            if first is None:
                first = time.perf_counter() - start
            size += len(chunk)
            chunks += 1
    response.close()
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 2),
        # CPU time of this process: less sensitive than wall time to other load on the host.
        "cpu_seconds": round(time.process_time() - cpu_start, 2),
        "first_byte_seconds": round(first or seconds, 3),
        "megabytes": round(size / 1e6, 1),
        "chunks": chunks,
        "peak_rss_mb": _rss_mb(),
        "rss_before_export_mb": baseline,
    }


def _run_child(env: dict, spec: dict) -> dict:
    command = [sys.executable, "-m", "bench.exports", "--child", json.dumps(spec)]
    done = subprocess.run(
        command, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {done.returncode}: {' | '.join(tail)}"}
    return json.loads(lines[-1])


# -- responsiveness under gunicorn --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _timed_get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - local http only
        answer.read()
    return (time.perf_counter() - start) * 1000


def _stats(samples: list[float]) -> dict:
    if not samples:
        return {"samples": 0}
    return {
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
        "samples": len(samples),
    }


def _download(base: str, spec: dict, out: dict) -> None:
    """Log in with a session of its own and read one export to the end."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/auth/login", timeout=30).read().decode()
    body = urllib.parse.urlencode(
        {
            "identifier": ADMIN_EMAIL,
            "password": os.environ["ADMIN_PASSWORD"],
            "csrf_token": _csrf(page),
        }
    ).encode()
    opener.open(f"{base}/auth/login", data=body, timeout=30).read()
    url = f"{base}/admin/users/export"
    token = _csrf(opener.open(url, timeout=30).read().decode())
    form = dict(spec["form"], format=spec["format"], csrf_token=token)
    start = time.perf_counter()
    size = 0
    with opener.open(url, data=urllib.parse.urlencode(form, doseq=True).encode(), timeout=600) as r:
        out["first_byte_seconds"] = round(time.perf_counter() - start, 3)
        while block := r.read(65536):
            size += len(block)
    out["seconds"] = round(time.perf_counter() - start, 2)
    out["megabytes"] = round(size / 1e6, 1)


def responsiveness(env: dict) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        str(PROJECT / "deploy" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "app:app",
    ]
    server = subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    result: dict = {}
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _timed_get(f"{base}/auth/login")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    return {"error": "gunicorn did not answer"}
                time.sleep(0.5)
        result["login_page_idle"] = _stats([_timed_get(f"{base}/auth/login") for _ in range(20)])
        spec = {"format": "xlsx", "form": ALL_COLUMNS}
        outcomes: list[dict] = [{}, {}]
        threads = [
            threading.Thread(target=_download, args=(base, spec, out), daemon=True)
            for out in outcomes
        ]
        for thread in threads:
            thread.start()
        samples: list[float] = []
        time.sleep(1.0)  # both exports are under way (logins take a moment)
        while any(thread.is_alive() for thread in threads):
            samples.append(_timed_get(f"{base}/auth/login"))
            time.sleep(0.2)
        for thread in threads:
            thread.join()
        result["login_page_during_two_xlsx_exports"] = _stats(samples)
        result["exports"] = outcomes
        result["workers"] = os.environ.get("GUNICORN_WORKERS") or "deploy/gunicorn.conf.py default"
        result["cpus"] = len(os.sched_getaffinity(0))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return result


# -- the database -------------------------------------------------------------------------------


def _prepare(url: str, env: dict) -> dict:
    from bench.directory import _load
    from talento.accounts.models import User
    from talento.extensions import db
    from talento.ops.initdb import init_db
    from talento.settings import Settings
    from talento.web import build_app

    app = build_app(
        Settings(
            secret_key=env["SECRET_KEY"],
            encryption_key=env["ENCRYPTION_KEY"],
            admin_password=env["ADMIN_PASSWORD"],
            database_url=url,
            database_timeout=0.0,  # loading 100,000 talents is a long job (as `talento` does)
            flask_env="testing",
            log_level="WARNING",
        )
    )
    figures: dict = {}
    init_db(app)  # schema, reference data, the admin, the key canary
    with app.app_context():
        start = time.perf_counter()
        _load(db.session, ROWS)
        figures["load_seconds"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        users = User.__table__
        ids = db.session.scalars(
            text("SELECT id FROM users WHERE code LIKE 'X%' ORDER BY id")
        ).all()
        statement = (
            update(users).where(users.c.id == bindparam("uid")).values(phone=bindparam("tel"))
        )
        for first in range(0, len(ids), 10_000):
            # Plain text in, the EncryptedText column type encrypts (real key ring).
            params = [{"uid": i, "tel": f"+2126{i:08d}"} for i in ids[first : first + 10_000]]
            db.session.execute(statement, params)
            db.session.commit()
        figures["encrypt_phones_seconds"] = round(time.perf_counter() - start, 1)
        db.session.execute(
            text("UPDATE users SET created_at = created_at - (id % :days) * interval '1 day'"),
            {"days": DAYS},
        )
        db.session.commit()
        db.session.remove()
        # As autovacuum would have by then: the bulk UPDATEs above left 200,000 dead rows, and
        # the first reader of fresh rows pays for setting their hint bits.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return figures


def main() -> None:

    with throwaway_database("talento_bench_exports") as url:
        if url is None:
            print(json.dumps({"exports": "skipped: no PostgreSQL answers"}))
            return
        results = _measure_all(url)
    results["targets"] = (
        "CSV < 4 s, XLSX < 8 s (100,000 rows), PDF of 10,000 rows < 2 s, peak_rss_mb < 250 "
        "each; login page < 500 ms during two exports"
    )
    results["note"] = "figures only, never a pass/fail threshold"
    print(json.dumps({"exports": results}, indent=2))


def _measure_all(url: str) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only a fallback for gunicorn
        "PYTHONPATH": str(PROJECT),
        "TALENTO_ENV_FILE": "none",
        "SECRET_KEY": secrets.token_hex(32),
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ADMIN_PASSWORD": secrets.token_urlsafe(18),  # generated: no credential in the code
        "DATABASE_URL": url,
        "FLASK_ENV": "development",  # plain-http cookies on 127.0.0.1
        "LOG_LEVEL": "WARNING",
    }
    os.environ["ADMIN_PASSWORD"] = env["ADMIN_PASSWORD"]
    results: dict = {"rows": ROWS}
    try:
        results.update(_prepare(url, env))
    except Exception as exc:  # noqa: BLE001
        results["error"] = f"preparing the database: {type(exc).__name__}: {exc}"
        return results
    one_day = (utctoday() - dt.timedelta(days=3)).isoformat()
    measures = {
        f"csv_{ROWS}_rows_personal": {"format": "csv", "form": ALL_COLUMNS},
        f"xlsx_{ROWS}_rows_personal": {"format": "xlsx", "form": ALL_COLUMNS},
        # The same without personal columns: what decrypting 100,000 phones costs.
        f"csv_{ROWS}_rows_public": {
            "format": "csv",
            "form": {"columns": ALL_COLUMNS["columns"]},
        },
        f"pdf_{ROWS // DAYS}_rows": {
            "format": "pdf",
            "form": PDF_COLUMNS,
            "query": {"registered_from": one_day, "registered_to": one_day},
        },
    }
    for label, spec in measures.items():
        try:
            results[label] = _run_child(env, spec)
        except Exception as exc:  # noqa: BLE001
            results[label] = {"error": f"{type(exc).__name__}: {exc}"}
    try:
        results["gunicorn"] = responsiveness(env)
    except Exception as exc:  # noqa: BLE001
        results["gunicorn"] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        try:
            print(json.dumps(child(json.loads(sys.argv[2]))))
        except Exception as exc:  # noqa: BLE001 - reported by the parent, never a crash
            print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
    else:
        sys.exit(main())
