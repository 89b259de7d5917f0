"""A TCP forwarder between the app and PostgreSQL that a test can cut and restore.

``cut()`` drops every live connection and resets new ones (PostgreSQL down, or a firewall
rejecting); ``hang()`` drops live connections and accepts new ones without ever answering
(a host that vanished: only a client-side timeout ends the wait); ``restore()`` forwards again.
Threads only, no privileges needed; the app connects to 127.0.0.1:<proxy.port>.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

FORWARD, CUT, HANG = "forward", "cut", "hang"


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

    def restore(self) -> None:
        self.mode = FORWARD

    def drop_live(self) -> None:
        """Kill the connections open now (a PostgreSQL restart) and keep forwarding."""
        self._drop_live()

    @property
    def live(self) -> int:
        with self._lock:
            return len(self._live) // 2

    def stop(self) -> None:
        self._stopped.set()
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
            elif self.mode == HANG:
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
