"""Hostile content in the sync folder (issue 25): a damaged log, damaged lines, a log from a
newer papertray, a file over the size limit, a line over the entry limit, a FIFO or a device
under a log's name, text with control characters. Each is refused in one line, naming the file
and the limit or the reason; the other logs are read; the file itself is left as it was; exit
status 0."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from helpers.deep_query import nested

from papertray.store import State, Sync, limits
from papertray.tui.cli import run

OTHER = "0123456789ab"
BAD = "bbbbbbbbbbbb"


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


def header(machine: str, gen: int = 1, **extra) -> bytes:
    data = {"papertray": "sync", "format": 1, "machine": machine, "gen": gen, "name": "other"}
    return orjson.dumps({**data, **extra}) + b"\n"


def entry(key: str, field: str = "starred", value=True, machine: str = OTHER) -> bytes:
    clock = [1_800_000_000_000, 0, machine]
    data = ["marks", key, field, value, clock]
    if field == "note":
        data += [None, {machine: clock[:2]}]
    return orjson.dumps(data) + b"\n"


def good_log(shared: Path) -> None:
    """Another machine's healthy log: it must be read whatever else is in the folder."""
    (shared / f"papertray.{OTHER}.1.jsonl").write_bytes(header(OTHER) + entry("arxiv:good"))


def sync_here(tmp_path: Path, shared: Path, capsys) -> tuple[State, list[str]]:
    """`papertray sync`: exit 0, the other log read; the lines said on stderr."""
    data = tmp_path / "data"
    assert run(["--data-dir", str(data), "sync", "--folder", str(shared)]) == 0
    err = capsys.readouterr().err.splitlines()
    state = State.open(data)
    assert state.get("arxiv:good").starred
    return state, err


def refusals(err: list[str]) -> list[str]:
    return [line for line in err if "synced with" not in line]


def test_a_damaged_log_is_refused_in_one_line(tmp_path, shared, capsys) -> None:
    good_log(shared)
    bad = shared / f"papertray.{BAD}.1.jsonl"
    bad.write_bytes(b"\x00\x00garbage\x1b[2J\n" + entry("arxiv:bad", machine=BAD))
    before = bad.read_bytes()
    state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: no papertray log header (damaged, or not a "
        "log); not read"
    ]
    assert not state.get("arxiv:bad").starred and bad.read_bytes() == before


def test_damaged_lines_are_refused_and_the_rest_read(tmp_path, shared, capsys) -> None:
    good_log(shared)
    log = shared / f"papertray.{BAD}.1.jsonl"
    log.write_bytes(
        header(BAD)
        + entry("arxiv:1", machine=BAD)
        + b'["marks", "arxiv:2", \n'
        + b"\xff\xfe not json\n"
        + entry("arxiv:2", machine=BAD)
        + entry("arxiv:3", "note", "a\x1b]0;owned\x07", machine=BAD)
    )
    state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: 3 lines refused (line 3: not JSON); "
        "the rest read"
    ]
    assert state.get("arxiv:1").starred and state.get("arxiv:2").starred
    assert state.get("arxiv:3").note == ""
    # Read once: the next sync does not read (or refuse) them again.
    assert run(["--data-dir", str(tmp_path / "data"), "sync", "--folder", str(shared)]) == 0
    assert refusals(capsys.readouterr().err.splitlines()) == []


def line(*data) -> bytes:
    return orjson.dumps(list(data)) + b"\n"


@pytest.mark.parametrize("machine", [["x"], {"x": 1}, 12, None])
def test_a_clock_whose_machine_is_not_text_is_refused(tmp_path, shared, capsys, machine) -> None:
    """An array or object where the machine id goes was a TypeError (unhashable), exit 70."""
    good_log(shared)
    (shared / f"papertray.{BAD}.1.jsonl").write_bytes(
        header(BAD)
        + line("marks", "arxiv:1", "starred", True, [1_800_000_000_000, 0, machine])
        + entry("arxiv:2", machine=BAD)
    )
    state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: 1 line refused (line 2: no clock); "
        "the rest read"
    ]
    assert not state.get("arxiv:1").starred and state.get("arxiv:2").starred


def test_a_rule_or_search_whose_query_does_not_parse_is_refused(tmp_path, shared, capsys) -> None:
    """Another machine's mute rule or saved search is a query this one must parse: one that
    does not (nested too deep, an unknown field, a rule asking about muting) is a bad line. A
    rule a RecursionError could not parse was merged, and every later command ended in it."""
    good_log(shared)
    clock = [1_800_000_000_000, 0, BAD]
    rule = {"why": "x", "created": 1.0}
    depth = limits.MAX_QUERY_DEPTH

    def search(query: str) -> dict:
        return {"name": "Bar", "query": query, "slot": None, "created": 1.0}

    (shared / f"papertray.{BAD}.1.jsonl").write_bytes(
        header(BAD)
        + line("mutes", "(" * 300 + "a" + ")" * 300, "rule", rule, clock)
        + line("mutes", nested(depth + 1, "survey"), "rule", rule, clock)
        + line("mutes", "colour:red", "rule", rule, clock)
        + line("mutes", "is:muted survey", "rule", rule, clock)
        + line("searches", "bar", "search", search("(" * 300 + "a" + ")" * 300), clock)
        + line("searches", "bar", "search", search(nested(depth + 1, "survey")), clock)
        + line("mutes", nested(depth, "survey"), "rule", rule, clock)
        + line("searches", "baz", "search", search(nested(depth, "lora")) | {"name": "Baz"}, clock)
    )
    state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: 6 lines refused (line 2: not a key of "
        "mutes); the rest read"
    ]
    assert [r.query for r in state.mute_rules()] == [nested(depth, "survey")]
    assert [s.query for s in state.searches()] == [nested(depth, "lora")]
    data = str(tmp_path / "data")
    for argv in (["list"], ["mutes"], ["searches"], ["news"], ["unmute", "1"]):
        assert run(["--data-dir", data, *argv]) == 0, argv
    assert State.open(tmp_path / "data").mute_rules() == []


def test_a_value_nested_at_the_limit_is_read_one_level_more_is_not(tmp_path, shared, capsys):
    """A change of a table this papertray does not know is kept as it came and written again in
    the sync state file: nested past what orjson writes, it ended the sync in a TypeError (exit
    70). Past the limit it is a bad line; at it, kept, two values under one clock ordered."""
    good_log(shared)
    clock = [1_800_000_000_000, 0, BAD]
    depth = limits.MAX_SYNC_DEPTH

    def nest(levels: int, inner: object) -> object:
        for _ in range(levels - 1):
            inner = [inner]
        return {"x": inner}

    def far(inner: int) -> bytes:  # as deep as the repro: orjson does not write it
        value = b"[" * 299 + b"%d" % inner + b"]" * 299
        return b'["newer", "k", "far", {"x": ' + value + b"}, " + orjson.dumps(clock) + b"]\n"

    (shared / f"papertray.{BAD}.1.jsonl").write_bytes(
        header(BAD)
        + line("newer", "k", "at", nest(depth, 1), clock)
        + line("newer", "k", "past", nest(depth + 1, 1), clock)
        + far(1)
        + far(2)
        + line("newer", "k", "at", nest(depth, 2), clock)
    )
    _state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: 3 lines refused (line 3: a value nested "
        f"more than {depth} deep); the rest read"
    ]
    kept = orjson.loads((tmp_path / "data" / "sync.json").read_bytes())
    assert orjson.dumps(nest(depth, 2)) in orjson.dumps(kept)
    assert b'"past"' not in orjson.dumps(kept) and b'"far"' not in orjson.dumps(kept)
    sync_here(tmp_path, shared, capsys)  # and read back


def test_a_log_from_a_newer_papertray_is_refused(tmp_path, shared, capsys) -> None:
    good_log(shared)
    (shared / f"papertray.{BAD}.1.jsonl").write_bytes(
        header(BAD, format=2) + entry("arxiv:new", machine=BAD)
    )
    state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: written by a newer papertray (sync log "
        "format 2, this one reads 1): update papertray on this machine; not read"
    ]
    assert not state.get("arxiv:new").starred


def test_a_log_at_the_size_limit_is_read_one_byte_more_is_not(
    tmp_path, shared, capsys, monkeypatch
) -> None:
    good_log(shared)
    log = shared / f"papertray.{BAD}.1.jsonl"
    log.write_bytes(header(BAD) + entry("arxiv:big", machine=BAD) * 3)
    monkeypatch.setattr(limits, "MAX_SYNC_FILE", log.stat().st_size)
    state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == [] and state.get("arxiv:big").starred
    with log.open("ab") as handle:
        handle.write(entry("arxiv:bigger", machine=BAD)[:1])  # one byte past
    assert run(["--data-dir", str(tmp_path / "data"), "sync", "--folder", str(shared)]) == 0
    size = limits.MAX_SYNC_FILE
    assert refusals(capsys.readouterr().err.splitlines()) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: larger than {size:,} bytes, the limit on a "
        "sync log; not read"
    ]


def test_the_sync_file_limit_in_words() -> None:
    from papertray.store.sync_files import size_text

    assert size_text(limits.MAX_SYNC_FILE) == "256 MB" and size_text(1000) == "1,000 bytes"


def test_an_entry_at_the_line_limit_is_read_one_byte_more_is_not(
    tmp_path, shared, capsys, monkeypatch
) -> None:
    good_log(shared)
    at = entry("arxiv:at", "note", "x" * 100, machine=BAD)
    past = entry("arxiv:past", "note", "x" * 100, machine=BAD)
    monkeypatch.setattr(limits, "MAX_SYNC_ENTRY", len(at) - 1)  # the newline not counted
    past = past[:-2] + b" }\n"  # one byte longer, still JSON
    (shared / f"papertray.{BAD}.1.jsonl").write_bytes(header(BAD) + at + past)
    state, err = sync_here(tmp_path, shared, capsys)
    limit = limits.MAX_SYNC_ENTRY
    assert refusals(err) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: 1 line refused (line 3: longer than "
        f"{limit:,} bytes, the limit on one entry); the rest read"
    ]
    assert state.get("arxiv:at").note == "x" * 100 and state.get("arxiv:past").note == ""


def test_a_note_over_the_entry_limit_stays_here(tmp_path, shared, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_SYNC_ENTRY", 1000)
    state = State.open(tmp_path / "data")
    state.set_note("arxiv:1", "y" * 2000)
    state.set_note("arxiv:2", "short")
    report = Sync(state, shared).run()
    assert report.ok
    assert report.warnings == [
        "sync: 1 change over 1,000 bytes, the limit on one entry: kept here only"
    ]
    text = b"".join(p.read_bytes() for p in shared.iterdir())
    assert b"short" in text and b"yyyy" not in text
    assert all(len(line) <= 1000 for line in text.splitlines())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.timeout(30)
def test_a_fifo_or_a_device_under_a_logs_name_is_refused(tmp_path, shared, capsys) -> None:
    good_log(shared)
    os.mkfifo(shared / f"papertray.{BAD}.1.jsonl")
    os.symlink("/dev/zero", shared / "papertray.cccccccccccc.1.jsonl")
    _state, err = sync_here(tmp_path, shared, capsys)
    assert sorted(refusals(err)) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: not a regular file; not read",
        "papertray: sync: papertray.cccccccccccc.1.jsonl: not a regular file; not read",
    ]


def test_a_header_that_names_another_machine_is_refused(tmp_path, shared, capsys) -> None:
    good_log(shared)
    (shared / f"papertray.{BAD}.1.jsonl").write_bytes(header(OTHER) + entry("arxiv:x"))
    _state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == [
        f"papertray: sync: papertray.{BAD}.1.jsonl: its header names another machine than its "
        "file name; not read"
    ]


def test_names_from_the_folder_never_reach_the_terminal_raw(tmp_path, shared, capsys) -> None:
    good_log(shared)
    evil = f"papertray.{BAD}.1 \x1b]0;owned\x07.jsonl"  # a "conflict copy" with escapes
    (shared / evil).write_bytes(b"\x1b[31m\n")
    (shared / f"papertray.{OTHER}.1.jsonl").write_bytes(
        header(OTHER, name="desk\x1b[2J\u202e") + entry("arxiv:good")
    )
    _state, err = sync_here(tmp_path, shared, capsys)
    (line,) = refusals(err)
    assert "\x1b" not in line and "\\x1b]0;owned\\x07" in line
    assert (
        run(["--data-dir", str(tmp_path / "data"), "sync", "--status", "--folder", str(shared)])
        == 0
    )
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "desk\\x1b[2J\\u202e" in out


def test_other_files_in_the_folder_are_left_alone(tmp_path, shared, capsys) -> None:
    good_log(shared)
    for name in (
        "README.txt",
        ".DS_Store",
        "papertray.notes.md",
        f".papertray.{BAD}.1.jsonl.x.tmp",
    ):
        (shared / name).write_bytes(b"\x00junk")
    (shared / "sub").mkdir()
    _state, err = sync_here(tmp_path, shared, capsys)
    assert refusals(err) == []
    assert {p.name for p in shared.iterdir()} >= {
        "README.txt",
        "sub",
        f".papertray.{BAD}.1.jsonl.x.tmp",
    }
