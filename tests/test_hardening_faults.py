"""Issue 5, faults: a full disk (case 2), damaged files met by the CLI and the app (case 5), a
read-only data folder, HOME unset and LANG=C (case 6).

The store-level versions of these are in test_storage.py (write failures, every damaged-file
shape, an unwritable folder); here the same faults go through the user's entry points: the
`papertray` command and the reader, as `papertray` starts them.
"""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from helpers.ptyrun import LAUNCH, ROOT, PtyApp
from helpers.reader import shown_titles

from papertray.store import Library, State
from papertray.store.ingest import ingest_text
from papertray.tui.app import PapertrayApp
from papertray.tui.cli import run

DIGEST = (
    "Alpha paper about cats\n\nAbstract one about cats and dogs.\n\n"
    "Beta paper about dogs\n\nAbstract two about dogs, see https://github.com/a/b.\n"
)
PAPERS = ingest_text(DIGEST).papers
ALPHA, BETA = PAPERS[0].id, PAPERS[1].id


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`papertray ARGS` in this process (so faults can be simulated), with its output."""
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "unexpected error" not in err, err


class AppRun:
    """Replaces `PapertrayApp.run` so `papertray` starts the reader headless: records what it
    shows, presses `s` on the first paper, and returns."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.titles: list[str] = []
        self.ran = False

    def __call__(self, app: PapertrayApp, *args: Any, **kwargs: Any) -> None:
        async def drive() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                self.notes = [n.message for n in app._notifications]
                self.titles = shown_titles(app)
                await pilot.press("s")
                await pilot.pause()
                self.errors = [n.message for n in app._notifications if n.severity == "error"]
                self.ran = app.is_running

        asyncio.run(drive())


@pytest.fixture
def app_run(monkeypatch: pytest.MonkeyPatch) -> AppRun:
    recorder = AppRun()
    monkeypatch.setattr(PapertrayApp, "run", lambda self, *a, **k: recorder(self, *a, **k))
    return recorder


def fill_store(data_dir: Path, *, star_beta: bool = False) -> None:
    library, state = Library.open(data_dir), State.open(data_dir)
    library.add(PAPERS)
    state.set_read(BETA, True)
    if star_beta:
        state.toggle_star(BETA)
    # Close: a storage keeps the file it wrote open, which would keep a remount read-only busy.
    library.close()
    state.close()


# -- case 2: the disk fills up during a save from the reader ------------------------------------


def enospc(*_args: Any, **_kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_during_a_save_from_the_reader(
    data_dir: Path,
    app_run: AppRun,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill_store(data_dir)
    before = (data_dir / "state.json").read_bytes()
    monkeypatch.setattr(os, "fsync", enospc)  # the state file's temp copy cannot be made durable
    code, _out, err = cli(capsys)
    monkeypatch.undo()
    assert code == 0 and app_run.ran
    assert len(app_run.errors) == 1 and "\n" not in app_run.errors[0]
    assert "Not saved" in app_run.errors[0] and "the disk is full" in app_run.errors[0]
    assert (data_dir / "state.json").read_bytes() == before
    assert not [n for n in os.listdir(data_dir) if n.endswith(".tmp")]
    state = State.open(data_dir)
    assert not state.get(ALPHA).starred and state.get(BETA).read
    no_traceback(err)


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MB file system (needs root and mount rights; skipped elsewhere): room for a
    small library database, and then for nothing."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_disk(folder: Path) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_disk_really_full_tmpfs(
    tiny_tmpfs: Path,
    app_run: AppRun,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tiny_tmpfs / "data"
    monkeypatch.setenv("PAPERTRAY_DATA_DIR", str(data))
    fill_store(data)
    before = (data / "state.json").read_bytes()
    fill_disk(tiny_tmpfs)
    code, _out, err = cli(capsys)
    assert code == 0 and app_run.ran
    assert len(app_run.errors) == 1 and "the disk is full" in app_run.errors[0]
    assert (data / "state.json").read_bytes() == before
    assert not [n for n in os.listdir(data) if n.endswith(".tmp")]
    # The CLI says so too, in one line, with a failure status.
    code, _out, err = cli(capsys, "star", ALPHA)
    assert code == 1 and err.count("\n") == 1 and "the disk is full" in err
    no_traceback(err)
    os.unlink(tiny_tmpfs / "filler")
    assert State.open(data).toggle_star(ALPHA).starred  # space again: saving works again


# -- case 5: damaged state and library files, met by the CLI and by the reader --------------------

GOOD = {"state.json": {"marks": {"1": {"paper": ALPHA, "read": True}}}, "library.db": {}}


def damage(folder: Path, name: str, kind: str) -> None:
    path = folder / name
    # The library: its own bytes (a truncated copy is the first half of a real database).
    good = path.read_bytes() if name == "library.db" else orjson.dumps(GOOD[name])
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "json-then-garbage":
        path.write_bytes(good + b"}}garbage\x00")
    elif kind == "null":
        path.write_bytes(b"null")
    elif kind == "list":
        path.write_bytes(b"[]")
    elif kind == "wrong-shape":
        path.write_bytes(b'{"states": [1, 2], "papers": "x"}')
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind in ("unreadable", "good"):
        path.write_bytes(good)
    elif kind == "directory":
        path.mkdir()
        (path / "inside").write_text("x")
    elif kind == "dangling-symlink":
        path.symlink_to(folder / "gone.json")
    else:  # pragma: no cover
        raise AssertionError(kind)


KINDS = [
    "empty",
    "truncated",
    "json-then-garbage",
    "null",
    "list",
    "wrong-shape",
    "binary",
    "unreadable",
    "directory",
    "dangling-symlink",
]
# The library is an SQLite file: what is damage for it (an empty file is an empty database,
# bytes after its last page are ignored, and SQLite opens the file itself, so a refused open
# cannot be simulated as for state.json).
LIBRARY_KINDS = ["truncated", "null", "list", "wrong-shape", "binary", "directory"]
CASES = [("state.json", kind) for kind in KINDS] + [("library.db", k) for k in LIBRARY_KINDS]


def deny_first_open(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """As root nothing is unreadable: the first open of `path` fails as for an ordinary user.
    (Later opens succeed: by then the file in that place is the new one papertray wrote.)"""
    real_open = os.open
    denied: list[bool] = []

    def fake_open(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(name) == str(path) and not denied:
            denied.append(True)
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


def set_up_damage(folder: Path, name: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fill_store(folder)
    for side in ("library.db-wal", "library.db-shm"):
        (folder / side).unlink(missing_ok=True)  # (closed: nothing is left in them)
    damage(folder, name, kind)
    if kind == "unreadable":
        deny_first_open(monkeypatch, folder / name)


def check_one_line_and_moved(folder: Path, name: str, lines: list[str]) -> None:
    about = [line for line in lines if "damaged" in line]
    assert len(about) == 1, lines
    assert "\n" not in about[0] and "moved aside" in about[0]
    moved = [n for n in os.listdir(folder) if n.startswith(f"{name}.damaged-")]
    assert len(moved) == 1, os.listdir(folder)
    assert moved[0] in about[0]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_cli_list_and_star_go_on_after_a_damaged_file(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    kind: str,
) -> None:
    set_up_damage(data_dir, name, kind, monkeypatch)
    code, out, err = cli(capsys, "list", "--format", "jsonl")
    no_traceback(err)
    assert code == 0
    check_one_line_and_moved(data_dir, name, err.splitlines())
    assert len(err.splitlines()) == 1  # that one line and nothing else
    records = [orjson.loads(line) for line in out.splitlines()]
    if name == "state.json":
        assert [r["id"] for r in records] == [ALPHA, BETA]
        assert not any(r["read"] for r in records)  # the damaged marks are gone, not guessed
        code, out, err = cli(capsys, "star", ALPHA)
        assert code == 0 and "1 paper" in err
        assert State.open(data_dir).get(ALPHA).starred
    else:
        assert records == []
        code, out, err = cli(capsys, "star", ALPHA)
        assert code == 1 and err.count("\n") == 1 and "no paper with id" in err
    no_traceback(err)


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_reader_goes_on_after_a_damaged_file(
    data_dir: Path,
    app_run: AppRun,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    kind: str,
) -> None:
    set_up_damage(data_dir, name, kind, monkeypatch)
    code, _out, err = cli(capsys)
    no_traceback(err)
    assert code == 0 and app_run.ran and app_run.errors == []
    check_one_line_and_moved(data_dir, name, app_run.notes)
    if name == "state.json":
        assert app_run.titles == [p.title for p in PAPERS]
        assert State.open(data_dir).get(ALPHA).starred  # the reader went on saving
    else:
        assert len(app_run.titles) == 101  # an empty library shows the bundled sample
        assert any("sample" in note for note in app_run.notes)


# -- case 6: a read-only data folder, HOME unset, LANG=C ----------------------------------------


@pytest.fixture
def read_only_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder on a file system remounted read-only (as root, chmod would not stop us).
    Where mounting is not allowed, writes are refused by a stand-in for `os.open` instead."""
    mount = tmp_path / "ro"
    mount.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    data = mount / "data"
    monkeypatch.setenv("PAPERTRAY_DATA_DIR", str(data))
    fill_store(data, star_beta=True)
    try:
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        else:
            real_open = os.open

            def ro_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
                if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                    raise OSError(errno.EROFS, "Read-only file system")
                return real_open(path, flags, *args, **kwargs)

            monkeypatch.setattr(os, "open", ro_open)
        yield data
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def test_read_only_data_folder_cli(
    read_only_data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = cli(capsys, "list", "--format", "jsonl")
    assert code == 0 and err == ""
    records = {r["id"]: r for r in map(orjson.loads, out.splitlines())}
    assert records[BETA]["read"] and records[BETA]["starred"]
    for args in (["star", ALPHA], ["tag", ALPHA, "+x"], ["note", ALPHA, "hi"]):
        code, out, err = cli(capsys, *args)
        assert code == 1, args
        assert err.count("\n") == 1 and "read-only" in err, err
        no_traceback(err)
    digest = tmp_path / "more.txt"
    digest.write_text("Gamma paper\n\nA third abstract about birds.\n")
    code, out, err = cli(capsys, "import", str(digest))
    assert code == 1 and err.count("\n") == 1 and "read-only" in err, err
    no_traceback(err)
    # Listing a new file works: a view of it, nothing to save.
    code, out, err = cli(capsys, "list", str(digest), "--format", "jsonl")
    assert code == 0 and "Gamma paper" in out and err == ""
    no_traceback(err)


def test_read_only_data_folder_reader(
    read_only_data: Path, app_run: AppRun, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = cli(capsys)
    no_traceback(err)
    assert code == 0 and app_run.ran
    assert app_run.titles == [p.title for p in PAPERS]  # reading works
    assert len(app_run.errors) == 1 and "read-only" in app_run.errors[0]
    assert "\n" not in app_run.errors[0]
    assert not State.open(read_only_data).get(ALPHA).starred


def bare_env(**extra: str) -> dict[str, str]:
    """No HOME, no locale but C: what a cron job or a stripped-down container gives."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C", "LC_ALL": "C"}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def test_home_unset_and_c_locale_cli(tmp_path: Path) -> None:
    digest = tmp_path / "digest.txt"
    digest.write_text("Mélange: a paper — with “quotes” and 日本語\n\nAn abstract, naïve.\n")
    # No HOME and no PAPERTRAY_DATA_DIR: the data folder comes from XDG_DATA_HOME.
    env = bare_env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    for args in (["import", str(digest)], ["list"], ["list", "--format", "json"]):
        done = subprocess.run(
            [sys.executable, "-c", LAUNCH, *args],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert b"Traceback" not in done.stderr
    assert "Mélange".encode() in done.stdout
    assert (tmp_path / "xdg" / "papertray" / "library.db").exists()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty")
@pytest.mark.timeout(60)
def test_home_unset_and_c_locale_reader(tmp_path: Path) -> None:
    digest = tmp_path / "digest.txt"
    digest.write_text("Mélange: a paper about 日本語\n\nAn abstract, naïve.\n")
    data = tmp_path / "data"
    env = bare_env(PAPERTRAY_DATA_DIR=str(data))
    with PtyApp([str(digest)], env) as app:
        assert app.wait_for("Mélange"), app.text[-2000:]
        app.wait_quiet(0.3)
        app.send("s")
        app.wait_quiet(0.3)
        app.send("q")
        assert app.wait(timeout=15) == 0
        assert "Traceback" not in app.text
    (paper,) = Library.open(data).papers()
    assert State.open(data).get(paper.id).starred
