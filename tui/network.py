"""The reader's network work: fetching the configured sources (F), linking papers to arXiv (E,
and by itself after a page copy is opened), and picking up papers another process imported.

Each runs in one of `app`'s thread workers, through `fetching.abandonable` so that quitting
never waits for a hung request; the results come back on the UI thread as a new list of
papers (`library_changed`: the reader shows them, its filter applied again) and one notification.
Esc stops a fetch or a linking under way (`cancel`: its client shuts its connection at once).
A failure the store did not foresee is a notification too, never the end of the reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from papertray.store import StoreError
from papertray.tui.fetching import (
    Cancelled,
    Fetched,
    abandonable,
    enrich_in_background,
    fetch_configured,
)

if TYPE_CHECKING:
    from papertray.store import Client, Paper
    from papertray.tui.app import PapertrayApp

STOP_HINT = " (esc stops it)"

__all__ = ["NetworkWorkers"]


class NetworkWorkers:
    def __init__(
        self, app: PapertrayApp, paper_ids: Sequence[str] | None, *, link_new: bool = False
    ) -> None:
        """`paper_ids`: the reader was opened on files: it shows those papers (and what a
        fetch from here adds), not the library. `link_new`: once the library is in, link the
        papers shown to arXiv (`after_load`)."""
        self._app = app
        self.busy = ""
        """What the status line says while a fetch or a linking runs ("" when idle)."""
        self._reloading = False
        self._paper_ids = list(paper_ids) if paper_ids is not None else None
        self._link_new = link_new
        self._client: Client | None = None
        """The client of the fetch or linking under way, for `cancel`."""

    def library_changed(self, papers: list[Paper], added: Sequence[str] = ()) -> None:
        """The library changed under the reader (a fetch here, an import elsewhere): show its
        papers now, the cursor on the paper it was on, the filter applied again."""
        app = self._app
        if app.loading:
            return  # the load under way reads the new file anyway
        if self._paper_ids is not None:
            self._paper_ids = list(dict.fromkeys([*self._paper_ids, *added]))
            by_id = {p.id: p for p in papers}
            papers = [by_id[pid] for pid in self._paper_ids if pid in by_id]
        app.marks.poll()
        app.replace_papers(papers, app.paper_list.highlighted_id)

    def after_load(self) -> None:
        """The library is in: link the papers just imported, if the CLI asked for it."""
        if self._link_new:
            self._link_new = False
            self.enrich(self._shown_papers(), quiet=True)

    def enrich_shown(self) -> None:
        """E: link the papers shown to arXiv."""
        if self._app.loading:
            self._app.notify("The library is still loading; try again in a moment.")
            return
        self.enrich(self._shown_papers())

    def _shown_papers(self) -> list[Paper]:
        app = self._app
        return [p for p in map(app.paper, app.paper_list.shown_ids) if p is not None]

    def _papers(self) -> list[Paper]:
        """The library's papers, parsed by one worker at a time (`Loader.library_lock`)."""
        with self._app.loader.library_lock:
            return self._app.library.papers()

    def _progress(self, text: str) -> None:
        if self.busy.startswith("stopping"):
            return  # the progress of a fetch being stopped no longer applies
        self.busy = text
        self._app.refresh_status()

    def _start(self, text: str) -> bool:
        if self.busy:
            self._app.notify(f"Busy: {self.busy}")
            return False
        self._client = None
        self._progress(text)
        return True

    def _started(self, client: Client) -> None:
        """From the worker: the client now at work (what `cancel` stops)."""
        self._client = client

    def cancel(self) -> bool:
        """Esc: stop the fetch or linking under way; False when there is none."""
        client = self._client
        if not self.busy or client is None or self.busy.startswith("stopping"):
            return False
        client.cancel()
        self.busy = "stopping…"
        self._app.refresh_status()
        return True

    @staticmethod
    def _bug(error: Exception) -> str:
        from papertray.store import one_line

        return one_line(
            f"papertray failed: {type(error).__name__}: {error} (a bug: please report it)"
        )

    # -- F ----------------------------------------------------------------------------------

    def fetch(self) -> None:
        app = self._app
        if not self._start("fetching…"):
            return

        def progress(line: str) -> None:
            app.call_from_thread(self._progress, f"fetching {line}…{STOP_HINT}")

        def work() -> None:
            worker = get_current_worker()
            try:
                done = abandonable(
                    lambda: fetch_configured(app.library, progress, self._started),
                    lambda: worker.is_cancelled,
                )
            except Cancelled:
                return
            except Exception as error:  # noqa: BLE001 - the reader stays up and says why
                done = Fetched([self._bug(error)], failed=True)
            try:
                papers = self._papers() if done.changed else None
            except StoreError as error:
                done.lines.append(f"Could not read the library: {error}")
                done.failed, papers = True, None
            app.call_from_thread(self._fetched, done, papers)

        app.run_worker(work, thread=True, exclusive=True, group="network")

    def _fetched(self, done: Fetched, papers: list[Paper] | None) -> None:
        self.busy, self._client = "", None
        title = "Fetch stopped" if done.cancelled else "Fetch failed" if done.failed else "Fetched"
        self._app.notify(
            "\n".join(done.lines),
            title=title,
            severity="warning" if done.cancelled else "error" if done.failed else "information",
            timeout=10,
            markup=False,
        )
        if papers is not None:
            self.library_changed(papers, added=done.ids)
        self._app.refresh_status()

    # -- E ----------------------------------------------------------------------------------

    def enrich(self, papers: list[Paper], *, quiet: bool = False) -> None:
        """Link `papers` (those without an arXiv id) to arXiv. `quiet`: unasked, after an
        import: say nothing when there is nothing to do."""
        app = self._app
        todo = [p for p in papers if not p.arxiv_id]
        if not todo:
            if not quiet:
                app.notify("Every paper shown has its arXiv id already.")
            return
        if self.busy and quiet:
            return
        if not self._start("linking to arXiv…"):
            return

        def progress(n: int, total: int) -> None:
            app.call_from_thread(self._progress, f"linking to arXiv {n} of {total}…{STOP_HINT}")

        def work() -> None:
            worker = get_current_worker()
            try:
                report = abandonable(
                    lambda: enrich_in_background(
                        app.library, app.store_state, todo, progress, self._started
                    ),
                    lambda: worker.is_cancelled,
                )
                lines, failed = [report.line()], report.error is not None
                if report.error:
                    lines.append(report.error)
                fresh = self._papers() if report.linked else None
                linked = list(report.linked)
            except Cancelled:
                return
            except StoreError as error:
                lines, failed, fresh, linked = [f"Could not save: {error}"], True, None, []
            except Exception as error:  # noqa: BLE001 - the reader stays up and says why
                lines, failed, fresh, linked = [self._bug(error)], True, None, []
            app.call_from_thread(self._enriched, lines, failed, fresh, linked)

        app.run_worker(work, thread=True, exclusive=True, group="network")

    def _enriched(
        self, lines: list[str], failed: bool, papers: list[Paper] | None, linked: list[str]
    ) -> None:
        from papertray.store import one_line

        self.busy, self._client = "", None
        self._app.notify(
            "\n".join(map(one_line, lines)),
            title="Linking to arXiv",
            severity="warning" if failed else "information",
            timeout=10,
            markup=False,
        )
        if papers is not None:
            # A paper folded into one already here under its arXiv id goes on under that id.
            self.library_changed(papers, added=linked)
        self._app.refresh_status()

    # -- another process imported -------------------------------------------------------------

    def reload_if_stale(self) -> None:
        """Papers another process imported (papertray fetch from cron, say): read in a worker
        when the library file changed (one stat per poll)."""
        app = self._app
        if self.busy or self._reloading or not app.library.stale():
            return
        self._reloading = True

        def work() -> None:
            try:
                papers: list[Paper] | None = self._papers()
            except StoreError:
                papers = None
            app.call_from_thread(self._reloaded, papers)

        app.run_worker(work, thread=True, exclusive=True, group="reload")

    def _reloaded(self, papers: list[Paper] | None) -> None:
        self._reloading = False
        if papers is not None:
            self.library_changed(papers)
