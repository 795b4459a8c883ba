"""The live filter: one query at a time over the papers, newest keystroke wins.

A plain class the app holds (testable without a screen). Each query gets a generation number;
a search in a worker checks it between chunks and stops when a newer keystroke came, and a
result whose generation is stale is dropped. The first screenful of a long search can be shown
while the rest is counted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papertray.store import MuteSet, Paper, PaperState, Query, QueryContext, SearchIndex

# Importing this module loads neither the query language (loaded when the app makes its
# LiveFilter) nor the search index (loaded by the first search): each method imports its own.

__all__ = ["FILTER_CHUNK", "SYNC_FILTER_LIMIT", "FilterRun", "LiveFilter"]

# Below this many papers a filter runs inline (instant and deterministic); above, in a worker.
SYNC_FILTER_LIMIT = 20_000
# Papers searched between two checks for a newer keystroke (about 5 ms of work).
FILTER_CHUNK = 4_096


@dataclass(frozen=True)
class FilterRun:
    """One query to answer: `candidates` are the only papers that can match (None: all)."""

    generation: int
    query: Query
    candidates: list[int] | None
    states: dict[str, PaperState]
    context: QueryContext


class LiveFilter:
    """The query shown and its matches (indexes into `papers`), and the search in progress."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        from papertray.store import QueryContext, parse_query

        self._lock = threading.Lock()  # SearchIndex keeps caches: one search at a time
        self.reset(papers)
        self.query: Query = parse_query("")
        self.text = ""  # the text typed, applied or not
        self.error: str | None = None  # why `text` is not applied
        self.generation = 0
        self.running = False
        # The latest import (`is:new`) and the mute rules (muted papers left out).
        self.context = QueryContext()
        self.held = False  # no paper shown until the mute rules are applied (see `hold`)

    def reset(self, papers: Sequence[Paper]) -> None:
        """New papers (the library replacing its preview): the index and the result go."""
        with self._lock:
            self.papers = papers
            self._index: SearchIndex | None = None
            self.matches: list[int] = list(range(len(papers)))
            self.held = False

    def hold(self) -> None:
        """Match no paper until the next result comes in: the mute rules are in force but not
        applied yet (the preview has no abstracts to apply them to; a big library is filtered in
        a worker), and a muted paper must never be drawn, not even in the first frame."""
        with self._lock:
            self.matches = []
            self.held = True

    @property
    def in_worker(self) -> bool:
        """Whether a search over these papers runs in a worker rather than inline."""
        return len(self.papers) > SYNC_FILTER_LIMIT

    def start(self, text: str, states: Mapping[str, PaperState]) -> FilterRun | None:
        """A new query typed: what to search, or None when it is already answered (empty) or
        does not parse. A query that does not parse falls back to its complete words: while
        `has:pdf` is typed, the list shows what the words before it match, never `has`."""
        from papertray.store import QueryError, parse_query

        self.text = text
        self.generation += 1
        try:
            query = parse_query(text)
            self.error = None
        except QueryError as error:
            self.error = error.message
            query = parse_query(_complete_part(text))
        if query.is_empty and not self.context.mutes:
            self.finish(self.generation, query, list(range(len(self.papers))))
            return None
        # Narrow from the last *complete* result when the new query can only match fewer papers.
        previous = self.query
        narrowing = not previous.is_empty and query.narrows(previous)
        candidates = self.matches if narrowing else None
        self.running = True
        # A snapshot: triage may change the app's states meanwhile.
        return FilterRun(self.generation, query, candidates, dict(states), self.context)

    def set_context(self, context: QueryContext) -> None:
        """Other rules or another latest import: the next query searches afresh (a muted
        paper may come back), never narrowing from a result under the old rules."""
        from papertray.store import parse_query

        self.context = context
        self.query = parse_query("")

    def muted_count(self, states: dict[str, PaperState]) -> int:
        """How many papers the context's rules mute (call from a worker on a big library)."""
        if not self.context.mutes:
            return 0
        with self._lock:
            index = self._search_index()
            return len(index.muted(states, self.context, range(len(self.papers))))

    def rule_counts(
        self, mutes: MuteSet, states: dict[str, PaperState], new_batch: float | None
    ) -> dict[int, int]:
        """Rule number -> papers it matches, over these papers."""
        with self._lock:
            return mutes.counts(self.papers, states, new_batch, self._search_index())

    @property
    def fallback(self) -> str:
        """The complete part of a query that does not parse, which the list shows meanwhile."""
        return _complete_part(self.text) if self.error else self.text

    def search(self, run: FilterRun) -> list[int]:
        """Answer `run` inline, in one go."""
        with self._lock:
            return self._search_index().search(run.query, run.states, run.candidates, run.context)

    def search_chunks(
        self, run: FilterRun, first_page: int, on_partial: Callable[[list[int]], None] | None
    ) -> list[int] | None:
        """Answer `run` in chunks, in digest order (call from a worker). `on_partial` gets the
        first `first_page` matches as soon as they are found (they are final: later chunks only
        add papers further down). None when a newer query made this one stale."""
        pool: Sequence[int] = (
            run.candidates if run.candidates is not None else range(len(self.papers))
        )
        matches: list[int] = []
        for start in range(0, len(pool), FILTER_CHUNK):
            if run.generation != self.generation:
                return None
            with self._lock:
                index = self._search_index()
                chunk = pool[start : start + FILTER_CHUNK]
                matches += index.search(run.query, run.states, chunk, run.context)
            if on_partial is not None and len(matches) >= first_page:
                if start + FILTER_CHUNK < len(pool):
                    on_partial(list(matches))
                on_partial = None
        return matches

    def is_current(self, generation: int) -> bool:
        return generation == self.generation

    def finish(self, generation: int, query: Query, matches: list[int]) -> bool:
        """Take a result, unless a newer keystroke already asked for another (False)."""
        if generation != self.generation:
            return False
        self.running = False
        self.query = query
        self.matches = matches
        self.held = False
        return True

    @property
    def indexed(self) -> bool:
        """Whether the search index is built (the benchmark waits for it, as a reader would)."""
        return self._index is not None

    def build_index(self) -> None:
        """Build the search index now (from a worker), not on the first keystroke."""
        with self._lock:
            self._search_index()

    def _search_index(self) -> SearchIndex:
        # Call with the lock held.
        from papertray.store import SearchIndex

        if self._index is None:
            self._index = SearchIndex(self.papers)
        return self._index


def _complete_part(text: str) -> str:
    """The longest prefix of `text`, cut at a space, that parses ("" when none does)."""
    from papertray.store import QueryError, parse_query

    cut = len(text)
    while cut > 0:
        cut = text.rfind(" ", 0, cut)
        if cut <= 0:
            return ""
        try:
            parse_query(text[:cut])
        except QueryError:
            continue
        return text[:cut]
    return ""
