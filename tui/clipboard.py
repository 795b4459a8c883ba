"""Copying links and opening them, without ever blocking the UI or trusting the URL.

Both functions block (pyperclip runs xclip/xsel/wl-copy; a browser may take a while), so the app
calls them from thread workers; each has its own timeout because a hung helper program must never
hang papertray.
"""

from __future__ import annotations

import os
import subprocess
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from papertray.store import rules

T = TypeVar("T")
Severity = Literal["information", "warning", "error"]

COPY_TIMEOUT = 2.0
TMUX_TIMEOUT = 2.0
OPEN_TIMEOUT = 5.0
# webbrowser falls back to these when there is no desktop: they would take over our terminal.
CONSOLE_BROWSERS = {"lynx", "w3m", "links", "elinks", "www-browser", "browsh", "links2", "netsurf"}


class ClipboardError(Exception):
    """The system clipboard could not be used; the message says why, in one line."""


class BrowserError(Exception):
    """No browser could open the URL; the message says why, in one line."""


def _with_timeout(func: Callable[[], T], timeout: float, what: str) -> T:
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(func())
        except BaseException as exc:  # noqa: BLE001 - reported to the caller's thread
            error.append(exc)

    # A daemon thread: if the helper program hangs for a minute we give up on it, not wait for it.
    thread = threading.Thread(target=target, name=f"papertray-{what}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"{what} did not answer within {timeout:g} s")
    if error:
        raise error[0]
    return result[0]


def system_copy(text: str, timeout: float = COPY_TIMEOUT) -> str:
    """Copy with pyperclip; return the mechanism's name ("xclip", "wl-copy", ...).

    Raises ClipboardError when there is no usable clipboard program, it fails, or it hangs."""
    try:
        import pyperclip
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ClipboardError("pyperclip is not installed") from exc
    if _headless():
        raise ClipboardError("no display for a system clipboard")

    def copy() -> str:
        copy_func, paste_func = pyperclip.determine_clipboard()
        copy_func(text)
        # pyperclip ignores the copy program's exit status: xclip on a dead DISPLAY "succeeds".
        # Reading the text back is the only way to know it is really on the clipboard.
        if paste_func().rstrip("\r\n") != text:
            raise ClipboardError("the clipboard program did not take the text")
        name = getattr(copy_func, "__qualname__", "") or getattr(copy_func, "__name__", "clipboard")
        return _mechanism(name)

    try:
        return _with_timeout(copy, timeout, "the clipboard program")
    except TimeoutError as exc:
        raise ClipboardError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - pyperclip raises many kinds; all mean "no clipboard"
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClipboardError(message[:160]) from None


def in_tmux() -> bool:
    return bool(os.environ.get("TMUX"))


def tmux_copy(text: str, timeout: float = TMUX_TIMEOUT) -> None:
    """Put `text` in tmux's paste buffer. tmux's default `set-clipboard external` drops an
    application's OSC 52, so inside tmux this is the copy that surely lands somewhere; `-w` also
    has tmux forward it to the outer terminal's clipboard where its `set-clipboard` allows.

    Raises ClipboardError when tmux is missing, fails or hangs."""
    for args in (["load-buffer", "-w", "-"], ["load-buffer", "-"]):
        try:
            done = subprocess.run(
                ["tmux", *args],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError:
            raise ClipboardError("tmux is not installed") from None
        except subprocess.TimeoutExpired:
            raise ClipboardError(f"tmux did not answer within {timeout:g} s") from None
        except OSError as exc:
            raise ClipboardError(f"tmux could not run: {exc.strerror or exc}") from None
        if done.returncode == 0:
            return
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        message = why[0][:160] if why else f"tmux exited with status {done.returncode}"
        if "-w" in args and ("unknown flag" in message or "usage:" in message):
            continue  # tmux before 3.2 has no -w: the buffer alone is still worth having
        raise ClipboardError(message)
    raise ClipboardError("tmux refused load-buffer")  # pragma: no cover - the loop returns


@dataclass(frozen=True)
class Copied:
    """What became of one copy: the system clipboard's mechanism (or why there was none) and,
    inside tmux, whether tmux's buffer took it. The notification says exactly that."""

    text: str
    system: str | None
    system_error: str = ""
    tmux: bool | None = None  # None: not inside tmux
    tmux_error: str = ""

    @property
    def needs_osc52(self) -> bool:
        """No system clipboard: ask the terminal itself (OSC 52), the one way left over SSH."""
        return self.system is None

    def report(self) -> tuple[str, str, Severity]:
        """(title, message, severity) for the notification."""
        text = self.text
        if self.system is not None:
            where = f"system clipboard: {self.system}"
            if self.tmux:
                where += ", and the tmux buffer"
            elif self.tmux is False:
                where += f"; not the tmux buffer: {self.tmux_error}"
            return "Link copied", f"Copied {text}\n({where})", "information"
        if self.tmux:
            return (
                "Link copied",
                f"Copied {text} to the tmux buffer (and via OSC 52)\n"
                f"(no system clipboard: {self.system_error})",
                "information",
            )
        if self.tmux is False:
            return (
                "Link maybe not copied",
                f"Sent {text} to the terminal (OSC 52), which tmux drops unless "
                f"`set -g set-clipboard on`\n"
                f"(system clipboard: {self.system_error}; tmux buffer: {self.tmux_error})",
                "warning",
            )
        return (
            "Link copied",
            f"Copied {text}\n(via the terminal, OSC 52: {self.system_error})",
            "information",
        )


def copy_result(text: str, system: str | None, system_error: str = "") -> Copied:
    """Complete a system copy's outcome with tmux's (call from a worker thread: tmux runs)."""
    if not in_tmux():
        return Copied(text, system, system_error)
    try:
        tmux_copy(text)
    except ClipboardError as error:
        return Copied(text, system, system_error, tmux=False, tmux_error=str(error))
    return Copied(text, system, system_error, tmux=True)


def _headless() -> bool:
    import sys

    if sys.platform in ("darwin", "win32", "cygwin"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _mechanism(qualname: str) -> str:
    # pyperclip's functions are copy_xclip, copy_wl...; inner ones look like init_x.<locals>.copy_x
    name = qualname.rsplit(".", 1)[-1].removeprefix("copy_")
    return {
        "wl": "wl-copy",
        "osx_pbcopy": "pbcopy",
        "osx_pyobjc": "macOS",
        "windows": "Windows",
        "gtk": "GTK",
        "qt": "Qt",
        "klipper": "Klipper",
        "dev_clipboard": "/dev/clipboard",
    }.get(name, name)


def open_url(url: str, timeout: float = OPEN_TIMEOUT) -> str:
    """Open an http(s) URL in a graphical browser; return the browser's name.

    Raises BrowserError for a URL that is not plain http(s) with a host, when there is no
    graphical browser, or when the browser fails or hangs."""
    if not rules.is_safe_url(url):
        raise BrowserError("only http(s) links are opened")
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        raise BrowserError("no web browser is available") from None
    name = str(getattr(browser, "name", "") or type(browser).__name__)
    if os.path.basename(name.split()[0] if name.split() else name) in CONSOLE_BROWSERS:
        raise BrowserError(f"only a text-mode browser ({name}) is available")
    try:
        opened = _with_timeout(lambda: browser.open(url, new=2), timeout, "the browser")
    except Exception as exc:  # noqa: BLE001
        raise BrowserError(
            str(exc).splitlines()[0][:160] if str(exc) else "the browser failed"
        ) from None
    if not opened:
        raise BrowserError("the browser did not start")
    return name
