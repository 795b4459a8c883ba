"""The reader's network work: `F` fetches the configured sources, then the watch checks the
starred and read-later papers; `E` links papers to arXiv (and the reader does it by itself after
a page copy is opened). These are the bodies of the main screen's workers; the blocking part is
`fetching`'s, no Textual there.

Each runs through `fetching.abandonable`, so quitting never waits for a hung request, and
reports with messages: the client it works with (`NetworkStarted`, what escape stops: its
connection is shut at once), its progress (`NetworkProgress`) and its end (`NetworkDone`: a
fetch stopped says what it had imported before, nothing more is). A failure the store did not
foresee is a notification too, never the end of the reader. Every line that quotes the outside
goes through the one sanitizer (`one_line`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from textual.worker import get_current_worker

from papertray.store import StoreError
from papertray.tui.messages import NetworkDone, NetworkProgress, NetworkStarted

if TYPE_CHECKING:
    from textual.message import Message

    from papertray.store import Client, Library, Paper, State

__all__ = ["STOP_HINT", "NetworkTask", "enrich_rows", "fetch_sources", "watch_papers"]

STOP_HINT = " (esc stops it)"

Post = Callable[["Message"], object]


class NetworkTask:
    """What the network work is doing now (one at a time), for the status line and escape. A
    plain class the main screen holds; its workers' messages move it along."""

    def __init__(self) -> None:
        self.busy = ""
        """What the status line says ("" when idle)."""
        self._client: Client | None = None

    def start(self, what: str) -> bool:
        """A fetch or a linking begins; False when one runs already."""
        if self.busy:
            return False
        self.busy, self._client = what, None
        return True

    def started(self, client: Client) -> None:
        self._client = client

    def progress(self, text: str) -> bool:
        """Its progress (False, and ignored, once it is being stopped)."""
        if self.busy.startswith("stopping"):
            return False
        self.busy = text
        return True

    def stop(self) -> bool:
        """Escape: its client shuts its connection at once; the worker then ends and says
        what it had done. False when there is nothing to stop."""
        client = self._client
        if not self.busy or client is None or self.busy.startswith("stopping"):
            return False
        client.cancel()
        self.busy = "stopping…"
        return True

    def done(self) -> None:
        self.busy, self._client = "", None


def _bug(error: Exception) -> str:
    from papertray.store import rules

    return rules.one_line(
        f"papertray failed: {type(error).__name__}: {error} (a bug: please report it)"
    )


def fetch_sources(library: Library, post: Post) -> None:
    """Fetch and import the config file's sources (in a thread worker)."""
    # The network side (fetching, the store's fetch code, httpx) loads with the first F or E.
    from papertray.tui.fetching import Cancelled, Fetched, abandonable, fetch_configured

    worker = get_current_worker()

    def progress(line: str) -> None:
        post(NetworkProgress(f"fetching {line}…{STOP_HINT}"))

    def started(client: Client) -> None:
        post(NetworkStarted(client))

    try:
        done = abandonable(
            lambda: fetch_configured(library, progress, started), lambda: worker.is_cancelled
        )
    except Cancelled:
        return  # the reader is quitting
    except Exception as error:  # noqa: BLE001 - the reader stays up and says why
        done = Fetched([_bug(error)], failed=True)
    if done.cancelled:
        post(NetworkDone("Fetch stopped", done.lines, "warning", done.changed, done.ids))
    elif done.failed:
        post(NetworkDone("Fetch failed", done.lines, "error", done.changed, done.ids))
    else:
        post(NetworkDone("Fetched", done.lines, "information", done.changed, done.ids, True))


def watch_papers(library: Library, state: State, post: Post, news_before: int | None) -> None:
    """The watch after a fetch (in a thread worker): see `fetching.watch_configured`."""
    from papertray.tui.fetching import Cancelled, Fetched, abandonable, watch_configured

    worker = get_current_worker()

    def progress(line: str) -> None:
        if line:
            post(NetworkProgress(f"{line}…{STOP_HINT}"))

    def started(client: Client) -> None:
        post(NetworkStarted(client))

    try:
        done = abandonable(
            lambda: watch_configured(library, state, progress, started, news_before),
            lambda: worker.is_cancelled,
        )
    except Cancelled:
        return
    except Exception as error:  # noqa: BLE001 - the reader stays up and says why
        done = Fetched([_bug(error)], failed=True)
    if done.cancelled:
        post(NetworkDone("Watch stopped", done.lines, "warning", done.changed))
    elif done.failed:
        post(NetworkDone("Watch failed", done.lines, "warning", done.changed))
    else:
        post(NetworkDone("Watched", done.lines, "information", done.changed))


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
    from papertray.store import rules
    from papertray.tui.fetching import Cancelled, abandonable, enrich_in_background

    worker = get_current_worker()

    def progress(n: int, total: int) -> None:
        post(NetworkProgress(f"linking to arXiv {n} of {total}…{STOP_HINT}"))

    def started(client: Client) -> None:
        post(NetworkStarted(client))

    severity: Literal["warning", "information"] = "information"
    try:
        report = abandonable(
            lambda: enrich_in_background(library, state, papers, progress, started),
            lambda: worker.is_cancelled,
        )
    except Cancelled:
        return
    except StoreError as error:
        lines, severity, linked = [f"Could not save: {error}"], "warning", list[str]()
    except Exception as error:  # noqa: BLE001 - the reader stays up and says why
        lines, severity, linked = [_bug(error)], "warning", list[str]()
    else:
        lines = [report.line()] + ([report.error] if report.error else [])
        severity = "warning" if report.error else "information"
        linked = list(report.linked)
    lines = [rules.one_line(line) for line in lines]
    post(NetworkDone("Linking to arXiv", lines, severity, bool(linked), linked))
