"""The reader's copy of the user's marks, kept in step with `state.json`.

A plain class the main screen holds (tests use it without a screen). It keeps the marks of the
papers the user touched, by paper id (what a row and the pane show), and the rowids of the
read, starred and read-later ones in the library (what the status line counts among the rows
shown and what `n` skips), so no count ever reads a paper. Another reader or the CLI may
change the file at any time: `poll` takes their changes; a change made here is shown at once
(`assume`) and taken from the file once written (`reload`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from papertray.store import UNTOUCHED, StoreError

if TYPE_CHECKING:
    from papertray.store import Library, PaperState, State

__all__ = ["Marks"]


class Marks:
    def __init__(self, state: State, library: Library) -> None:
        self.state = state
        self._library = library
        self.states: dict[str, PaperState] = {}
        self._rowid: dict[str, int] = {}  # the marked papers in the library, id -> rowid
        self.read_rowids: set[int] = set()
        self.starred_rowids: set[int] = set()
        self.later_rowids: set[int] = set()
        self._file_version: object = None
        self._assumed = 0  # marks shown before they are written
        self.load()

    @property
    def version(self) -> tuple[object, int]:
        """Changes whenever the marks shown change: the queries' copy of them follows it."""
        return self._file_version, self._assumed

    def load(self) -> None:
        """Every mark from the file, and where the marked papers are in the library."""
        self._file_version = self.state.version
        self.states = self.state.all()
        self.library_changed()

    def library_changed(self) -> None:
        """Papers came or went: the rowids of the marked ones are looked up again."""
        self._rowid = self._library.rowids_of(self.states) if self.states else {}
        self._count_sets()

    def _count_sets(self) -> None:
        rowid = self._rowid
        self.read_rowids = {rowid[p] for p, s in self.states.items() if s.read and p in rowid}
        self.starred_rowids = {rowid[p] for p, s in self.states.items() if s.starred and p in rowid}
        self.later_rowids = {rowid[p] for p, s in self.states.items() if s.later and p in rowid}

    def get(self, paper_id: str | None) -> PaperState:
        return self.states.get(paper_id or "", UNTOUCHED)

    def is_read(self, rowid: int) -> bool:
        return rowid in self.read_rowids

    def poll(self) -> bool:
        """Re-read the file if another process changed it; whether anything changed. (By
        the version seen last, not by `refresh`: the writer thread may have read the file
        first.)"""
        try:
            changed = self.state.version != self._file_version
        except StoreError:
            return False
        if changed:
            self.load()
        return changed

    def assume(self, changes: dict[str, tuple[int | None, PaperState]]) -> None:
        """Show these marks (paper id -> (rowid, marks)) before they are written."""
        self._assumed += 1
        for pid, (rowid, state) in changes.items():
            self._set(pid, state)
            if rowid is not None:
                self._rowid[pid] = rowid
                self._place(rowid, state)

    def reload(self, paper_ids: Iterable[str]) -> None:
        """Take these papers' marks from the file (after a write, or a failed one)."""
        ids = list(paper_ids)
        self._file_version = self.state.version
        missing = [pid for pid in ids if pid not in self._rowid]
        if missing:
            self._rowid.update(self._library.rowids_of(missing))
        for pid in ids:
            state = self.state.get(pid)
            self._set(pid, state)
            if pid in self._rowid:
                self._place(self._rowid[pid], state)

    def _set(self, pid: str, state: PaperState) -> None:
        if state.untouched:
            self.states.pop(pid, None)
        else:
            self.states[pid] = state

    def _place(self, rowid: int, state: PaperState) -> None:
        for marked, holds in (
            (self.read_rowids, state.read),
            (self.starred_rowids, state.starred),
            (self.later_rowids, state.later),
        ):
            if holds:
                marked.add(rowid)
            else:
                marked.discard(rowid)

    def counts(self, rowids: Sequence[int]) -> tuple[int, int]:
        """(read, starred) among `rowids`: a pass in C over the rows (no set of them is built:
        this runs on every result, up to the whole library)."""
        return _among(self.read_rowids, rowids), _among(self.starred_rowids, rowids)

    def later_among(self, rowids: Sequence[int]) -> int:
        """How many of `rowids` are in the read-later queue (the status line)."""
        return _among(self.later_rowids, rowids)

    def unread_from(self, rowids: Sequence[int], cursor: int, step: int) -> int | None:
        """The position of the first unread paper after (`step` > 0) or before `cursor`."""
        read = self.read_rowids
        positions = range(cursor + 1, len(rowids)) if step > 0 else range(cursor - 1, -1, -1)
        return next((i for i in positions if rowids[i] not in read), None)


def _among(marked: set[int], rowids: Sequence[int]) -> int:
    return sum(map(marked.__contains__, rowids)) if marked else 0
