"""What a data folder holds, to compare before and after a refused input or a fault: the state
file byte for byte, and the library database as its content (every row of every table, in
order: the same bytes on disk are not a fair test of an SQLite file, whose pages and WAL move
without its content changing)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def library_dump(path: Path) -> list[str]:
    """The SQL that rebuilds the database at `path` (read-only; [] when there is none)."""
    if not path.exists():
        return []
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def snapshot(folder: Path) -> dict[str, object]:
    """The state file's bytes and the library's content, by file name."""
    found: dict[str, object] = {}
    if (folder / "state.json").exists():
        found["state.json"] = (folder / "state.json").read_bytes()
    if (folder / "library.db").exists():
        found["library.db"] = library_dump(folder / "library.db")
    return found
