"""Every wait for PostgreSQL is bounded, so a database that stops answering costs the site a
few seconds of 503s, never its worker threads.

Set by DATABASE_TIMEOUT (seconds, 5 by default; 0 lifts every bound, as the ``talento``
commands do: backups, key re-encryption, migrations are long jobs run by an operator).

- On the server (libpq ``options``, no round trip): ``statement_timeout`` and ``lock_timeout``
  end a slow statement or a lock wait; ``idle_in_transaction_session_timeout`` ends a
  transaction left open (a streamed export to a client that stopped reading) after 5 minutes.
- Waiting for a pooled connection (``pool_timeout``) and connecting (``connect_timeout``).
- On the client, every wait for an answer: a stalled server (a stuck process, a proxy that
  accepts and forwards nothing) never answers, so no server-side limit fires, and its kernel
  still acknowledges TCP data and keepalives. :class:`GuardedConnection` gives up after
  1.5 x DATABASE_TIMEOUT (:func:`answer_limit`: the server's own cancellation of a slow
  statement comes first and keeps the connection), closes the connection (its protocol state
  is unknown) and raises OperationalError, which the error handlers answer with the 503.

A circuit breaker (:class:`Breaker`) frees the threads at once: after a wait ran out, or a
connection attempt did, the database counts as unavailable for DATABASE_TIMEOUT seconds. The
other threads waiting for an answer are woken with an error, and new waits and connection
attempts fail immediately, without trying. Then one request probes; an answer closes the
breaker. Failures that come fast (PostgreSQL down: connection refused or reset) never open it:
they cost no thread anything, and the site answers again as soon as the server is back.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.abc import PQGen
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from talento.settings import Settings

log = logging.getLogger("talento.database")
RV = TypeVar("RV")


#: A transaction left open this long is ended by the server (its locks and snapshot go).
IDLE_IN_TRANSACTION_SECONDS = 300
#: libpq's smallest connect_timeout.
MIN_CONNECT_TIMEOUT = 2
#: connect_timeout when DATABASE_TIMEOUT is 0: the commands still say soon that the host is gone.
UNBOUNDED_CONNECT_TIMEOUT = 5

#: TCP settings (libpq): a peer that vanished (host down, network cut) is found within seconds,
#: for idle pooled connections too (keepalives: 5 s idle, then 3 probes 2 s apart), and data
#: left unacknowledged 10 s ends the connection (tcp_user_timeout, ms), instead of the
#: kernel's minutes.
TCP_ARGS = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


def answer_limit(timeout: float) -> float:
    """How long the client waits for an answer: longer than the server's statement_timeout
    by half of it (1 s at least), so that a slow statement is cancelled by the server (the
    connection stays usable, the breaker stays closed) even when a busy server is slow to
    deliver the cancellation; 7.5 s for the default 5 s."""
    return timeout + max(1.0, timeout / 2)


def connect_args(settings: Settings) -> dict[str, Any]:
    """libpq parameters of the app's connections for ``settings.database_timeout``."""
    timeout = settings.database_timeout
    args: dict[str, Any] = dict(TCP_ARGS)
    if timeout <= 0:
        args["connect_timeout"] = UNBOUNDED_CONNECT_TIMEOUT
        return args
    args["connect_timeout"] = max(MIN_CONNECT_TIMEOUT, math.ceil(timeout))
    ms = max(1, round(timeout * 1000))
    bounds = (
        f"-c statement_timeout={ms} -c lock_timeout={ms} "
        f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_SECONDS * 1000}"
    )
    # connect_args replace the URL's own parameters: keep its options (a search_path...)
    # first, so that ours win for the three bounds.
    own = make_url(settings.database_url).query.get("options", "")
    own = " ".join(own) if isinstance(own, tuple) else own
    args["options"] = f"{own} {bounds}".strip()
    return args


class Unanswered(psycopg.OperationalError):
    """The database did not answer in time, or counts as unavailable (the breaker is open)."""


class Breaker:
    """Closed (the database is used), open (unavailable for ``cooldown`` seconds), half-open
    (one probe allowed). Also keeps the connections waiting for an answer, to wake them."""

    def __init__(self, cooldown: float, clock: Callable[[], float] = time.monotonic):
        self.cooldown = cooldown
        self.clock = clock
        #: A probe that has not reported by then died without a word: another may go.
        self.probe_patience = answer_limit(cooldown) + 1.0
        self._lock = threading.Lock()
        self._open_until: float | None = None
        self._probing = False
        self._waiting: set[GuardedConnection] = set()

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def admit(self) -> bool:
        """May a connection be tried now? Open: no; half-open: only the first asker (or a
        new one if that probe has not reported in time: it may have died)."""
        if self._open_until is None:  # the usual case, without taking the lock
            return True
        with self._lock:
            if self._open_until is None:
                return True
            now = self.clock()
            if now < self._open_until:
                return False
            if self._probing and now < self._open_until + self.probe_patience:
                return False
            self._probing = True
            self._open_until = now  # when the probe started
            return True

    def answered(self) -> None:
        """The server answered: it is available."""
        if self._open_until is None and not self._probing:
            return
        with self._lock:
            was_open = self._open_until is not None
            self._open_until = None
            self._probing = False
        if was_open:
            log.warning("Base de données de nouveau joignable.")

    def failed(self, timed_out: bool) -> None:
        """A connection failed. A timeout opens the breaker, and so does any failure of the
        probe; a fast failure otherwise changes nothing."""
        with self._lock:
            if not (timed_out or self._probing):
                return
            first = self._open_until is None
            self._open_until = self.clock() + self.cooldown
            self._probing = False
            # Under the lock: a waiting connection cannot leave its wait (and close its
            # socket, whose number could then be reused) while it is being woken.
            for connection in self._waiting:
                _wake(connection)
        if first:
            log.error(
                "Base de données sans réponse : requêtes refusées (503) pendant %s s, "
                "puis nouvel essai.",
                f"{self.cooldown:g}",
            )

    def enter(self, connection: GuardedConnection) -> None:
        with self._lock:
            self._waiting.add(connection)

    def leave(self, connection: GuardedConnection) -> None:
        with self._lock:
            self._waiting.discard(connection)


def _wake(connection: GuardedConnection) -> None:
    """Shut the connection's socket down from another thread: its wait returns at once with
    "server closed the connection" (the descriptor is duplicated, then closed, never its own)."""
    with suppress(Exception), socket.socket(fileno=os.dup(connection.pgconn.socket)) as sock:
        sock.shutdown(socket.SHUT_RDWR)


class GuardedConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait for the server is bounded and reported to the
    breaker (queries, fetches of a server-side cursor, commits, rollbacks, the pool's ping)."""

    guard: Breaker | None = None
    limit: float = 0.0

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        guard = self.guard
        if guard is None:
            return super().wait(gen, interval=interval, timeout=timeout)
        if not guard.admit():
            self.pgconn.finish()
            raise Unanswered("database unavailable (circuit breaker open)")
        guard.enter(self)
        try:
            result = super().wait(
                gen, interval=interval, timeout=self.limit if timeout is None else timeout
            )
        except pg_errors._WaitTimeout:  # psycopg's own wait timeout (pinned version)
            guard.leave(self)
            self.pgconn.finish()  # mid-protocol: the connection cannot be used again
            guard.failed(timed_out=True)
            raise Unanswered(f"no answer from the database within {self.limit:g} s") from None
        except psycopg.Error:
            guard.leave(self)
            if self.closed or self.broken:
                guard.failed(timed_out=False)
            else:  # an error answered by the server: it is alive
                guard.answered()
            raise
        except BaseException:  # interrupted: a probe that did not finish is a failed one
            guard.leave(self)
            guard.failed(timed_out=False)
            raise
        guard.leave(self)
        guard.answered()
        return result


def guard_engine(engine: Engine, settings: Settings) -> Breaker | None:
    """Connect through :class:`GuardedConnection` with the breaker (PostgreSQL, when
    DATABASE_TIMEOUT is not 0). Returns the breaker, None when nothing is bounded."""
    timeout = settings.database_timeout
    if engine.dialect.name != "postgresql" or timeout <= 0:
        return None
    breaker = Breaker(cooldown=timeout)
    limit = answer_limit(timeout)

    @event.listens_for(engine, "do_connect")
    def connect(dialect, connection_record, cargs, cparams):
        if not breaker.admit():
            raise Unanswered("database unavailable (circuit breaker open)")
        try:
            connection = GuardedConnection.connect(*cargs, **cparams)
        except pg_errors.ConnectionTimeout:
            breaker.failed(timed_out=True)
            raise
        except BaseException:
            breaker.failed(timed_out=False)
            raise
        connection.guard = breaker
        connection.limit = limit
        breaker.answered()
        return connection

    return breaker
