"""The messages the reader's parts send each other (toolong keeps its own in `messages.py`).

The list posts `PaperChosen`; the main screen's workers post what they found or did: a search's
result (`FilterApplied`), a change written (`MarksChanged`), a ranking (`Ranked`,
`SimilarFound`), the network's progress and end. A message from a worker remembers it: once a
newer worker of its group replaced it (`@work(exclusive=True)` cancels the old one), the message
is `stale` and its handler drops it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from textual.message import Message
from textual.worker import NoActiveWorker, get_current_worker

if TYPE_CHECKING:
    from textual.worker import Worker

    from papertray.store import Client
    from papertray.tui.changes import Outcome
    from papertray.tui.live_query import Result
    from papertray.tui.pane_text import PaperChanges
    from papertray.tui.ranking import ForYou, LikeThis
    from papertray.tui.syncing import SyncNews

__all__ = [
    "FilterApplied",
    "FilterFailed",
    "MarksChanged",
    "NetworkDone",
    "NetworkProgress",
    "NetworkStarted",
    "NewsCounted",
    "PaperChosen",
    "Ranked",
    "SimilarFound",
    "Synced",
    "WorkerMessage",
]


class PaperChosen(Message):
    """Enter (or a double click) on a paper of the list: open it."""

    def __init__(self, rowid: int, paper_id: str) -> None:
        super().__init__()
        self.rowid = rowid
        self.paper_id = paper_id


class WorkerMessage(Message):
    """A message a worker posts; `stale` once a newer worker of its group took over."""

    def __init__(self) -> None:
        super().__init__()
        self.worker: Worker[object] | None
        try:
            self.worker = get_current_worker()
        except NoActiveWorker:
            self.worker = None

    @property
    def stale(self) -> bool:
        return self.worker is not None and self.worker.is_cancelled


class FilterApplied(WorkerMessage):
    """The result of a search: its first screenful, or the whole of it. `painted` is set once
    it is on screen."""

    def __init__(self, result: Result) -> None:
        super().__init__()
        self.result = result
        self.painted = threading.Event()


class FilterFailed(WorkerMessage):
    def __init__(self, why: str) -> None:
        super().__init__()
        self.why = why


class MarksChanged(WorkerMessage):
    """A change (marks, a removal, a mute rule, an undo) was written, or could not be."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome


class Ranked(WorkerMessage):
    """The "for you" order is in (or why it could not be ranked)."""

    def __init__(self, for_you: ForYou | None, error: str = "") -> None:
        super().__init__()
        self.for_you = for_you
        self.error = error


class SimilarFound(WorkerMessage):
    """The "more like this" list is in (or why it could not be found)."""

    def __init__(self, like: LikeThis | None, error: str = "") -> None:
        super().__init__()
        self.like = like
        self.error = error


class NetworkStarted(WorkerMessage):
    """A fetch or a linking has its client: escape stops it through `Client.cancel`."""

    def __init__(self, client: Client) -> None:
        super().__init__()
        self.client = client


class NetworkProgress(WorkerMessage):
    """What a fetch or a linking is doing now, for the status line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class NetworkDone(WorkerMessage):
    """A fetch or a linking ended: one line per source (or the linking's report)."""

    def __init__(
        self,
        title: str,
        lines: list[str],
        severity: Literal["information", "warning", "error"] = "information",
        changed: bool = False,
        ids: Sequence[str] = (),
        then_watch: bool = False,
    ) -> None:
        super().__init__()
        self.title = title
        self.lines = lines
        self.severity = severity
        self.changed = changed
        """The library changed: the list is asked again."""
        self.ids = ids
        """The papers fetched or linked (a reader opened on files shows these too)."""
        self.then_watch = then_watch
        """A fetch that went through: the watch of starred and read-later papers follows."""


# -- what is new, and what other machines changed (issues 24 and 25) ------------------------------


class NewsCounted(WorkerMessage):
    """The status line's count of what is new: follows' new papers and unseen updates (None:
    it could not be counted)."""

    def __init__(self, count: int | None, changed: dict[str, PaperChanges] | None = None) -> None:
        super().__init__()
        self.count = count
        self.changed = changed or {}
        """Paper id -> what the watch found of it (the pane's "What changed")."""


class Synced(Message):
    """The reader's sync said something, or changed marks here (the screen reads them now)."""

    def __init__(self, news: SyncNews) -> None:
        super().__init__()
        self.news = news
