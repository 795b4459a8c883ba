"""The imported papers, in a TinyDB file of their own (`library.json`).

The tables, a paper as a stored document and back, and how a re-imported paper merges into the
stored one are `library_tables.py`; this is the `Library` class over them.

Why the library reads and writes its tables as whole dicts, not through TinyDB's `Table` API
(the marks in `state.py` do use it): an import changes three tables, and TinyDB writes the file
once per table call, so each import would write the file three times (one write of 10k papers
is 0.11 s here, ~1 s at 100k); and `Table.all()` copies every document into a `Document` (69 ms
for 10k papers against 0.4 ms to take the stored dicts, ~0.7 s and twice the memory at 100k).
The storage underneath is the same `AtomicJSONStorage` with the same guarantees.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from papertray.store.dates import now as clock_now
from papertray.store.derived_files import DerivedFiles
from papertray.store.heap import pause_gc
from papertray.store.library_tables import (
    IMPORTS,
    INDEX,
    LATEST,
    PAPERS_TABLE,
    SOURCES,
    TITLE_KEYS,
    ImportBatch,
    as_count,
    as_dict,
    holding,
    holds_all,
    latest_of,
    merge_documents,
    paper_sources,
    source_counts,
    sources_after,
    stored_document,
    tables_after_fold,
    tables_after_removal,
    title_index,
    to_paper,
)
from papertray.store.models import Paper, title_key
from papertray.store.paths import LIBRARY_FILE
from papertray.store.preview import PreviewPapers
from papertray.store.recall import ContentKey, KnownImport, content_key, recall, records_after
from papertray.store.search_marks import SEARCH_FILE, read_latest
from papertray.store.search_text import matching_documents
from papertray.store.storage import (
    AtomicJSONStorage,
    MemoryJSONStorage,
    StoreError,
    memory_tinydb,
    open_tinydb,
)

__all__ = [
    "ImportBatch",
    "ImportReport",
    "KnownImport",
    "Library",
    "PreviewPapers",
    "StoreError",
    "content_key",
]


@dataclass
class ImportReport:
    new: int = 0
    """Papers added to the library."""
    merged: int = 0
    """Papers already in the library (same id or same title) that gained some information."""
    skipped: int = 0
    """Papers already in the library with nothing new."""
    ids: list[str] = field(default_factory=list)
    """The id of each given paper, in order, after merging (a title match gives the older id)."""


class Library:
    """The papers imported so far, in import order.

    Once `papers()` (or `get()`) has built the Paper objects, the library keeps those and the
    storage drops its parsed copy of the file: a reader holding 100k papers does not also hold
    100k raw dicts. The file is parsed again only for a write (under the lock, as always) or
    when another process has replaced it."""

    def __init__(self, path: Path | None, *, read_only: bool = False, check: bool = True) -> None:
        """`path` None keeps everything in memory (tests, scratch sessions). `check=False` skips
        reading the file now (the reader's start, which draws from `preview()`): a damaged file
        is then found, moved aside and added to `warnings` by the first read."""
        self.path = Path(path) if path is not None else None
        self.warnings: list[str]
        if self.path is None:
            self._db, self.warnings = memory_tinydb(), []
        else:
            label = "library file"
            self._db, self.warnings = open_tinydb(
                self.path, read_only=read_only, label=label, indent=True, check=check
            )
        storage = self._db.storage
        assert isinstance(storage, (AtomicJSONStorage, MemoryJSONStorage))
        self._storage = storage
        self._cache: _Built | None = None
        self._derived = DerivedFiles(self.path)

    @classmethod
    def in_memory(cls) -> Library:
        return cls(None)

    @classmethod
    def open(cls, data_dir: Path, *, read_only: bool = False, check: bool = True) -> Library:
        return cls(Path(data_dir) / LIBRARY_FILE, read_only=read_only, check=check)

    @property
    def read_only(self) -> bool:
        return self._storage.read_only

    def close(self) -> None:
        self._db.close()

    def refresh(self) -> bool:
        return self._storage.refresh()

    def stale(self) -> bool:
        """True when the library file is not the one last read or written here: another process
        imported papers (one `stat`, no parse). False for a library never written."""
        if self.path is None or not self.path.exists():
            return False
        return not self._storage.unchanged()

    def _table(self) -> dict[str, Any]:
        return (self._storage.read() or {}).get(PAPERS_TABLE, {})

    def _current_cache(self) -> _Built | None:
        cache = self._cache
        if cache is not None and cache.version == self._storage.version:
            if self._storage.unchanged():
                return cache
        return None

    def _built(self) -> _Built:
        cache = self._current_cache()
        if cache is not None:
            return cache
        tables = self._storage.read() or {}
        version = self._storage.version
        table: dict[str, Any] = tables.get(PAPERS_TABLE, {})
        latest = latest_of(tables)
        papers: list[Paper] = []
        bad: set[str] = set()
        with pause_gc():
            if self._storage.forget():
                # The storage let go of the data, so this is the only reference: take the
                # documents out one by one, and each raw dict is freed as soon as its Paper
                # exists (the peak holds one copy of the library, not two).
                size = len(table)
                while table:
                    pid, doc = table.popitem()
                    paper = to_paper(doc, owned=True)
                    if paper is None:
                        bad.add(pid)
                    else:
                        papers.append(paper)
                papers.reverse()
                del tables
            else:
                size = len(table)
                for pid, doc in table.items():
                    paper = to_paper(doc)
                    if paper is None:
                        bad.add(pid)
                    else:
                        papers.append(paper)
        cache = _Built(version, papers, {p.id: p for p in papers}, size, bad, latest)
        self._cache = cache
        return cache

    def __len__(self) -> int:
        cache = self._current_cache()
        return cache.size if cache is not None else len(self._table())

    def __contains__(self, pid: object) -> bool:
        cache = self._current_cache()
        if cache is not None:
            return pid in cache.by_id or pid in cache.bad
        return pid in self._table()

    def get(self, pid: str) -> Paper | None:
        return self._built().by_id.get(pid)

    def papers(self) -> list[Paper]:
        """Every paper, in import order (a new list; the Paper objects are shared, don't mutate)."""
        return list(self._built().papers)

    def papers_containing(self, words: Sequence[str], always: Collection[str] = ()) -> list[Paper]:
        """The papers whose folded title/abstract/authors contain every one of `words` (see
        `Query.required_words`), plus those whose id is in `always`, in import order. For a
        one-shot query over a big library: only the papers that pass become Paper objects."""
        if not words:
            return self.papers()
        cache = self._current_cache()
        if cache is not None:
            return [
                p for p in cache.papers
                if p.id in always or holds_all(p.title, p.abstract, p.authors, words)
            ]  # fmt: skip
        table: dict[str, Any] | None = None
        if self.path is not None and not self._storage.loaded:
            # Not parsed yet: cut only the records holding the words out of the file (see
            # store/search_text.py); None when that cannot answer soundly.
            table = matching_documents(self.path.with_name(SEARCH_FILE), self.path, words, always)
        if table is None:
            return holding(self._table(), words, always, owned=False)
        return holding(table, words, always, owned=True)

    def papers_containing_part(
        self, words: Sequence[str], always: Collection[str], part: int
    ) -> list[Paper] | None:
        """`papers_containing` for the papers of one half of the library file (`part` 0 or
        1, see `search_text.matching_documents`), without parsing it; None when the file
        cannot be read that way (then ask `papers_containing`)."""
        if not words or self.path is None or self._storage.loaded:
            return None
        target = self.path.with_name(SEARCH_FILE)
        table = matching_documents(target, self.path, words, always, part)
        return None if table is None else holding(table, words, always, owned=True)

    def recall(self, key: str | ContentKey) -> KnownImport | None:
        """What importing the input with this `content_key` did last time, if importing it again
        would change nothing (see `store/recall.py`)."""
        tables = self._storage.read() or {}
        return recall(tables.get(IMPORTS), tables.get(PAPERS_TABLE, {}), key)

    def add(
        self,
        papers: Iterable[Paper],
        *,
        title_keys: Sequence[str] | None = None,
        remember: KnownImport | None = None,
        batch: float | None = None,
    ) -> ImportReport:
        """Add papers, merging by id and by title key into what is there; one write, and none at
        all when nothing changed (re-importing a digest leaves the file alone).

        `title_keys`, if given, is `title_key(p.title)` of each paper (ingest has computed them
        already for the ids). `remember` records this import under its content key (format,
        duplicates, warnings; the ids come from the report) for `recall`. New papers get
        `added_at` = `batch` (default: now); an import that adds papers becomes the latest batch
        (`is:new`), and further adds with the same `batch` (more files of one command) join it."""
        report = ImportReport()
        added_at = clock_now() if batch is None else batch
        with self._storage.transaction(), pause_gc():
            tables = self._storage.read() or {}
            table: dict[str, Any] = tables.get(PAPERS_TABLE, {})
            by_key = title_index(tables, table)
            index_size = len(by_key)
            changed: dict[str, dict[str, Any]] = {}
            also: list[str] = []  # incoming ids stored under another (older) id
            keys = iter(title_keys) if title_keys is not None else None
            given_sources: list[str] = []  # each paper's digest, in order (as report.ids)
            for paper in papers:
                key = next(keys) if keys is not None else None
                given_sources.append(paper.source)
                incoming = stored_document(paper)
                target = paper.id
                doc = changed.get(target) or table.get(target)
                if doc is None:
                    if key is None:
                        key = title_key(paper.title)
                    found = by_key.get(key) if key else None
                    if found is None:
                        incoming["added_at"] = added_at
                        changed[target] = incoming
                        if key:
                            by_key[key] = target
                        report.new += 1
                        report.ids.append(target)
                        continue
                    # Same title under another id: merge into the older id, so the state the user
                    # attached to it stays with the paper.
                    target = found
                    also.append(paper.id)
                    doc = changed.get(target) or table[target]
                report.ids.append(target)
                incoming.pop("added_at", None)  # first import wins: a re-import never moves it
                if incoming == doc or (merged := merge_documents(doc, incoming)) == doc:
                    report.skipped += 1
                    continue
                changed[target] = merged
                report.merged += 1
            imports = records_after(tables.get(IMPORTS), changed, remember, report.ids, also)
            papers_sources: dict[str, list[str]] = {}
            for name, target in zip(given_sources, report.ids, strict=True):
                papers_sources.setdefault(name, []).append(target)
            sources = sources_after(tables, papers_sources)
            if changed or imports is not None or sources is not None:
                new_tables = dict(tables)
                if changed:
                    new_table = dict(table)
                    new_table.update(changed)
                    new_tables[PAPERS_TABLE] = new_table
                if len(by_key) != index_size or not isinstance(tables.get(INDEX), dict):
                    new_tables[INDEX] = {**as_dict(tables.get(INDEX)), TITLE_KEYS: by_key}
                if imports is not None:
                    new_tables[IMPORTS] = imports
                if report.new:
                    latest = as_dict(as_dict(tables.get(INDEX)).get(LATEST))
                    joined = latest.get("at") == added_at
                    count = report.new + (as_count(latest.get("new")) if joined else 0)
                    index = dict(as_dict(new_tables.get(INDEX)))
                    index[LATEST] = {"at": added_at, "new": count}
                    new_tables[INDEX] = index
                if sources is not None:
                    new_tables[SOURCES] = sources
                papers_table = new_tables.get(PAPERS_TABLE, table)
                prepared = self._storage.write(
                    new_tables, partial(self._derived.prepare, papers_table)
                )
                self._derived.write(papers_table, new_tables, self._storage.spans, prepared)
        return report

    def latest_import(self) -> ImportBatch | None:
        """The latest import that added papers (`is:new`, the status line's "12 new")."""
        cache = self._current_cache()
        if cache is not None:  # kept with the papers: the storage has let go of the file
            return cache.latest
        if self.path is not None and not self._storage.loaded:
            # Not parsed yet (`list -q`): from the marks beside the file, when they match it.
            known, latest = read_latest(self.path.with_name(SEARCH_FILE), self.path)
            if known:
                return latest_of({INDEX: {LATEST: latest}})
        return latest_of(self._storage.read() or {})

    def papers_among(self, ids: Container[str]) -> list[Paper]:
        """The papers whose id is in `ids`, in import order: for a query only marked papers can
        match (`starred:<7d`), only those become Paper objects."""
        cache = self._current_cache()
        if cache is not None:
            return [p for p in cache.papers if p.id in ids]
        kept: list[Paper] = []
        with pause_gc():
            for pid, doc in self._table().items():
                if pid in ids and (paper := to_paper(doc)) is not None:
                    kept.append(paper)
        return kept

    def fold(self, from_id: str, into_id: str) -> bool:
        """Merge the paper `from_id` into `into_id` and remove it (two records of one paper,
        found to be one by `enrich`); one write. False when either is not here."""
        with self._storage.transaction():
            new_tables = tables_after_fold(self._storage.read() or {}, from_id, into_id)
            if new_tables is None:
                return False
            self._storage.write(new_tables)
            self._derived.write_preview(new_tables[PAPERS_TABLE])
            return True

    # -- letting papers out again ---------------------------------------------------------------

    def sources(self) -> list[tuple[str, int, int]]:
        """(digest name, papers from it, papers only from it), in the order first imported."""
        tables = self._storage.read() or {}
        return source_counts(paper_sources(tables, tables.get(PAPERS_TABLE, {})))

    def ids_only_from(self, source: str) -> list[str]:
        """The ids of the papers that came from the digest `source` and from no other."""
        tables = self._storage.read() or {}
        of = paper_sources(tables, tables.get(PAPERS_TABLE, {}))
        return [pid for pid, names in of.items() if names == [source]]

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Take papers out of the library (one write); returns the ids that were there. The
        user's marks stay in the state file: importing the digest again brings the papers back
        with them."""
        wanted = set(ids)
        with self._storage.transaction(), pause_gc():
            tables = self._storage.read() or {}
            table: dict[str, Any] = tables.get(PAPERS_TABLE, {})
            gone = [pid for pid in table if pid in wanted]
            if not gone:
                return []
            new_tables = tables_after_removal(tables, set(gone))
            self._storage.write(new_tables)
            self._derived.write(new_tables[PAPERS_TABLE], new_tables, self._storage.spans)
        return gone

    def update(self, papers: Iterable[Paper]) -> int:
        """Revise papers already in the library (a newer version's title, authors, links), and
        skip the others; returns how many changed. For arXiv replacement announcements."""
        with self._storage.transaction(), pause_gc():
            tables = self._storage.read() or {}
            table: dict[str, Any] = tables.get(PAPERS_TABLE, {})
            changed: dict[str, dict[str, Any]] = {}
            for paper in papers:
                doc = changed.get(paper.id) or table.get(paper.id)
                if doc is None:
                    continue
                incoming = stored_document(paper)
                revised = merge_documents(doc, incoming)
                for name in ("title", "authors"):
                    if incoming.get(name):
                        revised[name] = incoming[name]
                if revised != doc:
                    changed[paper.id] = revised
            if changed:
                new_tables = dict(tables)
                new_tables[PAPERS_TABLE] = {**table, **changed}
                self._storage.write(new_tables)
                self._derived.write(new_tables[PAPERS_TABLE], new_tables, self._storage.spans)
        return len(changed)

    # -- the preview: what the reader needs for its first frame ------------------------------

    def preview(self) -> PreviewPapers | None:
        """The papers with only id, title and repo, in import order, from the preview file when
        it matches the library file; None when there is none (then use `papers()`)."""
        if self._current_cache() is not None:
            return None
        return self._derived.read_preview()

    def save_preview(self) -> None:
        """Write the preview from the loaded papers (a library written before previews existed)."""
        if self.path is None or self.read_only:
            return
        with self._storage.transaction():
            built = self._built()
            table = {
                p.id: {"title": p.title, "repo": p.repo, "arxiv_id": p.arxiv_id}
                for p in built.papers
            }
            self._derived.write_preview(table)


@dataclass
class _Built:
    version: int
    papers: list[Paper]
    by_id: dict[str, Paper]
    size: int
    """Documents in the table, the unreadable ones (`bad`) included."""
    bad: set[str]
    latest: ImportBatch | None = None
