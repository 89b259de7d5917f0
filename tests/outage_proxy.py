"""A TCP forwarder between the app and PostgreSQL that a test can cut and restore.

``cut()`` drops every live connection and resets new ones (PostgreSQL down, or a firewall
rejecting); ``hang()`` drops live connections and accepts new ones without ever answering
(a host that vanished: only a client-side timeout ends the wait); ``stall()`` keeps the live
connections open but forwards nothing more on them, and accepts new ones without answering (a
stuck server, or a proxy in front of it that stopped forwarding: TCP still acknowledges
everything, so neither keepalives nor tcp_user_timeout notice); ``restore()`` forwards again.
Threads only, no privileges needed; the app connects to 127.0.0.1:<proxy.port>.

Below the proxy: :func:`outage_app` (an app whose database a test takes away, on PostgreSQL or
SQLite) and the checks the outage tests share (:func:`assert_clean_503`, :func:`until_ok`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url

from talento.settings import Settings

FORWARD, CUT, HANG, STALL = "forward", "cut", "hang", "stall"


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, hold_seconds: float = 30.0):
        self.target = (target_host, target_port)
        self.hold_seconds = hold_seconds
        self.mode = FORWARD
        self.accepted = 0
        self.refused = 0
        self._live: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._flowing = threading.Event()
        self._flowing.set()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name="tcp-proxy")

    # --- control ------------------------------------------------------------------------

    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    def cut(self) -> None:
        self.mode = CUT
        self._drop_live()

    def hang(self) -> None:
        self.mode = HANG
        self._drop_live()

    def stall(self) -> None:
        """Live connections stay open and forward nothing; new ones are held unanswered."""
        self._flowing.clear()
        self.mode = STALL

    def restore(self) -> None:
        self.mode = FORWARD
        self._flowing.set()

    def drop_live(self) -> None:
        """Kill the connections open now (a PostgreSQL restart) and keep forwarding."""
        self._drop_live()

    @property
    def live(self) -> int:
        with self._lock:
            return len(self._live) // 2

    def stop(self) -> None:
        self._stopped.set()
        self._flowing.set()
        self._thread.join(timeout=5)
        self._listener.close()
        self._drop_live()

    # --- machinery ----------------------------------------------------------------------

    def _drop_live(self) -> None:
        with self._lock:
            sockets, self._live = list(self._live), set()
        for sock in sockets:
            _reset(sock)

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            if self.mode == CUT:
                self.refused += 1
                _reset(client)
            elif self.mode in (HANG, STALL):
                threading.Thread(target=self._hold, args=(client,), daemon=True).start()
            else:
                self._forward(client)

    def _forward(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._live.update((client, upstream))
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                while not self._flowing.wait(0.1):  # stalled: hold the bytes
                    if self._stopped.is_set() or source not in self._live:
                        raise OSError("proxy stopped, or the connection dropped")
                sink.sendall(chunk)
        except OSError:
            pass
        with self._lock:
            self._live.discard(source)
            self._live.discard(sink)
        _reset(source)
        _reset(sink)

    def _hold(self, client: socket.socket) -> None:
        """Read and never answer, until the client hangs up or ``hold_seconds`` pass."""
        client.settimeout(self.hold_seconds)
        try:
            while client.recv(65536):
                pass
        except OSError:
            pass
        _reset(client)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a crashed server or a rejecting firewall would."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RD)  # wakes a thread blocked in recv() on it
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sock.close()


# --- an app on a database the test can take away ----------------------------------------------

DB_PASSWORD = "Pg-secret-w0rd-never-logged"  # PostgreSQL trusts the test role: any password works
EMAIL = "amina.outage@example.org"
LAST_NAME = "Benkirane-Panne"
INTERNALS = ("Traceback", "OperationalError", "psycopg", "sqlite3", "SELECT", "sqlalche.me")


@dataclasses.dataclass
class Outage:
    """An app on a database the test can take away (`cut`) and give back (`restore`)."""

    app: Flask
    cut: Callable[[], None]
    restore: Callable[[], None]
    proxy: TcpProxy | None = None


def proxied_url(database_url: str, proxy: TcpProxy) -> str:
    """`database_url` through `proxy` (with a password that must never be logged)."""
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port, password=DB_PASSWORD)
    return url.render_as_string(hide_password=False)


def proxy_for(database_url: str) -> TcpProxy:
    url = make_url(database_url)
    return TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()


@contextlib.contextmanager
def outage_app(database_url: str, settings: Settings, tmp_path: Path, **overrides):
    """An app whose database can be cut: through a TcpProxy on PostgreSQL; on SQLite, a copy
    of the database whose folder disappears (a lost mount). `overrides` change its Settings;
    DATABASE_TIMEOUT is 2 s unless they say otherwise (libpq's shortest connect_timeout)."""
    from talento.extensions import db

    overrides.setdefault("database_timeout", 2.0)
    from talento.ops.startup import run_startup_checks
    from talento.web import build_app

    if database_url.startswith("postgresql"):
        proxy = proxy_for(database_url)
        via = proxied_url(database_url, proxy)
        app = build_app(dataclasses.replace(settings, database_url=via, **overrides))
        state = Outage(app, proxy.cut, proxy.restore, proxy)
    else:
        folder = tmp_path / "db"
        folder.mkdir()
        copy = folder / "talento.db"
        sqlite_copy(make_url(database_url).database or "", copy)
        url = f"sqlite:///{copy}"
        app = build_app(dataclasses.replace(settings, database_url=url, **overrides))
        away = tmp_path / "db-gone"

        def cut() -> None:
            folder.rename(away)
            with app.app_context():
                db.engine.dispose()

        state = Outage(app, cut, lambda: away.rename(folder))
    run_startup_checks(app, app.extensions["talento.keyring"])  # the key canary /readyz reads
    try:
        yield state
    finally:
        if state.proxy is not None:
            state.proxy.restore()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if state.proxy is not None:
            state.proxy.stop()


def sqlite_copy(source: str, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def assert_clean_503(response, lang: str = "fr") -> str:
    """The French (or English) 503 page: Retry-After, no internals, no personal data."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:500]
    assert int(response.headers["Retry-After"]) >= 29  # the rate limiter may push it later
    assert response.content_type.startswith("text/html")
    title = "Service momentanément indisponible" if lang == "fr" else "temporarily unavailable"
    assert title in html
    assert f'lang="{lang}"' in html
    for internal in INTERNALS:
        assert internal not in html
    assert EMAIL not in html
    assert LAST_NAME not in html
    assert DB_PASSWORD not in html
    return html


def until_ok(get: Callable[[], Any], seconds: float = 5.0):
    """Recovery needs no restart: retry a few seconds at most, without touching the app."""
    deadline = time.monotonic() + seconds
    while True:
        response = get()
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)
