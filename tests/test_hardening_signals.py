"""Issue 5, case 4: SIGTERM and SIGHUP (terminal closed) right after a key press.

The real app runs in a pseudo-terminal; we press `s` and signal it at once. The star must be on
disk, the process must exit by itself (no hang), restore the terminal, and leave no junk behind.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from helpers.ptyrun import PtyApp

from papertray.store import State

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty"),
    pytest.mark.timeout(120),
]

DIGEST = (
    "Alpha paper about cats\n\nAbstract one about cats and dogs.\n\n"
    "Beta paper about dogs\n\nAbstract two about dogs.\n"
)
EXPECTED_FILES = {"library.db", "state.json", ".state.json.lock"}
SQLITE_SIDE_FILES = {"library.db-wal", "library.db-shm"}  # SQLite's own, while it is open


def no_junk(data: Path) -> bool:
    """The data folder holds the library, the marks, and nothing half-written beside them."""
    files = set(os.listdir(data))
    return EXPECTED_FILES <= files <= EXPECTED_FILES | SQLITE_SIDE_FILES


def start(tmp_path: Path) -> tuple[PtyApp, Path]:
    digest = tmp_path / "digest.txt"
    digest.write_text(DIGEST)
    data = tmp_path / "data"
    env = {"PAPERTRAY_DATA_DIR": str(data), "HOME": str(tmp_path)}
    app = PtyApp([str(digest)], env)
    assert app.wait_for("Alpha paper about cats"), app.text[-2000:]
    app.wait_quiet(0.3)
    return app, data


def starred(data: Path) -> set[str]:
    state = State.open(data)
    return {pid for pid, s in state.all().items() if s.starred}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_right_after_a_key_press_keeps_the_mark(tmp_path: Path, sig: int) -> None:
    for round_ in range(2):
        app, data = start(tmp_path)
        with app:
            app.send("s")
            app.signal(sig)  # no pause: the key may still be in the terminal's input buffer
            status = app.wait(timeout=15)
            raw = app.raw
        assert status is not None, "the app did not exit after the signal"
        assert status == 128 + sig
        # Each round toggles the first paper's star: on after round 0, off after round 1.
        assert len(starred(data)) == (1 if round_ == 0 else 0)
        # The terminal is given back: alternate screen left, cursor shown.
        tail = raw[raw.rfind(b"\x1b[?1049h") :]
        assert b"\x1b[?1049l" in tail and b"\x1b[?25h" in tail
        assert no_junk(data), os.listdir(data)


def test_terminal_closed_right_after_a_key_press(tmp_path: Path) -> None:
    """Closing the terminal window: the pty master goes away and the kernel sends SIGHUP."""
    app, data = start(tmp_path)
    with app:
        # Close once the app has read the key: the kernel discards input nobody has read yet
        # when a terminal hangs up, so a key still in its buffer never reaches any program.
        app.send_until_read("s")
        app.hang_up()
        status = app.wait(timeout=15)
    assert status is not None, "the app did not exit after its terminal closed"
    assert len(starred(data)) == 1
    assert no_junk(data), os.listdir(data)
