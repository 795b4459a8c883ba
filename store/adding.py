"""How papers come into the library: each incoming paper is found as another copy of a paper the
library has (by any of its names, or by its title when nothing contradicts it), added as a new
one, or left out as one the user removed; then the rows, their words in the FTS5 index and the
stems of new words are written in the caller's transaction (`Library.add`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import orjson

from papertray.store.db import FIRST_BULK, PAPER_INDEXES
from papertray.store.identity import names, one_work_in_the_library
from papertray.store.models import Paper, title_key
from papertray.store.paper_rows import (
    COLUMNS,
    INSERT,
    UPDATE,
    fts_values,
    merged,
    row_of,
    to_paper,
    update_values,
)
from papertray.store.recall import KnownImport
from papertray.store.words import TOKENIZER, stems

__all__ = [
    "Adding",
    "ImportReport",
    "delete",
    "exists",
    "index",
    "learn_words",
    "read",
    "resolve_present",
    "rewrite",
]

# A batch of new words this big (against the library's size) reads the whole index's vocabulary
# for the new words; a smaller one (a day's papers) indexes its own text apart.
_VOCAB_SCAN_SHARE = 6


@dataclass
class ImportReport:
    new: int = 0
    """Papers added to the library."""
    merged: int = 0
    """Papers already in the library (by any of their names) that gained some information."""
    skipped: int = 0
    """Papers already in the library with nothing new."""
    removed: int = 0
    """Papers the user removed earlier, left out (a fetch never brings them back)."""
    ids: list[str] = field(default_factory=list)
    """The id of each given paper, in order, after merging (a paper known by another name
    gives the library's id)."""



def exists(conn: sqlite3.Connection, pid: str) -> bool:
    return conn.execute("SELECT 1 FROM papers WHERE id = ?", (pid,)).fetchone() is not None


def read(conn: sqlite3.Connection, pid: str) -> Paper:
    return to_paper(conn.execute(f"SELECT {COLUMNS} FROM papers WHERE id = ?", (pid,)).fetchone())


def resolve_present(conn: sqlite3.Connection, paper: Paper) -> str | None:
    """The id in the library of a paper known by its id or a name (no title match)."""
    for name in (paper.id, *names(paper)):
        if exists(conn, name):
            return name
        row = conn.execute("SELECT paper FROM aliases WHERE alias = ?", (name,)).fetchone()
        if row is not None and exists(conn, row[0]):
            return str(row[0])
    return None


def index(conn: sqlite3.Connection, rows: Iterable[tuple[int | None, Paper]]) -> None:
    conn.executemany(
        "INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
        ((rowid, *fts_values(paper)) for rowid, paper in rows),
    )


def delete(conn: sqlite3.Connection, paper: Paper) -> None:
    """A paper out of `papers` and out of the word index (given the values it was indexed
    with)."""
    row = conn.execute("SELECT rowid FROM papers WHERE id = ?", (paper.id,)).fetchone()
    if row is None:
        return
    conn.execute(
        "INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors) "
        "VALUES ('delete', ?, ?, ?, ?)",
        (row[0], *fts_values(paper)),
    )
    conn.execute("DELETE FROM papers WHERE rowid = ?", (row[0],))


def rewrite(
    conn: sqlite3.Connection, old: Paper, new: Paper, version: int
) -> tuple[str, str, str] | None:
    """A paper's fields changed; its words in the index follow when its text did. Returns the
    text indexed anew (for `learn_words`), or None when the words stayed."""
    conn.execute(UPDATE, update_values(new, version))
    before, after = fts_values(old), fts_values(new)
    if before == after:
        return None
    rowid = conn.execute("SELECT rowid FROM papers WHERE id = ?", (new.id,)).fetchone()[0]
    conn.execute(
        "INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors) "
        "VALUES ('delete', ?, ?, ?, ?)",
        (rowid, *before),
    )
    conn.execute(
        "INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
        (rowid, *after),
    )
    return after


def learn_words(conn: sqlite3.Connection, texts: Sequence[tuple[str, str, str]]) -> None:
    """Add the stems of the words of `texts` (just indexed) that `terms` does not know yet."""
    size = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    if len(texts) * _VOCAB_SCAN_SHARE >= size:
        # Most of the index is new: read its whole vocabulary.
        found = [
            r[0]
            for r in conn.execute(
                "SELECT term FROM papers_vocab WHERE term NOT IN (SELECT term FROM terms)"
            )
        ]
    else:
        scratch = sqlite3.connect(":memory:")
        try:
            scratch.execute(
                "CREATE VIRTUAL TABLE t USING fts5(a, b, c, content='', detail=none, "
                f"tokenize='{TOKENIZER}')"
            )
            scratch.executemany("INSERT INTO t (a, b, c) VALUES (?, ?, ?)", texts)
            scratch.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
            words = [r[0] for r in scratch.execute("SELECT term FROM v")]
        finally:
            scratch.close()
        known = {
            r[0]
            for r in conn.execute(
                "SELECT term FROM terms WHERE term IN (SELECT value FROM json_each(?))",
                (orjson.dumps(words).decode(),),
            )
        }
        found = [w for w in words if w not in known]
    if found:
        conn.executemany(
            "INSERT OR IGNORE INTO terms (term, stem) VALUES (?, ?)",
            zip(found, stems(found), strict=True),
        )


class Adding:
    """One `Library.add`: finds where each paper goes, then writes it all."""

    def __init__(
        self, conn: sqlite3.Connection, version: int, added_at: float, revive: bool, kind: str
    ) -> None:
        self.conn = conn
        self.version = version
        self.added_at = added_at
        self.revive = revive
        self.kind = kind
        self.report = ImportReport()
        self.new: dict[str, tuple[Paper, str]] = {}  # id -> (paper, title key), in order
        self.new_by_key: dict[str, list[str]] = {}
        self.changed: dict[str, tuple[Paper, Paper]] = {}  # id -> (as stored, as it becomes)
        self.aliases: dict[str, str] = {}
        self.sources: list[tuple[str, str]] = []
        self.also: list[str] = []
        self.keep_added = False
        self.removed_ids: list[str] = []  # removed papers left out (`revive` False)
        self.empty = conn.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM papers) AND NOT EXISTS (SELECT 1 FROM removed) "
            "AND NOT EXISTS (SELECT 1 FROM aliases)"
        ).fetchone()[0]

    # -- finding ---------------------------------------------------------------------------

    def _stored(self, pid: str) -> str | None:
        """"present" or "removed" for an id the library knows, else None."""
        if exists(self.conn, pid):
            return "present"
        if self.conn.execute("SELECT 1 FROM removed WHERE id = ?", (pid,)).fetchone():
            return "removed"
        return None

    def _current(self, pid: str) -> Paper:
        if pid in self.changed:
            return self.changed[pid][1]
        return read(self.conn, pid)

    def find(self, paper: Paper, key: str) -> tuple[str, str] | None:
        """(where, id): the paper this one is another copy of, "new" (added by this same
        call), "present" or "removed"; None when it is a paper the library never had."""
        for name in (paper.id, *names(paper)):
            if name in self.new:
                return "new", name
            if name in self.aliases:
                target = self.aliases[name]
                return ("new" if target in self.new else "present"), target
            if self.empty:
                continue
            where = self._stored(name)
            if where is not None:
                return where, name
            row = self.conn.execute("SELECT paper FROM aliases WHERE alias = ?", (name,)).fetchone()
            if row is not None:
                where = self._stored(row[0])
                if where is not None:
                    return where, row[0]
        if not key:
            return None
        for pid in self.new_by_key.get(key, ()):
            if one_work_in_the_library(self.new[pid][0], paper):
                return "new", pid
        if self.empty:
            return None
        for (pid,) in self.conn.execute(
            "SELECT id FROM papers WHERE title_key = ? ORDER BY rowid", (key,)
        ).fetchall():
            if one_work_in_the_library(self._current(pid), paper):
                return "present", pid
        for pid, row in self.conn.execute(
            "SELECT id, row FROM removed WHERE title_key = ?", (key,)
        ).fetchall():
            if one_work_in_the_library(Paper.from_dict(orjson.loads(row)["paper"]), paper):
                return "removed", pid
        return None

    # -- running -----------------------------------------------------------------------------

    def run(
        self, papers: list[Paper], keys: list[str], remember: KnownImport | None
    ) -> ImportReport:
        self.place(papers, keys)
        self._write(remember)
        return self.report

    def outcomes(self, papers: list[Paper], keys: list[str]) -> list[str]:
        """What adding each paper would do: "new", "updated" (a paper here that gains
        something), "unchanged" or "removed" (one the user removed, left out), found as `run`
        finds it and writing nothing. Only for an add that leaves removed papers out (`revive`
        False): bringing one back is a write."""
        assert not self.revive
        self.place(papers, keys)
        removed = set(self.removed_ids)
        return [
            "new" if pid in self.new
            else "updated" if pid in self.changed
            else "removed" if pid in removed
            else "unchanged"
            for pid in self.report.ids
        ]  # fmt: skip

    def place(self, papers: list[Paper], keys: list[str]) -> None:
        """Where each paper goes (`new`, `changed`, the report), nothing written yet."""
        report = self.report
        for paper, key in zip(papers, keys, strict=True):
            found = self.find(paper, key)
            if found is None:
                self._add_new(paper, key)
                continue
            where, target = found
            if target != paper.id:
                self.also.append(paper.id)
            self._name(paper, target)
            if where == "removed":
                if not self.revive:
                    report.removed += 1
                    self.removed_ids.append(target)
                    report.ids.append(target)
                    continue
                old = self._revived(target)
                self._add_new(merged(old, paper._replace(id=target)), title_key(old.title))
                continue
            report.ids.append(target)
            if where == "new":
                old_new, old_key = self.new[target]
                self.new[target] = (merged(old_new, paper._replace(id=target)), old_key)
                report.skipped += 1
                self.sources.append((target, paper.source))
                continue
            old = self._current(target)
            new = merged(old, paper._replace(id=target))
            self.sources.append((target, paper.source))
            if new == old:
                report.skipped += 1
                continue
            stored = self.changed[target][0] if target in self.changed else old
            self.changed[target] = (stored, new)
            report.merged += 1

    def _name(self, paper: Paper, target: str) -> None:
        for name in (paper.id, *names(paper)):
            if name != target:
                self.aliases[name] = target

    def _revived(self, pid: str) -> Paper:
        row = self.conn.execute("SELECT row FROM removed WHERE id = ?", (pid,)).fetchone()
        self.conn.execute("DELETE FROM removed WHERE id = ?", (pid,))
        return Paper.from_dict(orjson.loads(row[0])["paper"])

    def _add_new(self, paper: Paper, key: str) -> None:
        if not self.keep_added:
            paper = paper._replace(added_at=self.added_at)
        self.new[paper.id] = (paper, key)
        if key:
            self.new_by_key.setdefault(key, []).append(paper.id)
        for name in names(paper):
            self.aliases.setdefault(name, paper.id)
        self.sources.append((paper.id, paper.source))
        self.report.new += 1
        self.report.ids.append(paper.id)

    def _write(self, remember: KnownImport | None) -> None:
        conn, version, report = self.conn, self.version, self.report
        batch_id = None
        if self.new:
            latest = conn.execute(
                "SELECT id, at FROM batches WHERE new > 0 ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if latest is not None and latest[1] == self.added_at:
                batch_id = latest[0]
                conn.execute(
                    "UPDATE batches SET new = new + ? WHERE id = ?", (len(self.new), batch_id)
                )
            else:
                source = next(iter(self.new.values()))[0].source
                batch_id = conn.execute(
                    "INSERT INTO batches (at, kind, source, new) VALUES (?, ?, ?, ?)",
                    (self.added_at, self.kind, source, len(self.new)),
                ).lastrowid
            row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'papers'").fetchone()
            first = (row[0] if row else 0) + 1
            rows = [
                (first + i, paper) for i, (paper, _key) in enumerate(self.new.values())
            ]
            # Into an empty library, a big batch goes in without the indexes, made after.
            bulk = self.empty and len(rows) >= FIRST_BULK
            if bulk:
                for name in PAPER_INDEXES:
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
            conn.executemany(
                INSERT,
                (
                    row_of(paper, rowid=rowid, batch=batch_id, version=version, key=key)
                    for (rowid, paper), (_p, key) in zip(rows, self.new.values(), strict=True)
                ),
            )
            if bulk:
                for statement in PAPER_INDEXES.values():
                    conn.execute(statement)
            index(conn, rows)
        texts = [fts_values(paper) for paper, _key in self.new.values()]
        for old, new in self.changed.values():
            if (after := rewrite(conn, old, new, version)) is not None:
                texts.append(after)
        if texts:
            learn_words(conn, texts)
        # In key order: appended to their B-trees rather than put at random places.
        if self.aliases:
            conn.executemany(
                "INSERT OR IGNORE INTO aliases (alias, paper) VALUES (?, ?)",
                sorted(self.aliases.items()),
            )
        seq = batch_id if batch_id is not None else int(self.added_at)
        conn.executemany(
            "INSERT OR IGNORE INTO paper_sources (paper, source, seq) VALUES (?, ?, ?)",
            sorted((pid, source, seq) for pid, source in set(self.sources) if source),
        )
        # Only an import whose papers each landed on their own id can be replayed as "nothing
        # to do": two papers merged into one id would each overwrite the other's newer fields.
        ids = report.ids
        if remember is not None and ids and len(set(ids)) == len(ids) and not report.removed:
            record = {
                "format": remember.format,
                "duplicates": remember.duplicates,
                "warnings": list(remember.warnings),
                "ids": ids,
                "also": [a for a in self.also if a not in set(ids)],
                "version": version,
            }
            conn.execute(
                "INSERT OR REPLACE INTO imports (key, record) VALUES (?, ?)",
                (str(remember.key), orjson.dumps(record).decode()),
            )
