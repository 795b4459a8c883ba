"""Triage with undo: every mark the reader writes goes through here and can be taken back.

A plain class the app holds. Each step keeps, per paper, its marks before and after the action;
undo puts back only the marks that still hold the step's value, so a mark changed since (here,
in another instance or by the CLI) stays, and the message says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papertray.store import StoreError
from papertray.tui.muting import MuteStep

if TYPE_CHECKING:
    from papertray.store import Paper, PaperState
    from papertray.tui.marks import Marks

__all__ = ["UNDO_DEPTH", "Removal", "Step", "Triage", "UndoResult", "on_paper", "quoted"]

UNDO_DEPTH = 200
TITLE_ROOM = 40  # characters of a title an undo message quotes


@dataclass(frozen=True)
class Step:
    label: str  # "star on "Flow Matching…"", "mark 12 read"
    changes: dict[str, tuple[PaperState, PaperState]]  # paper id -> marks (before, after)


@dataclass(frozen=True)
class Removal:
    """Papers taken out of the library, each with its position in the reader's list."""

    label: str  # "remove 3 papers"
    places: list[tuple[int, Paper]]


@dataclass(frozen=True)
class UndoResult:
    message: str
    paper_ids: list[str]
    error: bool = False
    removal: Removal | None = None  # to put back: the app re-adds the papers
    mute: MuteStep | None = None  # a mute rule added or removed: the app reverts it


class Triage:
    def __init__(self, marks: Marks) -> None:
        self.marks = marks
        self._steps: list[Step | Removal | MuteStep] = []

    @property
    def depth(self) -> int:
        return len(self._steps)

    def change(
        self, label: str, paper_ids: list[str], operation: Callable[[], object]
    ) -> str | None:
        """Run one store operation and remember how to undo it; None, or why it was not saved."""
        get = self.marks.state.get
        before = {pid: get(pid) for pid in paper_ids}  # from the file, not our copy
        try:
            operation()
        except StoreError as error:
            return f"Not saved: {error}"
        self._steps.append(Step(label, {pid: (before[pid], get(pid)) for pid in paper_ids}))
        del self._steps[:-UNDO_DEPTH]
        self.marks.reload(paper_ids)
        return None

    # Each operation: None, or why it was not saved. `title` names the paper in the undo message.

    def set_read(self, paper_id: str, title: str, read: bool | None = None) -> str | None:
        """Mark read or unread (None: the opposite of what the file says now)."""
        now = not self.marks.fresh(paper_id).read if read is None else read
        action = on_paper(f"mark {'read' if now else 'unread'}", title)
        return self.change(action, [paper_id], lambda: self.marks.state.set_read(paper_id, now))

    def toggle_star(self, paper_id: str, title: str) -> str | None:
        now = not self.marks.fresh(paper_id).starred
        action = on_paper("star" if now else "unstar", title)
        return self.change(action, [paper_id], lambda: self.marks.state.set_starred(paper_id, now))

    def set_tags(self, paper_id: str, title: str, tags: list[str]) -> str | None:
        action = on_paper("edit tags", title)
        return self.change(action, [paper_id], lambda: self.marks.state.set_tags(paper_id, tags))

    def set_note(self, paper_id: str, title: str, note: str) -> str | None:
        action = on_paper("edit note", title)
        return self.change(action, [paper_id], lambda: self.marks.state.set_note(paper_id, note))

    def mark_all_read(self, paper_ids: list[str]) -> str | None:
        return self.change(
            f"mark {len(paper_ids):,} read",
            paper_ids,
            lambda: self.marks.state.set_read_many(paper_ids, True),
        )

    def push_removal(self, removal: Removal | MuteStep) -> None:
        """A removal (or a mute rule added or removed) joins the undo stack: `undo` hands it
        back for the app to restore."""
        self._steps.append(removal)
        del self._steps[:-UNDO_DEPTH]

    def undo(self) -> UndoResult:
        if not self._steps:
            return UndoResult("Nothing to undo.", [])
        step = self._steps.pop()
        if isinstance(step, Removal):
            return UndoResult("", [], removal=step)
        if isinstance(step, MuteStep):
            return UndoResult("", [], mute=step)
        get = self.marks.state.get
        try:
            current = {pid: get(pid) for pid in step.changes}
            # Only the marks this step set go back: marks made since, here or by another
            # instance or the CLI, stay.
            result = self.marks.state.revert(step.changes)
        except StoreError as error:
            self._steps.append(step)
            return UndoResult(f"Undo not saved: {error}", [], error=True)
        ids = list(step.changes)
        self.marks.reload(ids)
        left = sum(1 for pid in ids if result[pid] == current[pid])
        if left == len(ids):
            why = "it was" if len(ids) == 1 else "they were"
            return UndoResult(
                f"Nothing to undo for {step.label}: {why} changed elsewhere since.", ids
            )
        message = f"Undone: {step.label}"
        if left:
            message += f" ({left:,} changed elsewhere since left as they are)"
        return UndoResult(message, ids)


def on_paper(action: str, title: str) -> str:
    """`star on "Flow Matching…"`: an undo label naming the paper."""
    return f"{action} on {quoted(title)}"


def quoted(title: str) -> str:
    """`"Flow Matching…"`: a title short enough for a one-line message."""
    short = title if len(title) <= TITLE_ROOM else title[: TITLE_ROOM - 1].rstrip() + "…"
    return f'"{short}"'
