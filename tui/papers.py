"""The papers the reader shows, and the swap from the preview to the whole library.

A plain class the app holds. With a preview (ids, titles and repos from
`library.preview.json`) the first frame is drawn before the whole library is parsed; `load`
(in a worker) then parses it, and `swap` puts it in place of the preview: the same papers in
the same order, now with abstracts, authors and links. Everything derived from the papers (the
id look-up, the title order) is rebuilt with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from papertray.store import UNTOUCHED, Paper, PaperState
from papertray.store.library import PreviewPapers

__all__ = ["SORTS", "ShownPapers"]

SORTS = ("digest", "title", "starred first", "unread first")


class ShownPapers:
    """The papers, paper id -> position, and the orders they can be sorted in."""

    def __init__(self, papers: Sequence[Paper], *, loading: bool = False) -> None:
        self.loading = loading  # `papers` is a preview: no abstracts yet
        self._set(papers)

    def _set(self, papers: Sequence[Paper]) -> None:
        self.papers = papers
        ids = papers.ids if isinstance(papers, PreviewPapers) else [p.id for p in papers]
        self.index_of: dict[str, int] = dict(zip(ids, range(len(ids)), strict=True))
        self._title_rank: list[int] | None = None

    def __len__(self) -> int:
        return len(self.papers)

    def get(self, paper_id: str | None) -> Paper | None:
        index = self.index_of.get(paper_id) if paper_id else None
        return None if index is None else self.papers[index]

    def swap(self, papers: list[Paper]) -> bool:
        """The whole library replaces the preview; whether it holds the same papers in the
        same order (a library changed since the preview was written does not)."""
        same = [p.id for p in papers] == list(self.index_of)
        self._set(papers)
        self.loading = False
        return same

    def sorted(self, matches: list[int], sort: str, states: Mapping[str, PaperState]) -> list[int]:
        """`matches` (indexes into the papers, in digest order) in the order `sort` names."""
        papers = self.papers
        if sort == "digest":
            return matches
        if sort == "title":
            if self._title_rank is None:
                order = sorted(range(len(papers)), key=lambda i: papers[i].title.casefold())
                rank = [0] * len(papers)
                for position, index in enumerate(order):
                    rank[index] = position
                self._title_rank = rank
            return sorted(matches, key=self._title_rank.__getitem__)
        if sort == "starred first":
            return sorted(matches, key=lambda i: not states.get(papers[i].id, UNTOUCHED).starred)
        if sort == "unread first":
            return sorted(matches, key=lambda i: states.get(papers[i].id, UNTOUCHED).read)
        raise ValueError(f"unknown sort {sort!r}")
