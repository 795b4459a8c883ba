"""The sort orders, by name: one registry for `papertray list --sort` and the reader's `S` cycle.

Each order is an SQL `ORDER BY` over `papers` and `m` (the user's marks, `query_sql`), ending in
the import order, so papers that tie keep their digest order; the orders by a value a paper may
lack (added, published, upvotes, stars) put the papers without it last. "for you" is a ranking
the caller computes (`SimilarityIndex.for_you`); "relevance" ranks by BM25 over the query's
words (title matches weigh most).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SORT_ORDERS", "SortOrder"]


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
        ),
        SortOrder(
            "published",
            "newest published",
            _newest("published_day"),
            column="published_day",
            help="by arXiv/HF date, newest first",
        ),
        SortOrder(
            "upvotes",
            "most upvoted",
            _newest("upvotes"),
            column="upvotes",
            help="HF upvotes, most first",
        ),
        SortOrder(
            "stars",
            "most GitHub stars",
            _newest("stars"),
            column="stars",
            help="GitHub stars, most first",
        ),
    )
}
