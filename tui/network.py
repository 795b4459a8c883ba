"""The reader's network work: `F` fetches the configured sources, `E` links papers to arXiv (and
the reader does it by itself after a page copy is opened). These are the bodies of the main
screen's workers; the blocking part is `fetching`'s, no Textual there.

Each runs through `fetching.abandonable`, so quitting never waits for a hung request, and
reports with messages: its progress (`NetworkProgress`) and its end (`NetworkDone`). Escape
cancels the worker; the work itself stops at its next step (the next page or paper): a fetch
imports nothing more, a linking keeps what it found so far.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from textual.worker import get_current_worker

from papertray.store import StoreError
from papertray.tui.fetching import Cancelled, abandonable, enrich_in_background, fetch_configured
from papertray.tui.messages import NetworkDone, NetworkProgress

if TYPE_CHECKING:
    from textual.message import Message

    from papertray.store import Library, Paper, State

__all__ = ["enrich_rows", "fetch_sources"]

Post = Callable[["Message"], object]


def fetch_sources(library: Library, post: Post) -> None:
    """Fetch and import the config file's sources (in a thread worker)."""
    worker = get_current_worker()

    def progress(line: str) -> None:
        if worker.is_cancelled:
            raise Cancelled  # stops the fetch before its next request
        post(NetworkProgress(f"fetching {line}…"))

    def cancelled() -> bool:
        return worker.is_cancelled

    try:
        done = abandonable(lambda: fetch_configured(library, progress, cancelled), cancelled)
    except Cancelled:
        return
    if done.failed:
        post(NetworkDone("Fetch failed", done.lines, "error", done.changed, done.ids))
    else:
        post(NetworkDone("Fetched", done.lines, "information", done.changed, done.ids))


def enrich_rows(
    library: Library, state: State, rowids: Sequence[int], post: Post, *, quiet: bool = False
) -> None:
    """Link the papers of `rowids` (those without an arXiv id) to arXiv (in a thread worker).
    `quiet`: say nothing when there is nothing to do."""
    todo: list[Paper] = []
    for start in range(0, len(rowids), 500):  # a screenful at a time, never the library
        todo += [p for p in library.rows(rowids[start : start + 500]) if not p.arxiv_id]
    if todo:
        _enrich(library, state, todo, post)
    else:
        post(NetworkDone("", [] if quiet else ["Every paper shown has its arXiv id already."]))


def _enrich(library: Library, state: State, papers: Sequence[Paper], post: Post) -> None:
    from papertray.store import FetchError

    worker = get_current_worker()

    def progress(n: int, total: int) -> None:
        if worker.is_cancelled:
            # Ends the look-ups as a network failure would: what was found is still saved.
            raise FetchError("cancelled")
        post(NetworkProgress(f"linking to arXiv {n} of {total}…"))

    try:
        report = abandonable(
            lambda: enrich_in_background(library, state, papers, progress),
            lambda: worker.is_cancelled,
        )
    except Cancelled:
        return
    except StoreError as error:
        post(NetworkDone("Linking to arXiv", [f"Could not save: {error}"], "warning"))
        return
    lines = [report.line()] + ([report.error] if report.error else [])
    linked = list(report.linked)
    severity: Literal["warning", "information"] = "warning" if report.error else "information"
    post(NetworkDone("Linking to arXiv", lines, severity, bool(linked), linked))
