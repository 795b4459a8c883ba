"""The sort orders, by name: one registry for `papertray list --sort` and the reader's `S` cycle.

Every order is stable, so papers that tie keep their digest order. The orders by a value a
paper may lack (added, published, upvotes, stars) put the papers without it last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from papertray.store.dates import iso_day
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
    newest: Callable[[Paper], Any] | None = None
    """Instead of `key`: a value of the paper alone, highest first, papers without it (None)
    last."""
    help: str = ""


def _title(paper: Paper, _state: PaperState) -> str:
    return paper.title.casefold()


SORT_ORDERS: dict[str, SortOrder] = {
    order.name: order
    for order in (
        SortOrder("digest", "digest", None, help="the order of the digests, as imported"),
        SortOrder("title", "title", _title, help="alphabetical by title"),
        SortOrder(
            "starred", "starred first", lambda _p, state: not state.starred, help="starred first"
        ),
        SortOrder("unread", "unread first", lambda _p, state: state.read, help="unread first"),
        # Unread papers most like the starred ones (or a `tag:` filter's papers) first.
        SortOrder(
            "foryou",
            "for you",
            None,
            ranked=True,
            help="unread papers most like the starred ones first",
        ),
        SortOrder(
            "added",
            "newest added",
            None,
            newest=lambda p: p.added_at,
            help="the latest imported first",
        ),
        SortOrder(
            "published",
            "newest published",
            None,
            newest=lambda p: iso_day(p.published),
            help="by arXiv/HF date, newest first",
        ),
        SortOrder(
            "upvotes",
            "most upvoted",
            None,
            newest=lambda p: p.upvotes,
            help="HF upvotes, most first",
        ),
        SortOrder(
            "stars",
            "most GitHub stars",
            None,
            newest=lambda p: p.stars,
            help="GitHub stars, most first",
        ),
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
    if order.newest is not None:
        value = order.newest
        values = {i: value(papers[i]) for i in rows}
        have = [i for i in rows if values[i] is not None]
        # Highest first; reverse=True keeps ties in digest order (the sort stays stable).
        have.sort(key=values.__getitem__, reverse=True)
        return have + [i for i in rows if values[i] is None]
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
