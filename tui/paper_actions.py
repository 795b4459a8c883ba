"""The paper itself and how to cite it: what the open-paper and copy-citation keys act on.

Pure functions of a paper (no Textual): the app runs the copying and opening in its workers,
as for the other links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store import arxiv_links
from papertray.tui.safe_text import safe_links

if TYPE_CHECKING:
    from papertray.store import Paper

__all__ = ["NoPaperPage", "citation", "paper_page"]


class NoPaperPage(Exception):
    """The paper has no page of its own to open or id to cite; the message says so."""


NO_ID = "This paper has no arXiv id yet: E (or papertray enrich) looks it up by its title."


def paper_page(paper: Paper) -> str:
    """The paper's own page: its arXiv abstract page (one of its links, see
    `store.arxiv_links`), else its first link that is not the code repo."""
    if paper.arxiv_id:
        return arxiv_links(paper.arxiv_id)[0]
    links, repo = safe_links(paper)
    others = [url for url in links if url != repo]
    if others:
        return others[0]
    raise NoPaperPage(NO_ID)


def citation(paper: Paper, *, bibtex: bool) -> str:
    """`arXiv:ID` (what papers cite and search boxes take), or the paper's BibTeX entry."""
    if bibtex:
        from papertray.store import bibtex_entry  # the export module: loaded when asked for

        return bibtex_entry(paper)
    if not paper.arxiv_id:
        raise NoPaperPage(NO_ID)
    return f"arXiv:{paper.arxiv_id}"
