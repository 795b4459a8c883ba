"""What the reader knows of similar papers: the "for you" order and the "more like this" list.

A plain class the app holds (testable without a screen). Its `compute_*` methods load or build
the library's `SimilarityIndex` (seconds at 100k) and rank: the app calls them from a worker,
so a key never waits; their results are applied on the UI thread by the `apply_*` methods, which
drop a result that a newer request made stale. Nothing here is loaded until first asked: the
reader's start and memory are unchanged while the feature is unused.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from papertray.store import Library, Match, Paper, PaperState, SimilarityIndex

LIKE_COUNT = 20
"""How many papers "more like this" shows."""


@dataclass
class ForYou:
    """A "for you" order: `rank[i]` is the place of paper `i`; `seeds` what it was ranked by."""

    seeds: list[str]
    what: str
    tags: tuple[str, ...]
    rank: list[int] | None
    """None when there was nothing to rank by (no seeds): the order stays as it was."""


@dataclass
class LikeThis:
    """The open "more like this" list and what to go back to."""

    source: str
    title: str
    matches: list[Match]
    back_to: str | None
    """The paper highlighted in the list before, to return to it."""
    back_scroll: float = 0.0
    shared: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Ranking:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.index: SimilarityIndex | None = None
        self._index_lock = threading.Lock()
        self.generation = 0
        self.for_you: ForYou | None = None
        self.like: LikeThis | None = None
        self.pending = ""
        """What is being computed, for the status line ("" when nothing)."""

    # -- in a worker ---------------------------------------------------------------------------

    def load_index(self, library_lock: threading.Lock | None = None) -> SimilarityIndex:
        """The index, loaded or built once. `library_lock` is held while the library's papers
        may be read (the reader's own load of the library runs in another worker)."""
        with self._index_lock:
            if self.index is None:
                if library_lock is None:
                    self.index = SimilarityIndex.open(self.library)
                else:
                    with library_lock:
                        self.index = SimilarityIndex.open(self.library)
            return self.index

    def compute_for_you(
        self,
        papers: Sequence[Paper],
        states: Mapping[str, PaperState],
        tags: Sequence[str],
        library_lock: threading.Lock | None = None,
    ) -> ForYou:
        seeds, what = SimilarityIndex.seeds(states, tags)
        if not seeds:
            return ForYou(seeds, what, tuple(tags), None)
        order = self.load_index(library_lock).for_you(papers, states, seeds)
        rank: list[int] | None = None
        if order is not None:
            rank = [0] * len(papers)
            for place, i in enumerate(order):
                rank[i] = place
        return ForYou(seeds, what, tuple(tags), rank)

    def compute_like(
        self,
        paper: Paper,
        candidates: Sequence[str] | None,
        back_to: str | None,
        back_scroll: float,
        library_lock: threading.Lock | None = None,
    ) -> LikeThis:
        index = self.load_index(library_lock)
        matches = index.rank([paper.id], candidates, n=LIKE_COUNT, explain=True)
        return LikeThis(
            paper.id,
            paper.title,
            matches,
            back_to,
            back_scroll,
            {m.id: m.shared for m in matches},
        )

    # -- on the UI thread ----------------------------------------------------------------------

    def ask(self, what: str) -> int:
        """A new request: results of older ones are stale from now on."""
        self.generation += 1
        self.pending = what
        return self.generation

    def fresh(self, generation: int) -> bool:
        if generation != self.generation:
            return False
        self.pending = ""
        return True

    def cancel(self) -> None:
        self.generation += 1
        self.pending = ""

    def shares(self, paper: Paper | None, for_you_shown: bool) -> tuple[list[str], list[str]]:
        """For the pane: the shared terms of `paper` as it writes them, and every word form of
        them (to highlight). From the open "more like this" list, else from the "for you" order
        when it is shown and the paper was ranked by it."""
        index = self.index
        if paper is None or index is None:
            return [], []
        shared: tuple[str, ...] = ()
        if self.like is not None:
            shared = self.like.shared.get(paper.id, ())
        elif for_you_shown and self.for_you is not None and self.for_you.rank is not None:
            if paper.id not in set(self.for_you.seeds):
                shared = index.why(self.for_you.seeds, paper.id)
        if not shared:
            return [], []
        return index.written(paper, shared), index.forms_of(shared)
