"""The user's marks (read, starred, read later, tags, note) and mute rules, in TinyDB tables of
their own file (`state.json`).

Used as TinyDB is meant to be used: a `Storage` subclass (`storage.AtomicJSONStorage`: atomic
writes under a lock, its documented extension point) under TinyDB's public `Table` API. Table
`marks` holds one document per paper the user touched, `{"paper": <its lasting id>, ...}`
(`Library` keeps that id for good: a paper removed and imported again, or arriving under its
arXiv id, finds its marks again); table `mutes` one document per rule, its number the document
id; table `searches` one document per saved search (`store/searches.py`); table `follows` one
per followed search (`store/follows.py`: `State.follows`); table `papertray` the
file's format. Every change holds the lock across read-modify-write
and sees another process's changes first, so two open instances never lose each other's marks;
a change of many papers is one write of the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document, Table

from papertray.store import follows as _follows
from papertray.store import mutes as _mutes
from papertray.store import searches as _searches
from papertray.store.dates import Clock
from papertray.store.dates import now as clock_now
from papertray.store.models import UNTOUCHED, PaperState
from papertray.store.mutes import MuteError, MuteRule
from papertray.store.paths import STATE_FILE
from papertray.store.sanitize import clean_note
from papertray.store.searches import SavedSearch, SearchError
from papertray.store.storage import AtomicJSONStorage, MemoryJSONStorage, StoreError
from papertray.store.tags import normalize_tags

__all__ = ["FORMAT", "MuteError", "MuteRule", "SavedSearch", "SearchError", "State", "StoreError"]

MARKS = "marks"
MUTES = "mutes"
SEARCHES = "searches"
META = "papertray"
FORMAT = 2
"""The layout of `state.json` (1: releases before 0.2, marks keyed by paper id; see
`store/migrate.py`)."""
OLD_TABLES = ("states", "mutes_meta")
"""Tables only a file of the layout before 0.2 holds (`migrate_state` rewrites it)."""


def _unnumbered(tables: dict[str, dict[str, Any]]) -> str | None:
    """Why the file is not one TinyDB can read: it takes the key of every document for its
    number (`Table.document_id_class`), so a key that is none (hand-edited) failed every
    command. A file before 0.2 is keyed otherwise, and is read as `migrate_state` reads it."""
    if any(name in tables for name in OLD_TABLES):
        return None
    for name, table in tables.items():
        for key in table:
            try:
                Table.document_id_class(key)
            except ValueError:
                return f"table {name!r} holds a document whose id is not a number"
    return None


class State:
    """Per-paper marks and the mute rules. Mutating methods return the new `PaperState` and
    raise `StoreError` when the change cannot be saved (the stored state is then unchanged)."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        """`path` None keeps everything in memory (tests, scratch sessions)."""
        self.path = Path(path) if path is not None else None
        self.notices: list[str] = []
        storage: AtomicJSONStorage | MemoryJSONStorage
        if self.path is None:
            self._db = TinyDB(storage=MemoryJSONStorage)
        else:
            self._db = TinyDB(
                str(self.path),
                storage=AtomicJSONStorage,
                read_only=read_only,
                label="state file",
                shape=_unnumbered,
            )
        storage = self._db.storage  # type: ignore[assignment]
        self._storage = storage
        self.warnings = storage.warnings
        self._marks: Table = self._db.table(MARKS, cache_size=0)
        self._mutes: Table = self._db.table(MUTES, cache_size=0)
        self._saved = _searches.SearchTable(self._db.table(SEARCHES, cache_size=0))
        self.follows = _follows.Follows(self._db.table("follows", cache_size=0), self._writing)
        """The followed searches: `follows.all()`, `follow(id)`, `unfollow(id)`, `mark_seen()`."""
        self._meta: Table = self._db.table(META, cache_size=0)
        self._index: _Index | None = None
        storage.clean_leftovers()
        if self.path is not None and not read_only:
            from papertray.store.migrate import migrate_state  # only a pre-0.2 file needs it

            notice = migrate_state(self._storage)
            if notice:
                self.notices.append(notice)
        storage.read()  # a damaged file is found, moved aside and reported now

    @classmethod
    def in_memory(cls) -> State:
        return cls(None)

    @classmethod
    def open(cls, data_dir: Path, *, read_only: bool = False) -> State:
        return cls(Path(data_dir) / STATE_FILE, read_only=read_only)

    @property
    def read_only(self) -> bool:
        return self._storage.read_only

    @property
    def version(self) -> int:
        """Changes whenever the marks seen here change (here or in another process)."""
        self._storage.read()
        return self._storage.version

    def close(self) -> None:
        self._db.close()

    # -- reading ----------------------------------------------------------------------------

    def _indexed(self) -> _Index:
        """paper id -> document id and marks: built once per version of the file (another
        process's change), and kept in step with this object's own writes (`_writing`)."""
        self._storage.read()  # sees another process's change
        version = self._storage.version
        if self._index is None or self._index.version != version:
            index = _Index(version)
            for doc in self._marks.all():
                index.highest = max(index.highest, doc.doc_id)
                pid = doc.get("paper")
                if isinstance(pid, str) and pid not in index.doc_ids:
                    index.doc_ids[pid] = doc.doc_id
                    state = PaperState.from_dict(doc)
                    if not state.untouched:
                        index.states[pid] = state
            self._index = index
        return self._index

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A read-modify-write under the lock (`storage.transaction`), after which the index,
        changed along with the documents, is the index of the file as written."""
        try:
            with self._storage.transaction():
                before = self._indexed().version
                yield
                changed = self._storage.version  # (the write comes when the block ends)
        except BaseException:
            self._index = None  # the file is what it was: read it again
            raise
        if self._index is not None and self._index.version == before == changed:
            self._index.version = self._storage.version

    def get(self, pid: str) -> PaperState:
        return self._indexed().states.get(pid, UNTOUCHED)

    def all(self) -> dict[str, PaperState]:
        """Every touched paper's state (a new dict)."""
        return dict(self._indexed().states)

    def all_tags(self, present: Collection[str] | None = None) -> list[tuple[str, int]]:
        """(tag, number of papers), most used first, then alphabetical; with `present` (the
        ids of the papers in the library), only tags that some paper there carries."""
        counts: Counter[str] = Counter()
        for pid, state in self._indexed().states.items():
            if state.tags and (present is None or pid in present):
                counts.update(state.tags)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def refresh(self) -> bool:
        """Re-read the file if another process changed it; True if anything changed."""
        return self._storage.refresh()

    # -- changing ---------------------------------------------------------------------------

    def _change(self, changes: Mapping[str, PaperState]) -> None:
        """Store these states (untouched ones are removed), in one write. Inside a
        transaction: TinyDB's `remove`, `update` and `insert_multiple`, each once."""
        index = self._indexed()
        doc_ids = index.doc_ids
        gone: list[int] = []
        rewritten: dict[str, dict[str, Any]] = {}
        added: list[dict[str, Any]] = []
        for pid, state in changes.items():
            doc_id = doc_ids.get(pid)
            if state.untouched:
                if doc_id is not None:
                    gone.append(doc_id)
            elif doc_id is not None:
                rewritten[pid] = _document(pid, state)
            else:
                added.append(_document(pid, state))
        if gone:
            self._marks.remove(doc_ids=gone)
        if rewritten:

            def rewrite(doc: MutableMapping[str, Any]) -> None:
                # TinyDB hands each chosen document to this: it becomes the paper's marks now.
                new = rewritten[doc["paper"]]
                doc.clear()
                doc.update(new)

            self._marks.update(rewrite, doc_ids=[doc_ids[pid] for pid in rewritten])
        if added:
            # Numbered here, from the file as it is under the lock: TinyDB's own counter is
            # kept per `Table` object and would not see another process's inserts.
            first = index.highest + 1
            self._marks.insert_multiple(
                Document(doc, doc_id=first + n) for n, doc in enumerate(added)
            )
            for n, doc in enumerate(added):
                index.doc_ids[doc["paper"]] = first + n
            index.highest = first + len(added) - 1
        for pid, state in changes.items():  # the index follows the documents
            if state.untouched:
                index.states.pop(pid, None)
                doc_ids.pop(pid, None)
            else:
                index.states[pid] = state

    def _update(self, pid: str, fn: Callable[[PaperState, float], PaperState]) -> PaperState:
        with self._writing():
            old = self.get(pid)
            now = clock_now()
            new = fn(old, now)
            if new == old:
                return old
            new = replace(new, updated_at=now)
            self._change({pid: new})
            return new

    def set_read(self, pid: str, read: bool) -> PaperState:
        return self._update(pid, lambda s, now: _with_read(s, read, now))

    def set_starred(self, pid: str, starred: bool) -> PaperState:
        return self._update(pid, lambda s, now: _with_star(s, starred, now))

    def toggle_star(self, pid: str) -> PaperState:
        return self._update(pid, lambda s, now: _with_star(s, not s.starred, now))

    def set_later(self, pid: str, later: bool) -> PaperState:
        """Put the paper in the read-later queue (or take it out); `later_at` is when it was
        queued, so the queue reads oldest first."""
        return self._update(pid, lambda s, now: _with_later(s, later, now))

    def set_tags(self, pid: str, tags: Iterable[str]) -> PaperState:
        wanted = normalize_tags(tags)
        return self._update(pid, lambda s, now: replace(s, tags=wanted))

    def add_tags(self, pid: str, tags: Iterable[str]) -> PaperState:
        extra = normalize_tags(tags)
        return self._update(pid, lambda s, now: replace(s, tags=normalize_tags(s.tags + extra)))

    def remove_tags(self, pid: str, tags: Iterable[str]) -> PaperState:
        gone = set(normalize_tags(tags))
        return self._update(
            pid, lambda s, now: replace(s, tags=tuple(t for t in s.tags if t not in gone))
        )

    def set_note(self, pid: str, text: str) -> PaperState:
        """Saving a note settles a conflicting note (see `PaperState.conflicting_note`): the
        text saved is the user's answer to both, so the other text goes, here and, once synced,
        on every machine. Saving the same text again keeps it and drops the other."""
        note = clean_note(text)
        return self._update(pid, lambda s, now: replace(s, note=note, conflicting_note=""))

    def set_read_many(self, pids: Iterable[str], read: bool) -> dict[str, PaperState]:
        """Mark many papers in one write. Returns every given paper's previous state (for undo
        with `restore`)."""
        with self._writing():
            now = clock_now()
            previous: dict[str, PaperState] = {}
            changes: dict[str, PaperState] = {}
            for pid in pids:
                if pid in previous:
                    continue
                old = self.get(pid)
                previous[pid] = old
                if old.read != read:
                    changes[pid] = replace(_with_read(old, read, now), updated_at=now)
            if changes:
                self._change(changes)
            return previous

    def restore(self, previous: Mapping[str, PaperState]) -> None:
        """Put these states back exactly, in one write."""
        with self._writing():
            self._change(previous)

    def revert(self, changes: Mapping[str, tuple[PaperState, PaperState]]) -> dict[str, PaperState]:
        """Undo: for each paper, `(before, after)` of one action. Each mark (read, star, later,
        tags, note) that still holds the action's `after` value goes back to `before`; a mark
        changed since, by another instance or the CLI, is left alone. One write; returns the new
        states."""
        with self._writing():
            now = clock_now()
            result: dict[str, PaperState] = {}
            changed: dict[str, PaperState] = {}
            for pid, (before, after) in changes.items():
                current = self.get(pid)
                new = current
                states = (current, after, before)
                for names in _MARKS:
                    held, set_to, was = ([getattr(s, n) for n in names] for s in states)
                    if held == set_to != was:
                        new = replace(new, **{name: getattr(before, name) for name in names})
                if new != current:
                    new = replace(new, updated_at=now)
                    changed[pid] = new
                result[pid] = new
            if changed:
                self._change(changed)
            return result

    def merge_marks(self, from_id: str, into_id: str) -> PaperState:
        """Move every mark of `from_id` onto `into_id` (two records of one paper becoming one):
        read, starred or queued to read later if either was, the tags of both, both notes. One
        write."""
        with self._writing():
            old, into = self.get(from_id), self.get(into_id)
            if old.untouched:
                return into
            notes = [n for n in (into.note, old.note) if n]
            others = [n for n in (into.conflicting_note, old.conflicting_note) if n]
            merged = PaperState(
                read=into.read or old.read,
                starred=into.starred or old.starred,
                tags=normalize_tags(into.tags + old.tags),
                note="\n\n".join(dict.fromkeys(notes)),
                read_at=into.read_at or old.read_at,
                starred_at=into.starred_at or old.starred_at,
                updated_at=clock_now(),
                later=into.later or old.later,
                later_at=_earliest(into.later_at, old.later_at),
                conflicting_note="\n\n".join(dict.fromkeys(others)),
            )
            self._change({into_id: merged, from_id: UNTOUCHED})
            return merged

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock for a read-modify-write of many changes (re-entrant): what is read
        inside is the file as it is, and every change made inside is one write, when the
        outermost block ends (the sync merges a folder's logs this way)."""
        with self._writing():
            yield

    def meta(self, name: str) -> Any:
        """A value the store keeps for itself in the file's `papertray` table (the sync's
        machine id), or None."""
        self._storage.read()
        doc = self._meta.get(doc_id=1)
        return doc.get(name) if isinstance(doc, dict) else None

    def set_meta(self, name: str, value: Any) -> None:
        with self._writing():
            self._meta.upsert(Document({"format": FORMAT, name: value}, doc_id=1))

    # -- mute rules (see store.mutes) ---------------------------------------------------------

    def mute_rules(self) -> list[MuteRule]:
        """The mute rules, by number."""
        self._storage.read()
        return _mutes.read_rules(self._mutes.all())

    def add_mute(self, query: str, why: str = "", clock: Clock | None = None) -> MuteRule:
        """Store a new rule and return it with its number. MuteError for a query that cannot be
        a rule or one already muted by an identical rule; StoreError when it cannot be saved."""
        rule = _mutes.new_rule(query, why, clock)
        with self._writing():
            rules = self.mute_rules()
            for old in rules:
                if old.query == rule.query:
                    raise MuteError(f"rule {old.number} already mutes {old.query}")
            number = max([self._next_rule(), *(r.number + 1 for r in rules)])
            numbered = replace(rule, number=number)
            self._mutes.insert(Document(numbered.to_dict(), doc_id=number))
            self._set_next_rule(number + 1)
            return numbered

    def remove_mute(self, number: int) -> MuteRule:
        """Remove rule `number` and return it (for undo with `restore_mute`)."""
        with self._writing():
            found = [r for r in self.mute_rules() if r.number == number]
            if not found:
                raise MuteError(f"no mute rule {number} (papertray mutes lists them)")
            self._mutes.remove(doc_ids=[number])
            return found[0]

    def restore_mute(self, rule: MuteRule) -> None:
        """Put a removed rule back under its number, as it was (undo of `remove_mute`)."""
        with self._writing():
            if any(r.number == rule.number for r in self.mute_rules()):
                return
            self._mutes.insert(Document(rule.to_dict(), doc_id=rule.number))

    def merge_mutes(self, changes: Mapping[str, MuteRule | None]) -> None:
        """Rules by their query, as another machine has them (the sync): None removes the rule
        with that query; a rule is added under the next number, or changes the why of the
        rule with that query, which keeps its number (numbers are this data folder's own).
        Stored as given: a rule another version wrote that this one cannot read is kept and
        shown as broken (`MuteSet.broken`). One write."""
        with self._writing():
            rules = {rule.query: rule for rule in self.mute_rules()}
            gone = [rules[q].number for q, rule in changes.items() if rule is None and q in rules]
            if gone:
                self._mutes.remove(doc_ids=gone)
            first = max([self._next_rule(), *(r.number + 1 for r in rules.values())])
            number = first
            for query, rule in changes.items():
                if rule is None:
                    continue
                old = rules.get(query)
                if old is None:
                    added = replace(rule, query=query, number=number)
                    self._mutes.insert(Document(added.to_dict(), doc_id=number))
                    number += 1
                elif (old.why, old.created) != (rule.why, rule.created):
                    kept = replace(rule, query=query, number=old.number)
                    self._mutes.update(_whole(kept.to_dict()), doc_ids=[old.number])
            if number != first:
                self._set_next_rule(number)

    # -- saved searches (see store.searches) ---------------------------------------------------

    def searches(self) -> list[SavedSearch]:
        """The saved searches: those in a slot by slot, then the others by name."""
        self._storage.read()
        return self._saved.all()

    def search(self, name: str) -> SavedSearch | None:
        """The saved search of this name (case aside), or None."""
        self._storage.read()
        return self._saved.find(name)

    def save_search(
        self, name: str, query: str, slot: int | None = None, clock: Clock | None = None
    ) -> SavedSearch:
        """Save `query` under `name` (a search of that name gets the new query and slot, and
        keeps its id and creation time). SearchError for a bad name, query or slot, or a slot
        another search holds; StoreError when it cannot be saved."""
        name, text = _searches.clean_search(name, query, slot)
        with self._writing():
            return self._saved.save(name, text, slot, _searches.made_now(clock))

    def search_in_slot(self, slot: int) -> SavedSearch | None:
        """The saved search bound to key `slot` (1-9), or None."""
        return next((s for s in self.searches() if s.slot == slot), None)

    def remove_search(self, name: str) -> SavedSearch:
        """Remove the saved search of this name and return it (for undo with
        `restore_search`). SearchError when there is none."""
        with self._writing():
            return self._saved.remove(name)

    def restore_search(self, search: SavedSearch) -> None:
        """Put a removed search back as it was, its id too (undo of `remove_search`)."""
        with self._writing():
            self._saved.restore(search)

    def merge_searches(
        self, changes: Mapping[str, tuple[SavedSearch | None, _follows.Follow | None]]
    ) -> None:
        """Saved searches by name (case aside), each with its follow, as another machine has
        them (the sync): None removes the search of that name and its follow; a search keeps
        its id here, and its follow goes with it. One write."""
        with self._writing():
            for name, (search, follow) in changes.items():
                if search is None:
                    gone = self._saved.drop(name)
                    if gone is not None:
                        self.follows.put(gone.id, None)
                    continue
                kept = self._saved.put(search)
                self.follows.put(kept.id, follow)

    def _next_rule(self) -> int:
        """The next rule number: one more than the highest ever used, so a removed rule's
        number is never given to another."""
        doc = self._meta.get(doc_id=1)
        value = doc.get("next_rule") if isinstance(doc, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else 1

    def _set_next_rule(self, number: int) -> None:
        self._meta.upsert(Document({"format": FORMAT, "next_rule": number}, doc_id=1))


@dataclass
class _Index:
    """What the marks table holds, by paper: its document id and its marks (untouched ones
    left out), for one `version` of the file; `highest`: the highest document id in use."""

    version: int
    doc_ids: dict[str, int] = field(default_factory=dict)
    states: dict[str, PaperState] = field(default_factory=dict)
    highest: int = 0


# Each mark with what goes with it (its time; a note's conflicting note): what one undo step
# compares and puts back together.
_MARKS = (
    ("read", "read_at"),
    ("starred", "starred_at"),
    ("later", "later_at"),
    ("tags",),
    ("note", "conflicting_note"),
)


def _whole(new: dict[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that makes a document `new`, dropping the keys `new` lacks."""

    def rewrite(doc: MutableMapping[str, Any]) -> None:
        doc.clear()
        doc.update(new)

    return rewrite


def _document(pid: str, state: PaperState) -> dict[str, Any]:
    # Only what differs from the default: half the bytes to serialise and fsync per toggle.
    data = {k: v for k, v in state.to_dict().items() if v not in (None, False, "", [])}
    return {"paper": pid, **data}


def _with_read(state: PaperState, read: bool, now: float) -> PaperState:
    if state.read == read:
        return state
    return replace(state, read=read, read_at=now if read else None)


def _with_star(state: PaperState, starred: bool, now: float) -> PaperState:
    if state.starred == starred:
        return state
    return replace(state, starred=starred, starred_at=now if starred else None)


def _with_later(state: PaperState, later: bool, now: float) -> PaperState:
    if state.later == later:
        return state
    return replace(state, later=later, later_at=now if later else None)


def _earliest(*times: float | None) -> float | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None
