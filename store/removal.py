"""A paper leaving the library and coming back: a removal leaves a tombstone (the paper's whole
row, its place, its sources) so a fetch does not bring it back and undo puts it back as it was;
a fold makes two records of one paper one, the folded id a name of the other. Each step runs in
the caller's transaction (`Library.remove`, `restore`, `fold`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import orjson

from papertray.store import updates as _updates
from papertray.store.adding import delete, exists, index, learn_words, read, rewrite
from papertray.store.identity import names
from papertray.store.models import Paper, title_key
from papertray.store.paper_rows import COLUMNS, INSERT, merged, row_of, to_paper

__all__ = ["fold", "remove", "restore"]


def fold(conn: sqlite3.Connection, version: int, from_id: str, into_id: str) -> bool:
    """`from_id` merged into `into_id` and gone; False when either is not here."""
    if not (exists(conn, from_id) and exists(conn, into_id)):
        return False
    gone, into = read(conn, from_id), read(conn, into_id)
    delete(conn, gone)
    new = merged(into, gone)
    if new != into and (after := rewrite(conn, into, new, version)) is not None:
        learn_words(conn, [after])
    conn.execute("UPDATE aliases SET paper = ? WHERE paper = ?", (into_id, from_id))
    conn.executemany(
        "INSERT OR REPLACE INTO aliases (alias, paper) VALUES (?, ?)",
        [(from_id, into_id), *((n, into_id) for n in names(gone))],
    )
    conn.execute(
        "INSERT OR IGNORE INTO paper_sources (paper, source, seq) "
        "SELECT ?, source, seq FROM paper_sources WHERE paper = ?",
        (into_id, from_id),
    )
    conn.execute("DELETE FROM paper_sources WHERE paper = ?", (from_id,))
    _updates.fold(conn, from_id, into_id)
    return True


def remove(conn: sqlite3.Connection, ids: Iterable[str], now: float) -> list[str]:
    """The papers of `ids` out, each leaving its tombstone; the ids that were there."""
    gone: list[str] = []
    for pid in dict.fromkeys(ids):
        row = conn.execute(f"SELECT rowid, batch, {COLUMNS} FROM papers WHERE id = ?", (pid,))
        found = row.fetchone()
        if found is None:
            continue
        paper = to_paper(found[2:])
        sources = [
            [r[0], r[1]]
            for r in conn.execute("SELECT source, seq FROM paper_sources WHERE paper = ?", (pid,))
        ]
        stored = {"rowid": found[0], "batch": found[1], "paper": paper.to_dict()}
        conn.execute(
            "INSERT OR REPLACE INTO removed (id, at, title_key, row, sources) "
            "VALUES (?, ?, ?, ?, ?)",
            (pid, now, title_key(paper.title), orjson.dumps(stored).decode(),
             orjson.dumps(sources).decode()),
        )  # fmt: skip
        delete(conn, paper)
        conn.execute("DELETE FROM paper_sources WHERE paper = ?", (pid,))
        gone.append(pid)
    return gone


def restore(conn: sqlite3.Connection, version: int, ids: Iterable[str]) -> list[str]:
    """Removed papers back as they were; the ids put back."""
    back: list[str] = []
    for pid in dict.fromkeys(ids):
        found = conn.execute("SELECT row, sources FROM removed WHERE id = ?", (pid,)).fetchone()
        if found is None or exists(conn, pid):
            continue
        stored = orjson.loads(found[0])
        paper = Paper.from_dict(stored["paper"])
        rowid = stored.get("rowid")
        if rowid is not None and conn.execute(
            "SELECT 1 FROM papers WHERE rowid = ?", (rowid,)
        ).fetchone():
            rowid = None
        cursor = conn.execute(
            INSERT, row_of(paper, rowid=rowid, batch=stored.get("batch"), version=version)
        )
        index(conn, [(cursor.lastrowid, paper)])
        conn.executemany(
            "INSERT OR IGNORE INTO paper_sources (paper, source, seq) VALUES (?, ?, ?)",
            ((pid, s, q) for s, q in orjson.loads(found[1] or "[]")),
        )
        conn.execute("DELETE FROM removed WHERE id = ?", (pid,))
        back.append(pid)
    return back
