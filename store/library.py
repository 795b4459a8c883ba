"""The imported papers, in a TinyDB file of their own (`library.json`).

Table `papers`: one document per paper, keyed by paper id, holding `Paper.to_dict()` without its
empty fields (so `Paper(**doc)` rebuilds it directly). Import order is the order of that object's
keys: new papers are appended, merges keep their place, and JSON objects keep their key order
through orjson and TinyDB. This is cheaper at load than a sequence number per paper (100k
papers load in about 0.3 s). Table `index`, document `title_keys`: title key -> id, so merging
by title does not re-normalise 100k stored titles at every import. Table `imports`: see
`store/recall.py`.

Why the library reads and writes its tables as whole dicts, not through TinyDB's `Table` API
(the marks in `state.py` do use it): an import changes three tables, and TinyDB writes the file
once per table call, so each import would write the file three times (one write of 10k papers
is 0.11 s here, ~1 s at 100k); and `Table.all()` copies every document into a `Document` (69 ms
for 10k papers against 0.4 ms to take the stored dicts, ~0.7 s and twice the memory at 100k).
The storage underneath is the same `AtomicJSONStorage` with the same guarantees.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papertray.store.dates import now as clock_now
from papertray.store.heap import pause_gc
from papertray.store.matching import fold_text
from papertray.store.models import LIST_FIELDS, Paper, title_key
from papertray.store.paths import LIBRARY_FILE
from papertray.store.preview import PREVIEW_FILE, PreviewPapers, read_preview, write_preview
from papertray.store.recall import ContentKey, KnownImport, content_key, recall, records_after
from papertray.store.search_text import (
    SEARCH_FILE,
    matching_documents,
    read_latest,
    write_search_marks,
)
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

PAPERS_TABLE = "papers"
INDEX = "index"
TITLE_KEYS = "title_keys"
IMPORTS = "imports"
LATEST = "latest_import"
SOURCES = "sources"
"""Table `sources`: digest name -> {"ids": [...]}, every paper each digest gave (a paper's own
`source` field names only the first), so `remove --source` knows what came only from one."""
_NEWER_WINS = ("upvotes", "stars", "comments", "keywords")
_FILL_IF_EMPTY = ("abstract", "authors", "published", "source", "arxiv_id", "digest_date")


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


@dataclass(frozen=True)
class ImportBatch:
    """The latest import that added papers: when (the `added_at` of its papers) and how many.
    One command importing several files is one batch (see `Library.add`'s `batch`)."""

    at: float
    new: int


def _holds_all(title: str, abstract: str, authors: Sequence[str], words: Sequence[str]) -> bool:
    """Whether the folded title/abstract/authors contain every one of `words` (folded). Most
    matches hold the words as typed: folding 170 MB of text is the cost, so a paper is folded
    only when its text as stored is not enough."""
    if all(w in abstract or w in title for w in words):
        return True
    text = fold_text(title, abstract, authors)
    return all(word in text for word in words)


def _to_paper(data: dict[str, Any], *, owned: bool = False) -> Paper | None:
    """The Paper of a stored document. `owned`: the document is ours to change (the storage let
    go of it); otherwise it is copied, since it is what the storage holds."""
    if not owned:
        data = dict(data)
    # One shared string per source file, not one per paper (100k papers of one digest).
    source = data.get("source")
    if isinstance(source, str):
        data["source"] = sys.intern(source)
    # Lists become tuples (a Paper is immutable); most papers have no authors, links or
    # keywords and get the one empty tuple, which no caller can change.
    for key in LIST_FIELDS:
        value = data.get(key)
        data[key] = tuple(value) if value else ()
    try:
        return Paper(**data)
    except TypeError:
        # Unknown or missing fields (an older or newer file): keep what we know.
        if not isinstance(data.get("id"), str) or not isinstance(data.get("title"), str):
            return None
        return Paper.from_dict(data)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


_EMPTY: tuple[Any, ...] = (None, "", (), [])


def _stored_document(p: Paper) -> dict[str, Any]:
    """`paper.to_dict()` without the empty fields (their defaults): a smaller, faster file.
    Spelled out field by field: 3x faster than a loop over `fields(Paper)` at 100k papers."""
    data: dict[str, Any] = {"id": p.id, "title": p.title}
    v: Any
    if (v := p.abstract) not in _EMPTY:
        data["abstract"] = v
    if v := p.authors:
        data["authors"] = list(v)
    if (v := p.published) not in _EMPTY:
        data["published"] = v
    if v := p.links:
        data["links"] = list(v)
    if (v := p.repo) not in _EMPTY:
        data["repo"] = v
    if (v := p.source) not in _EMPTY:
        data["source"] = v
    if (v := p.arxiv_id) not in _EMPTY:
        data["arxiv_id"] = v
    if (v := p.upvotes) not in _EMPTY:
        data["upvotes"] = v
    if (v := p.stars) not in _EMPTY:
        data["stars"] = v
    if (v := p.comments) not in _EMPTY:
        data["comments"] = v
    if v := p.keywords:
        data["keywords"] = list(v)
    if (v := p.digest_date) not in _EMPTY:
        data["digest_date"] = v
    if (v := p.added_at) is not None:
        data["added_at"] = v
    return data


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The stored paper `old` completed by the incoming `new` (a copy; `old` is untouched)."""
    merged = dict(old)
    for name in _FILL_IF_EMPTY:
        if _empty(merged.get(name)) and not _empty(new.get(name)):
            merged[name] = new[name]
    for name in _NEWER_WINS:
        if not _empty(new.get(name)):
            merged[name] = new[name]
    old_links = list(merged.get("links") or [])
    links = old_links + [u for u in new.get("links") or [] if u not in old_links]
    repo = merged.get("repo") or new.get("repo")
    if repo:
        links = [repo] + [u for u in links if u != repo]
    merged.pop("links", None)
    merged.pop("repo", None)
    if links:
        merged["links"] = links
    if repo:
        merged["repo"] = repo
    return merged


def _title_index(tables: dict[str, Any], papers: dict[str, Any]) -> dict[str, str]:
    """title key -> id, as stored, completed from the titles of papers it does not name (a
    missing or stale index heals itself; only those titles are normalised)."""
    stored = tables.get(INDEX, {}).get(TITLE_KEYS)
    index: dict[str, str] = {}
    if isinstance(stored, dict):
        index = {k: v for k, v in stored.items() if isinstance(v, str) and v in papers}
    named = set(index.values())
    for pid, doc in papers.items():
        if pid not in named:
            key = _key_of(doc)
            if key:
                index.setdefault(key, pid)
    return index


def _key_of(doc: dict[str, Any]) -> str:
    title = doc.get("title")
    return title_key(title) if isinstance(title, str) else ""


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
        latest = _latest_of(tables)
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
                    paper = _to_paper(doc, owned=True)
                    if paper is None:
                        bad.add(pid)
                    else:
                        papers.append(paper)
                papers.reverse()
                del tables
            else:
                size = len(table)
                for pid, doc in table.items():
                    paper = _to_paper(doc)
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
                if p.id in always or _holds_all(p.title, p.abstract, p.authors, words)
            ]  # fmt: skip
        kept: list[Paper] = []
        table: dict[str, Any] | None = None
        if self.path is not None and not self._storage.loaded:
            # Not parsed yet: cut only the records holding the words out of the file (see
            # store/search_text.py); None when that cannot answer soundly.
            table = matching_documents(self.path.with_name(SEARCH_FILE), self.path, words, always)
        with pause_gc():
            for pid, doc in (table if table is not None else self._table()).items():
                if pid not in always and not _holds_all(
                    doc.get("title", ""), doc.get("abstract", ""), doc.get("authors") or (), words
                ):
                    continue
                paper = _to_paper(doc, owned=table is not None)
                if paper is not None:
                    kept.append(paper)
        return kept

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
            by_key = _title_index(tables, table)
            index_size = len(by_key)
            changed: dict[str, dict[str, Any]] = {}
            also: list[str] = []  # incoming ids stored under another (older) id
            keys = iter(title_keys) if title_keys is not None else None
            given_sources: list[str] = []  # each paper's digest, in order (as report.ids)
            for paper in papers:
                key = next(keys) if keys is not None else None
                given_sources.append(paper.source)
                incoming = _stored_document(paper)
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
                if incoming == doc or (merged := _merge(doc, incoming)) == doc:
                    report.skipped += 1
                    continue
                changed[target] = merged
                report.merged += 1
            imports = records_after(tables.get(IMPORTS), changed, remember, report.ids, also)
            papers_sources: dict[str, list[str]] = {}
            for name, target in zip(given_sources, report.ids, strict=True):
                papers_sources.setdefault(name, []).append(target)
            sources = _sources_after(tables, papers_sources)
            if changed or imports is not None or sources is not None:
                new_tables = dict(tables)
                if changed:
                    new_table = dict(table)
                    new_table.update(changed)
                    new_tables[PAPERS_TABLE] = new_table
                if len(by_key) != index_size or not isinstance(tables.get(INDEX), dict):
                    new_tables[INDEX] = {**_dict(tables.get(INDEX)), TITLE_KEYS: by_key}
                if imports is not None:
                    new_tables[IMPORTS] = imports
                if report.new:
                    latest = _dict(_dict(tables.get(INDEX)).get(LATEST))
                    joined = latest.get("at") == added_at
                    count = report.new + (_int(latest.get("new")) if joined else 0)
                    index = dict(_dict(new_tables.get(INDEX)))
                    index[LATEST] = {"at": added_at, "new": count}
                    new_tables[INDEX] = index
                if sources is not None:
                    new_tables[SOURCES] = sources
                self._storage.write(new_tables)
                self._write_derived(new_tables.get(PAPERS_TABLE, table), new_tables)
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
                return _latest_of({INDEX: {LATEST: latest}})
        return _latest_of(self._storage.read() or {})

    def papers_among(self, ids: Container[str]) -> list[Paper]:
        """The papers whose id is in `ids`, in import order: for a query only marked papers can
        match (`starred:<7d`), only those become Paper objects."""
        cache = self._current_cache()
        if cache is not None:
            return [p for p in cache.papers if p.id in ids]
        kept: list[Paper] = []
        with pause_gc():
            for pid, doc in self._table().items():
                if pid in ids and (paper := _to_paper(doc)) is not None:
                    kept.append(paper)
        return kept

    def fold(self, from_id: str, into_id: str) -> bool:
        """Merge the paper `from_id` into `into_id` and remove it (two records of one paper,
        found to be one by `enrich`); one write. False when either is not here."""
        with self._storage.transaction():
            tables = self._storage.read() or {}
            table: dict[str, Any] = tables.get(PAPERS_TABLE, {})
            if from_id not in table or into_id not in table or from_id == into_id:
                return False
            new_table = dict(table)
            gone = new_table.pop(from_id)
            new_table[into_id] = _merge(table[into_id], gone)
            new_tables = dict(tables)
            new_tables[PAPERS_TABLE] = new_table
            # The removed paper's title now leads to the paper it became, so importing its
            # digest again merges there instead of bringing it back.
            index = _title_index(tables, new_table)
            key = _key_of(gone)
            if key:
                index[key] = into_id
            new_tables[INDEX] = {TITLE_KEYS: index}
            new_tables.pop(IMPORTS, None)  # records naming the removed id would be stale
            stored = tables.get(SOURCES)
            if isinstance(stored, dict):  # the digests that gave it now gave the paper it became
                new_tables[SOURCES] = {
                    name: {"ids": list(dict.fromkeys(
                        into_id if pid == from_id else pid for pid in _ids_of(rec)
                    ))}
                    for name, rec in stored.items()
                }  # fmt: skip
            self._storage.write(new_tables)
            self._write_preview(new_table)
            return True

    # -- letting papers out again ---------------------------------------------------------------

    def sources(self) -> list[tuple[str, int, int]]:
        """(digest name, papers from it, papers only from it), in the order first imported."""
        tables = self._storage.read() or {}
        table: dict[str, Any] = tables.get(PAPERS_TABLE, {})
        of = _paper_sources(tables, table)
        counts: dict[str, list[int]] = {}
        for names in of.values():
            for name in names:
                count = counts.setdefault(name, [0, 0])
                count[0] += 1
                count[1] += len(names) == 1
        return [(name, c[0], c[1]) for name, c in counts.items()]

    def ids_only_from(self, source: str) -> list[str]:
        """The ids of the papers that came from the digest `source` and from no other."""
        tables = self._storage.read() or {}
        of = _paper_sources(tables, tables.get(PAPERS_TABLE, {}))
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
            gone_set = set(gone)
            new_tables = dict(tables)
            kept_papers = {pid: doc for pid, doc in table.items() if pid not in gone_set}
            new_tables[PAPERS_TABLE] = kept_papers
            index = tables.get(INDEX, {}).get(TITLE_KEYS)
            if isinstance(index, dict):
                kept = {k: v for k, v in index.items() if v not in gone_set}
                new_tables[INDEX] = {**_dict(tables.get(INDEX)), TITLE_KEYS: kept}
            stored = tables.get(SOURCES)
            if isinstance(stored, dict):
                new_tables[SOURCES] = {
                    name: {"ids": [pid for pid in _ids_of(rec) if pid not in gone_set]}
                    for name, rec in stored.items()
                    if any(pid not in gone_set for pid in _ids_of(rec))
                }
            records = tables.get(IMPORTS)
            if isinstance(records, dict):
                new_tables[IMPORTS] = {
                    key: rec
                    for key, rec in records.items()
                    if isinstance(rec, dict) and not gone_set.intersection(_ids_of(rec))
                }
            self._storage.write(new_tables)
            self._write_derived(new_tables[PAPERS_TABLE], new_tables)
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
                incoming = _stored_document(paper)
                revised = _merge(doc, incoming)
                for name in ("title", "authors"):
                    if incoming.get(name):
                        revised[name] = incoming[name]
                if revised != doc:
                    changed[paper.id] = revised
            if changed:
                new_tables = dict(tables)
                new_tables[PAPERS_TABLE] = {**table, **changed}
                self._storage.write(new_tables)
                self._write_derived(new_tables[PAPERS_TABLE], new_tables)
        return len(changed)

    # -- the preview: what the reader needs for its first frame ------------------------------

    @property
    def _preview_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(PREVIEW_FILE)

    def _write_derived(self, table: dict[str, Any], tables: dict[str, Any]) -> None:
        """After a write of the library file: what is derived from it, stamped with it."""
        self._write_preview(table)
        if self.path is not None:
            latest = _dict(tables.get(INDEX)).get(LATEST)
            write_search_marks(self.path.with_name(SEARCH_FILE), self.path, table, latest)

    def _write_preview(self, table: dict[str, Any]) -> None:
        if self.path is not None and self._preview_path is not None:
            write_preview(self._preview_path, self.path, table)

    def preview(self) -> PreviewPapers | None:
        """The papers with only id, title and repo, in import order, from the preview file when
        it matches the library file; None when there is none (then use `papers()`)."""
        target = self._preview_path
        if target is None or self._current_cache() is not None:
            return None
        return read_preview(target, self.path) if self.path is not None else None

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
            self._write_preview(table)


@dataclass
class _Built:
    version: int
    papers: list[Paper]
    by_id: dict[str, Paper]
    size: int
    """Documents in the table, the unreadable ones (`bad`) included."""
    bad: set[str]
    latest: ImportBatch | None = None


def _latest_of(tables: dict[str, Any]) -> ImportBatch | None:
    latest = _dict(tables.get(INDEX)).get(LATEST)
    if not isinstance(latest, dict):
        return None
    at = latest.get("at")
    if not isinstance(at, (int, float)) or isinstance(at, bool):
        return None
    return ImportBatch(float(at), _int(latest.get("new")))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _ids_of(record: Any) -> list[str]:
    ids = record.get("ids") if isinstance(record, dict) else None
    return [pid for pid in ids if isinstance(pid, str)] if isinstance(ids, list) else []


def _paper_sources(tables: dict[str, Any], table: dict[str, Any]) -> dict[str, list[str]]:
    """Each paper's digests: its own `source` (libraries from before the sources table have
    only that) and every digest that gave it since."""
    of: dict[str, list[str]] = {}
    for pid, doc in table.items():
        source = doc.get("source") if isinstance(doc, dict) else None
        of[pid] = [source] if isinstance(source, str) and source else []
    stored = tables.get(SOURCES)
    if isinstance(stored, dict):
        for name, record in stored.items():
            for pid in _ids_of(record):
                names = of.get(pid)
                if names is not None and name not in names:
                    names.append(name)
    return of


def _sources_after(tables: dict[str, Any], given: dict[str, list[str]]) -> dict[str, Any] | None:
    """The sources table with this import's ids added, or None if it already holds them."""
    stored = tables.get(SOURCES)
    sources: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
    touched = False
    for name, ids in given.items():
        if not name:
            continue
        old = _ids_of(sources.get(name))
        known = set(old)
        new = [pid for pid in dict.fromkeys(ids) if pid not in known]
        if new:
            sources[name] = {"ids": old + new}
            touched = True
    return sources if touched else None
