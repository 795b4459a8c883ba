"""A desktop notification where the desktop has one: `notify-send` (libnotify) on Linux and the
BSDs, `osascript` on macOS, nothing elsewhere (`desktop_unavailable` says why, in one line).

Started and never waited for: a notification daemon that hangs or is missing cannot keep
`papertray fetch` or `watch` from finishing, and nothing it does changes their exit status. The
text passes through the store's one sanitizer first, so a paper's title cannot smuggle a control
character to the desktop.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import Any

from papertray.store import rules

__all__ = ["desktop_unavailable", "notify_desktop"]

APP = "papertray"
_started: list[Any] = []
"""The notifiers started and not seen to end: held so that none is reported as left running
by the garbage collector (Python warns of a running child whose `Popen` was dropped)."""


def _command(title: str, body: str) -> list[str] | None:
    if sys.platform == "darwin":
        osascript = shutil.which("osascript")
        if osascript is None:
            return None
        script = f"display notification {_applescript(body)} with title {_applescript(title)}"
        return [osascript, "-e", script]
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        notify_send = shutil.which("notify-send")
        if notify_send is None:
            return None
        return [notify_send, f"--app-name={APP}", "--", title, body]
    return None


def _applescript(text: str) -> str:
    """`text` as an AppleScript string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def desktop_unavailable() -> str | None:
    """Why no notification can be shown here (one line), or None when one can."""
    if _command("", "") is not None:
        return None
    if sys.platform == "darwin":
        return "no desktop notifications: osascript is not on PATH"
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return "no desktop notifications: notify-send is not on PATH (libnotify-bin)"
    return f"no desktop notifications on {sys.platform}"


def notify_desktop(body: str, title: str = APP) -> bool:
    """Show a notification; True when the notifier was started. Never waits, never raises."""
    _started[:] = [p for p in _started if p.poll() is None]
    argv = _command(rules.one_line(title)[:200], rules.one_line(body)[:500])
    if argv is None:
        return False
    options: dict[str, Any] = {}
    if sys.platform != "win32":
        options["start_new_session"] = True  # a Ctrl-C of papertray is not the notifier's
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            **options,
        )
    except (OSError, ValueError):
        return False
    _started.append(process)
    return True
