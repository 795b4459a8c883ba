"""Quit cleanly on SIGTERM and SIGHUP (the terminal window was closed, `kill`, a logout).

By default either signal kills the process on the spot: a key the user has just pressed is lost
while still in the terminal's input buffer, and the terminal is left in the alternate screen with
raw input. Here the app first lets the keys already typed reach their handlers (every triage
action saves at once), then exits the normal way, which restores the terminal.
"""

from __future__ import annotations

import asyncio
import fcntl
import signal
import struct
import sys
import termios
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# Upper bound on waiting for the input thread to read what is typed; a dead terminal never drains.
DRAIN_LIMIT = 0.5
# How often, and how long at most, to look whether the keys just read have been handled.
SETTLE = 0.02
SETTLE_LIMIT = 2.0

_tasks: set[asyncio.Task[None]] = set()


def install_exit_signals(app: App[Any]) -> bool:
    """Handle SIGTERM/SIGHUP in `app`'s event loop. Not in headless (test) runs, where the
    signals belong to the test runner; False when the handlers could not be installed."""
    if app.is_headless:
        return False
    try:
        loop = asyncio.get_running_loop()
        for sig in EXIT_SIGNALS:
            loop.add_signal_handler(sig, _on_signal, app, sig)
    except (RuntimeError, ValueError, NotImplementedError):  # not the main thread, no loop
        return False
    return True


def _on_signal(app: App[object], sig: int) -> None:
    if getattr(app, "_exit_signal", None) is not None:
        return  # already on the way out
    app._exit_signal = sig  # type: ignore[attr-defined]
    task = asyncio.get_running_loop().create_task(_exit_after_input(app, sig))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _exit_after_input(app: App[object], sig: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_LIMIT
    while _pending_input() and loop.time() < deadline:
        await asyncio.sleep(0.01)
    # Then until the keys just read have gone app -> screen -> widget -> binding -> store write:
    # every queue on that path empty twice in a row (bounded, for an app that never settles).
    deadline = loop.time() + SETTLE_LIMIT
    quiet = 0
    while quiet < 2 and loop.time() < deadline:
        await asyncio.sleep(SETTLE)
        quiet = quiet + 1 if _settled(app) else 0
    app.exit(return_code=128 + sig)


def _settled(app: App[object]) -> bool:
    pumps = [app, app.screen, app.focused]
    return all(pump is None or pump._message_queue.empty() for pump in pumps)


def _pending_input() -> bool:
    """True while the terminal holds typed bytes the input thread has not read yet."""
    try:
        stdin = sys.__stdin__
        if stdin is None:
            return False
        raw = fcntl.ioctl(stdin.fileno(), termios.FIONREAD, b"\0\0\0\0")
        return bool(struct.unpack("i", raw)[0])
    except (OSError, ValueError):
        return False
