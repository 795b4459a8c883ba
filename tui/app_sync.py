"""The App's side of the sync of marks with the user's other machines (issue 25): a thread
worker started once the first frame is drawn, when the config file names a sync folder, that
runs `syncing.keep_in_sync` until the reader quits. A change written in the reader nudges it
(`MarksChanged` bubbles up to the App); what a run says is a notification, and marks that
arrived from another machine are shown at once (`MainScreen.poll`)."""

from __future__ import annotations

import threading
from pathlib import Path

from textual import work
from textual.app import App
from textual.worker import get_current_worker

from papertray.tui.messages import MarksChanged, Synced

__all__ = ["SyncedMarks"]


class SyncedMarks(App[int]):
    """`sync_dir`: the data folder to keep in sync (None: no sync)."""

    def __init__(self, sync_dir: Path | None = None) -> None:
        super().__init__()
        self._sync_dir = sync_dir
        self.sync_nudge = threading.Event()
        """Set when the reader changed something the sync carries: it looks soon after."""

    def on_ready(self) -> None:
        if self._sync_dir is not None:
            self._sync(self._sync_dir)

    @work(thread=True, exclusive=True, group="sync")
    def _sync(self, folder: Path) -> None:
        """Until the reader quits (its workers are cancelled then)."""
        # After the first frame: reading the config file and the sync's modules wait till then.
        from papertray.tui.syncing import keep_in_sync

        worker = get_current_worker()
        keep_in_sync(
            folder,
            lambda n: self.post_message(Synced(n)),
            lambda: worker.is_cancelled,
            nudged=self.sync_nudge,
        )

    def on_marks_changed(self, _event: MarksChanged) -> None:
        """A change was written (it bubbled up from the screen): the sync writes it out soon."""
        self.sync_nudge.set()

    def on_synced(self, event: Synced) -> None:
        for line, severity in event.news.lines:
            self.notify(line, severity=severity, timeout=8, markup=False)
        if event.news.changed:
            self.synced_marks_arrived()

    def synced_marks_arrived(self) -> None:
        """Another machine's marks were merged: the App shows them (its main screen)."""
