"""The library database's schema and its versions: a new file gets the whole schema at
`SCHEMA_VERSION`; each step of `MIGRATIONS` takes a database one version up (tested here one by
one); a database of a newer papertray is refused in one line and never touched. And the marks
file is plain TinyDB: the stock `JSONStorage` reads it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers.snapshot import library_dump
from tinydb import TinyDB

from papertray.store import Library, Paper, State, StoreError
from papertray.store.db import MIGRATIONS, SCHEMA_VERSION, connect, migrate, version


def test_a_new_database_gets_the_schema_at_its_version(tmp_path: Path) -> None:
    conn = connect(tmp_path / "library.db")
    assert migrate(conn) == 0
    assert version(conn) == SCHEMA_VERSION
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"papers", "aliases", "removed", "batches", "paper_sources", "imports", "http_cache",
            "terms", "meta", "papers_fts", "papers_vocab"} <= names  # fmt: skip
    assert migrate(conn) == SCHEMA_VERSION  # nothing left to do
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("start", sorted(MIGRATIONS))
def test_each_migration_takes_one_version_up(tmp_path: Path, start: int) -> None:
    # A database at version `start` (made by running the steps before it) goes to start + 1.
    conn = connect(tmp_path / "library.db")
    migrate(conn)
    conn.execute(f"PRAGMA user_version = {start}")
    MIGRATIONS[start](conn)
    assert version(conn) == start


def test_every_version_below_the_current_has_a_step() -> None:
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def test_a_database_of_a_newer_papertray_is_refused_and_left_alone(tmp_path: Path) -> None:
    Library.open(tmp_path).add([Paper("t:1", "A paper")])
    path = tmp_path / "library.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    before = library_dump(path)
    with pytest.raises(StoreError) as info:
        len(Library.open(tmp_path))
    message = str(info.value)
    assert "\n" not in message and "newer papertray" in message and str(path) in message
    assert library_dump(path) == before
    assert not list(tmp_path.glob("library.db.damaged-*"))  # not taken for damage


def test_state_json_is_plain_tinydb(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    state.toggle_star("arxiv:2401.00001")
    state.set_tags("t:abc", ["llm", "to-read"])
    state.add_mute("survey", "not my field")
    stock = TinyDB(str(tmp_path / "state.json"))  # TinyDB's own JSONStorage
    marks = {doc["paper"]: doc for doc in stock.table("marks").all()}
    assert marks["arxiv:2401.00001"]["starred"] is True
    assert marks["t:abc"]["tags"] == ["llm", "to-read"]
    (rule,) = stock.table("mutes").all()
    assert rule.doc_id == 1 and rule["query"] == "survey" and rule["why"] == "not my field"
    stock.close()
