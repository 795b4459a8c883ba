"""The sort orders, by name: one registry for `papertray list --sort` and the reader's `S` cycle.

Every order is stable, so papers that tie keep their digest order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from papertray.store.models import UNTOUCHED, Paper, PaperState

__all__ = ["SORT_ORDERS", "SortOrder", "sort_papers", "sorted_rows", "title_ranks"]


@dataclass(frozen=True, slots=True)
class SortOrder:
    name: str
    """What `--sort` takes and the reader cycles through."""
    label: str
    """How the reader and help name it ("Sorted by starred first")."""
    key: Callable[[Paper, PaperState], Any] | None
    """The sort key of one paper with its marks; None keeps the digest order."""
    ranked: bool = False
    """Ordered by a ranking that needs the library's `SimilarityIndex` ("for you"): the caller
    computes it (`SimilarityIndex.for_you`, in a worker in the reader) and passes it as `ranks`;
    without one, the digest order."""


def _title(paper: Paper, _state: PaperState) -> str:
    return paper.title.casefold()


SORT_ORDERS: dict[str, SortOrder] = {
    order.name: order
    for order in (
        SortOrder("digest", "digest", None),
        SortOrder("title", "title", _title),
        SortOrder("starred", "starred first", lambda _paper, state: not state.starred),
        SortOrder("unread", "unread first", lambda _paper, state: state.read),
        # Unread papers most like the starred ones (or a `tag:` filter's papers) first.
        SortOrder("foryou", "for you", None, ranked=True),
    )
}


def title_ranks(papers: Sequence[Paper]) -> list[int]:
    """Each paper's position in title order: sorting any subset by it needs no string compare
    (the reader keeps it per library, so re-sorting 100k filtered rows is one integer sort)."""
    order = sorted(range(len(papers)), key=lambda i: papers[i].title.casefold())
    rank = [0] * len(papers)
    for position, index in enumerate(order):
        rank[index] = position
    return rank


def sorted_rows(
    name: str,
    papers: Sequence[Paper],
    rows: Sequence[int],
    states: Mapping[str, PaperState],
    *,
    ranks: Sequence[int] | None = None,
) -> list[int]:
    """`rows` (positions into `papers`) in the order `name`; `ranks` from `title_ranks` makes
    the title order cheap, and is the ranking of a `ranked` order (each paper's place). Raises
    KeyError for an unknown name."""
    order = SORT_ORDERS[name]
    if order.ranked:
        return sorted(rows, key=ranks.__getitem__) if ranks is not None else list(rows)
    if order.key is None:
        return list(rows)
    if order.key is _title and ranks is not None:
        return sorted(rows, key=ranks.__getitem__)
    key = order.key
    get = states.get
    return sorted(rows, key=lambda i: key(papers[i], get(papers[i].id, UNTOUCHED)))


def sort_papers(
    name: str, papers: Sequence[Paper], states: Mapping[str, PaperState]
) -> list[Paper]:
    """`papers` in the order `name` (see `SORT_ORDERS`)."""
    return [papers[i] for i in sorted_rows(name, papers, range(len(papers)), states)]
