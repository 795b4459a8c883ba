"""A paper as a row of `papers` and back, and how a paper that arrives again completes the one
the library holds: the rules `Library` writes by.

The sequence fields (authors, links, keywords) are stored joined by a newline: no cleaned field
holds one (`store/sanitize.py` makes every field one line), and splitting is the cheapest way
back to a tuple.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from papertray.store.dates import iso_day
from papertray.store.models import Paper, title_key
from papertray.store.words import fold

__all__ = [
    "COLUMNS",
    "INSERT",
    "UPDATE",
    "fts_values",
    "joined",
    "merged",
    "revised",
    "row_of",
    "to_paper",
    "update_values",
]

COLUMNS = (
    "id, title, abstract, authors, published, links, repo, source, arxiv_id, upvotes, stars, "
    "comments, keywords, digest_date, added_at, categories, remarks, arxiv_version"
)
"""The columns a `Paper` is read from, in `to_paper`'s order (`SELECT {COLUMNS} FROM papers`)."""

INSERT = (
    "INSERT INTO papers (rowid, id, title, abstract, authors, published, links, repo, source, "
    "arxiv_id, upvotes, stars, comments, keywords, digest_date, added_at, categories, remarks, "
    "arxiv_version, batch, title_key, published_day, digest_day, version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE = (
    "UPDATE papers SET title = ?, abstract = ?, authors = ?, published = ?, links = ?, "
    "repo = ?, source = ?, arxiv_id = ?, upvotes = ?, stars = ?, comments = ?, keywords = ?, "
    "digest_date = ?, categories = ?, remarks = ?, arxiv_version = ?, title_key = ?, "
    "published_day = ?, digest_day = ?, version = ? WHERE id = ?"
)
"""Rewrites a paper's fields (`update_values`); its rowid, id, added time and batch stay."""
"""Inserts `row_of(...)`; a rowid of None takes the next one (import order)."""

_NEWER_WINS = ("upvotes", "stars", "comments", "keywords")
_FILL_IF_EMPTY = (
    "abstract", "authors", "published", "source", "arxiv_id", "digest_date", "categories",
    "remarks",
)  # fmt: skip


def joined(values: Sequence[str]) -> str:
    return "\n".join(values)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def to_paper(row: Sequence[Any]) -> Paper:
    """The Paper of a row read as `SELECT {COLUMNS}`."""
    (pid, title, abstract, authors, published, links, repo, source, arxiv_id, upvotes, stars,
     comments, keywords, digest_date, added_at, categories, remarks,
     arxiv_version) = row  # fmt: skip
    return Paper(
        pid,
        title,
        abstract,
        _split(authors),
        published,
        _split(links),
        repo,
        source,
        arxiv_id,
        upvotes,
        stars,
        comments,
        _split(keywords),
        digest_date,
        added_at,
        _split(categories),
        remarks,
        arxiv_version,
    )


def row_of(
    paper: Paper, *, rowid: int | None, batch: int | None, version: int, key: str | None = None
) -> tuple[Any, ...]:
    """The values `INSERT` takes for `paper` (`key`: its `title_key`, when known already)."""
    return (
        rowid,
        paper.id,
        paper.title,
        paper.abstract,
        joined(paper.authors),
        paper.published,
        joined(paper.links),
        paper.repo,
        paper.source,
        paper.arxiv_id,
        paper.upvotes,
        paper.stars,
        paper.comments,
        joined(paper.keywords),
        paper.digest_date,
        paper.added_at,
        joined(paper.categories),
        paper.remarks,
        paper.arxiv_version,
        batch,
        title_key(paper.title) if key is None else key,
        iso_day(paper.published),
        iso_day(paper.digest_date),
        version,
    )


def update_values(paper: Paper, version: int) -> tuple[Any, ...]:
    """The values `UPDATE` takes for `paper`."""
    return (
        paper.title,
        paper.abstract,
        joined(paper.authors),
        paper.published,
        joined(paper.links),
        paper.repo,
        paper.source,
        paper.arxiv_id,
        paper.upvotes,
        paper.stars,
        paper.comments,
        joined(paper.keywords),
        paper.digest_date,
        joined(paper.categories),
        paper.remarks,
        paper.arxiv_version,
        title_key(paper.title),
        iso_day(paper.published),
        iso_day(paper.digest_date),
        version,
        paper.id,
    )


def fts_values(paper: Paper) -> tuple[str, str, str]:
    """What the word index is given for a paper: its title, abstract and authors, folded
    (`store/words.py`). The same values take the paper out of the index again."""
    return fold(paper.title), fold(paper.abstract), fold("\n".join(paper.authors))


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, tuple, list)) and not value)


def merged(old: Paper, new: Paper) -> Paper:
    """The stored paper `old` completed by `new`, another copy of it: empty fields filled,
    counts (upvotes, stars, comments) and keywords the newer, links joined with the code repo
    first. Its id, title and the time it was first added stay."""
    changes: dict[str, Any] = {}
    for name in _FILL_IF_EMPTY:
        if _empty(getattr(old, name)) and not _empty(getattr(new, name)):
            changes[name] = getattr(new, name)
    for name in _NEWER_WINS:
        value = getattr(new, name)
        if not _empty(value) and value != getattr(old, name):
            changes[name] = value
    if new.arxiv_version is not None and (old.arxiv_version or 0) < new.arxiv_version:
        changes["arxiv_version"] = new.arxiv_version  # the latest version seen
    links = list(old.links) + [u for u in new.links if u not in old.links]
    repo = old.repo or new.repo
    if repo:
        links = [repo] + [u for u in links if u != repo]
    if tuple(links) != old.links:
        changes["links"] = tuple(links)
    if repo != old.repo:
        changes["repo"] = repo
    return old._replace(**changes) if changes else old


def revised(old: Paper, new: Paper) -> Paper:
    """`merged`, and the title and authors of `new` when it has them: a newer version of the
    paper (an arXiv replacement announcement)."""
    paper = merged(old, new)
    changes: dict[str, Any] = {}
    if new.title and new.title != paper.title:
        changes["title"] = new.title
    if new.authors and new.authors != paper.authors:
        changes["authors"] = new.authors
    return paper._replace(**changes) if changes else paper
