"""A watch over one client's connections, to stop a request from another thread: when its
deadline passes (a server sending one byte a second never trips a read timeout) or when the
user cancels the fetch.

A request blocked in `recv()` cannot be interrupted from its own thread. The watch learns each
socket the client opens through httpx's `trace` request extension (the documented
`connection.connect_tcp` / `connection.start_tls` events), and stopping shuts those sockets
down: the blocked read returns at once and the request fails, which the client then reports as
the deadline or the cancel it was. A name that takes long to resolve is not a socket yet: only
the system resolver's own timeout ends that wait.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

__all__ = ["Watch"]


class Watch:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer: threading.Timer | None = None
        self._armed = 0
        self.expired = 0
        """The number of the request whose deadline passed (0: none)."""
        self.cancelled = threading.Event()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpx's `trace` extension: keep every socket the client connects."""
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets = [s for s in self._sockets if s.fileno() != -1]
                self._sockets.append(sock)
            if self.cancelled.is_set():
                self._shut()

    def arm(self, seconds: float) -> int:
        """Stop the request about to be sent once `seconds` have passed; its number."""
        with self._lock:
            self._armed += 1
            number = self._armed
            timer = threading.Timer(max(seconds, 0.0), self._expire, (number,))
            timer.daemon = True
            self._timer = timer
        timer.start()
        return number

    def disarm(self) -> None:
        with self._lock:
            timer, self._timer = self._timer, None
            self._armed += 1  # a timer that fires late finds a newer number and does nothing
        if timer is not None:
            timer.cancel()

    def cancel(self) -> None:
        """Stop the request under way, and every later one (any thread may call this)."""
        self.cancelled.set()
        self._shut()

    def _expire(self, number: int) -> None:
        with self._lock:
            if number != self._armed:
                return
            self.expired = number
        self._shut()

    def _shut(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            # socket.socket's own shutdown, also for a TLS socket: the blocked read returns at
            # once, and the TLS layer is not asked to say goodbye on a socket another thread is
            # reading.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
