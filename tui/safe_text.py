"""The last guard before paper data reaches the terminal.

Ingest already strips control characters, but `library.json` and `state.json` are plain files that
anything can write: an escape sequence put there by hand or by another tool (OSC 52 clipboard
writes, OSC 8 hyperlinks, `ESC c` resets, C1 CSI) would go straight to the terminal, since Rich
and Textual pass ESC through in text. So every paper and state is cleaned again when shown, and
only safe http(s) URLs are links. Clean text (the usual case) costs one scan and no copy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from papertray.store import rules

if TYPE_CHECKING:
    from papertray.store import Paper, PaperState

__all__ = ["safe_links", "safe_repo", "shown", "shown_paper", "shown_state"]

shown = rules.shown_text
"""`text` as a string with no control characters but newline and tab (the store's rule)."""


def _shown_list(items: object) -> tuple[str, ...]:
    if not isinstance(items, (list, tuple)):
        return ()
    return tuple(shown(item) for item in items)


def safe_repo(paper: Paper) -> str | None:
    """The paper's code repo, if it is one: a safe http(s) URL of a known code host."""
    repo = paper.repo
    if isinstance(repo, str) and rules.is_safe_url(repo) and rules.is_code_repo(repo):
        return repo
    return None


def safe_links(paper: Paper) -> tuple[tuple[str, ...], str | None]:
    """The paper's links that may be opened or copied (numbered as shown), and its repo."""
    links = paper.links if isinstance(paper.links, (list, tuple)) else ()
    return tuple(u for u in links if isinstance(u, str) and rules.is_safe_url(u)), safe_repo(paper)


def shown_paper(paper: Paper) -> Paper:
    """`paper` itself when it is clean, else a cleaned copy (never stored back). The id is kept
    as it is, since it is the key into the store: show it with `shown(paper.id)`."""
    links, repo = safe_links(paper)
    title, abstract = shown(paper.title), shown(paper.abstract or "")
    authors = _shown_list(paper.authors)
    published = shown(paper.published) if paper.published is not None else None
    source = shown(paper.source or "")
    categories = _shown_list(paper.categories)
    remarks = shown(paper.remarks or "")
    digest_date = shown(paper.digest_date) if paper.digest_date is not None else None
    if (
        links == paper.links
        and repo == paper.repo
        and title is paper.title
        and abstract is paper.abstract
        and authors == paper.authors
        and published is paper.published
        and source is paper.source
        and categories == paper.categories
        and remarks is paper.remarks
        and digest_date is paper.digest_date
    ):
        return paper
    return paper._replace(
        title=title,
        abstract=abstract,
        authors=authors,
        published=published,
        links=links,
        repo=repo,
        source=source,
        categories=categories,
        remarks=remarks,
        digest_date=digest_date,
    )


def shown_state(state: PaperState) -> PaperState:
    """`state` itself when its tags and note are clean, else a cleaned copy."""
    # Tags written to the file by hand are shown as the store would keep them.
    tags = rules.normalize_tags(state.tags)
    note = shown(state.note or "")
    if tags == state.tags and note is state.note:
        return state
    return replace(state, tags=tags, note=note)
