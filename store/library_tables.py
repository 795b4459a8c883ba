"""`library.json`'s tables and their documents: what `Library` reads and writes.

Table `papers`: one document per paper, keyed by paper id, holding `Paper.to_dict()` without its
empty fields (so `Paper(**doc)` rebuilds it directly). Import order is the order of that object's
keys: new papers are appended, merges keep their place, and JSON objects keep their key order
through orjson and TinyDB. This is cheaper at load than a sequence number per paper (100k
papers load in about 0.3 s). Table `index`, document `title_keys`: title key -> id, so merging
by title does not re-normalise 100k stored titles at every import; document `latest_import`:
the latest batch (`is:new`). Table `imports`: see `store/recall.py`. Table `sources`: below.

Here: a paper as a stored document and back, how a re-imported paper completes the stored one,
the title index, the latest batch, and which digests gave each paper.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from papertray.store.heap import pause_gc
from papertray.store.matching import fold_text
from papertray.store.models import LIST_FIELDS, Paper, title_key

__all__ = [
    "IMPORTS",
    "INDEX",
    "LATEST",
    "PAPERS_TABLE",
    "SOURCES",
    "TITLE_KEYS",
    "ImportBatch",
    "as_count",
    "holding",
    "holds_all",
    "as_dict",
    "ids_of",
    "key_of",
    "latest_of",
    "merge_documents",
    "paper_sources",
    "source_counts",
    "sources_after",
    "stored_document",
    "tables_after_fold",
    "tables_after_removal",
    "title_index",
    "to_paper",
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


@dataclass(frozen=True)
class ImportBatch:
    """The latest import that added papers: when (the `added_at` of its papers) and how many.
    One command importing several files is one batch (see `Library.add`'s `batch`)."""

    at: float
    new: int


def to_paper(data: dict[str, Any], *, owned: bool = False) -> Paper | None:
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


def stored_document(p: Paper) -> dict[str, Any]:
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


def merge_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
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


def title_index(tables: dict[str, Any], papers: dict[str, Any]) -> dict[str, str]:
    """title key -> id, as stored, completed from the titles of papers it does not name (a
    missing or stale index heals itself; only those titles are normalised)."""
    stored = tables.get(INDEX, {}).get(TITLE_KEYS)
    index: dict[str, str] = {}
    if isinstance(stored, dict):
        index = {k: v for k, v in stored.items() if isinstance(v, str) and v in papers}
    named = set(index.values())
    for pid, doc in papers.items():
        if pid not in named:
            key = key_of(doc)
            if key:
                index.setdefault(key, pid)
    return index


def key_of(doc: dict[str, Any]) -> str:
    title = doc.get("title")
    return title_key(title) if isinstance(title, str) else ""


def latest_of(tables: dict[str, Any]) -> ImportBatch | None:
    latest = as_dict(tables.get(INDEX)).get(LATEST)
    if not isinstance(latest, dict):
        return None
    at = latest.get("at")
    if not isinstance(at, (int, float)) or isinstance(at, bool):
        return None
    return ImportBatch(float(at), as_count(latest.get("new")))


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def ids_of(record: Any) -> list[str]:
    ids = record.get("ids") if isinstance(record, dict) else None
    return [pid for pid in ids if isinstance(pid, str)] if isinstance(ids, list) else []


def paper_sources(tables: dict[str, Any], table: dict[str, Any]) -> dict[str, list[str]]:
    """Each paper's digests: its own `source` (libraries from before the sources table have
    only that) and every digest that gave it since."""
    of: dict[str, list[str]] = {}
    for pid, doc in table.items():
        source = doc.get("source") if isinstance(doc, dict) else None
        of[pid] = [source] if isinstance(source, str) and source else []
    stored = tables.get(SOURCES)
    if isinstance(stored, dict):
        for name, record in stored.items():
            for pid in ids_of(record):
                names = of.get(pid)
                if names is not None and name not in names:
                    names.append(name)
    return of


def source_counts(of: dict[str, list[str]]) -> list[tuple[str, int, int]]:
    """(digest name, papers from it, papers only from it) from each paper's digests, in the
    order the digests first appear."""
    counts: dict[str, list[int]] = {}
    for names in of.values():
        for name in names:
            count = counts.setdefault(name, [0, 0])
            count[0] += 1
            count[1] += len(names) == 1
    return [(name, c[0], c[1]) for name, c in counts.items()]


def sources_after(tables: dict[str, Any], given: dict[str, list[str]]) -> dict[str, Any] | None:
    """The sources table with this import's ids added, or None if it already holds them."""
    stored = tables.get(SOURCES)
    sources: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
    touched = False
    for name, ids in given.items():
        if not name:
            continue
        old = ids_of(sources.get(name))
        known = set(old)
        new = [pid for pid in dict.fromkeys(ids) if pid not in known]
        if new:
            sources[name] = {"ids": old + new}
            touched = True
    return sources if touched else None


def tables_after_fold(tables: dict[str, Any], from_id: str, into_id: str) -> dict[str, Any] | None:
    """The tables once paper `from_id` is merged into `into_id` and removed (two records of
    one paper, found to be one by `enrich`); None when either is not there."""
    table: dict[str, Any] = tables.get(PAPERS_TABLE, {})
    if from_id not in table or into_id not in table or from_id == into_id:
        return None
    new_table = dict(table)
    gone = new_table.pop(from_id)
    new_table[into_id] = merge_documents(table[into_id], gone)
    new_tables = dict(tables)
    new_tables[PAPERS_TABLE] = new_table
    # The removed paper's title now leads to the paper it became, so importing its
    # digest again merges there instead of bringing it back.
    index = title_index(tables, new_table)
    key = key_of(gone)
    if key:
        index[key] = into_id
    stored_index = as_dict(tables.get(INDEX))
    new_tables[INDEX] = {**stored_index, TITLE_KEYS: index}
    # The latest batch (`is:new`) stays: it is a time, and every other paper of it keeps its
    # added_at. The folded paper was one of its papers when its added_at is that time; it now
    # lives on as `into_id`, new only if that paper is (it was in the library first
    # otherwise), so the batch counts one paper fewer and "N new" agrees with `is:new`.
    latest = as_dict(stored_index.get(LATEST))
    if "at" in latest and gone.get("added_at") == latest["at"]:
        count = max(as_count(latest.get("new")) - 1, 0)
        new_tables[INDEX][LATEST] = {**latest, "new": count}
    new_tables.pop(IMPORTS, None)  # records naming the removed id would be stale
    stored = tables.get(SOURCES)
    if isinstance(stored, dict):  # the digests that gave it now gave the paper it became
        new_tables[SOURCES] = {
            name: {"ids": list(dict.fromkeys(
                into_id if pid == from_id else pid for pid in ids_of(rec)
            ))}
            for name, rec in stored.items()
        }  # fmt: skip
    return new_tables


def tables_after_removal(tables: dict[str, Any], gone: set[str]) -> dict[str, Any]:
    """The tables without the papers `gone`: out of the papers, the title index, the digests'
    lists, and the import records naming them (importing the digest again brings them back)."""
    table: dict[str, Any] = tables.get(PAPERS_TABLE, {})
    new_tables = dict(tables)
    new_tables[PAPERS_TABLE] = {pid: doc for pid, doc in table.items() if pid not in gone}
    index = tables.get(INDEX, {}).get(TITLE_KEYS)
    if isinstance(index, dict):
        kept = {k: v for k, v in index.items() if v not in gone}
        new_tables[INDEX] = {**as_dict(tables.get(INDEX)), TITLE_KEYS: kept}
    stored = tables.get(SOURCES)
    if isinstance(stored, dict):
        new_tables[SOURCES] = {
            name: {"ids": [pid for pid in ids_of(rec) if pid not in gone]}
            for name, rec in stored.items()
            if any(pid not in gone for pid in ids_of(rec))
        }
    records = tables.get(IMPORTS)
    if isinstance(records, dict):
        new_tables[IMPORTS] = {
            key: rec
            for key, rec in records.items()
            if isinstance(rec, dict) and not gone.intersection(ids_of(rec))
        }
    return new_tables


def holding(
    table: dict[str, Any], words: Sequence[str], always: Collection[str], *, owned: bool
) -> list[Paper]:
    """The papers of the stored documents `table` whose text holds every one of `words`, or
    whose id is in `always`, in order (`owned`: the documents are ours to change)."""
    kept: list[Paper] = []
    with pause_gc():
        for pid, doc in table.items():
            if pid not in always and not holds_all(
                doc.get("title", ""), doc.get("abstract", ""), doc.get("authors") or (), words
            ):
                continue
            paper = to_paper(doc, owned=owned)
            if paper is not None:
                kept.append(paper)
    return kept


def holds_all(title: str, abstract: str, authors: Sequence[str], words: Sequence[str]) -> bool:
    """Whether the folded title/abstract/authors contain every one of `words` (folded). Most
    matches hold the words as typed: folding 170 MB of text is the cost, so a paper is folded
    only when its text as stored is not enough."""
    if all(w in abstract or w in title for w in words):
        return True
    text = fold_text(title, abstract, authors)
    return all(word in text for word in words)
