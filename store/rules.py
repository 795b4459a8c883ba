"""The rules for untrusted text, tags and links, read through the facade as a namespace
(`from papertray.store import rules`; `rules.one_line(title)`, `rules.is_safe_url(link)`).

Each rule has one home below (sanitize, tags, links, citation); this module only names the ones
the reader and the CLI use, so that they need not know where each lives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store.lazy import lazy_names

if TYPE_CHECKING:
    from papertray.store.citation import bibtex_entry, citable_id
    from papertray.store.links import arxiv_links, is_code_repo, is_safe_url, link_label, pdf_link
    from papertray.store.sanitize import one_line, quoted, shown_text
    from papertray.store.tags import normalize_tags, parse_tag_changes, split_tags

# Each name loads its module on first use (the imports above are for the type checker).
__getattr__, __dir__ = lazy_names(
    globals(),
    {
        "papertray.store.citation": (
            "bibtex_entry",
            "citable_id",
        ),
        "papertray.store.links": (
            "arxiv_links",
            "is_code_repo",
            "is_safe_url",
            "link_label",
            "pdf_link",
        ),
        "papertray.store.sanitize": (
            "one_line",
            "quoted",
            "shown_text",
        ),
        "papertray.store.tags": (
            "normalize_tags",
            "parse_tag_changes",
            "split_tags",
        ),
    },
)

__all__ = [
    # text from a digest or a user, made safe to show: no control character reaches a terminal
    "shown_text",
    "one_line",
    "quoted",
    # tags as a user types them
    "normalize_tags",
    "parse_tag_changes",
    "split_tags",
    # links: only http(s) is opened; code repositories, labels, the PDF, the arXiv pages
    "is_safe_url",
    "is_code_repo",
    "link_label",
    "pdf_link",
    "arxiv_links",
    # citing a paper
    "citable_id",
    "bibtex_entry",
]
