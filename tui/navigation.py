"""Moving between unread papers: the next or previous unread paper among those shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from papertray.store import UNTOUCHED

if TYPE_CHECKING:
    from papertray.store import PaperState

__all__ = ["unread_from"]


def unread_from(
    shown_ids: Sequence[str], cursor: int, step: int, states: Mapping[str, PaperState]
) -> str | None:
    """The first unread paper after (`step` > 0) or before the `cursor` position, or None."""
    positions = range(cursor + 1, len(shown_ids)) if step > 0 else range(cursor - 1, -1, -1)
    for position in positions:
        if not states.get(shown_ids[position], UNTOUCHED).read:
            return shown_ids[position]
    return None
