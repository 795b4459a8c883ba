"""The imported papers: the library database (`library.db`, see `store/db.py`).

`Library` is the one way in. Adding papers is one transaction that costs what is added: the
new rows, their words in the FTS5 index (in the same transaction), their aliases and sources,
and the new words' stems. A paper that arrives again is found by any name it has (its id, its
arXiv id, a DOI, the id of a record folded into it, or its title when nothing contradicts:
`paper_rows.same_work_by_title`) and completed (`paper_rows.merged`), never duplicated; its
lasting id, the one marks are kept under in `state.json`, is the id it first came with.

A removed paper leaves a tombstone (table `removed`, its whole row): a fetch of the same day
does not bring it back, an explicit import of a file that holds it does, and undo (`restore`)
puts it back where it was, with its first added time (so not `is:new`).

Queries go through `select` (`store/query_sql.py`); rows are read back as `Paper`s by rowid.
Readers in other threads get connections of their own (WAL: they never wait for a writer);
each connection keeps its own copy of the user's marks for queries (`query_sql.sync_marks`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from papertray.store import db
from papertray.store.dates import now as clock_now
from papertray.store.models import Paper, PaperState, title_key
from papertray.store.paper_rows import (
    COLUMNS,
    INSERT,
    UPDATE,
    fts_values,
    merged,
    revised,
    row_of,
    same_work_by_title,
    to_paper,
    update_values,
)
from papertray.store.paths import LIBRARY_DB
from papertray.store.query import Query
from papertray.store.query_sql import MarksTables, Selection, compile_where, select, sync_marks
from papertray.store.query_tree import Node, QueryContext
from papertray.store.recall import ContentKey, KnownImport, content_key
from papertray.store.storage import StoreError
from papertray.store.words import TOKENIZER, stems

__all__ = [
    "ImportBatch",
    "ImportReport",
    "Interrupted",
    "KnownImport",
    "Library",
    "StoreError",
    "content_key",
]

# A batch of new words this big (against the library's size) reads the whole index's vocabulary
# for the new words; a smaller one indexes its own text apart (a 500-paper day: ~25 ms).
_VOCAB_SCAN_SHARE = 6
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")


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


@dataclass(frozen=True)
class ImportBatch:
    """The latest import that added papers: when (the `added_at` of its papers) and how many
    of its papers are in the library now. One command importing several files is one batch."""

    at: float
    new: int


class Interrupted(StoreError):
    """A query cut short by `Library.interrupt` (a newer one was asked for)."""


def _read_error(path: Path | None, error: sqlite3.Error) -> StoreError:
    if str(error) == "interrupted":
        return Interrupted("the query was interrupted")
    return StoreError(f"could not read the library {path or 'in memory'}: {_one_line(error)}")


def _dois(paper: Paper) -> list[str]:
    found = []
    for link in paper.links:
        for prefix in _DOI_PREFIXES:
            if link.startswith(prefix) and len(link) > len(prefix):
                found.append("doi:" + link[len(prefix) :].lower())
    return found


def _names(paper: Paper) -> list[str]:
    """The names a paper answers to besides its id: its arXiv id, its DOIs."""
    names = []
    if paper.arxiv_id and paper.id != f"arxiv:{paper.arxiv_id}":
        names.append(f"arxiv:{paper.arxiv_id}")
    names.extend(_dois(paper))
    return names


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


class Library:
    """The papers imported so far, in import order."""

    def __init__(self, path: Path | None, *, read_only: bool = False, check: bool = True) -> None:
        """`path` None keeps everything in memory (tests, scratch sessions, a file's papers
        listed without importing them). Opening creates nothing on disk: the database file is
        made by the first write. With `check`, a damaged file is found (and moved aside) now."""
        self.path = Path(os.path.abspath(path)) if path is not None else None
        self.warnings: list[str] = []
        self.notices: list[str] = []
        """What opening did that the user should hear once (a library migrated)."""
        self._explicit_read_only = read_only
        self._lock = threading.RLock()  # the writer, and opening connections
        # Two reading connections, each shared by every thread under its own lock: `look`
        # for quick look-ups (a screenful of rows, one paper), `search` for queries, which may
        # take longer and can be cut short (`interrupt`) without keeping the look-ups waiting.
        self._look_lock = threading.RLock()
        self._search_lock = threading.RLock()
        self._conns: dict[str, sqlite3.Connection] = {}
        self._empty_conn: sqlite3.Connection | None = None
        self._memory: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None
        self._marks: dict[int, MarksTables] = {}
        self._seen_version: int | None = None
        self._damaged = False
        if self.path is None:
            self._memory = self._open_memory()
        elif check:
            with self._look_lock:
                self._reader("look")
        self._seen_version = self.version() if check else None

    @classmethod
    def in_memory(cls) -> Library:
        return cls(None)

    @classmethod
    def open(cls, data_dir: Path, *, read_only: bool = False, check: bool = True) -> Library:
        from papertray.store.migrate import migrate_library  # only a pre-0.2 folder needs it

        path = Path(data_dir) / LIBRARY_DB
        notices = [] if read_only else migrate_library(Path(data_dir))
        library = cls(path, read_only=read_only, check=check)
        library.notices.extend(notices)
        return library

    # -- connections -------------------------------------------------------------------------

    @staticmethod
    def _open_memory() -> sqlite3.Connection:
        conn = db.connect(":memory:")
        db.migrate(conn)
        return conn

    @property
    def read_only(self) -> bool:
        """True when saving cannot work: opened read-only, a damaged file left in place, or a
        data folder this process may not write."""
        if self._memory is not None:
            return self._explicit_read_only
        if self._explicit_read_only or self._damaged:
            return True
        assert self.path is not None
        folder = self.path.parent
        while not folder.exists():
            if folder.parent == folder:
                return True
            folder = folder.parent
        target = self.path if self.path.exists() else folder
        return not os.access(target, os.W_OK)

    def _connect_file(self, *, read_only: bool) -> sqlite3.Connection:
        assert self.path is not None
        conn = db.connect(self.path, read_only=read_only)
        try:
            db.migrate(conn) if not read_only else conn.execute("SELECT 1 FROM papers LIMIT 1")
        except ValueError as error:  # a newer schema: never touch it
            conn.close()
            raise StoreError(f"cannot open the library {self.path}: {error}") from None
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _reader(self, name: str) -> sqlite3.Connection:
        """The reading connection `name` ("look" or "search"; the caller holds its lock), or
        the one connection of a memory library."""
        if self._memory is not None:
            return self._memory
        conn = self._conns.get(name)
        if conn is not None:
            return conn
        with self._lock:
            assert self.path is not None
            if self._damaged or not self.path.exists():
                return self._empty()  # a missing file: ask again, a write may create it
            try:
                conn = self._connect_file(read_only=self._explicit_read_only)
            except sqlite3.DatabaseError as error:
                return self._set_aside(error)
            except sqlite3.Error as error:
                raise StoreError(f"could not read the library {self.path}: {_one_line(error)}")
            self._conns[name] = conn
        return conn

    def _empty(self) -> sqlite3.Connection:
        """A stand-in for a library file that does not exist (yet): empty, in memory."""
        if self._empty_conn is None:
            self._empty_conn = self._open_memory()
        return self._empty_conn

    def _set_aside(self, error: BaseException) -> sqlite3.Connection:
        """A file that is no database (or a damaged one): moved aside, reported, and the
        library starts empty. Left in place (and read as empty) when opened read-only."""
        assert self.path is not None
        what = f"library file {self.path} was damaged ({_one_line(error)})"
        if self._explicit_read_only:
            self._damaged = True
            self.warnings.append(f"{what}; left in place (opened read-only); reading it as empty")
            return self._empty()
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        try:
            os.replace(self.path, target)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, target.with_name(target.name + suffix))
        except OSError as exc:
            self._damaged = True
            self.warnings.append(
                f"{what} and could not be moved aside ({exc.strerror or exc}); "
                "reading it as empty; changes will not be saved"
            )
            return self._empty()
        self.warnings.append(f"{what}; moved aside to {target}; starting empty")
        return self._empty()

    def _write_conn(self) -> sqlite3.Connection:
        if self._memory is not None:
            return self._memory
        if self._writer is None:
            if self.read_only:
                why = "it was opened read-only" if self._explicit_read_only else (
                    "it is damaged" if self._damaged else "its folder cannot be written"
                )
                raise StoreError(f"cannot save the library {self.path}: {why}")
            assert self.path is not None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._writer = self._connect_file(read_only=False)
            except OSError as error:
                raise StoreError(
                    f"could not save the library {self.path}: {error.strerror or error}"
                ) from None
            except sqlite3.DatabaseError as error:
                self._set_aside(error)
                self._writer = self._connect_file(read_only=False)
            except sqlite3.Error as error:
                raise StoreError(f"could not save the library {self.path}: {_one_line(error)}")
            self._drop_readers()  # read the new file from now on
        return self._writer

    @contextmanager
    def _transaction(self) -> Iterator[tuple[sqlite3.Connection, int]]:
        """A write transaction and its version number (each write's is one more). Any
        SQLite failure (a full disk, a read-only file) is a `StoreError`, nothing written."""
        with self._lock:
            conn = self._write_conn()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise StoreError(
                    f"could not save the library {self.path}: {_one_line(error)}"
                ) from None
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                version = (row[0] if row else 0) + 1
                before = conn.total_changes
                yield conn, version
                wrote = conn.total_changes != before  # a write that changed nothing: no version
                if wrote:
                    conn.execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)",
                        (version,),
                    )
                conn.execute("COMMIT")
                if wrote and self._seen_version == version - 1:
                    self._seen_version = version  # our own write is no news to us
            except sqlite3.Error as error:
                self._rollback(conn)
                raise StoreError(
                    f"could not save the library {self.path or 'in memory'}: {_one_line(error)}"
                ) from None
            except BaseException:
                self._rollback(conn)
                raise

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _drop_readers(self) -> None:
        with self._look_lock, self._search_lock:
            for conn in self._conns.values():
                conn.close()
            self._conns.clear()
            self._marks.clear()

    def close(self) -> None:
        with self._lock:
            self._drop_readers()
            if self._writer is not None:
                self._writer.close()
            self._writer = None

    def interrupt(self) -> None:
        """Cut short a query running in another thread (`select`, `count`): it raises
        `Interrupted` there. For a search a newer keystroke made stale."""
        conn = self._memory if self._memory is not None else self._conns.get("search")
        if conn is not None:
            conn.interrupt()

    # -- change across processes -------------------------------------------------------------

    def version(self) -> int:
        """The number of writes this library has seen (any process's): a change stamp."""
        try:
            rows = self._rows("SELECT value FROM meta WHERE key = 'version'")
        except StoreError:
            return 0
        return int(rows[0][0]) if rows else 0

    def stamp(self) -> list[int]:
        """What names this state of the library (its own random id, and `version`): the
        similarity index saved beside it is used only while the stamp is the same."""
        rows = self._rows("SELECT value FROM meta WHERE key = 'id'")
        ident = int(str(rows[0][0])[:12], 16) if rows else 0
        return [ident, self.version()]

    def stale(self) -> bool:
        """True once another process (or another `Library` on the file) has written since this
        one last looked (`refresh`): one cheap read of the version."""
        if self._seen_version is None:
            self._seen_version = self.version()
            return False
        return self.version() != self._seen_version

    def refresh(self) -> bool:
        """Take note of the library as it is now; True if it changed since the last look."""
        before, self._seen_version = self._seen_version, self.version()
        return before is not None and before != self._seen_version

    # -- reading -----------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        lock = self._lock if self._memory is not None else self._look_lock
        try:
            with lock:
                return self._reader("look").execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise _read_error(self.path, error) from None

    def __len__(self) -> int:
        return int(self._rows("SELECT count(*) FROM papers")[0][0])

    def __contains__(self, pid: object) -> bool:
        return isinstance(pid, str) and bool(self._rows("SELECT 1 FROM papers WHERE id = ?", (pid,)))

    def get(self, pid: str) -> Paper | None:
        rows = self._rows(f"SELECT {COLUMNS} FROM papers WHERE id = ?", (pid,))
        return to_paper(rows[0]) if rows else None

    def papers(self) -> list[Paper]:
        """Every paper, in import order."""
        return [to_paper(r) for r in self._rows(f"SELECT {COLUMNS} FROM papers ORDER BY rowid")]

    def ids(self) -> list[str]:
        """Every paper's id, in import order."""
        return [r[0] for r in self._rows("SELECT id FROM papers ORDER BY rowid")]

    def papers_among(self, ids: Iterable[str]) -> list[Paper]:
        """The papers whose id is in `ids`, in import order."""
        wanted = orjson.dumps(list(ids)).decode()
        return [
            to_paper(r)
            for r in self._rows(
                f"SELECT {COLUMNS} FROM papers WHERE id IN (SELECT value FROM json_each(?)) "
                "ORDER BY rowid",
                (wanted,),
            )
        ]

    def present(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` that are papers in the library now."""
        wanted = orjson.dumps(list(ids)).decode()
        return {
            r[0]
            for r in self._rows(
                "SELECT id FROM papers WHERE id IN (SELECT value FROM json_each(?))", (wanted,)
            )
        }

    def rows(self, rowids: Sequence[int]) -> list[Paper]:
        """The papers of these rowids, in the order given (a rowid no longer there is left
        out): what the reader draws, a screenful at a time."""
        if not rowids:
            return []
        wanted = orjson.dumps(list(rowids)).decode()
        found = {
            r[0]: to_paper(r[1:])
            for r in self._rows(
                f"SELECT rowid, {COLUMNS} FROM papers "
                "WHERE rowid IN (SELECT value FROM json_each(?))",
                (wanted,),
            )
        }
        return [found[i] for i in rowids if i in found]

    def rowids_of(self, ids: Iterable[str]) -> dict[str, int]:
        """Paper id -> rowid, for those of `ids` in the library."""
        wanted = orjson.dumps(list(ids)).decode()
        return {
            r[0]: r[1]
            for r in self._rows(
                "SELECT id, rowid FROM papers WHERE id IN (SELECT value FROM json_each(?))",
                (wanted,),
            )
        }

    def resolve(self, name: str) -> str | None:
        """The id of the paper (in the library or removed) that answers to `name`: its id, an
        arXiv id (`arxiv:…`), a DOI (`doi:…`) or an id folded into it."""
        if self._rows("SELECT 1 FROM papers WHERE id = ?", (name,)):
            return name
        rows = self._rows("SELECT paper FROM aliases WHERE alias = ?", (name,))
        return rows[0][0] if rows else None

    def ids_starting(self, prefix: str, limit: int = 6) -> list[str]:
        """Ids that start with `prefix`, or whose part after `arxiv:` / `t:` does."""
        upper = prefix + "\uffff"
        rows = self._rows(
            "SELECT id FROM papers WHERE (id >= ? AND id < ?) OR (id >= ? AND id < ?) "
            "OR (id >= ? AND id < ?) ORDER BY rowid LIMIT ?",
            (prefix, upper, "arxiv:" + prefix, "arxiv:" + upper, "t:" + prefix, "t:" + upper,
             limit),
        )  # fmt: skip
        return [r[0] for r in rows]

    def identify(self, papers: Sequence[Paper]) -> list[str | None]:
        """The id each paper has in the library (found as `add` would find it), or None."""
        with self._query_conn() as conn:
            finder = _Adding(conn, 0, 0.0, False, "")
            found = [finder.find(p, title_key(p.title)) for p in papers]
        return [f[1] if f is not None and f[0] == "present" else None for f in found]

    def latest_import(self) -> ImportBatch | None:
        """The latest import that added papers (`is:new`, the status line's "12 new"), with how
        many of its papers are in the library now."""
        rows = self._rows("SELECT at FROM batches WHERE new > 0 ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        at = float(rows[0][0])
        count = self._rows("SELECT count(*) FROM papers WHERE added_at = ?", (at,))[0][0]
        return ImportBatch(at, int(count))

    # -- queries -----------------------------------------------------------------------------

    def _marks_for(
        self, conn: sqlite3.Connection, states: Mapping[str, PaperState], version: object
    ) -> MarksTables:
        held = self._marks.get(id(conn))
        tables = sync_marks(conn, states, version, held)
        self._marks[id(conn)] = tables
        return tables

    def select(
        self,
        query: Query,
        states: Mapping[str, PaperState],
        *,
        context: QueryContext | None = None,
        order_by: str = "papers.rowid",
        limit: int | None = None,
        count_muted: bool = False,
        marks_version: object = None,
        scope: Collection[int] | None = None,
        papers: bool = False,
    ) -> Selection:
        """The rowids of the papers matching `query` (see `query_sql.select`), with the user's
        marks `states` (`marks_version`: `State.version`, so unchanged marks are not copied
        again); `scope`: only among these rowids. With `papers`, the `Paper`s themselves
        (in `rows`) instead of their rowids."""
        context = context or QueryContext()
        with self._query_conn() as conn:
            tables = self._marks_for(conn, states, marks_version)
            scope_table = None
            if scope is not None:
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS pt_scope (rowid INTEGER PRIMARY KEY)")
                conn.execute("DELETE FROM temp.pt_scope")
                conn.executemany("INSERT INTO temp.pt_scope VALUES (?)", ((r,) for r in scope))
                scope_table = "temp.pt_scope"
            try:
                found = select(
                    conn,
                    query,
                    tables.tags,
                    context,
                    order_by=order_by,
                    limit=limit,
                    count_muted=count_muted,
                    scope=scope_table,
                    columns=", ".join(f"papers.{c.strip()}" for c in COLUMNS.split(","))
                    if papers
                    else "papers.rowid",
                )
            except sqlite3.Error as error:
                raise _read_error(self.path, error) from None
            if papers:
                found.rows = [to_paper(r) for r in found.rows]
            return found

    def count(
        self,
        node: Node,
        states: Mapping[str, PaperState],
        *,
        context: QueryContext | None = None,
        marks_version: object = None,
    ) -> int:
        """How many papers a query tree (a mute rule) matches."""
        with self._query_conn() as conn:
            tables = self._marks_for(conn, states, marks_version)
            where, params = compile_where(conn, node, tables.tags, context or QueryContext())
            try:
                found = conn.execute(f"SELECT count(*) FROM papers WHERE {where}", params)
                return int(found.fetchone()[0])
            except sqlite3.Error as error:
                raise _read_error(self.path, error) from None

    @contextmanager
    def _query_conn(self) -> Iterator[sqlite3.Connection]:
        lock = self._lock if self._memory is not None else self._search_lock
        with lock:
            yield self._reader("search")

    # -- adding ------------------------------------------------------------------------------

    def recall(self, key: str | ContentKey) -> KnownImport | None:
        """What importing the input with this `content_key` did last time, if importing it again
        would change nothing: None when it was never imported, or when any of its papers has
        changed since (or is gone)."""
        if not self._rows("SELECT 1 FROM imports LIMIT 1"):
            return None  # without asking for the key: its hash may still be running
        rows = self._rows("SELECT record FROM imports WHERE key = ?", (str(key),))
        if not rows:
            return None
        try:
            record = orjson.loads(rows[0][0])
            ids, also, at = record["ids"], record["also"], record["version"]
            fmt, duplicates, warnings = record["format"], record["duplicates"], record["warnings"]
        except (orjson.JSONDecodeError, TypeError, KeyError):
            return None
        if not (
            isinstance(ids, list)
            and ids
            and all(isinstance(pid, str) for pid in ids)
            and isinstance(also, list)
            and all(isinstance(pid, str) for pid in also)
            and type(at) is int
            and isinstance(fmt, str)
            and type(duplicates) is int
            and isinstance(warnings, list)
            and all(isinstance(w, str) for w in warnings)
        ):
            return None  # a record edited by hand, or of another version
        unique = list(dict.fromkeys(ids))
        held = self._rows(
            "SELECT count(*) FROM papers WHERE id IN (SELECT value FROM json_each(?)) "
            "AND version <= ?",
            (orjson.dumps(unique).decode(), at),
        )[0][0]
        if held != len(unique) or (also and self.present(also)):
            return None
        return KnownImport(key, fmt, duplicates, list(warnings), list(ids))

    def add(
        self,
        papers: Iterable[Paper],
        *,
        title_keys: Sequence[str] | None = None,
        remember: KnownImport | None = None,
        batch: float | None = None,
        revive: bool = True,
        kind: str = "import",
    ) -> ImportReport:
        """Add papers, merging each into the paper it is another copy of; one transaction, and
        nothing written when nothing changes.

        `title_keys`, if given, is `title_key(p.title)` of each paper. `remember` records this
        import under its content key for `recall`. New papers get `added_at` = `batch`
        (default: now); an import that adds papers becomes the latest batch (`is:new`), and
        further adds with the same `batch` (more files of one command) join it. A paper the
        user removed comes back (`revive`, an explicit import) or is left out (a fetch)."""
        papers = list(papers)
        keys = list(title_keys) if title_keys is not None else [title_key(p.title) for p in papers]
        added_at = clock_now() if batch is None else batch
        with self._transaction() as (conn, version):
            return _Adding(conn, version, added_at, revive, kind).run(papers, keys, remember)

    def update(self, papers: Iterable[Paper]) -> int:
        """Revise papers already in the library (a newer version's title, authors, links), and
        skip the others; returns how many changed. For arXiv replacement announcements."""
        count = 0
        with self._transaction() as (conn, version):
            for paper in papers:
                target = _resolve_present(conn, paper)
                if target is None:
                    continue
                old = _read(conn, target)
                new = revised(old, paper._replace(id=target))
                if new != old:
                    _rewrite(conn, old, new, version)
                    count += 1
        return count

    # -- folding, removing, restoring ---------------------------------------------------------

    def fold(self, from_id: str, into_id: str) -> bool:
        """Merge the paper `from_id` into `into_id` and remove it (two records of one paper,
        found to be one by `enrich`); `from_id` becomes a name of `into_id`. One transaction;
        False when either is not here."""
        if from_id == into_id:
            return False
        with self._transaction() as (conn, version):
            if not (_exists(conn, from_id) and _exists(conn, into_id)):
                return False
            gone, into = _read(conn, from_id), _read(conn, into_id)
            _delete(conn, gone)
            new = merged(into, gone)
            if new != into:
                _rewrite(conn, into, new, version)
            conn.execute("UPDATE aliases SET paper = ? WHERE paper = ?", (into_id, from_id))
            conn.executemany(
                "INSERT OR REPLACE INTO aliases (alias, paper) VALUES (?, ?)",
                [(from_id, into_id), *((n, into_id) for n in _names(gone))],
            )
            conn.execute(
                "INSERT OR IGNORE INTO paper_sources (paper, source, seq) "
                "SELECT ?, source, seq FROM paper_sources WHERE paper = ?",
                (into_id, from_id),
            )
            conn.execute("DELETE FROM paper_sources WHERE paper = ?", (from_id,))
            return True

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Take papers out of the library (one transaction); returns the ids that were there.
        Each leaves a tombstone (see the module docstring); the user's marks stay in the state
        file, so a paper that comes back has them."""
        gone: list[str] = []
        now = clock_now()
        with self._transaction() as (conn, _version):
            for pid in dict.fromkeys(ids):
                row = conn.execute(
                    f"SELECT rowid, batch, {COLUMNS} FROM papers WHERE id = ?", (pid,)
                ).fetchone()
                if row is None:
                    continue
                paper = to_paper(row[2:])
                sources = [
                    [r[0], r[1]]
                    for r in conn.execute(
                        "SELECT source, seq FROM paper_sources WHERE paper = ?", (pid,)
                    )
                ]
                stored = {"rowid": row[0], "batch": row[1], "paper": paper.to_dict()}
                conn.execute(
                    "INSERT OR REPLACE INTO removed (id, at, title_key, row, sources) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (pid, now, title_key(paper.title), orjson.dumps(stored).decode(),
                     orjson.dumps(sources).decode()),
                )  # fmt: skip
                _delete(conn, paper)
                conn.execute("DELETE FROM paper_sources WHERE paper = ?", (pid,))
                gone.append(pid)
        return gone

    def restore(self, ids: Iterable[str]) -> list[str]:
        """Undo a removal: each removed paper back as it was (its place in import order, its
        first added time, its sources). Returns the ids put back."""
        back: list[str] = []
        with self._transaction() as (conn, version):
            for pid in dict.fromkeys(ids):
                found = conn.execute(
                    "SELECT row, sources FROM removed WHERE id = ?", (pid,)
                ).fetchone()
                if found is None or _exists(conn, pid):
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
                _index(conn, [(cursor.lastrowid, paper)])
                conn.executemany(
                    "INSERT OR IGNORE INTO paper_sources (paper, source, seq) VALUES (?, ?, ?)",
                    ((pid, s, q) for s, q in orjson.loads(found[1] or "[]")),
                )
                conn.execute("DELETE FROM removed WHERE id = ?", (pid,))
                back.append(pid)
        return back

    def removed_ids(self) -> list[str]:
        """The ids of the papers removed (their tombstones), most recent first."""
        return [r[0] for r in self._rows("SELECT id FROM removed ORDER BY at DESC")]

    # -- sources -----------------------------------------------------------------------------

    def sources(self) -> list[tuple[str, int, int]]:
        """(digest name, papers from it, papers only from it), in the order first imported."""
        rows = self._rows(
            "SELECT ps.source, count(*), sum(only), min(ps.seq) FROM paper_sources ps "
            "JOIN (SELECT paper, count(*) = 1 AS only FROM paper_sources GROUP BY paper) o "
            "ON o.paper = ps.paper JOIN papers ON papers.id = ps.paper "
            "GROUP BY ps.source ORDER BY min(ps.seq), min(papers.rowid)"
        )
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def ids_only_from(self, source: str) -> list[str]:
        """The ids of the papers that came from the digest `source` and from no other."""
        return [
            r[0]
            for r in self._rows(
                "SELECT ps.paper FROM paper_sources ps JOIN papers ON papers.id = ps.paper "
                "WHERE ps.source = ? AND NOT EXISTS (SELECT 1 FROM paper_sources o "
                "WHERE o.paper = ps.paper AND o.source != ps.source) ORDER BY papers.rowid",
                (source,),
            )
        ]

    # -- the HTTP validators of fetched pages --------------------------------------------------

    def http_validators(self, url: str) -> dict[str, Any]:
        """What the last fetch of `url` remembered (ETag, Last-Modified, notes), or {} when the
        library does not hold every paper that page gave (then a 304 would be wrong)."""
        rows = self._rows(
            "SELECT etag, last_modified, items, ids FROM http_cache WHERE url = ?", (url,)
        )
        if not rows:
            return {}
        etag, modified, items, ids = rows[0]
        wanted = [pid for pid in (ids.split("\n") if ids else []) if pid]
        if wanted:
            held = self._rows(
                "SELECT count(*) FROM (SELECT value FROM json_each(?)) w "
                "WHERE w.value IN (SELECT id FROM papers) OR w.value IN (SELECT id FROM removed)",
                (orjson.dumps(wanted).decode(),),
            )[0][0]
            if held != len(wanted):
                return {}
        entry: dict[str, Any] = {"items": items}
        if etag:
            entry["etag"] = etag
        if modified:
            entry["last_modified"] = modified
        return entry

    def remember_http(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Remember these URLs' validators, with the ids of the papers each page gave."""
        with self._transaction() as (conn, _version):
            for url, entry in entries.items():
                if not entry:
                    conn.execute("DELETE FROM http_cache WHERE url = ?", (url,))
                    continue
                conn.execute(
                    "INSERT OR REPLACE INTO http_cache (url, etag, last_modified, items, ids) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (url, entry.get("etag"), entry.get("last_modified"),
                     int(entry.get("items") or 0), "\n".join(entry.get("ids") or ())),
                )  # fmt: skip


# -- the steps of a write --------------------------------------------------------------------


def _exists(conn: sqlite3.Connection, pid: str) -> bool:
    return conn.execute("SELECT 1 FROM papers WHERE id = ?", (pid,)).fetchone() is not None


def _read(conn: sqlite3.Connection, pid: str) -> Paper:
    return to_paper(conn.execute(f"SELECT {COLUMNS} FROM papers WHERE id = ?", (pid,)).fetchone())


def _resolve_present(conn: sqlite3.Connection, paper: Paper) -> str | None:
    """The id in the library of a paper known by its id or a name (no title match)."""
    for name in (paper.id, *_names(paper)):
        if _exists(conn, name):
            return name
        row = conn.execute("SELECT paper FROM aliases WHERE alias = ?", (name,)).fetchone()
        if row is not None and _exists(conn, row[0]):
            return str(row[0])
    return None


def _index(conn: sqlite3.Connection, rows: Iterable[tuple[int | None, Paper]]) -> None:
    conn.executemany(
        "INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
        ((rowid, *fts_values(paper)) for rowid, paper in rows),
    )


def _delete(conn: sqlite3.Connection, paper: Paper) -> None:
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


def _rewrite(conn: sqlite3.Connection, old: Paper, new: Paper, version: int) -> None:
    """A paper's fields changed; its words in the index follow when its text did."""
    conn.execute(UPDATE, update_values(new, version))
    before, after = fts_values(old), fts_values(new)
    if before != after:
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
        _learn_words(conn, [after])


def _learn_words(conn: sqlite3.Connection, texts: Sequence[tuple[str, str, str]]) -> None:
    """Add the stems of the words of `texts` (just indexed) that `terms` does not know yet."""
    size = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    if len(texts) * _VOCAB_SCAN_SHARE >= size:
        # Most of the index is new: read its whole vocabulary (0.5 s at 100k papers).
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
            "INSERT OR IGNORE INTO terms (term, stem) VALUES (?, ?)", zip(found, stems(found))
        )


class _Adding:
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
        self.empty = conn.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM papers) AND NOT EXISTS (SELECT 1 FROM removed) "
            "AND NOT EXISTS (SELECT 1 FROM aliases)"
        ).fetchone()[0]

    # -- finding ---------------------------------------------------------------------------

    def _stored(self, pid: str) -> str | None:
        """"present" or "removed" for an id the library knows, else None."""
        if _exists(self.conn, pid):
            return "present"
        if self.conn.execute("SELECT 1 FROM removed WHERE id = ?", (pid,)).fetchone():
            return "removed"
        return None

    def _current(self, pid: str) -> Paper:
        if pid in self.changed:
            return self.changed[pid][1]
        return _read(self.conn, pid)

    def find(self, paper: Paper, key: str) -> tuple[str, str] | None:
        """(where, id): the paper this one is another copy of, "new" (added by this same
        call), "present" or "removed"; None when it is a paper the library never had."""
        for name in (paper.id, *_names(paper)):
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
            if same_work_by_title(self.new[pid][0], paper):
                return "new", pid
        if self.empty:
            return None
        for (pid,) in self.conn.execute(
            "SELECT id FROM papers WHERE title_key = ? ORDER BY rowid", (key,)
        ).fetchall():
            if same_work_by_title(self._current(pid), paper):
                return "present", pid
        for pid, row in self.conn.execute(
            "SELECT id, row FROM removed WHERE title_key = ?", (key,)
        ).fetchall():
            if same_work_by_title(Paper.from_dict(orjson.loads(row)["paper"]), paper):
                return "removed", pid
        return None

    # -- running -----------------------------------------------------------------------------

    def run(self, papers: list[Paper], keys: list[str], remember: KnownImport | None) -> ImportReport:
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
        self._write(remember)
        return report

    def _name(self, paper: Paper, target: str) -> None:
        for name in (paper.id, *_names(paper)):
            if name != target:
                self.aliases[name] = target

    def _revived(self, pid: str) -> Paper:
        row = self.conn.execute("SELECT row FROM removed WHERE id = ?", (pid,)).fetchone()
        self.conn.execute("DELETE FROM removed WHERE id = ?", (pid,))
        return Paper.from_dict(orjson.loads(row[0])["paper"])

    def _add_new(self, paper: Paper, key: str) -> None:
        paper = paper._replace(added_at=self.added_at)
        self.new[paper.id] = (paper, key)
        if key:
            self.new_by_key.setdefault(key, []).append(paper.id)
        for name in _names(paper):
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
            conn.executemany(
                INSERT,
                (
                    row_of(paper, rowid=rowid, batch=batch_id, version=version, key=key)
                    for (rowid, paper), (_p, key) in zip(rows, self.new.values(), strict=True)
                ),
            )
            _index(conn, rows)
        texts = [fts_values(paper) for paper, _key in self.new.values()]
        for old, new in self.changed.values():
            conn.execute(UPDATE, update_values(new, version))
            before, after = fts_values(old), fts_values(new)
            if before != after:
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
                texts.append(after)
        if texts:
            _learn_words(conn, texts)
        if self.aliases:
            conn.executemany(
                "INSERT OR IGNORE INTO aliases (alias, paper) VALUES (?, ?)",
                self.aliases.items(),
            )
        seq = batch_id if batch_id is not None else int(self.added_at)
        conn.executemany(
            "INSERT OR IGNORE INTO paper_sources (paper, source, seq) VALUES (?, ?, ?)",
            ((pid, source, seq) for pid, source in self.sources if source),
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
