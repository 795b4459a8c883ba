"""Run the real `papertray` in a pseudo-terminal and keep every byte it writes.

The hardening tests use it to press keys in the real app, signal it, and check what reached the
terminal. Not collected by pytest (no `test_` prefix); imported as `helpers.ptyrun`.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The console script `papertray` runs `tui.cli:main`; calling it through this interpreter avoids
# depending on which `papertray` is first on PATH.
LAUNCH = "import sys; from papertray.tui.cli import main; main()"

_CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")
_OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_OTHER = re.compile(rb"\x1b[@-Z\\-_]|\x1b[()][0-9A-Za-z]")


def plain(raw: bytes) -> str:
    """The captured bytes without escape sequences: roughly the text that was drawn."""
    text = _OTHER.sub(b"", _OSC.sub(b"", _CSI.sub(b"", raw)))
    return text.decode("utf-8", "replace")


class PtyApp:
    """`papertray ARGS` on a fresh pseudo-terminal of `size` (columns, rows)."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        *,
        size: tuple[int, int] = (120, 40),
        cwd: Path | None = None,
        controlling: bool = True,
    ) -> None:
        """With `controlling=False` the pty is not the child's controlling terminal: closing it
        sends no SIGHUP, the child only sees its reads end and its writes fail."""
        self.master, slave = os.openpty()
        self.slave_name = os.ttyname(slave)
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color"}
        # The reader may go online (fetch, linking a page copy to arXiv): never from a test.
        for name in ("HF_ENDPOINT", "PAPERTRAY_ARXIV_API", "PAPERTRAY_ARXIV_RSS"):
            full_env[name] = "https://papertray-tests-never-reach-the.invalid"
        full_env.update(env)
        full_env["PYTHONPATH"] = str(ROOT)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd or ROOT,
            start_new_session=True,
            # Make the pty the controlling terminal, so closing it means what it means for a user.
            preexec_fn=(lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0)) if controlling else None,
            close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self._stop = False
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Never left blocked in read(): a read in progress holds the master open, so closing its
        # descriptor would not hang up the terminal until the app next writes something.
        # poll, not select: select() cannot watch a descriptor numbered 1024 or more, and a test
        # process that has opened many libraries (each storage holds its file open) gets there.
        poller = select.poll()
        poller.register(self.master, select.POLLIN)
        while not self._stop:
            try:
                if not poller.poll(50):
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO once the child side is gone
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk

    @property
    def raw(self) -> bytes:
        with self._lock:
            return bytes(self.output)

    @property
    def text(self) -> str:
        return plain(self.raw)

    def wait_for(self, needle: str, timeout: float = 20.0) -> bool:
        """Until `needle` was drawn (escape sequences ignored), the app exited, or timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text:
                return True
            if self.proc.poll() is not None:
                time.sleep(0.1)
                return needle in self.text
            time.sleep(0.05)
        return False

    def wait_quiet(self, quiet: float = 0.5, timeout: float = 10.0) -> None:
        """Until the app has written nothing for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        size, since = len(self.raw), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = len(self.raw)
            if now != size:
                size, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def send(self, keys: str | bytes) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def unread_input(self) -> int:
        """Bytes typed into the terminal that the app has not read yet."""
        fd = os.open(self.slave_name, os.O_RDWR | os.O_NOCTTY)
        try:
            raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
        finally:
            os.close(fd)
        return int(struct.unpack("i", raw)[0])

    def send_until_read(self, keys: str, timeout: float = 5.0) -> None:
        """Type `keys` and return once the app has read them from the terminal (not necessarily
        handled them). A byte takes a moment to travel from our side into the terminal's input
        queue, so first it must be seen there (or the app must have answered already)."""
        before, seen = len(self.raw), False
        self.send(keys)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = self.unread_input()
            seen = seen or waiting > 0
            if (seen and not waiting) or len(self.raw) > before:
                return
            time.sleep(0.0005)  # a spin would take the CPU the app needs to read
        raise TimeoutError(f"the app did not read {keys!r} within {timeout:g} s")

    def hang_up(self) -> None:
        """Close the terminal, as closing its window or `tmux kill-session` does."""
        self._stop = True
        self._reader.join()
        os.close(self.master)
        self.master = -1

    def exited_within(self, seconds: float) -> int | None:
        """The exit status if the app exits within `seconds` (checked with waitpid), else None."""
        deadline = time.monotonic() + seconds
        while True:
            status = self.proc.poll()
            if status is not None or time.monotonic() >= deadline:
                return status
            time.sleep(0.02)

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 10.0) -> int | None:
        """The exit status, or None if it is still running after `timeout` (then it is killed)."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            self._reader.join(timeout=2)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self._stop = True
        self._reader.join(timeout=2)
        if self.master >= 0:
            try:
                os.close(self.master)
            except OSError:
                pass
            self.master = -1
        self._reader.join(timeout=2)

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
