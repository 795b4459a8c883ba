"""A library database written at an earlier schema (`tests/fixtures/data-schema1`, made by that
commit: see its HOW.md) opens in this papertray with nothing lost, its indexes brought up to
date once, and the library works as a new one does: a paper met again under another title's
spelling lands on the paper it is, found through the new index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest
from helpers.cli import FIXTURES, copied_fixture, papertray

from papertray.store import Library, Paper, State
from papertray.store.adding import SAME_TITLE_KEY
from papertray.store.db import SCHEMA_VERSION, connect, title_hash

OLD = FIXTURES / "data-schema1"


@pytest.fixture
def old_folder(tmp_path: Path) -> Path:
    return copied_fixture("data-schema1", tmp_path)


def raw(path: Path) -> sqlite3.Connection:
    """The file read by plain SQLite: none of papertray's functions, nothing migrated, and
    nothing written beside it (`immutable`: no `-wal` or `-shm` file made in the fixture)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def indexes(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_the_old_folder_is_what_the_fixture_says() -> None:
    conn = raw(OLD / "library.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1 < SCHEMA_VERSION
    assert "papers_title_key" in indexes(conn) and "papers_title_hash" not in indexes(conn)
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 106
    assert conn.execute("SELECT count(*) FROM removed").fetchone()[0] == 1
    assert not (OLD / "library.db-wal").exists()


def test_every_paper_and_mark_comes_over_and_the_index_is_made_once(old_folder: Path) -> None:
    conn = raw(OLD / "library.db")
    before = conn.execute("SELECT * FROM papers ORDER BY rowid").fetchall()
    removed_before = conn.execute("SELECT * FROM removed").fetchall()
    marks_before = orjson.loads((OLD / "state.json").read_bytes())

    listed = []
    for query in ("-is:muted", "is:muted"):  # the rule hides 7 of them from a plain list
        run = papertray(old_folder, "list", "-q", query, "--format", "jsonl")
        assert run.returncode == 0, run.stderr
        listed += [orjson.loads(line) for line in run.stdout.splitlines()]
    assert len(listed) == 106
    assert {p["id"] for p in listed} == {row[1] for row in before}

    after = raw(old_folder / "library.db")
    assert after.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "papers_title_hash" in indexes(after) and "papers_title_key" not in indexes(after)
    assert after.execute("SELECT * FROM papers ORDER BY rowid").fetchall() == before
    assert after.execute("SELECT * FROM removed").fetchall() == removed_before
    assert orjson.loads((old_folder / "state.json").read_bytes()) == marks_before
    state = State.open(old_folder)
    assert state.get("arxiv:1706.03762").note == "Re-read §3.2"
    assert state.get("t:243ff14e222536a8").tags == ("diffusion", "to-read")
    assert [rule.query for rule in state.mute_rules()] == ["survey"]
    # The index holds every paper's hash: SQLite's own check, with papertray's functions.
    checked = connect(old_folder / "library.db")
    assert checked.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # Opened again: nothing left to do, the file is not written.
    stamp = (old_folder / "library.db").stat().st_mtime_ns
    again = papertray(old_folder, "list", "--format", "jsonl")
    assert again.returncode == 0, again.stderr
    assert (old_folder / "library.db").stat().st_mtime_ns == stamp


def test_a_paper_met_again_by_title_merges_through_the_new_index(old_folder: Path) -> None:
    library = Library.open(old_folder)
    first = library.get("t:243ff14e222536a8")
    assert first is not None
    spelled = Paper(
        id="arxiv:2612.99999",
        title=f"  {first.title.upper()} !",
        arxiv_id="2612.99999",
        upvotes=41,
    )
    report = library.add([spelled])
    assert report.ids == ["t:243ff14e222536a8"] and report.merged == 1 and report.new == 0
    assert len(Library.open(old_folder)) == 106
    got = Library.open(old_folder).get("t:243ff14e222536a8")
    assert got is not None and got.arxiv_id == "2612.99999" and got.upvotes == 41


def test_the_title_lookup_uses_the_index(old_folder: Path) -> None:
    """The lookup a new paper makes by title seeks the index, never reads the whole table (as
    it would if SQLite put the key into the index's expression)."""
    Library.open(old_folder).get("t:243ff14e222536a8")  # migrated
    conn = connect(old_folder / "library.db")
    plan = conn.execute(f"EXPLAIN QUERY PLAN {SAME_TITLE_KEY}", (title_hash("x"), "x")).fetchall()
    assert [row[3] for row in plan] == ["SEARCH papers USING INDEX papers_title_hash (<expr>=?)"]


def test_the_hash_is_a_stable_signed_32_bit_number() -> None:
    # What the index holds on disk: the same number in every process and release.
    assert title_hash("mesa memory efficient training") == title_hash(
        "mesa memory efficient training"
    )
    values = {title_hash(f"title {n}") for n in range(2000)}
    assert len(values) > 1990 and all(-(2**31) <= v < 2**31 for v in values)
    assert title_hash("") is not None and title_hash(None) is None
