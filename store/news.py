"""What is new since the user last looked, in one place: each follow's papers that arrived since
it was last seen (`store/follows.py`) and the Updates list's entries not seen yet
(`store/updates.py`). `papertray news` prints it, the reader's status line counts it
(`news_count`), a desktop notification says it in one line (`summary`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from papertray.store.follows import Followed, followed
from papertray.store.updates import Update

if TYPE_CHECKING:
    from papertray.store.library import Library
    from papertray.store.state import State

__all__ = ["News", "news", "news_count"]


@dataclass(frozen=True)
class News:
    follows: list[Followed]
    """Every follow, in the saved searches' order, with its count of new papers."""
    updates: list[Update]
    """The updates not seen yet, newest first."""

    @property
    def new_papers(self) -> int:
        """New papers of the follows together (a paper two follows match counts twice)."""
        return sum(f.new or 0 for f in self.follows)

    @property
    def count(self) -> int:
        """What the status line shows: new papers of follows and unseen updates."""
        return self.new_papers + len(self.updates)

    def summary(self) -> str:
        """One line, or "" when nothing is new: "3 new papers in 2 follows, 1 update"."""
        parts = []
        if self.new_papers:
            having = sum(1 for f in self.follows if f.new)
            parts.append(f"{_count(self.new_papers, 'new paper')} in {_count(having, 'follow')}")
        if self.updates:
            parts.append(_count(len(self.updates), "update"))
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """For `papertray news --format json`: each follow's query and count, each update's
        paper id, kind and detail."""
        return {
            "new_papers": self.new_papers,
            "unseen_updates": len(self.updates),
            "follows": [f.to_dict() for f in self.follows],
            "updates": [u.to_dict() for u in self.updates],
        }


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def news(library: Library, state: State) -> News:
    """The follows with their counts of new papers, and the updates not seen yet. Reads only
    what was fetched: no network."""
    return News(followed(library, state), library.updates(unseen_only=True))


def news_count(library: Library, state: State) -> int:
    """The status line's count: new papers of the follows and updates not seen yet."""
    return sum(f.new or 0 for f in followed(library, state)) + library.unseen_updates()
