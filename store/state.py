"""The user's marks on papers (read, starred, tags, note), kept in their own small file.

Only touched papers are stored, keyed by paper id, so a star toggle rewrites a file of the papers
the user marked, never the 100k abstracts of the library. Every change holds the storage lock
across read-modify-write and sees another process's changes first, so two open instances never
lose each other's marks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tinydb import where

from papertray.store import mutes as _mutes
from papertray.store.dates import Clock
from papertray.store.dates import now as clock_now
from papertray.store.models import UNTOUCHED, PaperState
from papertray.store.mutes import MuteError, MuteRule
from papertray.store.paths import STATE_FILE
from papertray.store.sanitize import clean_note
from papertray.store.storage import (
    AtomicJSONStorage,
    MemoryJSONStorage,
    StoreError,
    StrTable,
    memory_tinydb,
    open_tinydb,
)
from papertray.store.tags import normalize_tags

__all__ = ["MuteError", "MuteRule", "State", "StoreError"]

MARKS_TABLE = "states"  # the name on disk since the first version


class State:
    """Per-paper marks. Mutating methods return the new `PaperState` and raise `StoreError`
    when the change cannot be saved (the stored state is then unchanged)."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        """`path` None keeps everything in memory (tests, scratch sessions)."""
        self.path = Path(path) if path is not None else None
        self.warnings: list[str]
        if self.path is None:
            self._db, self.warnings = memory_tinydb(), []
        else:
            self._db, self.warnings = open_tinydb(
                self.path, read_only=read_only, label="state file"
            )
        storage = self._db.storage
        assert isinstance(storage, (AtomicJSONStorage, MemoryJSONStorage))
        self._storage = storage
        # One TinyDB table keyed by paper id: a document per touched paper (`_compact_marks`).
        table = self._db.table(MARKS_TABLE, cache_size=0)
        assert isinstance(table, StrTable)
        self._marks = table
        self._all_cache: tuple[int, dict[str, PaperState]] | None = None

    @classmethod
    def in_memory(cls) -> State:
        return cls(None)

    @classmethod
    def open(cls, data_dir: Path, *, read_only: bool = False) -> State:
        return cls(Path(data_dir) / STATE_FILE, read_only=read_only)

    @property
    def read_only(self) -> bool:
        return self._storage.read_only

    def close(self) -> None:
        self._db.close()

    # -- reading ----------------------------------------------------------------------------

    def get(self, pid: str) -> PaperState:
        doc = self._marks.document(pid)
        return PaperState.from_dict(doc) if doc is not None else UNTOUCHED

    def all(self) -> dict[str, PaperState]:
        """Every touched paper's state (a new dict; built once per version of the file)."""
        docs = self._marks.documents()  # re-reads the file if another process changed it
        version = self._storage.version
        if self._all_cache is None or self._all_cache[0] != version:
            states = {pid: PaperState.from_dict(doc) for pid, doc in docs.items()}
            self._all_cache = (version, {p: s for p, s in states.items() if not s.untouched})
        return dict(self._all_cache[1])

    def all_tags(self) -> list[tuple[str, int]]:
        """(tag, number of papers), most used first, then alphabetical."""
        counts: Counter[str] = Counter()
        for doc in self._marks.search(where("tags").exists()):
            counts.update(PaperState.from_dict(doc).tags)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def refresh(self) -> bool:
        """Re-read the file if another process changed it; True if anything changed."""
        return self._storage.refresh()

    # -- changing ---------------------------------------------------------------------------

    def _change(self, changes: Mapping[str, PaperState]) -> None:
        """Store these states (untouched ones are removed) in one write. Caller holds the lock."""
        self._marks.put_many(
            {
                pid: None if state.untouched else _compact_marks(state)
                for pid, state in changes.items()
            }
        )

    def _update(self, pid: str, fn: Callable[[PaperState, float], PaperState]) -> PaperState:
        with self._storage.transaction():
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

    def toggle_read(self, pid: str) -> PaperState:
        return self._update(pid, lambda s, now: _with_read(s, not s.read, now))

    def set_starred(self, pid: str, starred: bool) -> PaperState:
        return self._update(pid, lambda s, now: _with_star(s, starred, now))

    def toggle_star(self, pid: str) -> PaperState:
        return self._update(pid, lambda s, now: _with_star(s, not s.starred, now))

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
        note = clean_note(text)
        return self._update(pid, lambda s, now: replace(s, note=note))

    def set_read_many(self, pids: Iterable[str], read: bool) -> dict[str, PaperState]:
        """Mark many papers in one write. Returns every given paper's previous state (for undo
        with `restore`)."""
        with self._storage.transaction():
            table = self._marks.documents()
            now = clock_now()
            previous: dict[str, PaperState] = {}
            changes: dict[str, PaperState] = {}
            for pid in pids:
                if pid in previous:
                    continue
                doc = table.get(pid)
                old = PaperState.from_dict(doc) if doc is not None else UNTOUCHED
                previous[pid] = old
                if old.read != read:
                    changes[pid] = replace(_with_read(old, read, now), updated_at=now)
            if changes:
                self._change(changes)
            return previous

    def restore(self, previous: Mapping[str, PaperState]) -> None:
        """Put these states back exactly, in one write."""
        with self._storage.transaction():
            self._change(previous)

    def revert(self, changes: Mapping[str, tuple[PaperState, PaperState]]) -> dict[str, PaperState]:
        """Undo: for each paper, `(before, after)` of one action. Each mark (read, star, tags,
        note) that still holds the action's `after` value goes back to `before`; a mark changed
        since, by another instance or the CLI, is left alone. One write; returns the new states."""
        with self._storage.transaction():
            now = clock_now()
            result: dict[str, PaperState] = {}
            changed: dict[str, PaperState] = {}
            for pid, (before, after) in changes.items():
                current = self.get(pid)
                new = current
                for names in _MARKS:
                    mark = names[0]
                    if getattr(current, mark) == getattr(after, mark) != getattr(before, mark):
                        new = replace(new, **{name: getattr(before, name) for name in names})
                if new != current:
                    new = replace(new, updated_at=now)
                    changed[pid] = new
                result[pid] = new
            if changed:
                self._change(changed)
            return result

    # -- mute rules (see store.mutes): their own table in this file --------------------------

    def mute_rules(self) -> list[MuteRule]:
        """The mute rules, by number."""
        return _mutes.read_rules(self._storage.read())

    def add_mute(self, query: str, why: str = "", clock: Clock | None = None) -> MuteRule:
        """Store a new rule and return it with its number. MuteError for a query that cannot be
        a rule or one already muted by an identical rule; StoreError when it cannot be saved."""
        rule = _mutes.new_rule(query, why, clock)
        with self._storage.transaction():
            tables = self._storage.read() or {}
            for old in _mutes.read_rules(tables):
                if old.query == rule.query:
                    raise MuteError(f"rule {old.number} already mutes {old.query}")
            new_tables = _mutes.with_rule(tables, rule)
            self._storage.write(new_tables)
            return next(r for r in _mutes.read_rules(new_tables) if r.query == rule.query)

    def remove_mute(self, number: int) -> MuteRule:
        """Remove rule `number` and return it (for undo with `restore_mute`)."""
        with self._storage.transaction():
            tables = self._storage.read() or {}
            found = [r for r in _mutes.read_rules(tables) if r.number == number]
            if not found:
                raise MuteError(f"no mute rule {number} (papertray mutes lists them)")
            self._storage.write(_mutes.with_rule(tables, None, drop=number))
            return found[0]

    def restore_mute(self, rule: MuteRule) -> None:
        """Put a removed rule back under its number, as it was (undo of `remove_mute`)."""
        with self._storage.transaction():
            tables = self._storage.read() or {}
            if any(r.number == rule.number for r in _mutes.read_rules(tables)):
                return
            self._storage.write(_mutes.with_rule(tables, rule))

    def merge_marks(self, from_id: str, into_id: str) -> PaperState:
        """Move every mark of `from_id` onto `into_id` (two records of one paper becoming one):
        read or starred if either was, the tags of both, both notes. One write."""
        with self._storage.transaction():
            old, into = self.get(from_id), self.get(into_id)
            if old.untouched:
                return into
            notes = [n for n in (into.note, old.note) if n]
            merged = PaperState(
                read=into.read or old.read,
                starred=into.starred or old.starred,
                tags=normalize_tags(into.tags + old.tags),
                note="\n\n".join(dict.fromkeys(notes)),
                read_at=into.read_at or old.read_at,
                starred_at=into.starred_at or old.starred_at,
                updated_at=clock_now(),
            )
            self._change({into_id: merged, from_id: UNTOUCHED})
            return merged


# Each mark with the timestamp that goes with it: what one undo step puts back together.
_MARKS = (("read", "read_at"), ("starred", "starred_at"), ("tags",), ("note",))


def _compact_marks(state: PaperState) -> dict[str, Any]:
    # Only what differs from the default: half the bytes to serialise and fsync per toggle.
    return {k: v for k, v in state.to_dict().items() if v not in (None, False, "", [])}


def _with_read(state: PaperState, read: bool, now: float) -> PaperState:
    if state.read == read:
        return state
    return replace(state, read=read, read_at=now if read else None)


def _with_star(state: PaperState, starred: bool, now: float) -> PaperState:
    if state.starred == starred:
        return state
    return replace(state, starred=starred, starred_at=now if starred else None)
