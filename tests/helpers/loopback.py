"""What the hostile tests serve and compare: a raw HTTP server on 127.0.0.1 that answers with
whatever bytes a test hands it, as slowly as it likes (a slow drip, a hand-made gzip bomb, a
Location no real server would send), and a byte-for-byte picture of a data folder.

Not collected by pytest (no `test_` prefix); imported as `helpers.loopback`.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Handler = Callable[[socket.socket, bytes], None]
"""Called with each connection and the request's head (up to the blank line)."""


class RawServer:
    """A listening socket on 127.0.0.1 whose every connection is answered by `handler` in a
    thread of its own. `stop()` closes it and every connection, so a slow handler ends too."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[bytes] = []
        self.stopping = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._sock.getsockname()
        return f"http://{host}:{port}"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            head = b""
            while b"\r\n\r\n" not in head:
                piece = conn.recv(4096)
                if not piece:
                    return
                head += piece
            self.requests.append(head)
            self.handler(conn, head)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopping.set()
        self._sock.close()
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)


def answer(status: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """One HTTP/1.1 response, exactly these bytes (the server closes after it)."""
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items())]
    if "Content-Length" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def sends(data: bytes) -> Handler:
    """A handler that sends `data` and closes."""

    def handler(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(data)

    return handler


def drips(data: bytes, every: float = 1.0) -> Handler:
    """A handler that sends `data` one byte every `every` seconds (the slow drip); it ends
    when the client (or `RawServer.stop`) closes the connection."""

    def handler(conn: socket.socket, _head: bytes) -> None:
        for i in range(len(data)):
            conn.sendall(data[i : i + 1])
            time.sleep(every)

    return handler


def by_path(routes: dict[str, Handler]) -> Handler:
    """A handler that picks one of `routes` by the first of its keys in the request line."""

    def handler(conn: socket.socket, head: bytes) -> None:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        for key, route in routes.items():
            if key in line:
                route(conn, head)
                return
        conn.sendall(answer("404 Not Found", {}, b"no"))

    return handler


def gzip_bomb(size: int, layers: int = 1) -> bytes:
    """`size` zero bytes gzipped `layers` times, made without holding them: 1 GB in two
    layers is ~3 KB."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * (1 << 20)
    parts = []
    for start in range(0, size, len(zeros)):
        parts.append(packer.compress(zeros[: size - start]))
    parts.append(packer.flush())
    body = b"".join(parts)
    for _ in range(layers - 1):
        body = gzip.compress(body, 9)
    return body


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, byte for byte (locks aside); the library
    database by its content (every row of every table: its pages and its write-ahead log move
    without its content changing, see helpers/snapshot.py)."""
    from helpers.snapshot import library_dump

    if not folder.exists():
        return {}
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.endswith(".lock"):
            continue
        name = str(path.relative_to(folder))
        if path.name == "library.db":
            found[name] = "\n".join(library_dump(path)).encode()
        elif not path.name.startswith("library.db-"):
            found[name] = path.read_bytes()
    return found


def wait_until(done: Callable[[], bool], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if done():
            return True
        time.sleep(0.05)
    return done()


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def the_line(err: str) -> str:
    """The one line a refused case printed: no traceback, no "unexpected error" (exit 70)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "unexpected error" not in err, err
    return lines[0]


def toasts(app: Any) -> str:
    """Every notification the reader has shown, as one text."""
    return "\n".join(str(n.message) for n in app._notifications)


async def settle(app: Any, pilot: Any) -> None:
    from helpers.reader import workers_done

    await workers_done(app)
    await pilot.pause()
