"""The imported papers, in a TinyDB file of their own (`library.json`).

Table `papers`: one document per paper, keyed by paper id, holding `Paper.to_dict()` without its
empty fields (so `Paper(**doc)` rebuilds it directly). Import order is the order of that object's
keys: new papers are appended, merges keep their place, and JSON objects keep their key order
through orjson and TinyDB. This is cheaper at load than a sequence number per paper (100k
papers load in about 0.3 s). Table `index`, document `title_keys`: title key -> id, so merging
by title does not re-normalise 100k stored titles at every import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from store.models import Paper, title_key
from store.paths import LIBRARY_FILE
from store.storage import (
    AtomicJSONStorage,
    MemoryJSONStorage,
    StoreError,
    memory_tinydb,
    open_tinydb,
    pause_gc,
)

__all__ = ["ImportReport", "Library", "StoreError"]

TABLE = "papers"
INDEX = "index"
TITLE_KEYS = "title_keys"
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


def _to_paper(data: dict[str, Any]) -> Paper | None:
    try:
        return Paper(**data)
    except TypeError:
        # Unknown or missing fields (an older or newer file): keep what we know.
        if not isinstance(data.get("id"), str) or not isinstance(data.get("title"), str):
            return None
        return Paper.from_dict(data)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


_FIELDS = tuple(f.name for f in fields(Paper))
_get_fields = attrgetter(*_FIELDS)
_EMPTY: tuple[Any, ...] = (None, "", [])


def _compact(paper: Paper) -> dict[str, Any]:
    """`paper.to_dict()` without the empty fields (their defaults): a smaller, faster file."""
    data = {k: v for k, v in zip(_FIELDS, _get_fields(paper), strict=True) if v not in _EMPTY}
    data["id"], data["title"] = paper.id, paper.title
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
    """The papers imported so far, in import order."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        """`path` None keeps everything in memory (tests, scratch sessions)."""
        self.path = Path(path) if path is not None else None
        self.warnings: list[str]
        if self.path is None:
            self.db, self.warnings = memory_tinydb(), []
        else:
            label = "library file"
            self.db, self.warnings = open_tinydb(self.path, read_only=read_only, label=label)
        storage = self.db.storage
        assert isinstance(storage, (AtomicJSONStorage, MemoryJSONStorage))
        self._storage = storage
        self._cache: tuple[int, list[Paper], dict[str, Paper]] | None = None

    @classmethod
    def in_memory(cls) -> Library:
        return cls(None)

    @classmethod
    def open(cls, data_dir: Path, *, read_only: bool = False) -> Library:
        return cls(Path(data_dir) / LIBRARY_FILE, read_only=read_only)

    @property
    def read_only(self) -> bool:
        return self._storage.read_only

    def close(self) -> None:
        self.db.close()

    def refresh(self) -> bool:
        return self._storage.refresh()

    def _table(self) -> dict[str, Any]:
        return (self._storage.read() or {}).get(TABLE, {})

    def _built(self) -> tuple[list[Paper], dict[str, Paper]]:
        table = self._table()
        version = self._storage.version
        if self._cache is None or self._cache[0] != version:
            papers = []
            with pause_gc():
                for doc in table.values():
                    paper = _to_paper(doc)
                    if paper is not None:
                        papers.append(paper)
            self._cache = (version, papers, {p.id: p for p in papers})
        return self._cache[1], self._cache[2]

    def __len__(self) -> int:
        return len(self._table())

    def __contains__(self, pid: object) -> bool:
        return pid in self._table()

    def get(self, pid: str) -> Paper | None:
        if self._cache is not None and self._cache[0] == self._storage.version:
            return self._cache[2].get(pid)
        doc = self._table().get(pid)
        return _to_paper(doc) if doc else None

    def papers(self) -> list[Paper]:
        """Every paper, in import order (a new list; the Paper objects are shared, don't mutate)."""
        return list(self._built()[0])

    def add(self, papers: Iterable[Paper]) -> ImportReport:
        """Add papers, merging by id and by title key into what is there; one write, and none at
        all when nothing changed (re-importing a digest leaves the file alone)."""
        report = ImportReport()
        with self._storage.transaction(), pause_gc():
            tables = self._storage.read() or {}
            table: dict[str, Any] = tables.get(TABLE, {})
            by_key = _title_index(tables, table)
            index_size = len(by_key)
            changed: dict[str, dict[str, Any]] = {}
            for paper in papers:
                incoming = _compact(paper)
                target = paper.id
                doc = changed.get(target) or table.get(target)
                if doc is None:
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
                    doc = changed.get(target) or table[target]
                report.ids.append(target)
                if incoming == doc or (merged := _merge(doc, incoming)) == doc:
                    report.skipped += 1
                    continue
                changed[target] = merged
                report.merged += 1
            if changed:
                new_table = dict(table)
                new_table.update(changed)
                new_tables = dict(tables)
                new_tables[TABLE] = new_table
                if len(by_key) != index_size or not isinstance(tables.get(INDEX), dict):
                    new_tables[INDEX] = {TITLE_KEYS: by_key}
                self._storage.write(new_tables)
        return report
