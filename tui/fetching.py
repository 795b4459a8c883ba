"""The reader's fetch, watch and enrich: the blocking part, run by the app in a worker thread.

The store does the work (`run_fetch`, `run_watch`, `enrich`); this turns the config into sources
and the reports into the lines the reader shows. No Textual here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from papertray.store import Client, Library, Paper, State, remote

T = TypeVar("T")

__all__ = [
    "Cancelled",
    "Fetched",
    "abandonable",
    "enrich_in_background",
    "fetch_configured",
    "watch_configured",
]


class Cancelled(Exception):
    """The reader is quitting: the network work was left to finish (or not) on its own."""


def abandonable(work: Callable[[], T], cancelled: Callable[[], bool]) -> T:
    """`work()` in a daemon thread, waited for until `cancelled()` says the reader is quitting.

    Textual runs thread workers in asyncio's default executor, whose threads are joined at
    exit: a request waiting on its 20 s read timeout would hold `q` that long. A daemon thread
    is not waited for; the store's writes are atomic, so leaving one unfinished loses nothing."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = error

    thread = threading.Thread(target=run, name="papertray-network", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.1)
        if cancelled():
            raise Cancelled
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


@dataclass
class Fetched:
    """What a fetch from the reader did: one line per source, and whether any failed."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False
    changed: bool = False
    """Papers were added or merged: the list must be reloaded."""
    ids: list[str] = field(default_factory=list)
    """The library ids of every paper fetched (a reader opened on files adds these)."""
    cancelled: bool = False
    """Esc stopped it: what was not imported before then is not imported."""


def _data_dir(library: Library) -> Path | None:
    return library.path.parent if library.path is not None else None


def _no_client(_client: Client) -> None:
    pass


def fetch_configured(
    library: Library,
    progress: Callable[[str], None],
    started: Callable[[Client], None] = _no_client,
) -> Fetched:
    """Fetch and import the config file's sources. Blocks: call from a worker. `started` gets
    the client as soon as there is one, for `Client.cancel` (the reader's Esc). Every line
    that quotes the outside (a feed's title, a URL) is made one safe line (`one_line`)."""
    # Imported here: the reader's start never loads the network side of the store.
    from papertray.store import (
        Client,
        ConfigError,
        StoreError,
        load_config,
        remote,
        rules,
        run_fetch,
    )

    try:
        config = load_config()
    except ConfigError as error:
        return Fetched([rules.one_line(error)], failed=True)
    sources = remote.configured_sources(config.hf, config.arxiv)
    if not sources:
        where = rules.one_line(config.path)
        return Fetched([f"No sources to fetch: {where} turns them all off."], failed=True)
    reports: list[remote.FetchReport]
    try:
        with Client(
            _data_dir(library),
            request_deadline=config.request_deadline,
            fetch_deadline=config.deadline,
        ) as client:
            started(client)
            reports = run_fetch(library, sources, client, progress=progress)
    except StoreError as error:
        return Fetched([rules.one_line(f"Could not import: {error}")], failed=True)
    done = Fetched(cancelled=client.cancelled)
    for report in reports:
        done.lines += [rules.one_line(f"warning: {w}") for w in report.warnings]
        done.lines.append(rules.one_line(report.line()))
        done.failed |= not report.ok
        done.changed |= bool(report.new or report.merged)
        done.ids += report.ids
    return done


def watch_configured(
    library: Library,
    state: State,
    progress: Callable[[str], None],
    started: Callable[[Client], None] = _no_client,
    news_before: int | None = None,
) -> Fetched:
    """After a fetch: check the starred and read-later papers as `papertray watch` does (the
    same client and config, the data folder's run lock held, so it never runs beside a
    scheduled fetch or watch: then it says so in one line and stops). Its report is a line
    only when it found a change or a source failed. With `[notify] desktop`, the desktop is
    told when what is new grew past `news_before` (the count before the fetch). Blocks: call
    from a worker."""
    from papertray.store import (
        AlreadyRunning,
        Client,
        ConfigError,
        StoreError,
        load_config,
        rules,
        run_lock,
        run_watch,
    )

    try:
        config = load_config()
    except ConfigError as error:
        return Fetched([rules.one_line(error)], failed=True)
    folder = _data_dir(library)
    lock: AbstractContextManager[None] = (
        run_lock(folder, "the reader's watch") if folder is not None else nullcontext()
    )
    done = Fetched()
    try:
        with lock:
            if any(s.starred or s.later for s in state.all().values()):
                with Client(
                    folder, request_deadline=config.request_deadline, fetch_deadline=config.deadline
                ) as client:
                    started(client)
                    report = run_watch(
                        library, state, client, upvotes=config.watch_upvotes, progress=progress
                    )
                done.cancelled = client.cancelled
                done.failed = not report.ok
                done.changed = bool(report.checked)
                if report.updates or report.errors:
                    hint = " (U lists them)" if report.updates else ""
                    done.lines = [
                        rules.one_line(report.line()) + hint,
                        *map(rules.one_line, report.errors),
                    ]
    except AlreadyRunning as busy:
        return Fetched([rules.one_line(busy)])  # a scheduled run is at it: one quiet line
    except StoreError as error:
        return Fetched([rules.one_line(f"watch: could not save: {error}")], failed=True)
    if config.notify and news_before is not None and not done.cancelled:
        _tell_desktop(library, state, news_before)
    return done


def _tell_desktop(library: Library, state: State, before: int) -> None:
    """A desktop notification of what is new, when it grew since `before` (never waited for)."""
    from papertray.store import following
    from papertray.tui.notify import notify_desktop

    found = following.news(library, state)
    if found.count > before and found.summary():
        notify_desktop(found.summary())


def enrich_in_background(
    library: Library,
    state: State,
    papers: Sequence[Paper],
    progress: Callable[[int, int], None],
    started: Callable[[Client], None] = _no_client,
) -> remote.EnrichReport:
    """Link `papers` without an arXiv id to theirs. Blocks: call from a worker. `started`: as
    for `fetch_configured`."""
    from papertray.store import Client, enrich

    with Client(_data_dir(library)) as client:
        started(client)
        return enrich(library, state, client, papers, progress=progress)
