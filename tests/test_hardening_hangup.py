"""Issue 8, item 1: closing the terminal ends the reader within 2 s, whatever it is doing.

The real app runs in a real pseudo-terminal, which we close from our side (its master), as
closing a terminal window or `tmux kill-session` does. The kernel then hangs the terminal up:
the app's reads see end-of-file, its writes fail, and (when it is the terminal's controlling
process) it gets SIGHUP. The process must be gone within 2 s and a mark typed before must be on
disk. SIGTERM and SIGHUP with the terminal still there are covered by test_hardening_signals.py.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.gen_corpus import page_text
from helpers.ptyrun import LAUNCH, ROOT, PtyApp

from papertray.store import State

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty"),
    pytest.mark.timeout(120),
]

EXIT_WITHIN = 2.0
HUNG_UP = 128 + signal.SIGHUP
DIGEST = (
    "Alpha paper about cats\n\nAbstract one about cats and dogs. "
    "Code: https://github.com/example/alpha.\n\n"
    "Beta paper about dogs\n\nAbstract two about dogs.\n"
)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[tuple[PtyApp, Path]]:
    app, data = start(tmp_path)
    with app:
        yield app, data


def start(
    tmp_path: Path, env: dict[str, str] | None = None, *, controlling: bool = True
) -> tuple[PtyApp, Path]:
    digest = tmp_path / "digest.txt"
    digest.write_text(DIGEST)
    data = tmp_path / "data"
    full_env = {"PAPERTRAY_DATA_DIR": str(data), "HOME": str(tmp_path), **(env or {})}
    app = PtyApp([str(digest)], full_env, controlling=controlling)
    assert app.wait_for("Alpha paper about cats"), app.text[-2000:]
    app.wait_quiet(0.3)
    return app, data


def assert_gone_in_time(app: PtyApp) -> None:
    status = app.exited_within(EXIT_WITHIN)
    assert status is not None, f"still running {EXIT_WITHIN:g} s after its terminal closed"
    # 129: the app's own way out; never a crash (1) or a traceback.
    assert status == HUNG_UP, status


def starred(data: Path) -> set[str]:
    state = State.open(data)
    assert state.warnings == []
    return {pid for pid, s in state.all().items() if s.starred}


def test_terminal_closed_while_idle(started: tuple[PtyApp, Path]) -> None:
    app, data = started
    app.hang_up()
    assert_gone_in_time(app)
    assert starred(data) == set()


def test_terminal_closed_right_after_a_key_was_read(started: tuple[PtyApp, Path]) -> None:
    app, data = started
    # Close the moment the app has read the key, before its handler has surely run (the kernel
    # discards what nobody has read when a terminal hangs up: no program could keep that).
    app.send_until_read("s")
    app.hang_up()
    assert_gone_in_time(app)
    assert len(starred(data)) == 1


@pytest.mark.parametrize(
    ("key", "shown"),
    [("?", "next / previous paper"), ("t", "enter save"), ("A", "Cancel")],
    ids=["help", "tags", "confirm"],
)
def test_terminal_closed_inside_a_modal(started: tuple[PtyApp, Path], key: str, shown: str) -> None:
    app, _data = started
    app.send(key)
    assert app.wait_for(shown, timeout=10), app.text[-2000:]
    app.wait_quiet(0.2)
    app.hang_up()
    assert_gone_in_time(app)


def test_terminal_closed_while_a_clipboard_copy_hangs(tmp_path: Path) -> None:
    """xclip that never answers: the copy worker waits for it (up to its own 2 s limit)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    started_file = tmp_path / "xclip.pid"
    xclip = bin_dir / "xclip"
    xclip.write_text(f"#!/bin/sh\necho $$ > {started_file}\nexec sleep 60\n")
    xclip.chmod(xclip.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "DISPLAY": ":93"}
    app, data = start(tmp_path, env)
    try:
        with app:
            app.send("s")
            app.send("c")  # copy the repo link: runs our xclip, which hangs
            deadline = time.monotonic() + 10
            while not started_file.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert started_file.exists(), "the clipboard program was never started"
            app.hang_up()
            assert_gone_in_time(app)
            assert len(starred(data)) == 1
    finally:
        if started_file.exists() and (pid := started_file.read_text().strip()):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass


def test_terminal_closed_that_sends_no_sighup(tmp_path: Path) -> None:
    """Not the terminal's controlling process (started by a wrapper, or SIGHUP ignored by
    `nohup`): no signal comes, the app only sees its terminal hang up."""
    app, data = start(tmp_path, controlling=False)
    with app:
        app.send("s")
        assert app.wait_for("1 starred"), app.text[-2000:]  # the star taken, then the hang-up
        app.hang_up()
        assert_gone_in_time(app)
    assert len(starred(data)) == 1


@pytest.mark.slow
def test_terminal_closed_while_a_search_of_a_large_library_runs(tmp_path: Path) -> None:
    """20k papers: a broad word is typed, and the terminal closes while its whole result is
    being counted in a worker (the query is cut short, the worker is not waited for)."""
    data = tmp_path / "data"
    digest = tmp_path / "big.txt"
    digest.write_text(page_text(20_000))
    env = {**os.environ, "PAPERTRAY_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-c", LAUNCH, "import", str(digest)],
        env=env,
        check=True,
        capture_output=True,
        timeout=100,
    )
    app = PtyApp([], {"PAPERTRAY_DATA_DIR": str(data), "HOME": str(tmp_path)})
    with app:
        assert app.wait_for("20,000 in the library", timeout=30), app.text[-2000:]
        app.send("/")
        app.send("-model")  # nearly every paper: the longest count
        app.send_until_read("s")
        app.hang_up()
        assert_gone_in_time(app)
