"""The background work after the first frame: the whole library replacing the preview, the
search index, the preview file for next time, and settling the heap.

The first frame is drawn from `library.preview.json` (ids, titles, repos); only then does the
heavy work start, in thread workers, each reporting back on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from papertray.store import StoreError, settle_heap

if TYPE_CHECKING:
    from textual.app import App

    from papertray.store import Library, Paper

__all__ = ["BACKGROUND_INDEX_LIMIT", "LOAD_AT_ONCE_LIMIT", "Loader", "load_library"]

# Above this many papers the search index (~40 ms at 10k) is built in the background at start.
BACKGROUND_INDEX_LIMIT = 2_000
# With mute rules in force the preview's rows cannot be drawn: it has no abstracts or authors to
# apply the rules to, and a muted paper must never show. Up to this many papers the library is
# loaded and filtered before the first frame instead, which has its rows, muted ones left out:
# measured (best of 5, busy machine) 0.4 + 0.4 ms for the 101-paper sample, 8 + 6 ms at 2,000,
# 76 + 33 ms at 10,000, no module imported that the preview's start does not import anyway.
# Above it, the first frame has no row until the library is loaded in the background.
LOAD_AT_ONCE_LIMIT = 2_000


def load_library(library: Library) -> tuple[list[Paper], str | None, list[str]]:
    """Parse the whole library (from a worker): its papers, why it could not be read (or None),
    and the warnings to report. The file is first read here when the start drew from the
    preview: a damaged one is only found now, moved aside, and must still be reported."""
    known = len(library.warnings)
    error = None
    try:
        papers = library.papers()
    except StoreError as problem:
        error, papers = f"Could not load the library: {problem}", []
    return papers, error, library.warnings[known:]


class Loader:
    """Runs the after-first-frame work in `app`'s thread workers."""

    def __init__(self, app: App[int], library: Library) -> None:
        self._app = app
        self._library = library
        # The library's papers are parsed by one worker at a time (this load, or the similarity
        # index built from them for "for you" / "more like this").
        self.library_lock = threading.Lock()

    def load(self, loaded: Callable[[list[Paper]], None]) -> None:
        """Parse the whole library; `loaded(papers)` runs on the UI thread."""

        def work() -> None:
            with self.library_lock:
                papers, error, warnings = load_library(self._library)
            app = self._app
            if error:
                app.call_from_thread(app.notify, error, severity="error", markup=False)
            for warning in warnings:
                app.call_from_thread(
                    app.notify, warning, severity="warning", timeout=8, markup=False
                )
            app.call_from_thread(loaded, papers)

        self._app.run_worker(work, thread=True, exclusive=True, group="library")

    def load_now(self, loaded: Callable[[list[Paper]], None]) -> None:
        """The same, at once on the UI thread (a small library, before the first frame)."""
        with self.library_lock:
            papers, error, warnings = load_library(self._library)
        app = self._app
        if error:
            app.notify(error, severity="error", markup=False)
        for warning in warnings:
            app.notify(warning, severity="warning", timeout=8, markup=False)
        loaded(papers)

    def build_index(self, build: Callable[[], None]) -> None:
        """Build the search index while the user reads the first screen, not on the first key."""

        def work() -> None:
            build()
            settle_heap()

        self._app.run_worker(work, thread=True, exclusive=True, group="index")

    def write_preview(self) -> None:
        """A library written before previews existed: make the next start draw from one."""

        def work() -> None:
            try:
                self._library.save_preview()
            except StoreError:
                pass

        self._app.run_worker(work, thread=True, group="library")
