"""What the reader knows of similar papers: the "for you" order and the "more like this" list.

A plain class the main screen holds (tests use it without a screen). Its `compute_*` methods
load or build the library's `SimilarityIndex` (seconds at 100k papers) and rank, so the screen
calls them from a worker and a key never waits. Nothing here is loaded until first asked for:
the reader's start and memory are unchanged while the feature is unused.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papertray.store import UNTOUCHED

if TYPE_CHECKING:
    from papertray.store import Library, Paper, PaperState, SimilarityIndex, types

__all__ = ["LIKE_COUNT", "ForYou", "LikeThis", "Ranking"]

LIKE_COUNT = 20
"""How many papers "more like this" shows."""


@dataclass
class ForYou:
    """A "for you" order: `ranks[rowid]` is the paper's place; `seeds` what it was ranked by."""

    seeds: list[str]
    what: str
    tags: tuple[str, ...]
    ranks: array[int] | None
    """None when there was nothing to rank by (no seeds): the order stays as it was."""

    def message(self, before: str) -> str:
        """What the reader says once ranked (`before`: the order kept when it could not be)."""
        if self.ranks is not None:
            return f"Sorted for you: most like your {self.what} first"
        hint = "star some with s" if not self.tags else "tag some with t"
        return (
            f"For you ranks unread papers by your {self.what}: there are none yet ({hint}). "
            f"Keeping the {before} order."
        )


@dataclass
class LikeThis:
    """The open "more like this" list, and the paper to go back to."""

    title: str
    rowids: array[int]
    matches: list[types.Match]
    back_to: int | None
    """The rowid highlighted in the list before, to return to it."""
    back_scroll: float = 0.0
    shared: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Ranking:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.index: SimilarityIndex | None = None
        self._index_lock = threading.Lock()
        self.for_you: ForYou | None = None
        self.like: LikeThis | None = None
        self.pending = ""
        """What is being computed, for the status line ("" when nothing)."""

    # -- in a worker ---------------------------------------------------------------------------

    def load_index(self) -> SimilarityIndex:
        """The index, loaded or built once."""
        from papertray.store import SimilarityIndex  # numpy and scipy load when first asked for

        with self._index_lock:
            if self.index is None:
                self.index = SimilarityIndex.open(self.library)
            return self.index

    def compute_for_you(
        self,
        scope: Sequence[int] | None,
        states: Mapping[str, PaperState],
        tags: Sequence[str],
    ) -> ForYou:
        """Rank the papers of `scope` (None: the library): the unread ones that are not seeds,
        most like the seeds first, then every other paper in digest order."""
        from papertray.store import SimilarityIndex

        seeds, what = SimilarityIndex.seeds(states, tags)
        if not seeds:
            return ForYou(seeds, what, tuple(tags), None)
        papers = self.library.ids_of_rows(scope)  # rowid -> id, in digest order
        seed_set = set(seeds)
        unread = [
            (rowid, pid)
            for rowid, pid in papers.items()
            if pid not in seed_set and not states.get(pid, UNTOUCHED).read
        ]
        order = self.load_index().order(seeds, [pid for _rowid, pid in unread])
        if order is None:
            return ForYou(seeds, what, tuple(tags), None)
        last = max(papers, default=0)
        ranks = array("q", range(len(unread), len(unread) + last + 1))  # the rest: digest order
        for place, i in enumerate(order):
            ranks[unread[i][0]] = place
        return ForYou(seeds, what, tuple(tags), ranks)

    def compute_like(
        self,
        paper: Paper,
        candidates: Sequence[str] | None,
        back_to: int | None,
        back_scroll: float,
        leave_out: Callable[[str], bool] | None = None,
    ) -> LikeThis:
        """The papers most like `paper` among `candidates` (None: the library); `leave_out`:
        papers not to list (the muted ones), their places taken by the next."""
        index = self.load_index()
        matches = index.rank(
            [paper.id], candidates, n=LIKE_COUNT, explain=True, leave_out=leave_out
        )
        where = self.library.rowids_of(m.id for m in matches)
        rowids = array("q", (where[m.id] for m in matches if m.id in where))
        return LikeThis(
            paper.title, rowids, matches, back_to, back_scroll, {m.id: m.shared for m in matches}
        )

    # -- on the UI thread ----------------------------------------------------------------------

    def shares(self, paper: Paper | None, ranked_for_you: bool) -> tuple[list[str], list[str]]:
        """For the pane: the shared terms of `paper` as it writes them, and every word form of
        them (to highlight). From the open "more like this" list, else from the "for you" order
        when it is shown and the paper was ranked by it."""
        index = self.index
        if paper is None or index is None:
            return [], []
        shared: tuple[str, ...] = ()
        if self.like is not None:
            shared = self.like.shared.get(paper.id, ())
        elif ranked_for_you and self.for_you is not None and self.for_you.ranks is not None:
            if paper.id not in set(self.for_you.seeds):
                shared = index.why(self.for_you.seeds, paper.id)
        if not shared:
            return [], []
        return index.written(paper, shared), index.forms_of(shared)
