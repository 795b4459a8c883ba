"""AtomicJSONStorage (state.json): atomic writes, cached reads, locking, damaged files, write
failures; and a damaged library database moved aside the same way."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB
from tinydb.table import Document

from papertray.store.library import Library
from papertray.store.models import Paper
from papertray.store.state import State
from papertray.store.storage import AtomicJSONStorage, StoreError

STATE = "state.json"


def temp_files(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp")) if folder.exists() else []


def damaged_files(folder: Path, name: str = STATE) -> list[Path]:
    return sorted(folder.glob(f"{name}.damaged-*"))


# -- basic behaviour --------------------------------------------------------------------------


def test_round_trip_and_file_is_plain_json(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "db.json")
    assert storage.read() is None
    storage.write({"t": {"a": {"x": 1}}})
    assert orjson.loads((tmp_path / "db.json").read_bytes()) == {"t": {"a": {"x": 1}}}
    assert AtomicJSONStorage(tmp_path / "db.json").read() == {"t": {"a": {"x": 1}}}
    assert temp_files(tmp_path) == []


def test_opening_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "yet"
    state = State.open(folder)
    assert state.all() == {} and state.warnings == []
    assert not (tmp_path / "not").exists()
    library = Library.open(folder)
    assert library.papers() == []
    assert not (tmp_path / "not").exists()
    state.set_read("p", True)  # the first write creates the folder, with its parents
    assert (folder / STATE).is_file()


def test_write_replaces_the_file_never_in_place(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    storage.write({"t": {"a": {"v": 1}}})
    inode = path.stat().st_ino
    with open(path, "rb") as old:  # a reader holding the old file keeps a complete old copy
        storage.write({"t": {"a": {"v": 2}}})
        assert orjson.loads(old.read()) == {"t": {"a": {"v": 1}}}
    assert path.stat().st_ino != inode


def test_reads_are_cached_until_another_process_replaces_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.json"
    mine = AtomicJSONStorage(path)
    mine.write({"t": {"a": {"v": 1}}})
    parses: list[int] = []
    original = AtomicJSONStorage._parse_file

    def counting(self: AtomicJSONStorage) -> Any:
        parses.append(1)
        return original(self)

    monkeypatch.setattr(AtomicJSONStorage, "_parse_file", counting)
    for _ in range(5):
        assert mine.read() == {"t": {"a": {"v": 1}}}
    assert parses == []  # our own write and reads never re-parse
    AtomicJSONStorage(path).write({"t": {"a": {"v": 2}}})  # "another process"
    parses.clear()
    assert mine.read() == {"t": {"a": {"v": 2}}}
    assert mine.read() == {"t": {"a": {"v": 2}}}
    assert len(parses) == 1  # re-read once, then cached again


def test_star_toggle_does_not_reparse_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = State.open(tmp_path)
    state.set_read_many([f"p{i}" for i in range(200)], True)
    calls: list[int] = []
    original = AtomicJSONStorage._parse_file
    monkeypatch.setattr(
        AtomicJSONStorage, "_parse_file", lambda self: calls.append(1) or original(self)
    )
    for _ in range(10):
        state.toggle_star("p1")
    assert calls == []
    assert State.open(tmp_path).get("p1").starred is False


def test_tinydb_public_api_on_the_storage(tmp_path: Path) -> None:
    db = TinyDB(str(tmp_path / "db.json"), storage=AtomicJSONStorage)
    table = db.table("marks", cache_size=0)
    table.insert(Document({"paper": "arxiv:1", "read": True}, doc_id=7))
    table.update({"read": False}, doc_ids=[7])
    assert table.get(doc_id=7) == {"paper": "arxiv:1", "read": False}
    storage = db.storage
    assert isinstance(storage, AtomicJSONStorage)
    with storage.transaction():  # three TinyDB writes, one write of the file
        table.insert({"paper": "b"})
        table.insert({"paper": "c"})
        table.remove(doc_ids=[7])
        assert not (tmp_path / "db.json").read_bytes().count(b'"c"')
    other = TinyDB(str(tmp_path / "db.json"), storage=AtomicJSONStorage).table("marks")
    assert sorted(d["paper"] for d in other.all()) == ["b", "c"]


def test_transaction_is_reentrant_and_makes_the_lock_file(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "db.json")
    with storage.transaction():
        with storage.transaction():
            storage.write({"t": {}})
        assert (tmp_path / ".db.json.lock").exists()
    # Only one lock file per data file, however many writes.
    for i in range(5):
        storage.write({"t": {"a": {"v": i}}})
    assert sorted(os.listdir(tmp_path)) == [".db.json.lock", "db.json"]


def test_leftover_temp_files_are_removed_at_open(tmp_path: Path) -> None:
    State.open(tmp_path).set_read("p", True)
    stale = [tmp_path / ".state.json.4242.deadbeef.tmp", tmp_path / ".state.json.1.x.tmp"]
    for path in stale:
        path.write_bytes(b'{"states": {"torn')
    other = tmp_path / ".library.json.1.x.tmp"
    other.write_bytes(b"")
    state = State.open(tmp_path)
    assert not any(p.exists() for p in stale)
    assert other.exists()  # not ours: the library's own open cleans that one
    assert state.get("p").read


def test_symlink_to_a_real_file_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    State.open(real).set_read("p", True)
    data = tmp_path / "data"
    data.mkdir()
    (data / STATE).symlink_to(real / STATE)
    state = State.open(data)
    assert state.get("p").read
    state.toggle_star("p")
    assert (data / STATE).is_symlink()
    assert State.open(real).get("p").starred


# -- write failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "code", "words"),
    [
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("write", errno.ENOSPC, "the disk is full"),
        ("write", errno.EDQUOT, "quota"),
        ("open", errno.EROFS, "read-only"),
        ("open", errno.EACCES, "permission denied"),
        ("replace", errno.EIO, "input/output"),
    ],
)
def test_write_failure_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, code: int, words: str
) -> None:
    state = State.open(tmp_path)
    state.set_note("p", "old")
    before = (tmp_path / STATE).read_bytes()

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    if target == "open":
        real_open = os.open

        def fail_tmp(path: Any, *args: Any, **kwargs: Any) -> int:
            if str(path).endswith(".tmp"):
                fail()
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", fail_tmp)
    else:
        monkeypatch.setattr(os, target, fail)
    with pytest.raises(StoreError) as info:
        state.set_note("p", "new")
    monkeypatch.undo()
    message = str(info.value)
    assert "\n" not in message and words in message and STATE in message
    assert (tmp_path / STATE).read_bytes() == before
    assert temp_files(tmp_path) == []
    assert state.get("p").note == "old"  # the cache does not claim the unsaved value
    assert state.set_note("p", "newer").note == "newer"  # and saving works again afterwards
    assert State.open(tmp_path).get("p").note == "newer"


def test_bulk_write_failure_leaves_state_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = State.open(tmp_path)
    state.set_read("a", True)

    def full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError):
        state.set_read_many(["a", "b", "c"], False)
    monkeypatch.undo()
    assert state.all().keys() == {"a"}
    assert state.get("a").read


def test_read_only_open_never_writes(tmp_path: Path) -> None:
    State.open(tmp_path).set_read("p", True)
    before = sorted(os.listdir(tmp_path))
    state = State.open(tmp_path, read_only=True)
    assert state.read_only and state.get("p").read
    with pytest.raises(StoreError, match="read-only"):
        state.set_read("p", False)
    assert state.get("p").read
    assert sorted(os.listdir(tmp_path)) == before


def test_unwritable_folder_reads_work_writes_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # We run as root, so chmod cannot make a folder unwritable: simulate a read-only mount.
    State.open(tmp_path).set_read("p", True)
    real_open = os.open

    def ro_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", ro_open)
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    state = State.open(tmp_path)
    assert state.get("p").read and state.read_only and state.warnings == []
    with pytest.raises(StoreError, match="read-only") as info:
        state.toggle_star("p")
    assert "\n" not in str(info.value)
    assert not state.get("p").starred


# -- damaged files ----------------------------------------------------------------------------

GOOD = orjson.dumps({"states": {"arxiv:1": {"read": True, "note": "keep me"}}})
DAMAGED_BYTES = {
    "empty": b"",
    "blank": b"  \n\t ",
    "truncated": GOOD[: len(GOOD) // 2],
    "garbage-after-json": GOOD + b"\x00garbage",
    "null": b"null",
    "list": b"[]",
    "string": b'"hello"',
    "number": b"42",
    "table-not-object": b'{"states": []}',
    "document-not-object": b'{"states": {"arxiv:1": 5}}',
    "binary": bytes(range(256)) * 8,
    "not-utf8": b'{"states": {"arxiv:1": {"note": "\xff\xfe"}}}',
    "utf16": '{"states": {}}'.encode("utf-16"),
    # TinyDB takes every key for a document number: any other failed every command.
    "rule-id-not-a-number": b'{"mutes": {"x": {}}}',
    "mark-id-not-a-number": b'{"marks": {"1": {"paper": "a"}, "abc": {"paper": "arxiv:1"}}}',
    "mark-id-past-int": b'{"marks": {"' + b"1" * 5000 + b'": {"paper": "arxiv:1"}}}',
}


def check_moved_aside(folder: Path, warnings: list[str], name: str = STATE) -> Path:
    moved = damaged_files(folder, name)
    assert len(moved) == 1, os.listdir(folder)
    assert len(warnings) == 1
    warning = warnings[0]
    assert "\n" not in warning
    assert "damaged" in warning and str(moved[0]) in warning and "starting empty" in warning
    assert not os.path.lexists(folder / name)
    return moved[0]


@pytest.mark.parametrize("case", sorted(DAMAGED_BYTES))
def test_damaged_state_file_is_moved_aside(tmp_path: Path, case: str) -> None:
    raw = DAMAGED_BYTES[case]
    (tmp_path / STATE).write_bytes(raw)
    state = State.open(tmp_path)
    moved = check_moved_aside(tmp_path, state.warnings)
    assert moved.read_bytes() == raw  # the original bytes are kept
    assert state.all() == {}
    state.set_read("arxiv:2", True)  # and the program goes on, saving a fresh file
    assert State.open(tmp_path).all().keys() == {"arxiv:2"}
    assert moved.read_bytes() == raw


def test_a_document_id_that_is_not_a_number_is_reported_and_the_commands_go_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the command: one warning, the file kept aside, exit 0 (it was a ValueError from
    TinyDB, exit 70, in every command)."""
    from papertray.tui.cli import run

    raw = b'{"mutes": {"x": {}}, "marks": {"1": {"paper": "arxiv:1", "read": true}}}'
    (tmp_path / STATE).write_bytes(raw)
    assert run(["--data-dir", str(tmp_path), "list"]) == 0
    (warning, *_rest) = capsys.readouterr().err.splitlines()
    assert warning.startswith(
        f"papertray: warning: state file {tmp_path / STATE} was damaged (wrong shape: table "
        "'mutes' holds a document whose id is not a number); moved aside to "
    )
    assert run(["--data-dir", str(tmp_path), "mutes"]) == 0
    assert [p.read_bytes() for p in damaged_files(tmp_path)] == [raw]


@pytest.mark.parametrize("case", ["truncated", "null", "binary", "empty"])
def test_damaged_library_database_is_moved_aside(tmp_path: Path, case: str) -> None:
    raw = DAMAGED_BYTES[case] + (b"\x00" * 200 if case == "empty" else b"")
    (tmp_path / "library.db").write_bytes(raw)
    library = Library.open(tmp_path)
    moved = check_moved_aside(tmp_path, library.warnings, "library.db")
    assert "library file" in library.warnings[0]
    assert moved.read_bytes() == raw
    assert library.papers() == [] and len(library) == 0
    library.add([Paper("t:1", "A paper")])  # and the program goes on, in a fresh database
    assert [p.id for p in Library.open(tmp_path).papers()] == ["t:1"]


@pytest.mark.parametrize("case", ["truncated", "null", "binary", "document-not-object"])
def test_damaged_old_library_file_is_moved_aside(tmp_path: Path, case: str) -> None:
    raw = DAMAGED_BYTES[case].replace(b"states", b"papers")
    (tmp_path / "library.json").write_bytes(raw)
    library = Library.open(tmp_path)
    moved = damaged_files(tmp_path, "library.json")
    assert len(moved) == 1 and moved[0].read_bytes() == raw
    assert len(library.notices) == 1 and "damaged" in library.notices[0]
    assert str(moved[0]) in library.notices[0] and "\n" not in library.notices[0]
    assert library.papers() == [] and not (tmp_path / "library.json").exists()


def test_directory_in_place_of_the_file(tmp_path: Path) -> None:
    (tmp_path / STATE).mkdir()
    (tmp_path / STATE / "inside.txt").write_text("x")
    state = State.open(tmp_path)
    moved = check_moved_aside(tmp_path, state.warnings)
    assert "folder" in state.warnings[0]
    assert (moved / "inside.txt").read_text() == "x"
    state.set_read("p", True)
    assert (tmp_path / STATE).is_file()


def test_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / STATE).symlink_to(tmp_path / "gone.json")
    state = State.open(tmp_path)
    moved = check_moved_aside(tmp_path, state.warnings)
    assert "symbolic link" in state.warnings[0]
    assert moved.is_symlink() and os.readlink(moved) == str(tmp_path / "gone.json")
    state.set_read("p", True)
    assert (tmp_path / STATE).is_file() and not (tmp_path / "gone.json").exists()


def test_fifo_in_place_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / STATE)
    state = State.open(tmp_path)
    check_moved_aside(tmp_path, state.warnings)
    assert state.all() == {}


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root, chmod 000 would not stop us reading: simulate the permission error.
    (tmp_path / STATE).write_bytes(GOOD)
    real_open = os.open

    def denied(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path) == str(tmp_path / STATE):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    state = State.open(tmp_path)
    monkeypatch.undo()
    moved = check_moved_aside(tmp_path, state.warnings)
    assert "permission denied" in state.warnings[0]
    assert moved.read_bytes() == GOOD


def test_moved_aside_files_are_never_overwritten(tmp_path: Path) -> None:
    contents = [b"one", b"two", b"three"]
    for raw in contents:
        (tmp_path / STATE).write_bytes(raw)
        State.open(tmp_path)
    moved = damaged_files(tmp_path)
    assert sorted(p.read_bytes() for p in moved) == sorted(contents)


def test_damage_that_cannot_be_moved_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / STATE).write_bytes(b"{torn")

    def refuse(*args: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "rename", refuse)
    state = State.open(tmp_path)
    assert len(state.warnings) == 1 and "\n" not in state.warnings[0]
    assert "could not be moved aside" in state.warnings[0]
    assert state.read_only and state.all() == {} and state.get("x").untouched
    with pytest.raises(StoreError):
        state.set_read("x", True)
    assert state.all() == {}
    assert (tmp_path / STATE).read_bytes() == b"{torn"  # never overwritten


def test_damaged_file_left_alone_when_opened_read_only(tmp_path: Path) -> None:
    (tmp_path / STATE).write_bytes(b"null")
    state = State.open(tmp_path, read_only=True)
    assert len(state.warnings) == 1 and "left in place" in state.warnings[0]
    assert state.all() == {}
    assert (tmp_path / STATE).read_bytes() == b"null"
    assert damaged_files(tmp_path) == []


def test_damage_written_by_someone_else_later_is_moved_aside_too(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    state.set_read("a", True)
    tmp = tmp_path / "x"
    tmp.write_bytes(b"\x00\x01")
    os.replace(tmp, tmp_path / STATE)
    assert state.refresh() is True
    assert state.all() == {}
    assert len(damaged_files(tmp_path)) == 1 and len(state.warnings) == 1
