"""The papers the reader shows, and the swap from the preview to the whole library.

A plain class the app holds. With a preview (ids, titles and repos from
`library.preview.json`) the first frame is drawn before the whole library is parsed; `load`
(in a worker) then parses it, and `swap` puts it in place of the preview: the same papers in
the same order, now with abstracts, authors and links. Everything derived from the papers (the
id look-up, the title order) is rebuilt with them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from papertray.store import SORT_ORDERS, id_positions, sorted_rows, title_ranks

if TYPE_CHECKING:
    from papertray.store import Paper, PaperState

__all__ = ["SORTS", "ShownPapers"]

# The names of the store's sort orders, in the order `S` cycles through them.
SORTS = tuple(SORT_ORDERS)


class _Positions(Mapping[str, int]):
    """Paper id -> position in `papers` (the first, if an id repeats), built on the first look-up:
    the first frame of a library nobody has marked yet makes none. At 100k papers building it
    (and splitting the preview's id column for it) took 40-60 ms of that frame."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self._papers = papers
        self._built: dict[str, int] | None = None

    def _positions(self) -> dict[str, int]:
        if self._built is None:
            self._built = id_positions(self._papers)
        return self._built

    def __getitem__(self, paper_id: str) -> int:
        return self._positions()[paper_id]

    def get(self, paper_id: str, default: Any = None) -> Any:
        return self._positions().get(paper_id, default)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._positions()

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions())

    def __len__(self) -> int:
        return len(self._positions())


class ShownPapers:
    """The papers, paper id -> position, and the orders they can be sorted in."""

    def __init__(self, papers: Sequence[Paper], *, loading: bool = False) -> None:
        self.loading = loading  # `papers` is a preview: no abstracts yet
        self._set(papers)

    def _set(self, papers: Sequence[Paper]) -> None:
        self.papers = papers
        self.index_of: Mapping[str, int] = _Positions(papers)
        self._title_rank: list[int] | None = None

    def __len__(self) -> int:
        return len(self.papers)

    def get(self, paper_id: str | None) -> Paper | None:
        index = self.index_of.get(paper_id) if paper_id else None
        return None if index is None else self.papers[index]

    def replace(self, papers: Sequence[Paper]) -> None:
        """Other papers (after a removal or its undo): everything derived is rebuilt."""
        self._set(papers)

    def swap(self, papers: list[Paper]) -> bool:
        """The whole library replaces the preview; whether it holds the same papers in the
        same order (a library changed since the preview was written does not)."""
        index_of = self.index_of
        same = len(papers) == len(self.papers) and all(
            index_of.get(paper.id) == position for position, paper in enumerate(papers)
        )
        self._set(papers)
        self.loading = False
        return same

    def sorted(
        self,
        matches: list[int],
        sort: str,
        states: Mapping[str, PaperState],
        ranks: Sequence[int] | None = None,
    ) -> list[int]:
        """`matches` (indexes into the papers, in digest order) in the order `sort` names (a
        name of the store's `SORT_ORDERS`); the title ranks are computed once per library, a
        ranked order ("for you") takes each paper's place in `ranks`."""
        if SORT_ORDERS[sort].ranked:
            return sorted_rows(sort, self.papers, matches, states, ranks=ranks)
        if sort == "title" and self._title_rank is None:
            self._title_rank = title_ranks(self.papers)
        return sorted_rows(sort, self.papers, matches, states, ranks=self._title_rank)
