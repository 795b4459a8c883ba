"""How the screen is shared between the paper list and the abstract pane: the pane's share
(`[` and `]` move the split; kept in the state file, so the next run opens as this one was
left) and full-screen reading of one paper (enter or `z`, and back).

A plain class the papers screen holds (tests use it without a screen); the screen applies it to
its widgets (`PapersScreen._lay_out`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COLUMNS", "DEFAULT_SHARE", "MOST", "SETTING", "STEP", "TWO_LINES", "Split"]

SETTING = "reader.pane"
"""The state file's meta field the pane's share is kept in (`State.meta`)."""
COLUMNS = "reader.columns"
"""The state file's meta field that says whether the list shows its columns (first author,
date, upvotes: the palette's "List columns")."""
TWO_LINES = "reader.two_lines"
"""The state file's meta field that says whether each paper takes two lines in the list (the
title, then its authors, date and upvotes: the palette's "List: two lines a paper")."""
DEFAULT_SHARE = 40
"""The pane's share of the width, in percent, before the split is moved (the stylesheet's 2fr
beside the list's 3fr)."""
STEP = 5
LEAST, MOST = 20, 80


@dataclass
class Split:
    share: int | None = None
    """The pane's share of the screen in percent (of the width side by side, of the height on
    a narrow terminal); None: the stylesheet's."""
    reading: bool = False
    """The pane alone, full screen."""

    @classmethod
    def from_setting(cls, value: object) -> Split:
        """The split kept in the state file, or the stylesheet's for anything else there."""
        ok = isinstance(value, int) and not isinstance(value, bool) and LEAST <= value <= MOST
        return cls(share=value if ok else None)  # type: ignore[arg-type]

    def move(self, step: int, narrow: bool) -> bool:
        """The pane `step` percent wider (negative: narrower), within bounds; whether it
        changed. A narrow terminal's pane starts from its 60% of the height."""
        start = self.share
        if start is None:
            start = 100 - DEFAULT_SHARE if narrow else DEFAULT_SHARE
        share = min(MOST, max(LEAST, start + step))
        changed = share != self.share
        self.share = share
        return changed

    def styles(self, narrow: bool) -> tuple[str | None, str | None]:
        """(the pane's width, its height) as inline styles; None leaves the stylesheet's."""
        if self.reading or self.share is None:
            return None, None
        return (None, f"{self.share}%") if narrow else (f"{self.share}%", None)

    def describe(self, narrow: bool) -> str:
        side = "height" if narrow else "width"
        return f"The abstract pane takes {self.share}% of the {side} ([ and ] move it)"
