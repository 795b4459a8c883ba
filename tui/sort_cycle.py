"""The list's order: which sort is on (`o` cycles them), and the rows in that order.

"For you" is one of the orders, but it needs a ranking that comes from a worker
(`RankingActions.rank_for_you`): until it is in, or when there is nothing to rank by, the list
keeps the order it had before, and the status line says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store import SORT_ORDERS
from papertray.tui.papers import SORTS
from papertray.tui.safe_text import shown

if TYPE_CHECKING:
    from papertray.tui.app import PapertrayApp

__all__ = ["FOR_YOU", "SortCycle"]

FOR_YOU = SORTS.index("foryou")


class SortCycle:
    def __init__(self, app: PapertrayApp) -> None:
        self._app = app
        self.index = 0
        self.before = 0
        """The order "for you" keeps while it has nothing to rank by."""

    @property
    def name(self) -> str:
        return SORTS[self.index]

    @property
    def for_you_shown(self) -> bool:
        return self.index == FOR_YOU

    @property
    def before_label(self) -> str:
        return SORT_ORDERS[SORTS[self.before]].label

    def sorted(self, matches: list[int]) -> list[int]:
        """`matches` (digest positions) in the order shown."""
        app = self._app
        name = self.name
        ranks = None
        if self.for_you_shown:
            for_you = app.ranking.for_you
            if for_you is None or for_you.rank is None or len(for_you.rank) != len(app.shown):
                name = SORTS[self.before]  # until ranked: as it was
            else:
                ranks = for_you.rank
        return app.shown.sorted(matches, name, app.marks.states, ranks)

    def label(self) -> str:
        """The order as the status line names it."""
        app = self._app
        like = app.ranking.like
        if like is not None:
            return f"like “{shown(like.title)[:50]}” (escape: back)"
        label = SORT_ORDERS[self.name].label
        for_you = app.ranking.for_you
        if self.for_you_shown and for_you is not None and for_you.rank is None:
            return f"{label}: no {for_you.what} yet, {self.before_label}"
        return label

    def cycle(self) -> None:
        """The next order (`o`); "for you" ranks in a worker and shows the rows when done."""
        app = self._app
        if app.ranking.like is not None:
            app.ranked.leave_like(keep=False)
        previous = self.index
        self.index = (self.index + 1) % len(SORTS)
        if self.for_you_shown:
            self.before = previous
            app.ranking.for_you = None
            app.ranked.rank_for_you()
            return
        app.ranking.cancel()
        app.show_rows(keep_id=app.paper_list.highlighted_id)
        app.notify(f"Sorted by {SORT_ORDERS[self.name].label}", timeout=2)
