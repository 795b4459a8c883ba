"""The status line's view-model: what the bar under the list says, from the engines the app
holds (the rows shown, the marks, the order, the query, what runs in the background, the
latest import and the muted count)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from papertray.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from papertray.tui.app import PapertrayApp

__all__ = ["StatusLine"]


class StatusLine:
    def __init__(self, app: PapertrayApp) -> None:
        self._app = app

    def update(self) -> None:
        app = self._app
        rows = app.paper_list.rows
        # The same papers as `rows`, in digest order (other sorts only reorder the matches).
        ascending: Sequence[int]
        if app.ranking.like is not None:
            ascending = sorted(rows)
        else:
            ascending = rows if app.sorting.name == "digest" else app.filter.matches
        read, starred = app.marks.count_among(app.shown.index_of, ascending)
        latest = app.muting.latest
        app.query_one("#status", StatusBar).show(
            shown=len(rows),
            total=len(app.shown),
            unread=len(rows) - read,
            starred=starred,
            sort=app.sorting.label(),
            query=app.filter.text,
            fallback=app.filter.fallback if app.filter.error else None,
            scope=app.scope,
            busy=self.busy(),
            new=latest.new if latest is not None else None,
            muted=app.muting.muted_count,
        )

    def busy(self) -> str:
        """What runs in the background, first the one that matters most ("" when idle)."""
        app = self._app
        if app.loading:
            return "loading the library…"
        if app.network.busy:
            return app.network.busy
        if app.ranking.pending:
            return app.ranking.pending
        return "filtering…" if app.filter.running else ""
