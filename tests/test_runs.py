"""One run at a time (the data folder's run lock) and the desktop notification after a run
(issue 24, points 3 and 4): a second run is told at once, never waits; a notifier is started and
never waited for, and a missing one is said in one line."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertray.store import AlreadyRunning, run_lock
from papertray.tui import notify as notify_module
from papertray.tui.notify import desktop_unavailable, notify_desktop


def test_a_second_run_is_refused_at_once_and_the_lock_is_given_back(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with run_lock(folder, "the first"):
        began = time.monotonic()
        with pytest.raises(AlreadyRunning) as caught:
            with run_lock(folder, "this watch"):
                pytest.fail("two runs at once")
        assert time.monotonic() - began < 1  # never waits
        assert str(caught.value) == (
            f"another papertray fetch or watch is running (it holds {folder / 'run.lock'}); "
            "this watch stops here"
        )
    with run_lock(folder):  # given back when the first run ended
        pass


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="a folder root cannot write")
def test_a_folder_that_cannot_hold_the_lock_is_not_locked(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with run_lock(tmp_path / "data"):
            pass  # the run goes on and meets its own failure to write there
    finally:
        tmp_path.chmod(0o700)


@pytest.fixture
def notifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A `notify-send` first on PATH that writes its arguments to a file."""
    if not sys.platform.startswith("linux"):
        pytest.skip("notify-send is the Linux notifier")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    said = tmp_path / "notified.txt"
    (bin_dir / "notify-send").write_text(
        f'#!/bin/sh\nprintf "%s|" "$@" > "{said}.tmp" && mv "{said}.tmp" "{said}"\n'
    )
    (bin_dir / "notify-send").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    yield said
    for process in notify_module._started:
        process.kill()
        process.wait()


def _wait_for(path: Path, seconds: float = 10.0) -> str:
    ends = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < ends:
        time.sleep(0.05)
    return path.read_text()


def test_a_notification_goes_to_notify_send_cleaned(notifier: Path) -> None:
    assert desktop_unavailable() is None
    assert notify_desktop("2 new papers\x1b]0;pwned\x07 in 1 follow")
    assert _wait_for(notifier) == (
        "--app-name=papertray|--|papertray|2 new papers\\x1b]0;pwned\\x07 in 1 follow|"
    )


def test_a_hanging_notifier_is_not_waited_for(notifier: Path) -> None:
    (notifier.parent / "bin" / "notify-send").write_text("#!/bin/sh\nsleep 60\n")
    began = time.monotonic()
    assert notify_desktop("1 update")
    assert time.monotonic() - began < 2


def test_no_notifier_is_said_in_one_line(notifier: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (notifier.parent / "bin" / "notify-send").unlink()
    monkeypatch.setenv("PATH", str(notifier.parent / "bin"))
    assert not notify_desktop("1 update")
    assert desktop_unavailable() == (
        "no desktop notifications: notify-send is not on PATH (libnotify-bin)"
    )


def test_macos_speaks_applescript(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notify_module.sys, "platform", "darwin")
    monkeypatch.setattr(notify_module.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert notify_module._command("papertray", 'say "hi" \\ bye') == [
        "/usr/bin/osascript",
        "-e",
        'display notification "say \\"hi\\" \\\\ bye" with title "papertray"',
    ]
