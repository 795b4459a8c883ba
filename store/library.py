"""The imported papers, in a TinyDB file of their own (`library.json`).

Table `papers`: one document per paper, keyed by paper id, holding `Paper.to_dict()` without its
empty fields (so `Paper(**doc)` rebuilds it directly). Import order is the order of that object's
keys: new papers are appended, merges keep their place, and JSON objects keep their key order
through orjson and TinyDB. This is cheaper at load than a sequence number per paper (100k
papers load in about 0.3 s). Table `index`, document `title_keys`: title key -> id, so merging
by title does not re-normalise 100k stored titles at every import.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import orjson

from papertray.store.models import Paper, title_key
from papertray.store.paths import LIBRARY_FILE
from papertray.store.query import fold_text
from papertray.store.storage import (
    AtomicJSONStorage,
    MemoryJSONStorage,
    StoreError,
    memory_tinydb,
    open_tinydb,
    pause_gc,
)

__all__ = [
    "ImportReport",
    "KnownImport",
    "Library",
    "PreviewPapers",
    "StoreError",
    "content_key",
]

TABLE = "papers"
PREVIEW_FILE = "library.preview.json"
PREVIEW_VERSION = 2
INDEX = "index"
TITLE_KEYS = "title_keys"
IMPORTS = "imports"
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


@dataclass
class KnownImport:
    """An imported file remembered by its content (`content_key`): importing the same bytes again
    reports these figures without parsing the file."""

    key: str | ContentKey
    format: str
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """As `ImportReport.ids` of that import: one per paper of the file, in order."""


def content_key(data: bytes, fmt: str | None) -> ContentKey:
    """What identifies one input for `Library.recall`: its bytes (SHA-256, which is hardware
    accelerated here: 0.11 s for 170 MB) and size, and the format it was read as."""
    return ContentKey(data, fmt)


class ContentKey:
    """The value of `content_key`, `str(key)`: `<sha256 hex>-<size>-<format or auto>`.

    The SHA-256 of a big input runs in a thread (hashlib releases the GIL), so parsing the
    input meanwhile does not wait for it; `str()`, `==` and `hash()` wait. A first import never
    waits at all: `Library.recall` needs no key while the library remembers no imports."""

    _THREAD_FROM = 1 << 20

    def __init__(self, data: bytes, fmt: str | None) -> None:
        self._rest = f"-{len(data)}-{fmt or 'auto'}"
        self._digest: list[str] = []
        self._thread: threading.Thread | None = None
        if len(data) < self._THREAD_FROM:
            self._digest.append(hashlib.sha256(data).hexdigest())
        else:
            self._thread = threading.Thread(
                target=self._hash, args=(data,), name="papertray-hash", daemon=True
            )
            self._thread.start()
        self._data: bytes | None = data

    def _hash(self, data: bytes) -> None:
        self._digest.append(hashlib.sha256(data).hexdigest())

    def __str__(self) -> str:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if not self._digest:  # the thread failed (out of memory?): here an error reaches the caller
            self._digest.append(hashlib.sha256(self._data or b"").hexdigest())
        self._data = None
        return self._digest[0] + self._rest

    def __repr__(self) -> str:
        return f"ContentKey({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, ContentKey)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


def _holds_all(title: str, abstract: str, authors: Sequence[str], words: Sequence[str]) -> bool:
    """Whether the folded title/abstract/authors contain every one of `words` (folded). Most
    matches hold the words as typed: folding 170 MB of text is the cost, so a paper is folded
    only when its text as stored is not enough."""
    if all(w in abstract or w in title for w in words):
        return True
    text = fold_text(title, abstract, authors)
    return all(word in text for word in words)


_LIST_FIELDS = ("authors", "links", "keywords")
_NO_ITEMS: list[Any] = []


def _to_paper(data: dict[str, Any], *, owned: bool = False) -> Paper | None:
    """The Paper of a stored document. `owned`: the document is ours to change (the storage let
    go of it); otherwise it is copied, since it is what the storage holds."""
    if not owned:
        data = dict(data)
    # One shared string per source file, not one per paper (100k papers of one digest).
    source = data.get("source")
    if isinstance(source, str):
        data["source"] = sys.intern(source)
    # Most papers have no authors, links or keywords: one shared empty list instead of three
    # each (17 MB at 100k). Papers from the library are read-only (see `papers()`).
    for key in _LIST_FIELDS:
        if key not in data:
            data[key] = _NO_ITEMS
    try:
        return Paper(**data)
    except TypeError:
        # Unknown or missing fields (an older or newer file): keep what we know.
        if not isinstance(data.get("id"), str) or not isinstance(data.get("title"), str):
            return None
        return Paper.from_dict(data)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


_EMPTY: tuple[Any, ...] = (None, "", [])


def _compact(p: Paper) -> dict[str, Any]:
    """`paper.to_dict()` without the empty fields (their defaults): a smaller, faster file.
    Spelled out field by field: 3x faster than a loop over `fields(Paper)` at 100k papers."""
    data: dict[str, Any] = {"id": p.id, "title": p.title}
    v: Any
    if (v := p.abstract) not in _EMPTY:
        data["abstract"] = v
    if (v := p.authors) not in _EMPTY:
        data["authors"] = v
    if (v := p.published) not in _EMPTY:
        data["published"] = v
    if (v := p.links) not in _EMPTY:
        data["links"] = v
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
    if (v := p.keywords) not in _EMPTY:
        data["keywords"] = v
    if (v := p.digest_date) not in _EMPTY:
        data["digest_date"] = v
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
            self.db, self.warnings = memory_tinydb(), []
        else:
            label = "library file"
            self.db, self.warnings = open_tinydb(
                self.path, read_only=read_only, label=label, indent=True, check=check
            )
        storage = self.db.storage
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
        self.db.close()

    def refresh(self) -> bool:
        return self._storage.refresh()

    def stale(self) -> bool:
        """True when the library file is not the one last read or written here: another process
        imported papers (one `stat`, no parse). False for a library never written."""
        if self.path is None or not self.path.exists():
            return False
        return not self._storage.unchanged()

    def _table(self) -> dict[str, Any]:
        return (self._storage.read() or {}).get(TABLE, {})

    def _fresh(self) -> _Built | None:
        cache = self._cache
        if cache is not None and cache.version == self._storage.version:
            if self._storage.unchanged():
                return cache
        return None

    def _built(self) -> _Built:
        cache = self._fresh()
        if cache is not None:
            return cache
        tables = self._storage.read() or {}
        version = self._storage.version
        table: dict[str, Any] = tables.get(TABLE, {})
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
        cache = _Built(version, papers, {p.id: p for p in papers}, size, bad)
        self._cache = cache
        return cache

    def __len__(self) -> int:
        cache = self._fresh()
        return cache.size if cache is not None else len(self._table())

    def __contains__(self, pid: object) -> bool:
        cache = self._fresh()
        if cache is not None:
            return pid in cache.by_id or pid in cache.bad
        return pid in self._table()

    def get(self, pid: str) -> Paper | None:
        return self._built().by_id.get(pid)

    def papers(self) -> list[Paper]:
        """Every paper, in import order (a new list; the Paper objects are shared, don't mutate)."""
        return list(self._built().papers)

    def papers_containing(self, words: Sequence[str], always: Container[str] = ()) -> list[Paper]:
        """The papers whose folded title/abstract/authors contain every one of `words` (see
        `Query.required_words`), plus those whose id is in `always`, in import order. For a
        one-shot query over a big library: only the papers that pass become Paper objects."""
        if not words:
            return self.papers()
        cache = self._fresh()
        if cache is not None:
            return [
                p for p in cache.papers
                if p.id in always or _holds_all(p.title, p.abstract, p.authors, words)
            ]  # fmt: skip
        kept: list[Paper] = []
        with pause_gc():
            for pid, doc in self._table().items():
                if pid not in always and not _holds_all(
                    doc.get("title", ""), doc.get("abstract", ""), doc.get("authors") or (), words
                ):
                    continue
                paper = _to_paper(doc)
                if paper is not None:
                    kept.append(paper)
        return kept

    def recall(self, key: str | ContentKey) -> KnownImport | None:
        """What importing the input with this `content_key` did last time, if importing it again
        would change nothing: None when it was never imported, or when the library has changed
        since in a way that concerns its papers (the record is then stale)."""
        tables = self._storage.read() or {}
        records = tables.get(IMPORTS)
        if not records:
            return None  # without asking for the key: its hash may still be running
        record: Any = records.get(str(key))
        table = tables.get(TABLE, {})
        try:
            ids, also = record["ids"], record.get("also", [])
            fmt, duplicates, warnings = record["format"], record["duplicates"], record["warnings"]
            ok = (
                isinstance(ids, list)
                and all(isinstance(pid, str) and pid in table for pid in ids)
                and isinstance(also, list)
                and not any(pid in table for pid in also)
                and isinstance(fmt, str)
                and type(duplicates) is int
                and isinstance(warnings, list)
                and all(isinstance(w, str) for w in warnings)
            )
        except (TypeError, KeyError, AttributeError):
            return None
        if not ok or not ids:
            return None
        return KnownImport(key, fmt, duplicates, list(warnings), list(ids))

    def add(
        self,
        papers: Iterable[Paper],
        *,
        title_keys: Sequence[str] | None = None,
        remember: KnownImport | None = None,
    ) -> ImportReport:
        """Add papers, merging by id and by title key into what is there; one write, and none at
        all when nothing changed (re-importing a digest leaves the file alone).

        `title_keys`, if given, is `title_key(p.title)` of each paper (ingest has computed them
        already for the ids). `remember` records this import under its content key (format,
        duplicates, warnings; the ids come from the report) for `recall`."""
        report = ImportReport()
        with self._storage.transaction(), pause_gc():
            tables = self._storage.read() or {}
            table: dict[str, Any] = tables.get(TABLE, {})
            by_key = _title_index(tables, table)
            index_size = len(by_key)
            changed: dict[str, dict[str, Any]] = {}
            also: list[str] = []  # incoming ids stored under another (older) id
            keys = iter(title_keys) if title_keys is not None else None
            for paper in papers:
                key = next(keys) if keys is not None else None
                incoming = _compact(paper)
                target = paper.id
                doc = changed.get(target) or table.get(target)
                if doc is None:
                    if key is None:
                        key = title_key(paper.title)
                    found = by_key.get(key) if key else None
                    if found is None:
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
                if incoming == doc or (merged := _merge(doc, incoming)) == doc:
                    report.skipped += 1
                    continue
                changed[target] = merged
                report.merged += 1
            imports = _imports_after(tables, changed, remember, report, also)
            if changed or imports is not None:
                new_tables = dict(tables)
                if changed:
                    new_table = dict(table)
                    new_table.update(changed)
                    new_tables[TABLE] = new_table
                if len(by_key) != index_size or not isinstance(tables.get(INDEX), dict):
                    new_tables[INDEX] = {TITLE_KEYS: by_key}
                if imports is not None:
                    new_tables[IMPORTS] = imports
                self._storage.write(new_tables)
                self._write_preview(new_tables.get(TABLE, table))
        return report

    def fold(self, from_id: str, into_id: str) -> bool:
        """Merge the paper `from_id` into `into_id` and remove it (two records of one paper,
        found to be one by `enrich`); one write. False when either is not here."""
        with self._storage.transaction():
            tables = self._storage.read() or {}
            table: dict[str, Any] = tables.get(TABLE, {})
            if from_id not in table or into_id not in table or from_id == into_id:
                return False
            new_table = dict(table)
            gone = new_table.pop(from_id)
            new_table[into_id] = _merge(table[into_id], gone)
            new_tables = dict(tables)
            new_tables[TABLE] = new_table
            # The removed paper's title now leads to the paper it became, so importing its
            # digest again merges there instead of bringing it back.
            index = _title_index(tables, new_table)
            key = _key_of(gone)
            if key:
                index[key] = into_id
            new_tables[INDEX] = {TITLE_KEYS: index}
            new_tables.pop(IMPORTS, None)  # records naming the removed id would be stale
            self._storage.write(new_tables)
            self._write_preview(new_table)
            return True

    # -- the preview: what the reader needs for its first frame ------------------------------

    @property
    def _preview_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(PREVIEW_FILE)

    def _stamp(self) -> list[int] | None:
        try:
            st = os.stat(self.path) if self.path is not None else None
        except OSError:
            return None
        return None if st is None else [st.st_ino, st.st_size, st.st_mtime_ns]

    def _write_preview(self, table: dict[str, Any]) -> None:
        """Beside every write of the library, the id, title and repo of each paper in order: the
        reader draws its first frame from this (~5% of the bytes) while the whole library loads.
        Three newline-joined columns (ids and titles hold no newline) load in milliseconds.
        Derived data: written without fsync, and ignored unless it matches the library file."""
        target, stamp = self._preview_path, self._stamp()
        if target is None or stamp is None:
            return
        docs = table.values()
        data = {
            "version": PREVIEW_VERSION,
            "stamp": stamp,
            "ids": "\n".join(table),
            "titles": "\n".join(doc.get("title", "") for doc in docs),
            "repos": "\n".join(doc.get("repo") or "" for doc in docs),
        }
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            # Private like the library itself (0600): titles say what someone reads.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(orjson.dumps(data))
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def preview(self) -> PreviewPapers | None:
        """The papers with only id, title and repo, in import order, from the preview file when
        it matches the library file; None when there is none (then use `papers()`)."""
        target = self._preview_path
        if target is None or self._fresh() is not None:
            return None
        try:
            data = orjson.loads(target.read_bytes())
            if data.get("version") != PREVIEW_VERSION or data.get("stamp") != self._stamp():
                return None
            ids = data["ids"].split("\n") if data["ids"] else []
            titles = data["titles"].split("\n") if ids else []
            repos = data["repos"].split("\n") if ids else []
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        if not (len(ids) == len(titles) == len(repos)):
            return None
        return PreviewPapers(ids, titles, repos)

    def save_preview(self) -> None:
        """Write the preview from the loaded papers (a library written before previews existed)."""
        if self.path is None or self.read_only:
            return
        with self._storage.transaction():
            built = self._built()
            table = {p.id: {"title": p.title, "repo": p.repo} for p in built.papers}
            self._write_preview(table)


class PreviewPapers(Sequence[Paper]):
    """A sequence of papers built on demand from the preview's columns: a list drawing 40 rows of
    100k builds 40 Paper objects, not 100k."""

    def __init__(self, ids: list[str], titles: list[str], repos: list[str]) -> None:
        self.ids, self._titles, self._repos = ids, titles, repos

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> list[Paper]: ...
    def __getitem__(self, index: int | slice) -> Paper | list[Paper]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return Paper(self.ids[index], self._titles[index], repo=self._repos[index] or None)


@dataclass
class _Built:
    version: int
    papers: list[Paper]
    by_id: dict[str, Paper]
    size: int
    """Documents in the table, the unreadable ones (`bad`) included."""
    bad: set[str]


def _imports_after(
    tables: dict[str, Any],
    changed: dict[str, dict[str, Any]],
    remember: KnownImport | None,
    report: ImportReport,
    also: list[str],
) -> dict[str, Any] | None:
    """The import records after this add, or None if they stay as they are. A record whose
    papers changed (or whose merged-away ids now exist) is dropped: importing that file again
    might do something now."""
    stored = tables.get(IMPORTS)
    records: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
    touched = False
    if changed and records:
        for key, record in list(records.items()):
            ids = record.get("ids") if isinstance(record, dict) else None
            others = record.get("also", []) if isinstance(record, dict) else None
            if (
                not isinstance(ids, list)
                or not isinstance(others, list)
                or any(pid in changed for pid in ids)
                or any(pid in changed for pid in others)
            ):
                del records[key]
                touched = True
    # Only an import whose papers each landed on their own id can be replayed as "nothing to
    # do": two papers merged into one id would each overwrite the other's newer fields again.
    if remember is not None and report.ids and len(set(report.ids)) == len(report.ids):
        record = {
            "format": remember.format,
            "duplicates": remember.duplicates,
            "warnings": list(remember.warnings),
            "ids": list(report.ids),
            "also": also,
        }
        key = str(remember.key)
        if records.get(key) != record:
            records[key] = record
            touched = True
    return records if touched else None
