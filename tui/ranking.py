"""What the reader knows of similar papers: the "for you" order and the "more like this" list.

A plain class the app holds (testable without a screen). Its `compute_*` methods load or build
the library's `SimilarityIndex` (seconds at 100k) and rank: the app calls them from a worker,
so a key never waits; their results are applied on the UI thread by the `apply_*` methods, which
drop a result that a newer request made stale. Nothing here is loaded until first asked: the
reader's start and memory are unchanged while the feature is unused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papertray.store import StoreError
from papertray.tui.safe_text import shown

if TYPE_CHECKING:
    from papertray.store import Library, Match, Paper, PaperState, SimilarityIndex
    from papertray.tui.app import PapertrayApp

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
        from papertray.store import SimilarityIndex  # its modules load when first asked for

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
        from papertray.store import SimilarityIndex

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
        leave_out: Callable[[str], bool] | None = None,
    ) -> LikeThis:
        """`leave_out`: papers not to list (the muted ones), their places taken by the next."""
        index = self.load_index(library_lock)
        matches = index.rank(
            [paper.id], candidates, n=LIKE_COUNT, explain=True, leave_out=leave_out
        )
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


class RankingActions:
    """The reader's side of "for you" and "more like this": asks `Ranking` in thread workers
    and applies what comes back on the UI thread (a stale result is dropped)."""

    def __init__(self, app: PapertrayApp) -> None:
        self._app = app
        self.ranking = app.ranking

    # -- for you -------------------------------------------------------------------------------

    def rank_for_you(self) -> None:
        """Rank in a worker; the list keeps its order until the ranking is in."""
        app = self._app
        generation = self.ranking.ask("ranking for you…")
        app.refresh_status()
        papers, states = app.shown.papers, dict(app.marks.states)
        tags = list(app.filter.query.tags)
        lock = app.loader.library_lock

        def work() -> None:
            try:
                result = self.ranking.compute_for_you(papers, states, tags, lock)
            except (StoreError, OSError, ValueError, MemoryError) as error:
                app.call_from_thread(self._failed, generation, str(error))
                return
            app.call_from_thread(self._for_you_ranked, generation, result)

        app.run_worker(work, thread=True, exclusive=True, group="ranking")

    def _for_you_ranked(self, generation: int, result: ForYou) -> None:
        app = self._app
        if not self.ranking.fresh(generation) or not app.sorting.for_you_shown:
            return
        self.ranking.for_you = result
        app.show_ranked(keep_id=None if result.rank is not None else app.highlighted_id)
        if result.rank is None:
            hint = "star some with s" if not result.tags else "tag some with t"
            app.notify(
                f"For you ranks unread papers by your {result.what}: there are none yet "
                f"({hint}). Keeping the {app.sorting.before_label} order.",
                timeout=4,
                markup=False,
            )
        else:
            app.notify(f"Sorted for you: most like your {result.what} first", timeout=2)

    def _failed(self, generation: int, why: str) -> None:
        if self.ranking.fresh(generation):
            self._app.refresh_status()
            self._app.notify(f"Could not rank: {why}", severity="error", markup=False)

    # -- more like this ------------------------------------------------------------------------

    def more_like_this(self, paper: Paper) -> None:
        app = self._app
        if app.loading:
            app.notify("The library is still loading: ask again in a moment.", timeout=3)
            return
        like = self.ranking.like
        listed = app.paper_list
        back_to = like.back_to if like is not None else paper.id
        back_scroll = like.back_scroll if like is not None else listed.scroll_y
        generation = self.ranking.ask(f"finding papers like “{shown(paper.title)[:40]}”…")
        app.refresh_status()
        papers = app.shown.papers
        whole = len(papers) == len(app.library)
        candidates = None if whole else [p.id for p in papers]
        lock = app.loader.library_lock
        # Muted papers stay out, as they do from the list, unless the filter asks about them.
        leave_out = None
        if app.filter.query.hides_muted:
            muting, index_of = app.muting, app.shown.index_of  # as they are now: a snapshot

            def paper_of(pid: str) -> Paper | None:
                at = index_of.get(pid)
                return None if at is None else papers[at]

            states = dict(app.marks.states)
            leave_out = muting.set.leave_out(paper_of, states, muting.new_batch)

        def work() -> None:
            try:
                result = self.ranking.compute_like(
                    paper, candidates, back_to, back_scroll, lock, leave_out
                )
            except (StoreError, OSError, ValueError, MemoryError) as error:
                app.call_from_thread(self._failed, generation, str(error))
                return
            app.call_from_thread(self._like_found, generation, result)

        app.run_worker(work, thread=True, exclusive=True, group="ranking")

    def _like_found(self, generation: int, result: LikeThis) -> None:
        app = self._app
        if not self.ranking.fresh(generation):
            return
        if not result.matches:
            app.refresh_status()
            app.notify("No paper shares a word that matters with this one.", timeout=3)
            return
        self.ranking.like = result
        app.show_ranked(keep_id=None)
        app.paper_list.focus()

    def leave_like(self, keep: bool = True) -> None:
        """Back from "more like this" to the list as it was: same rows, paper and scroll."""
        app = self._app
        like = self.ranking.like
        self.ranking.like = None
        self.ranking.cancel()
        if like is None:
            app.refresh_status()
            return
        app.show_ranked(keep_id=like.back_to)
        if keep:
            app.paper_list.scroll_to(y=like.back_scroll, animate=False, immediate=True)
            app.paper_list.move_to(like.back_to or "")
