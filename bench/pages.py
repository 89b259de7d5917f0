"""`make bench`: pages timed as full HTTP requests through the app (a real WSGI server on a
loopback port, a new connection per request), on the directory bench's PostgreSQL database.

Called by :mod:`bench.directory` once its talents are loaded. Prints each page's median next to
the figures of ``bench/previous.json`` (the last recorded run, labelled with its commit).
Figures only, never a pass/fail threshold.
"""

from __future__ import annotations

import http.client
import json
import logging
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

PREVIOUS = Path(__file__).with_name("previous.json")
RUNS = 15


def _get(port: int, path: str, cookie: str | None) -> tuple[int, float]:
    headers = {"Cookie": cookie} if cookie else {}
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    return response.status, (time.perf_counter() - start) * 1000


def _median(port: int, path: str, cookie: str | None = None, runs: int = RUNS) -> float | str:
    status, _ = _get(port, path, cookie)  # warm-up (and caches, as in a running server)
    if status != 200:
        return f"HTTP {status}"
    samples = [_get(port, path, cookie)[1] for _ in range(runs)]
    return round(statistics.median(samples), 2)


def _admin_cookie(app) -> str | None:
    """Sign the seed admin in through the login form (test client), and reuse its cookie."""
    import re

    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not match:
        return None
    client.post(
        "/auth/login",
        data={
            "identifier": "admin@talento.com",
            "password": app.extensions["talento.settings"].admin_password,
            "csrf_token": match.group(1),
        },
    )
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    return f"{name}={cookie.value}" if cookie else None


def page_cases(app, session) -> dict[str, float | str]:
    from talento.accounts.models import Capability, User, holds

    code = session.scalar(
        select(User.code)
        .where(holds(Capability.TALENT.value), User.is_active_account.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    cases: dict[str, tuple[str, bool]] = {
        "page_directory_ms": ("/talents", False),
        # Signed in: the availability filter is the recruiters' and admins' (others' is ignored).
        "page_directory_filters_ms": (
            "/talents?country=SN&availability=soon&skill=actor&language=fr",
            True,
        ),
        "page_directory_name_ms": ("/talents?q=ben", False),
        "page_home_ms": ("/", False),
        "page_public_profile_ms": (f"/p/{code}", False),
        "page_admin_dashboard_ms": ("/admin", True),
    }
    cookie = _admin_cookie(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return {
            label: _median(server.server_port, path, cookie if admin else None)
            for label, (path, admin) in cases.items()
        }
    finally:
        server.shutdown()
        thread.join(timeout=10)


def with_previous(results: dict, read: Callable[[], str] = lambda: PREVIOUS.read_text()) -> dict:
    """`results` with the previous run's page figures beside them."""
    try:
        previous = json.loads(read())
    except (OSError, ValueError):
        return results
    label = f"previous ({previous.get('commit', '?')}, {previous.get('talents', '?')} talents)"
    return {
        **results,
        "pages_side_by_side": {
            key: {"now": value, "previous": previous.get("pages", {}).get(key)}
            for key, value in results.items()
            if key.startswith("page_")
        },
        "previous_label": label,
    }
