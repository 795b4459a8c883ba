"""The imported papers: the library database (`library.db`, see `store/db.py`).

`Library` is the one way in. Adding papers is one transaction that costs what is added: the
new rows, their words in the FTS5 index (in the same transaction), their aliases and sources,
and the new words' stems (`store/adding.py`). A paper that arrives again is found by any name it
has (its id, its arXiv id, a DOI, the id of a record folded into it, or its title when nothing
contradicts: `identity.one_work_in_the_library`) and completed (`paper_rows.merged`), never
duplicated; its lasting id, the one marks are kept under in `state.json`, is the id it first
came with.

A removed paper leaves a tombstone (table `removed`, its whole row): a fetch of the same day
does not bring it back, an explicit import of a file that holds it does, and undo (`restore`)
puts it back where it was, with its first added time (so not `is:new`).

Queries go through `select` (`store/query_sql.py`); rows are read back as `Paper`s by rowid.
Each reading connection keeps its own copy of the user's marks for queries
(`query_sql.sync_marks`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson

from papertray.store import removal
from papertray.store import updates as _updates
from papertray.store.adding import (
    Adding,
    ImportReport,
    exists,
    learn_words,
    read,
    resolve_present,
    rewrite,
)
from papertray.store.database import Database, Interrupted, read_error
from papertray.store.dates import now as clock_now
from papertray.store.db import FIRST_BULK
from papertray.store.models import Paper, PaperState, title_key
from papertray.store.paper_rows import COLUMNS, revised, to_paper
from papertray.store.paths import LIBRARY_DB
from papertray.store.query import Query
from papertray.store.query_sql import MarksTables, Selection, compile_where, select, sync_marks
from papertray.store.query_tree import Node, QueryContext
from papertray.store.recall import ContentKey, KnownImport, content_key, recall
from papertray.store.relevance import average_length, rank
from papertray.store.storage import StoreError
from papertray.store.updates import Answer, Update, Version, Watched

_PAPER_COLUMNS = ", ".join(f"papers.{c.strip()}" for c in COLUMNS.split(","))
T = TypeVar("T")
RELEVANCE = "bm25"
"""The `order_by` of the relevance order (`SORT_ORDERS["relevance"].sql`)."""

__all__ = [
    "RELEVANCE",
    "ImportBatch",
    "ImportReport",
    "Interrupted",
    "KnownImport",
    "Library",
    "StoreError",
    "content_key",
]


@dataclass(frozen=True)
class ImportBatch:
    """The latest import that added papers: when (the `added_at` of its papers) and how many
    of its papers are in the library now. One command importing several files is one batch."""

    at: float
    new: int


class Library:
    """The papers imported so far, in import order."""

    def __init__(self, path: Path | None, *, read_only: bool = False, check: bool = True) -> None:
        """`path` None keeps everything in memory (tests, scratch sessions, a file's papers
        listed without importing them). Opening creates nothing on disk: the database file is
        made by the first write. With `check`, a damaged file is found (and moved aside) now."""
        self.path = Path(os.path.abspath(path)) if path is not None else None
        self._db = Database(self.path, read_only=read_only)
        self._db.wrote = self._wrote  # type: ignore[method-assign]
        self._db.dropped = self._marks_dropped  # type: ignore[method-assign]
        self.warnings = self._db.warnings
        self.notices: list[str] = []
        """What opening did that the user should hear once (a library migrated)."""
        self._marks: dict[int, MarksTables] = {}
        self._average_of: tuple[int, float] | None = None
        self._seen_version: int | None = None
        if check:
            self._seen_version = self.version()

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

    @property
    def read_only(self) -> bool:
        """True when saving cannot work: opened read-only, a damaged file left in place, or a
        data folder this process may not write."""
        return self._db.read_only

    def close(self) -> None:
        self._db.close()

    def interrupt(self) -> None:
        """Cut short a query running in another thread (`select`, `count`): it raises
        `Interrupted` there. For a search a newer keystroke made stale."""
        self._db.interrupt()

    def _wrote(self, version: int) -> None:
        if self._seen_version == version - 1:
            self._seen_version = version  # our own write is no news to us

    def _marks_dropped(self) -> None:
        self._marks.clear()

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
        return self._db.rows(sql, params)

    def __len__(self) -> int:
        return int(self._rows("SELECT count(*) FROM papers")[0][0])

    def __contains__(self, pid: object) -> bool:
        if not isinstance(pid, str):
            return False
        return bool(self._rows("SELECT 1 FROM papers WHERE id = ?", (pid,)))

    def get(self, pid: str) -> Paper | None:
        rows = self._rows(f"SELECT {COLUMNS} FROM papers WHERE id = ?", (pid,))
        return to_paper(rows[0]) if rows else None

    def papers(self) -> list[Paper]:
        """Every paper, in import order."""
        return [to_paper(r) for r in self._rows(f"SELECT {COLUMNS} FROM papers ORDER BY rowid")]

    def stream(self, size: int = 2_000) -> Iterator[Paper]:
        """Every paper, in import order, a few thousand at a time (a whole library never in
        memory at once: the similarity index is built from this). On its own connection, so a
        long walk keeps no look-up waiting."""
        conn = self._db.walker()
        try:
            cursor = conn.execute(f"SELECT {COLUMNS} FROM papers ORDER BY rowid")
            while rows := cursor.fetchmany(size):
                yield from map(to_paper, rows)
        except sqlite3.Error as error:
            raise read_error(self.path, error) from None
        finally:
            self._db.walked(conn)

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

    def ids_of_rows(self, rowids: Iterable[int] | None = None) -> dict[int, str]:
        """Rowid -> paper id, in import order, for those of `rowids` in the library (None:
        every paper): what the reader needs of a result it holds by rowid (the ids to mark
        or remove, the candidates of a ranking) without reading the papers themselves."""
        if rowids is None:
            rows = self._rows("SELECT rowid, id FROM papers ORDER BY rowid")
        else:
            rows = self._rows(
                "SELECT rowid, id FROM papers WHERE rowid IN (SELECT value FROM json_each(?)) "
                "ORDER BY rowid",
                (orjson.dumps(list(rowids)).decode(),),
            )
        return {r[0]: r[1] for r in rows}

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
        with self._db.looking() as conn:
            finder = Adding(conn, 0, 0.0, False, "")
            found = [finder.find(p, title_key(p.title)) for p in papers]
        return [f[1] if f is not None and f[0] == "present" else None for f in found]

    def outcomes(self, papers: Sequence[Paper]) -> list[str]:
        """What a fetch adding `papers` (removed ones left out) would do with each: "new",
        "updated", "unchanged" or "removed" (see `Adding.outcomes`). Reads only: `fetch
        --dry-run`."""
        papers = list(papers)
        with self._db.looking() as conn:
            finder = Adding(conn, 0, 0.0, False, "")
            return finder.outcomes(papers, [title_key(p.title) for p in papers])

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
        again), in the order `order_by` (`SortOrder.sql`; `RELEVANCE`: best match first, see
        `store/relevance.py`); `scope`: only among these rowids. With `papers`, the `Paper`s
        themselves (in `rows`) instead of their rowids."""
        context = context or QueryContext()
        ranked = order_by == RELEVANCE
        with self._db.searching() as conn:
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
                    order_by="papers.rowid" if ranked else order_by,
                    limit=None if ranked else limit,
                    count_muted=count_muted,
                    scope=scope_table,
                    columns=_PAPER_COLUMNS if papers and not ranked else "papers.rowid",
                )
                if papers and not ranked:
                    found.rows = [to_paper(r) for r in found.rows]
                if ranked:
                    if query.ranked_terms:
                        found.rowids = rank(
                            conn, found.rowids, query.ranked_terms, self._average(conn)
                        )
                    else:
                        found.note = "no words in the query to rank by relevance: digest order"
                    if limit is not None:
                        found.rowids = found.rowids[:limit]
            except sqlite3.Error as error:
                raise read_error(self.path, error) from None
        if papers and ranked:
            found.rows = self.rows(found.rowids)
        return found

    def _average(self, conn: sqlite3.Connection) -> float:
        """The mean indexed length of a paper (for relevance), once per version."""
        version = self.version()
        if self._average_of is None or self._average_of[0] != version:
            self._average_of = (version, average_length(conn))
        return self._average_of[1]

    def count(
        self,
        node: Node,
        states: Mapping[str, PaperState],
        *,
        context: QueryContext | None = None,
        marks_version: object = None,
    ) -> int:
        """How many papers a query tree (a mute rule) matches."""
        with self._db.searching() as conn:
            tables = self._marks_for(conn, states, marks_version)
            where, params = compile_where(conn, node, tables.tags, context or QueryContext())
            try:
                found = conn.execute(f"SELECT count(*) FROM papers WHERE {where}", params)
                return int(found.fetchone()[0])
            except sqlite3.Error as error:
                raise read_error(self.path, error) from None

    # -- adding ------------------------------------------------------------------------------

    def recall(self, key: str | ContentKey) -> KnownImport | None:
        """What importing the input with this `content_key` did last time, if importing it again
        would change nothing: None when it was never imported, or when any of its papers has
        changed since (or is gone)."""
        return recall(self._rows, key)

    def add(
        self,
        papers: Iterable[Paper],
        *,
        title_keys: Sequence[str] | None = None,
        remember: KnownImport | None = None,
        batch: float | None = None,
        revive: bool = True,
        kind: str = "import",
        keep_added: bool = False,
    ) -> ImportReport:
        """Add papers, merging each into the paper it is another copy of; one transaction, and
        nothing written when nothing changes.

        `title_keys`, if given, is `title_key(p.title)` of each paper. `remember` records this
        import under its content key for `recall`. New papers get `added_at` = `batch`
        (default: now); an import that adds papers becomes the latest batch (`is:new`), and
        further adds with the same `batch` (more files of one command) join it. A paper the
        user removed comes back (`revive`, an explicit import) or is left out (a fetch). With
        `keep_added`, new papers keep the `added_at` they carry (papers of another library)."""
        papers = list(papers)
        keys = list(title_keys) if title_keys is not None else [title_key(p.title) for p in papers]
        added_at = clock_now() if batch is None else batch

        def run(conn: sqlite3.Connection, version: int) -> ImportReport:
            adding = Adding(conn, version, added_at, revive, kind)
            adding.keep_added = keep_added
            return adding.run(papers, keys, remember)

        if len(papers) >= FIRST_BULK:
            with self._db.creating() as created:
                report = run(created.conn, 1) if created is not None else None
            if created is not None and created.placed:
                return report  # type: ignore[return-value]
        with self._db.transaction() as (conn, version):
            return run(conn, version)

    def update(self, papers: Iterable[Paper]) -> int:
        """Revise papers already in the library (a newer version's title, authors, links), and
        skip the others; returns how many changed. For arXiv replacement announcements."""
        count = 0
        with self._db.transaction() as (conn, version):
            for paper in papers:
                target = resolve_present(conn, paper)
                if target is None:
                    continue
                old = read(conn, target)
                new = revised(old, paper._replace(id=target))
                if new != old:
                    if (after := rewrite(conn, old, new, version)) is not None:
                        learn_words(conn, [after])
                    count += 1
        return count

    # -- what watch found (see store/updates.py) ------------------------------------------------

    def apply_watch(
        self, answers: Iterable[Answer], *, upvotes: int | None = None, at: float | None = None
    ) -> list[Update]:
        """Take what the sources said of watched papers, in one transaction: each paper revised
        or completed (`updates.revision`), its changes added to the Updates list, the versions
        seen and the new baseline kept. `upvotes`: the threshold whose crossing is an update.
        Answers about papers no longer here are skipped. Returns the updates made."""
        when = clock_now() if at is None else at
        made: list[Update] = []
        with self._db.transaction() as (conn, version):
            for answer in answers:
                if not exists(conn, answer.paper):
                    continue
                old = read(conn, answer.paper)
                base = _updates.baseline(conn, old)
                new = _updates.revision(base, old, answer)
                if new != old and (after := rewrite(conn, old, new, version)) is not None:
                    learn_words(conn, [after])
                made += _updates.record(conn, answer, base, old, new, when, upvotes)
        return made

    def _look(self, read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`read(conn, ...)` on the look-up connection; any failure is a `StoreError`."""
        try:
            with self._db.looking() as conn:
                return read(conn, *args, **kwargs)
        except sqlite3.Error as error:
            raise read_error(self.path, error) from None

    def watched(self, ids: Iterable[str] | None = None) -> dict[str, Watched]:
        """Paper id -> what the last watch saw of it and when it asked each source (papers
        never watched are left out); `ids`: only these."""
        return self._look(_updates.read_watched, ids)

    def updates(
        self, *, unseen_only: bool = False, paper: str | None = None, limit: int | None = None
    ) -> list[Update]:
        """The Updates list, newest first: every entry, those not seen (`unseen_only`), or
        one paper's (`paper`: its pane's "what changed"); papers no longer here left out."""
        return self._look(_updates.read_updates, unseen_only=unseen_only, paper=paper, limit=limit)

    def unseen_updates(self) -> int:
        """How many entries of the Updates list are not seen yet (the status line's count)."""
        return self._look(_updates.unseen_count)

    def mark_updates_seen(self, ids: Iterable[int] | None = None) -> int:
        """Mark entries of the Updates list seen (None: all); returns how many were unseen."""
        with self._db.transaction() as (conn, _version):
            return _updates.mark_seen(conn, ids)

    def versions(self, pid: str) -> list[Version]:
        """The arXiv versions of a paper seen so far, oldest first (the pane's history)."""
        return self._look(_updates.read_versions, pid)

    # -- folding, removing, restoring ---------------------------------------------------------

    def fold(self, from_id: str, into_id: str) -> bool:
        """Merge the paper `from_id` into `into_id` and remove it (two records of one paper,
        found to be one by `enrich`); `from_id` becomes a name of `into_id`. One transaction;
        False when either is not here."""
        if from_id == into_id:
            return False
        with self._db.transaction() as (conn, version):
            return removal.fold(conn, version, from_id, into_id)

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Take papers out of the library (one transaction); returns the ids that were there.
        Each leaves a tombstone (see `store/removal.py`); the user's marks stay in the state
        file, so a paper that comes back has them."""
        with self._db.transaction() as (conn, _version):
            return removal.remove(conn, ids, clock_now())

    def restore(self, ids: Iterable[str]) -> list[str]:
        """Undo a removal: each removed paper back as it was (its place in import order, its
        first added time, its sources). Returns the ids put back."""
        with self._db.transaction() as (conn, version):
            return removal.restore(conn, version, ids)

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

    def sources_of(self, pid: str) -> list[str]:
        """The digests a paper came from, in the order they brought it (its pane)."""
        rows = self._rows("SELECT source FROM paper_sources WHERE paper = ? ORDER BY seq", (pid,))
        return [r[0] for r in rows]

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

    # -- the HTTP validators of fetched pages (see store/http_cache.py) -----------------------

    def http_validators(self, url: str) -> dict[str, Any]:
        """What the last fetch of `url` remembered (ETag, Last-Modified, notes), or {} when the
        library does not hold every paper that page gave (then a 304 would be wrong)."""
        from papertray.store import http_cache  # the network side: loaded by a fetch only

        return http_cache.validators(self._rows, url)

    def remember_http(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Remember these URLs' validators, with the ids of the papers each page gave."""
        with self._db.transaction() as (conn, version):
            from papertray.store import http_cache

            http_cache.remember(conn, version, entries)
