"""Leave cleanly on SIGTERM and SIGHUP, and leave at all when the terminal goes away.

Two different ways out:

- **A signal, the terminal still there** (`kill`, a logout that signals us, `kill -HUP`): let the
  keys already typed reach their handlers (every triage action saves at once), then exit the normal
  way, which gives the terminal back (alternate screen left, cursor shown, input cooked).
- **The terminal is gone** (its window closed, `tmux kill-session`, an ssh link dropped): the
  pty's other side is closed, reads see end-of-file, writes fail with EIO, and SIGHUP may or may
  not come (it does not when we are not the terminal's controlling process, e.g. under a wrapper).
  The normal way out would write the restore sequences to a terminal that no longer exists:
  Textual's output thread dies on the first EIO, its queue (30 writes) fills up and the main thread
  blocks forever in `Queue.put`; a thread worker still running (a search, a write) and asyncio's
  wait for the default executor keep the process alive too (issue 8: orphans of 360 MB at 100k).
  So on a hang-up we point the dead terminal's descriptors at /dev/null (nothing can block or fail
  on output any more), let the keys already read be handled, and `os._exit` without restoring
  anything: marks are on disk already, each written atomically when it was made.

Neither way may depend on the event loop alone, which is exactly what is stuck when things go
wrong: the signal handlers are plain `signal.signal` ones (they run in the main thread even while
it waits on a lock), a daemon thread watches the terminal for a hang-up, and every exit arms a
watchdog that forces it after a deadline: a thread calling `os._exit`, and behind it a kernel
timer (SIGALRM's default action ends the process even while C code holds the GIL).

Portable: the POSIX-only parts (`termios`, `fcntl`, `select.poll`, SIGHUP, `setitimer`) are
looked up when the reader starts, never imported with this module. Where one is missing
(Windows has none of them) SIGTERM is still handled, and `install_exit_signals` says in one
line what is not watched for.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import struct
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from papertray.tui.changes import WORKER_GROUP

if TYPE_CHECKING:
    from textual.app import App

_SIGHUP: int | None = getattr(signal, "SIGHUP", None)
EXIT_SIGNALS = tuple(s for s in (signal.SIGTERM, _SIGHUP) if s is not None)
HUNG_UP = 128 + (_SIGHUP or 1)  # the exit status after a hang-up, signalled or not
# Upper bound on waiting for the input thread to read what is typed; a dead terminal never drains.
DRAIN_LIMIT = 0.5
# How often, and how long at most, to look whether the keys just read have been handled.
SETTLE = 0.02
SETTLE_LIMIT = 2.0
# After a hang-up: at most this long for the keys already read to reach their handlers (usually
# a few ms; on a 2-core machine at load 7, a key read just before the hang-up took up to 0.5 s)...
HANGUP_SETTLE_LIMIT = 1.0
# ...and the process is gone this long after the hang-up whatever it was doing (issue 8: 2 s).
HANGUP_DEADLINE = 1.25
# A signal with the terminal there: the normal exit (settling, restoring the terminal) gets this
# long before the watchdog ends the process; the normal exit takes ~0.1-2.5 s.
SIGNAL_DEADLINE = 6.0
# The kernel timer fires this long after the watchdog thread should have: only when that thread
# cannot run at all (C code holding the GIL, e.g. parsing a 100k-paper library file).
KERNEL_GRACE = 0.4
# How often the watcher looks for a hang-up it was not woken for (poll() on a tty with no event
# asked for is not always woken by the hang-up itself).
WATCH_INTERVAL = 0.2

_tasks: set[asyncio.Task[None]] = set()
_hung_up = threading.Event()
_hangup_claimed = threading.Lock()


def _posix_module(name: str) -> Any:
    """`termios` or `fcntl` where the OS has it, else None (Windows)."""
    try:
        return __import__(name)
    except ImportError:
        return None


class _Terminal:
    """The descriptors that were the terminal when the app started, and its settings then."""

    def __init__(self) -> None:
        fds = []
        for stream in (sys.__stdin__, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(AttributeError, OSError, ValueError):
                if stream is not None and os.isatty(stream.fileno()):
                    fds.append(stream.fileno())
        self.fds: list[int] = sorted(set(fds))
        self.termios = _posix_module("termios")
        self.fcntl = _posix_module("fcntl")
        self.attrs: Any = None
        if self.fds and self.termios is not None:
            with contextlib.suppress(self.termios.error, OSError):
                self.attrs = self.termios.tcgetattr(self.fds[0])

    @property
    def watchable(self) -> bool:
        """Whether a hang-up can be seen here (`poll()` on the terminal: not on Windows)."""
        return hasattr(select, "poll")

    def gone(self) -> bool:
        """True once the terminal has hung up (its other side closed)."""
        if not self.fds or not self.watchable:
            return False
        poller = select.poll()
        for fd in self.fds:
            poller.register(fd, 0)  # no events asked: POLLHUP, POLLERR and POLLNVAL still come
        try:
            return bool(poller.poll(0))
        except OSError:
            return True

    def watch(self, on_gone: Any) -> None:
        """In a daemon thread: call `on_gone()` once the terminal hangs up."""

        def run() -> None:
            poller = select.poll()
            for fd in self.fds:
                poller.register(fd, 0)
            while not _hung_up.is_set():
                try:
                    events = poller.poll(WATCH_INTERVAL * 1000)
                except OSError:
                    events = [(-1, select.POLLERR)]
                if events:
                    on_gone()
                    return

        if self.fds and self.watchable:
            threading.Thread(target=run, name="papertray-terminal-watch", daemon=True).start()

    def silence(self) -> None:
        """Point the dead terminal's descriptors at /dev/null: from now on every write anybody
        makes (Textual's output thread, a traceback, print) succeeds at once, every read ends."""
        try:
            null = os.open(os.devnull, os.O_RDWR)
        except OSError:
            return
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.dup2(null, fd)
        os.close(null)

    def restore(self) -> None:
        """Best effort, for a forced exit with the terminal still there: cooked input, main screen,
        cursor shown. Never blocks: the terminal may not be reading."""
        if not self.fds:
            return
        fd = self.fds[-1]
        termios, fcntl = self.termios, self.fcntl
        if termios is not None and self.attrs is not None:
            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(self.fds[0], termios.TCSANOW, self.attrs)
        with contextlib.suppress(OSError):
            if fcntl is not None:
                flags = fcntl.fcntl(fd, fcntl.F_GETFL)
                fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
            os.write(fd, b"\x1b[<u\x1b[?1000l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[?1049l\x1b[?25h")


def install_exit_signals(app: App[Any]) -> list[str]:
    """Handle SIGTERM/SIGHUP and a hang-up of the terminal for `app` (call from its event loop,
    in the main thread). Not in headless (test) runs, where the signals belong to the test
    runner. Returns what this OS cannot watch for, one line each (nothing on Linux or macOS)."""
    if app.is_headless or threading.current_thread() is not threading.main_thread():
        return []
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return []
    terminal = _Terminal()
    try:
        for sig in EXIT_SIGNALS:
            signal.signal(sig, lambda sig, _frame: _on_signal(app, loop, terminal, sig))
        if hasattr(signal, "SIGALRM"):
            signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the watchdog's last resort
    except (ValueError, OSError):
        return ["Signals cannot be handled here: kill or a closed terminal may lose a key."]
    if _SIGHUP is None or not terminal.watchable:
        return [
            f"A closed terminal is not noticed on this system ({sys.platform}): quit with q "
            "(every mark is saved as it is made)."
        ]
    terminal.watch(lambda: _on_hang_up(app, loop, terminal))
    return []


def _on_signal(
    app: App[Any], loop: asyncio.AbstractEventLoop, terminal: _Terminal, sig: int
) -> None:
    # A plain signal handler: it runs in the main thread between two bytecodes, wherever that
    # thread is (also blocked on a lock, where the event loop would never get to a callback).
    if _hung_up.is_set():
        return  # leaving already, faster than a signal would
    if terminal.gone():
        _on_hang_up(app, loop, terminal)
        return
    if getattr(app, "_exit_signal", None) is not None:
        return  # already on the way out
    app._exit_signal = sig  # type: ignore[attr-defined]
    _arm_watchdog(SIGNAL_DEADLINE, 128 + sig, before=terminal.restore)
    try:
        loop.call_soon_threadsafe(_start, _exit_after_input(app, sig))
    except RuntimeError:  # the loop is closed: the app is past its exit already
        pass


def _on_hang_up(app: App[Any], loop: asyncio.AbstractEventLoop, terminal: _Terminal) -> None:
    """From the watcher thread or a signal handler: the terminal is gone; leave within
    HANGUP_DEADLINE."""
    if not _hangup_claimed.acquire(blocking=False):
        return
    _hung_up.set()
    _stop_input(app)
    terminal.silence()
    _drain_output(app)
    _arm_watchdog(HANGUP_DEADLINE, HUNG_UP)
    try:
        loop.call_soon_threadsafe(_start, _leave_after_settling(app))
    except RuntimeError:  # the loop is closed: nothing is left to settle
        os._exit(HUNG_UP)


def _stop_input(app: App[Any]) -> None:
    """End Textual's input thread: on a hung-up terminal every select() says "readable" and every
    read() returns nothing, so it spins, holding the GIL the keys it already read need to reach
    their handlers (measured: a key read just before the hang-up was handled 0.1-0.8 s later)."""
    exit_event = getattr(getattr(app, "_driver", None), "exit_event", None)
    if isinstance(exit_event, threading.Event):
        exit_event.set()


def _drain_output(app: App[Any]) -> None:
    """Textual's output thread died on the first EIO; its queue may be full with the main thread
    waiting to put more. Empty it for good (writes go to /dev/null now anyway)."""
    writer = getattr(getattr(app, "_driver", None), "_writer_thread", None)
    queue = getattr(writer, "_queue", None)
    if queue is None:
        return

    def drain() -> None:
        while True:
            queue.get()

    threading.Thread(target=drain, name="papertray-output-drain", daemon=True).start()


def _arm_watchdog(seconds: float, status: int, before: Any = None) -> None:
    """End the process `seconds` from now unless it has ended by then. Armed twice (a signal,
    then the hang-up), the sooner deadline wins."""

    def run() -> None:
        time.sleep(seconds)
        if _hung_up.is_set():
            os._exit(HUNG_UP)
        if before is not None:
            before()
        os._exit(status)

    threading.Thread(target=run, name="papertray-exit-watchdog", daemon=True).start()
    if not hasattr(signal, "setitimer"):
        return  # Windows: the watchdog thread alone
    with contextlib.suppress(OSError, ValueError):
        remaining, _interval = signal.getitimer(signal.ITIMER_REAL)
        if not remaining or remaining > seconds + KERNEL_GRACE:
            signal.setitimer(signal.ITIMER_REAL, seconds + KERNEL_GRACE)


def _start(coro: Any) -> None:
    task = asyncio.get_running_loop().create_task(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _leave_after_settling(app: App[Any]) -> None:
    """The terminal is gone: keys already read go to their handlers (and save), then we leave
    without touching the terminal."""
    loop = asyncio.get_running_loop()
    await _settle(app, loop.time() + HANGUP_SETTLE_LIMIT)
    os._exit(HUNG_UP)


async def _exit_after_input(app: App[Any], sig: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_LIMIT
    while _pending_input() and loop.time() < deadline and not _hung_up.is_set():
        await asyncio.sleep(0.01)
    # Then until the keys just read have gone app -> screen -> widget -> binding -> store write.
    await _settle(app, loop.time() + SETTLE_LIMIT)
    if not _hung_up.is_set():  # else the hang-up's own way out is under way
        app.exit(return_code=128 + sig)


async def _settle(app: App[Any], deadline: float) -> None:
    """Until every queue on the way from a key to its store write has been empty twice in a row
    (bounded, for an app that never settles)."""
    loop = asyncio.get_running_loop()
    quiet = 0
    while quiet < 2 and loop.time() < deadline:
        await asyncio.sleep(SETTLE)
        quiet = quiet + 1 if _settled(app) else 0


def _settled(app: App[Any]) -> bool:
    """Every key read has reached its handler, and every change it asked for is written (the
    main screen writes them in a worker of the `WORKER_GROUP`)."""
    pumps = [app, app.screen, app.focused]
    if not all(pump is None or pump._message_queue.empty() for pump in pumps):
        return False
    return not any(w.group == WORKER_GROUP and w.is_running for w in app.workers)


def _pending_input() -> bool:
    """True while the terminal holds typed bytes the input thread has not read yet."""
    fcntl, termios = _posix_module("fcntl"), _posix_module("termios")
    if fcntl is None or termios is None:
        return False
    try:
        stdin = sys.__stdin__
        if stdin is None:
            return False
        raw = fcntl.ioctl(stdin.fileno(), termios.FIONREAD, b"\0\0\0\0")
        return bool(struct.unpack("i", raw)[0])
    except (OSError, ValueError):
        return False
