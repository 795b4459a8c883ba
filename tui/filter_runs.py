"""Running the live filter for the reader: a query typed in the filter bar is searched at once
on a small library, or in a thread worker on a big one, its first screenful shown before the
rest is counted; a result a newer query made stale is dropped.

The search itself (chunks, generations, the index) is `LiveFilter`'s, testable without a
screen; this is the screen side.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from papertray.tui.filtering import FilterRun
from papertray.tui.widgets.filter_bar import FilterBar

if TYPE_CHECKING:
    from papertray.tui.app import PapertrayApp

__all__ = ["FilterRuns"]

# After showing the first page of a long search, the worker waits until the screen has painted
# it (or this long) before counting the rest: counting took the GIL from the painting, which
# then came 30-80 ms after the rows were set (a fixed 30 ms pause was too short for it).
PAINT_WAIT = 0.15


class FilterRuns:
    def __init__(self, app: PapertrayApp) -> None:
        self._app = app

    def apply(self, text: str) -> None:
        app = self._app
        live = app.filter
        if app.loading:
            live.text = text
            app.refresh_status()  # applied as soon as the abstracts are in
            return
        if app.ranking.like is not None:
            app.ranked.leave_like(keep=False)  # filtering is about the whole list again
        run = live.start(text, app.marks.states)
        app.query_one("#filter-bar", FilterBar).show_error(live.error)
        if run is None:
            app.show_rows(keep_id=app.paper_list.highlighted_id)
        elif not live.in_worker:
            self._finish(run.generation, run, live.search(run))
        else:
            app.refresh_status()
            app.run_worker(lambda: self._search(run), thread=True, exclusive=True, group="filter")

    def _search(self, run: FilterRun) -> None:
        """In a worker: search in chunks; the first screenful of matches is shown at once while
        the rest is counted (in digest order only: other sorts need every match first)."""
        app = self._app

        def show_first_page(matches: list[int]) -> None:
            painted = threading.Event()

            def show() -> None:
                self._show_partial(run, matches)
                app.call_after_refresh(painted.set)

            app.call_from_thread(show)
            painted.wait(PAINT_WAIT)

        first_page = max(2 * app.size.height, 60)
        digest = app.sorting.name == "digest"
        matches = app.filter.search_chunks(run, first_page, show_first_page if digest else None)
        if matches is not None:
            app.call_from_thread(self._finish, run.generation, run, matches)

    def _show_partial(self, run: FilterRun, matches: list[int]) -> None:
        """The first rows of a result still being counted: drawn now, completed shortly."""
        app = self._app
        if app.filter.is_current(run.generation):
            app.show_rows(app.paper_list.highlighted_id, rows=matches, terms=run.query.terms)

    def _finish(self, generation: int, run: FilterRun, matches: list[int]) -> None:
        app = self._app
        tags_before = app.filter.query.tags
        if app.filter.finish(generation, run.query, matches):
            app.show_rows(keep_id=app.paper_list.highlighted_id)
            if run.query.tags != tags_before and app.sorting.for_you_shown:
                app.ranked.rank_for_you()  # a `tag:` filter ranks by that tag's papers
