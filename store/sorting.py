"""The sort orders, by name: one registry for `papertray list --sort` and the reader's `S` cycle.

Each order is an SQL `ORDER BY` over `papers` and `m` (the user's marks, `query_sql`), ending in
the import order, so papers that tie keep their digest order; the orders by a value a paper may
lack (added, published, upvotes, stars) put the papers without it last. "for you" is a ranking
the caller computes (`SimilarityIndex.for_you`); "relevance" ranks by BM25 over the query's
words (title matches weigh most).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from papertray.store.dates import iso_day
from papertray.store.models import Paper

__all__ = ["SORT_ORDERS", "SortOrder", "no_value_note"]


@dataclass(frozen=True, slots=True)
class SortOrder:
    name: str
    """What `--sort` takes and the reader cycles through."""
    label: str
    """How the reader and help name it ("Sorted by starred first")."""
    sql: str
    """The ORDER BY that gives it ("bm25": by relevance, see `query_sql.select`)."""
    ranked: bool = False
    """Ordered by a ranking that needs the library's `SimilarityIndex` ("for you"): the caller
    computes it (in a worker in the reader); `sql` is the order until then."""
    column: str | None = None
    """The value it sorts by, when papers may lack it (`upvotes`): "no paper has upvotes"."""
    help: str = ""
    value: str = ""
    """What `column` is, said to the user: "no paper has upvotes" (`no_value_note`)."""


def _newest(column: str) -> str:
    return f"papers.{column} IS NULL, papers.{column} DESC, papers.rowid"


SORT_ORDERS: dict[str, SortOrder] = {
    order.name: order
    for order in (
        SortOrder("digest", "digest", "papers.rowid", help="the order of the digests, as imported"),
        SortOrder("title", "title", "papers.title_key, papers.rowid", help="alphabetical by title"),
        SortOrder(
            "starred",
            "starred first",
            "coalesce(m.starred, 0) DESC, papers.rowid",
            help="starred first",
        ),
        SortOrder(
            "unread", "unread first", "coalesce(m.read, 0), papers.rowid", help="unread first"
        ),
        SortOrder(
            "later",
            "read later first",
            "coalesce(m.later, 0) DESC, m.later_at IS NULL, m.later_at, papers.rowid",
            help="your read-later queue first, the oldest queued first",
        ),
        SortOrder(
            "relevance",
            "relevance",
            "bm25",
            help="best match of the query's words first (BM25; title words weigh most)",
        ),
        # Unread papers most like the starred ones (or a `tag:` filter's papers) first.
        SortOrder(
            "foryou",
            "for you",
            "papers.rowid",
            ranked=True,
            help="unread papers most like the starred ones first",
        ),
        SortOrder(
            "added",
            "newest added",
            _newest("added_at"),
            column="added_at",
            help="the latest imported first",
            value="an import time",
        ),
        SortOrder(
            "published",
            "newest published",
            _newest("published_day"),
            column="published_day",
            help="by arXiv/HF date, newest first",
            value="a publication day",
        ),
        SortOrder(
            "upvotes",
            "most upvoted",
            _newest("upvotes"),
            column="upvotes",
            help="HF upvotes, most first",
            value="upvotes",
        ),
        SortOrder(
            "stars",
            "most GitHub stars",
            _newest("stars"),
            column="stars",
            help="GitHub stars, most first",
            value="GitHub stars",
        ),
    )
}


# A paper's value of each `SortOrder.column` (the library's column of that name).
_VALUES: dict[str, Callable[[Paper], object]] = {
    "added_at": lambda p: p.added_at,
    "published_day": lambda p: iso_day(p.published),
    "upvotes": lambda p: p.upvotes,
    "stars": lambda p: p.stars,
}


def no_value_note(order: SortOrder | str, papers: Iterable[Paper]) -> str | None:
    """What to say when no paper of `papers` (those shown) has the value `order` sorts by:
    the order is then the digest's, and "no paper has upvotes" says why. None when one has it,
    when there is no paper, or when the order is by a value every paper has. Stops at the first
    paper with the value: the papers of such an order, sorted, have it first."""
    order = SORT_ORDERS[order] if isinstance(order, str) else order
    value = _VALUES.get(order.column or "")
    if value is None:
        return None
    shown = False
    for paper in papers:
        if value(paper) is not None:
            return None
        shown = True
    return f"no paper has {order.value}: digest order" if shown else None
