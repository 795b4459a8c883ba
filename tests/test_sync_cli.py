"""`papertray sync` and the sync the commands that change marks run by themselves when the
config file names a folder (issue 25)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from helpers.sync_sim import bare, logs

from papertray.store import Library, State
from papertray.tui.cli import run


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


def test_papertray_sync_once_and_its_status(tmp_path, shared, capsys, seed_path) -> None:
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    assert run(["--data-dir", one, "import", str(seed_path)]) == 0
    assert run(["--data-dir", two, "import", str(seed_path)]) == 0
    pid = Library.open(Path(one)).papers()[0].id
    assert run(["--data-dir", one, "star", pid]) == 0
    capsys.readouterr()
    assert run(["--data-dir", one, "sync", "--folder", str(shared)]) == 0
    assert "1 change written out" in capsys.readouterr().err
    assert run(["--data-dir", two, "sync", "--folder", str(shared)]) == 0
    assert "1 paper or rule changed here" in capsys.readouterr().err
    assert run(["--data-dir", two, "list", "-q", "is:starred", "--format", "jsonl"]) == 0
    assert orjson.loads(capsys.readouterr().out)["id"] == pid
    assert run(["--data-dir", two, "sync", "--status", "--folder", str(shared)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"folder    {shared}\nmachine   ")
    assert "(this one)" in out and "0 changes here not yet written out" in out


def test_the_config_folder_makes_marks_sync_by_themselves(
    tmp_path, shared, capsys, seed_path
) -> None:
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    assert run(["--data-dir", one, "import", str(seed_path)]) == 0
    first, second = (p.id for p in Library.open(Path(one)).papers()[:2])
    Path(os.environ["PAPERTRAY_CONFIG"]).write_text(f'[sync]\nfolder = "{shared}"\n')
    for argv in (
        ["star", first],
        ["read", first, second],
        ["tag", first, "+llm,todo"],
        ["note", second, "look at the ablations"],
        ["mute", "survey", "--why", "not now"],
    ):
        assert run(["--data-dir", one, *argv]) == 0
    assert logs(shared)  # written by the commands themselves
    assert run(["--data-dir", two, "sync"]) == 0  # the folder from the config
    two_state = State.open(Path(two))
    assert bare(two_state) == bare(State.open(Path(one)))
    assert [r.query for r in two_state.mute_rules()] == ["survey"]
    capsys.readouterr()
    assert run(["--data-dir", two, "unmute", "1"]) == 0
    assert run(["--data-dir", one, "sync"]) == 0  # a command that only reads does not sync
    assert run(["--data-dir", one, "mutes"]) == 0
    assert "no mute rules" in capsys.readouterr().err


def test_a_bad_config_leaves_the_mark_made_and_says_it_is_not_synced(
    tmp_path, capsys, seed_path
) -> None:
    one = str(tmp_path / "one")
    assert run(["--data-dir", one, "import", str(seed_path)]) == 0
    pid = Library.open(Path(one)).papers()[0].id
    Path(os.environ["PAPERTRAY_CONFIG"]).write_text("[sync]\nfolder = 3\n")
    capsys.readouterr()
    assert run(["--data-dir", one, "star", pid]) == 0
    err = capsys.readouterr().err
    assert "sync.folder must be the path of a folder" in err and "not synced" in err
    assert State.open(Path(one)).get(pid).starred


def test_list_json_shows_a_conflicting_note(tmp_path, shared, capsys, seed_path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        assert run(["--data-dir", str(folder), "import", str(seed_path)]) == 0
    pid = Library.open(one).papers()[0].id
    for folder, text in ((one, "mine"), (two, "theirs")):
        assert run(["--data-dir", str(folder), "note", pid, text]) == 0
        assert run(["--data-dir", str(folder), "sync", "--folder", str(shared)]) == 0
    assert run(["--data-dir", str(one), "sync", "--folder", str(shared)]) == 0
    capsys.readouterr()
    assert run(["--data-dir", str(one), "list", "-q", "has:note", "--format", "json"]) == 0
    (record,) = orjson.loads(capsys.readouterr().out)
    assert {record["note"], record["conflicting_note"]} == {"mine", "theirs"}
    assert run(["--data-dir", str(one), "note", pid, record["note"]]) == 0
    assert "the conflicting note from another machine is dropped" in capsys.readouterr().err


def test_sync_without_a_folder_says_how_to_give_one(capsys) -> None:
    assert run(["sync"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("papertray: which folder? papertray sync --folder DIR")


def test_a_missing_folder_is_exit_1(tmp_path, capsys) -> None:
    assert run(["sync", "--folder", str(tmp_path / "a" / "b")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("papertray: sync: no folder") and "\n" not in err


def test_the_readers_sync_loop_writes_out_and_takes_in(tmp_path, shared) -> None:
    """`syncing.keep_in_sync`, the body of the reader's sync worker (its Pilot tests are in
    test_tui_sync.py): nothing without a folder; with one, a run at start, then a run whenever
    the folder or state.json changed, each that changed marks here reported; stopped, a last
    look writes out what was marked just before."""
    import threading
    import time

    from papertray.store import Sync
    from papertray.tui import syncing

    told: list[syncing.SyncNews] = []
    stop = threading.Event()
    syncing.keep_in_sync(tmp_path / "reader", told.append, stop.is_set)  # no [sync] folder
    assert told == []
    Path(os.environ["PAPERTRAY_CONFIG"]).write_text(f'[sync]\nfolder = "{shared}"\n')
    reader = State.open(tmp_path / "reader")
    reader.set_starred("arxiv:mine", True)  # made before the reader started
    loop = threading.Thread(
        target=syncing.keep_in_sync,
        args=(tmp_path / "reader", told.append, stop.is_set, 0.05),
        daemon=True,
    )
    loop.start()
    other = State.open(tmp_path / "other")
    other_sync = Sync(other, shared, name="other")
    try:
        other.set_note("arxiv:theirs", "from the desk")
        other_sync.run()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            reader.refresh()
            other_sync.run()
            if (
                reader.get("arxiv:theirs").note
                and other.get("arxiv:mine").starred
                and any(news.changed for news in told)  # told after the marks are written
            ):
                break
            time.sleep(0.05)
        assert reader.get("arxiv:theirs").note == "from the desk"
        assert other.get("arxiv:mine").starred
        assert any(news.changed for news in told)  # the reader was told to read its marks
        reader.set_read("arxiv:later", True)  # a change in the reader: written out by itself
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not other.get("arxiv:later").read:
            other_sync.run()
            time.sleep(0.05)
        assert other.get("arxiv:later").read
    finally:
        stop.set()
        loop.join(10)
    assert not loop.is_alive()
    assert [line for news in told for line in news.lines] == []  # nothing refused, no error

    def quit_after_a_star() -> bool:  # a star, then at once the reader quits
        reader.set_starred("arxiv:last", True)
        return True

    syncing.keep_in_sync(tmp_path / "reader", told.append, quit_after_a_star, 3600)
    other_sync.run()
    assert other.get("arxiv:last").starred  # written out by the last look


def test_the_readers_sync_says_a_refusal_once(tmp_path, shared) -> None:
    from papertray.tui import syncing

    Path(os.environ["PAPERTRAY_CONFIG"]).write_text(f'[sync]\nfolder = "{shared}"\n')
    (shared / "papertray.0123456789ab.1.jsonl").write_bytes(b"\x00 not a log\n")
    told: list[syncing.SyncNews] = []
    looks = iter(range(5))
    # Five looks, each finding the folder changed (the damaged file is refused every time).

    def stop_after_five() -> bool:
        if next(looks, None) is None:
            return True
        (shared / "touch").write_text(str(len(told)))  # the folder changed: the next look runs
        return False

    syncing.keep_in_sync(tmp_path / "reader", told.append, stop_after_five, 0.0)
    lines = [line for news in told for line in news.lines]
    assert len(lines) == 1 and lines[0][1] == "warning", lines
    assert "papertray.0123456789ab.1.jsonl" in lines[0][0] and "\n" not in lines[0][0]
