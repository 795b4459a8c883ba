"""Bringing a data folder written by a release before 0.2 up to date, with nothing lost.

Before 0.2 the library was one JSON file (`library.json`, with derived files beside it:
`library.preview.json`, `library.search.json`, `http-cache.json`) and the marks were keyed by
paper id in `state.json`'s table `states`. On the first start of 0.2:

- `migrate_library` builds `library.db` from `library.json`: every paper with its id, its place
  in import order, its added time (papers added together form one import batch again), the
  digests that gave it, and the names it answered to (the arXiv id a title-id paper gained, the
  titles folded into another paper). The database is written beside the old file and moved into
  place when complete; the old files are then renamed `*.pre-0.2` and kept.
- `migrate_state` rewrites `state.json` in the new layout (`store/state.py`): the same marks
  under the same ids, the same mute rules under the same numbers; the old file is kept as
  `state.json.pre-0.2`.

Each step is reported in one line. Two processes starting at once take turns (a lock file);
the second finds the work done.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from papertray.store import db
from papertray.store.models import Paper, key_id, title_key
from papertray.store.paths import LIBRARY_DB, LIBRARY_FILE

__all__ = ["OLD_SUFFIX", "migrate_library", "migrate_state"]

OLD_SUFFIX = ".pre-0.2"
DERIVED = ("library.preview.json", "library.search.json", "http-cache.json", "library.similar.npz")
LOCKS = (".library.json.lock", ".library.similar.lock")


@contextmanager
def _turn(folder: Path) -> Iterator[None]:
    import filelock

    lock = filelock.FileLock(str(folder / ".migrate.lock"))
    with lock:
        yield


def migrate_library(folder: Path) -> list[str]:
    """Make `library.db` from a pre-0.2 `library.json` in `folder` (nothing to do when there is
    none, or `library.db` exists already). Returns the lines to tell the user."""
    old, new = folder / LIBRARY_FILE, folder / LIBRARY_DB
    if new.exists() or not old.is_file():
        return []
    try:
        with _turn(folder):
            if new.exists() or not old.is_file():
                return []
            return _library(folder, old, new)
    except OSError as error:
        return [f"could not move the library to {new.name}: {error.strerror or error}"]


def _library(folder: Path, old: Path, new: Path) -> list[str]:
    try:
        tables = orjson.loads(old.read_bytes())
        if not isinstance(tables, dict) or not all(
            isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
            for table in tables.values()
        ):
            raise ValueError("wrong shape: not a TinyDB database")
        papers_table = tables.get("papers", {})
    except (ValueError, orjson.JSONDecodeError) as error:
        target = _aside(old, ".damaged-" + time.strftime("%Y%m%dT%H%M%S"))
        return [
            f"the old library file {old} was damaged ({str(error).splitlines()[0]}); "
            f"moved aside to {target}; starting empty"
        ]
    temp = new.with_name(f".{new.name}.migrating-{os.getpid()}")
    for leftover in (temp, temp.with_name(temp.name + "-wal"), temp.with_name(temp.name + "-shm")):
        if leftover.exists():
            leftover.unlink()
    conn = db.connect(temp)
    try:
        db.migrate(conn)
        count, batches = _fill(conn, tables, papers_table)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    os.replace(temp, new)
    for side in ("-wal", "-shm"):
        leftover = temp.with_name(temp.name + side)
        if leftover.exists():
            leftover.unlink()
    kept = [_aside(old, OLD_SUFFIX)]
    for name in DERIVED:
        if (folder / name).exists():
            kept.append(_aside(folder / name, OLD_SUFFIX))
    for name in LOCKS:
        try:
            (folder / name).unlink()
        except OSError:
            pass
    return [
        f"the library moved to {new} ({count} papers, {batches} import batches; the old files "
        f"are kept as {', '.join(p.name for p in kept)})"
    ]


def _aside(path: Path, suffix: str) -> Path:
    target = path.with_name(path.name + suffix)
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{suffix}-{n}")
    os.replace(path, target)
    return target


def _fill(
    conn: sqlite3.Connection, tables: dict[str, Any], papers_table: dict[str, Any]
) -> tuple[int, int]:
    """The papers, batches, sources and names of the old tables, written as they were (never
    merged with each other: each old record keeps its id, and so its marks)."""
    from papertray.store.adding import index, learn_words
    from papertray.store.identity import names as names_of
    from papertray.store.links import is_safe_url
    from papertray.store.paper_rows import INSERT, fts_values, row_of

    papers: list[Paper] = []
    for pid, doc in papers_table.items():
        if not isinstance(doc, dict) or not isinstance(doc.get("title"), str):
            continue
        try:
            paper = Paper.from_dict({**doc, "id": pid})
        except (TypeError, ValueError):
            continue
        # The file may have been written by hand or by another tool: only safe http(s) links
        # come over (a link with a line break in it would be two in the library's rows).
        links = tuple(u for u in paper.links if isinstance(u, str) and is_safe_url(u))
        repo = paper.repo if paper.repo in links else None
        papers.append(paper._replace(links=links, repo=repo))
    conn.execute("BEGIN IMMEDIATE")
    batch_of: dict[float, int] = {}
    for paper in papers:
        at = paper.added_at
        if at is not None and at not in batch_of:
            count = sum(1 for p in papers if p.added_at == at)
            batch_of[at] = conn.execute(
                "INSERT INTO batches (at, kind, source, new) VALUES (?, 'import', ?, ?)",
                (at, paper.source, count),
            ).lastrowid or 0
    rows = [(i + 1, paper) for i, paper in enumerate(papers)]
    conn.executemany(
        INSERT,
        (
            row_of(p, rowid=rowid, batch=batch_of.get(p.added_at or -1.0), version=1)
            for rowid, p in rows
        ),
    )
    index(conn, rows)
    ids = {p.id for p in papers}
    names: dict[str, str] = {}
    for paper in papers:
        for name in names_of(paper):
            if name not in ids:
                names.setdefault(name, paper.id)
    stored_index = tables.get("index")
    keys = stored_index.get("title_keys") if isinstance(stored_index, dict) else None
    if isinstance(keys, dict):
        own = {title_key(p.title) for p in papers}
        for key, pid in keys.items():
            # A title that leads to a paper under another title: a record folded into it.
            if isinstance(key, str) and pid in ids and key not in own:
                alias = key_id(key)
                if alias not in ids:
                    names.setdefault(alias, pid)
    conn.executemany("INSERT OR IGNORE INTO aliases (alias, paper) VALUES (?, ?)", names.items())
    first_seen: dict[str, int] = {}
    pairs: list[tuple[str, str, int]] = []
    for paper in papers:
        if paper.source:
            seq = first_seen.setdefault(paper.source, len(first_seen))
            pairs.append((paper.id, paper.source, seq))
    sources = tables.get("sources")
    if isinstance(sources, dict):
        for name, record in sources.items():
            listed = record.get("ids") if isinstance(record, dict) else None
            if not isinstance(name, str) or not isinstance(listed, list):
                continue
            seq = first_seen.setdefault(name, len(first_seen))
            pairs.extend((pid, name, seq) for pid in listed if pid in ids)
    conn.executemany(
        "INSERT OR IGNORE INTO paper_sources (paper, source, seq) VALUES (?, ?, ?)", sorted(pairs)
    )
    learn_words(conn, [fts_values(p) for p in papers])
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('version', 1)")
    conn.execute("COMMIT")
    return len(papers), len(batch_of)


def migrate_state(storage: Any) -> str | None:
    """Rewrite a pre-0.2 `state.json` (marks in table `states`, keyed by paper id) in the
    layout `State` reads, keeping the old file beside it. None when there is nothing to do."""
    from papertray.store.state import OLD_TABLES

    first = storage.read() or {}
    if not any(name in first for name in OLD_TABLES):
        return None  # (without the lock: opening a folder that does not exist creates nothing)
    with storage.transaction():
        tables = storage.read() or {}
        if not any(name in tables for name in OLD_TABLES):
            return None
        old_marks = tables.get("states") or {}
        marks = {
            str(n): {**doc, "paper": pid}
            for n, (pid, doc) in enumerate(
                ((p, d) for p, d in old_marks.items() if isinstance(d, dict)), start=1
            )
        }
        mutes = {k: v for k, v in (tables.get("mutes") or {}).items() if str(k).isdigit()}
        meta = tables.get("mutes_meta") or {}
        following = meta.get("next", {}).get("n") if isinstance(meta.get("next"), dict) else None
        highest = max([0, *(int(k) for k in mutes)])
        next_rule = max(following if isinstance(following, int) else 1, highest + 1)
        backup = storage.path.with_name(storage.path.name + OLD_SUFFIX)
        shutil.copy2(storage.path, backup)
        new_tables = {k: v for k, v in tables.items() if k not in ("states", "mutes_meta")}
        new_tables["marks"] = marks
        new_tables["mutes"] = mutes
        new_tables["papertray"] = {"1": {"format": 2, "next_rule": next_rule}}
        storage.write(new_tables)
    return (
        f"{storage.path.name} moved to the new layout ({len(marks)} papers marked, "
        f"{len(mutes)} mute rules; the old file is kept as {backup.name})"
    )
