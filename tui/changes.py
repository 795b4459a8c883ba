"""Every change the reader makes to the store, with undo: marks (read, star, read later, tags,
note, mark all read), removals from the library, mute rules, saved searches, follows, and `u`
itself.

A plain class the main screen holds (tests use it without a screen). Changes are written one at
a time, in the order the keys asked for them, by one worker at a time (`submit` queues a change
and says when a new writer must start, `next` hands the writer the next one), so a star toggle
never waits on the UI thread and two quick keys are never written out of order.

Each step remembers, per paper, its marks before and after; undo puts back only the marks that
still hold the step's value, so a mark changed since (here, in another instance, by the CLI)
stays, and the message says so. A removal is undone by the library's `restore` (each paper back
in its place, with its first added date); a mute rule or a saved search added or removed, by
the opposite; so is a follow (a search saved to be followed goes again).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from papertray.store import MuteError, SearchError, StoreError
from papertray.store import rules as safe

if TYPE_CHECKING:
    from papertray.store import Library, PaperState, State, following, types

__all__ = ["UNDO_DEPTH", "WORKER_GROUP", "Changes", "Outcome", "on_paper", "quoted"]

UNDO_DEPTH = 200
WORKER_GROUP = "changes"
"""The group of the worker that writes the changes: quitting lets it finish (signals.py)."""
TITLE_ROOM = 40  # characters of a title a message quotes


@dataclass(frozen=True)
class _Marked:
    label: str  # "star on "Flow Matching…"", "mark 12 read"
    changes: dict[str, tuple[PaperState, PaperState]]  # paper id -> marks (before, after)


@dataclass(frozen=True)
class _Removed:
    label: str  # "remove 3 papers"
    ids: list[str]


@dataclass(frozen=True)
class _Ruled:
    label: str  # "mute survey"
    added: types.MuteRule | None = None
    removed: types.MuteRule | None = None


@dataclass(frozen=True)
class _Followed:
    label: str  # "follow survey", "unfollow Tri Dao"
    search: following.SavedSearch
    before: following.Follow | None  # the follow the step replaced (None: it was not followed)
    saved: bool = False  # the search was saved to be followed: undo removes it


@dataclass(frozen=True)
class _Searched:
    label: str  # "save the search “queue”"
    saved: following.SavedSearch | None = None
    removed: following.SavedSearch | None = None
    """The search removed, or the one of that name `saved` replaced."""


@dataclass
class Outcome:
    """What one change did, for the screen to show."""

    message: str = ""
    severity: Literal["information", "warning", "error"] = "information"
    marked: list[str] = field(default_factory=list)
    """Papers whose marks were written (or not: their marks are read again either way)."""
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    rules: bool = False
    """The mute rules changed."""
    follows: bool = False
    """The follows changed (one followed, unfollowed or seen)."""
    move_to: str | None = None
    """The paper to highlight (the one an undo brought back or changed)."""


class Changes:
    def __init__(self, library: Library, state: State) -> None:
        self.library = library
        self.state = state
        self._steps: list[_Marked | _Removed | _Ruled | _Followed | _Searched] = []
        self._queue: deque[Callable[[], Outcome]] = deque()
        self._lock = threading.Lock()
        self._writing = False

    # -- the queue ---------------------------------------------------------------------------

    def submit(self, change: Callable[[], Outcome]) -> bool:
        """Queue a change; True when no writer runs and one must be started."""
        with self._lock:
            self._queue.append(change)
            if self._writing:
                return False
            self._writing = True
            return True

    def next(self) -> Callable[[], Outcome] | None:
        """The next change to write, or None: the writer stops (a later `submit` starts one)."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            self._writing = False
            return None

    @property
    def depth(self) -> int:
        return len(self._steps)

    def _push(self, step: _Marked | _Removed | _Ruled | _Followed | _Searched) -> None:
        self._steps.append(step)
        del self._steps[:-UNDO_DEPTH]

    # -- marks ---------------------------------------------------------------------------------

    def _marks(self, label: str, ids: Sequence[str], write: Callable[[], object]) -> Outcome:
        get = self.state.get
        before = {pid: get(pid) for pid in ids}  # from the file, not the reader's copy
        try:
            write()
        except StoreError as error:
            return Outcome(f"Not saved: {error}", "error", marked=list(ids))
        self._push(_Marked(label, {pid: (before[pid], get(pid)) for pid in ids}))
        return Outcome(marked=list(ids))

    def set_read(self, pid: str, title: str, read: bool | None = None) -> Outcome:
        """Mark read or unread (None: the opposite of what the file says now)."""
        now = not self.state.get(pid).read if read is None else read
        label = on_paper(f"mark {'read' if now else 'unread'}", title)
        return self._marks(label, [pid], lambda: self.state.set_read(pid, now))

    def toggle_star(self, pid: str, title: str) -> Outcome:
        now = not self.state.get(pid).starred
        label = on_paper("star" if now else "unstar", title)
        return self._marks(label, [pid], lambda: self.state.set_starred(pid, now))

    def set_later(self, pid: str, title: str, later: bool) -> Outcome:
        label = on_paper("queue to read later" if later else "take out of the queue", title)
        return self._marks(label, [pid], lambda: self.state.set_later(pid, later))

    def set_tags(self, pid: str, title: str, tags: list[str]) -> Outcome:
        label = on_paper("edit tags", title)
        return self._marks(label, [pid], lambda: self.state.set_tags(pid, tags))

    def set_note(self, pid: str, title: str, note: str) -> Outcome:
        label = on_paper("edit note", title)
        return self._marks(label, [pid], lambda: self.state.set_note(pid, note))

    def mark_read(self, rowids: Sequence[int]) -> Outcome:
        """Every paper of `rowids` read (`A`: the papers shown), in one write."""
        try:
            ids = list(self.library.ids_of_rows(rowids).values())
        except StoreError as error:
            return Outcome(f"Not saved: {error}", "error")
        unread = [pid for pid in ids if not self.state.get(pid).read]
        if not unread:
            return Outcome("Every paper shown is already read.")
        outcome = self._marks(
            f"mark {len(unread):,} read", unread, lambda: self.state.set_read_many(unread, True)
        )
        if not outcome.message:
            outcome.message = f"Marked {len(unread):,} papers read (u undoes it)."
        return outcome

    # -- the library ---------------------------------------------------------------------------

    def remove(self, rowids: Sequence[int]) -> Outcome:
        """Take the papers of `rowids` out of the library (their marks stay in the state file)."""
        try:
            gone = self.library.remove(self.library.ids_of_rows(rowids).values())
        except StoreError as error:
            return Outcome(f"Not removed: {error}", "error")
        count = len(gone)
        self._push(_Removed(f"remove {count:,} paper{'' if count == 1 else 's'}", gone))
        return Outcome(f"Removed {count:,} from the library (u undoes it).", removed=gone)

    # -- mute rules ----------------------------------------------------------------------------

    def add_mute(self, query: str, why: str, count: int) -> Outcome:
        try:
            rule = self.state.add_mute(query, why)
        except (MuteError, StoreError) as error:
            return Outcome(f"Not muted: {error}", "error")
        self._push(_Ruled(f"mute {rule.query}", added=rule))
        papers = f"{count:,} paper{'' if count == 1 else 's'}"
        return Outcome(f"Muted {papers} like {rule.label} (u undoes it)", rules=True)

    def remove_mute(self, rule: types.MuteRule) -> Outcome:
        try:
            removed = self.state.remove_mute(rule.number)
        except (MuteError, StoreError) as error:
            return Outcome(f"Not unmuted: {error}", "error")
        self._push(_Ruled(f"unmute {removed.query}", removed=removed))
        return Outcome(f"Unmuted {removed.label} (u undoes it)", rules=True)

    # -- saved searches ------------------------------------------------------------------------

    def save_search(self, name: str, query: str) -> Outcome:
        """Save `query` as `name`: a search of that name keeps its key, a new one takes the
        first free key of 1-9 (none when all nine are taken: the palette still lists it)."""
        try:
            searches = self.state.searches()
            old = next((s for s in searches if s.name.casefold() == name.strip().casefold()), None)
            free = [n for n in range(1, 10) if n not in {s.slot for s in searches}]
            slot = old.slot if old is not None else (free[0] if free else None)
            saved = self.state.save_search(name, query, slot)
        except (SearchError, StoreError) as error:
            return Outcome(f"Not saved: {error}", "error")
        self._push(_Searched(f"save the search “{saved.name}”", saved=saved, removed=old))
        key = f" on key {saved.slot}" if saved.slot is not None else " (keys 1-9 are all taken)"
        return Outcome(f"Saved the search “{saved.name}”{key} (u undoes it)")

    def remove_search(self, name: str) -> Outcome:
        try:
            removed = self.state.remove_search(name)
        except (SearchError, StoreError) as error:
            return Outcome(f"Not removed: {error}", "error")
        self._push(_Searched(f"remove the search “{removed.name}”", removed=removed))
        return Outcome(f"Removed the search “{removed.name}” (u undoes it)")

    # -- follows -------------------------------------------------------------------------------

    def follow(self, query: str, name: str | None = None) -> Outcome:
        """Follow `query` (saved as a search first when none has it; `name`: the search's)."""
        from papertray.store import SearchError, following

        had = {f.search for f in self.state.follows.all()}
        try:
            search, follow, saved = following.follow_query(self.state, query, name)
        except (SearchError, StoreError) as error:
            return Outcome(f"Not followed: {error}", "error")
        label = _search_label(search)
        if search.id in had:
            return Outcome(f"Already following {label} (f lists the follows).")
        self._push(_Followed(f"follow {label}", search, None, saved))
        saved_now = " (saved as a search)" if saved else ""
        return Outcome(
            f"Following {label}{saved_now}: papers that arrive from now on are its news "
            "(u undoes it)",
            follows=True,
        )

    def unfollow(self, search: following.SavedSearch) -> Outcome:
        """Stop following `search` (it stays saved)."""
        label = _search_label(search)
        try:
            before = self.state.follows.unfollow(search.id)
        except StoreError as error:
            return Outcome(f"Not unfollowed: {error}", "error")
        if before is None:
            return Outcome(f"Not following {label}.", follows=True)
        self._push(_Followed(f"unfollow {label}", search, before))
        return Outcome(f"No longer following {label} (still saved; u undoes it)", follows=True)

    def follow_seen(self, search_id: str) -> Outcome:
        """The follow was opened: its papers are seen (no undo: seeing is not a change)."""
        try:
            self.state.follows.mark_seen([search_id])
        except StoreError as error:
            return Outcome(f"Not saved: {error}", "error")
        return Outcome(follows=True)

    def _undo_follow(self, step: _Followed) -> Outcome:
        from papertray.store import SearchError

        if step.before is not None:
            self.state.follows.put(step.search.id, step.before)  # followed again, as it was
        else:
            self.state.follows.unfollow(step.search.id)
            if step.saved:
                try:
                    self.state.remove_search(step.search.name)
                except SearchError:
                    pass  # removed meanwhile
        return Outcome(f"Undone: {step.label}", follows=True)

    # -- undo ----------------------------------------------------------------------------------

    def undo(self) -> Outcome:
        if not self._steps:
            return Outcome("Nothing to undo.")
        step = self._steps.pop()
        try:
            if isinstance(step, _Removed):
                back = self.library.restore(step.ids)
                return Outcome(
                    f"Undone: {step.label}", restored=back, move_to=back[0] if back else None
                )
            if isinstance(step, _Ruled):
                if step.added is not None:
                    self.state.remove_mute(step.added.number)
                if step.removed is not None:
                    self.state.restore_mute(step.removed)
                return Outcome(f"Undone: {step.label}", rules=True)
            if isinstance(step, _Followed):
                return self._undo_follow(step)
            if isinstance(step, _Searched):
                if step.saved is not None:
                    self.state.remove_search(step.saved.name)
                if step.removed is not None:
                    self.state.restore_search(step.removed)
                return Outcome(f"Undone: {step.label}")
            return self._undo_marks(step)
        except (MuteError, SearchError, StoreError) as error:
            self._push(step)
            return Outcome(f"Undo not saved: {error}", "error")

    def _undo_marks(self, step: _Marked) -> Outcome:
        get = self.state.get
        current = {pid: get(pid) for pid in step.changes}
        # Only the marks this step set go back: marks made since, here or by another instance
        # or the CLI, stay.
        result = self.state.revert(step.changes)
        ids = list(step.changes)
        left = sum(1 for pid in ids if result[pid] == current[pid])
        move_to = ids[0] if len(ids) == 1 else None
        if left == len(ids):
            why = "it was" if len(ids) == 1 else "they were"
            return Outcome(
                f"Nothing to undo for {step.label}: {why} changed elsewhere since.",
                marked=ids,
                move_to=move_to,
            )
        message = f"Undone: {step.label}"
        if left:
            message += f" ({left:,} changed elsewhere since left as they are)"
        return Outcome(message, marked=ids, move_to=move_to)


def _search_label(search: following.SavedSearch) -> str:
    """`Tri Dao (author:"Tri Dao")`, or the query alone when it names the search."""
    name, query = (" ".join(safe.shown_text(t).split()) for t in (search.name, search.query))
    return query if name == query else f"{name} ({query})"


def on_paper(action: str, title: str) -> str:
    """`star on "Flow Matching…"`: an undo label naming the paper."""
    return f"{action} on {quoted(title)}"


def quoted(title: str) -> str:
    """`"Flow Matching…"`: a title short enough for a one-line message."""
    short = title if len(title) <= TITLE_ROOM else title[: TITLE_ROOM - 1].rstrip() + "…"
    return f'"{short}"'
