"""Saved searches, follows and what is new, read through the facade as a namespace
(`from papertray.store import following`): a follow is a saved search whose new papers are
counted; `news` gathers them with the Updates of watched papers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store.lazy import lazy_names

if TYPE_CHECKING:
    from papertray.store.follows import (
        Follow,
        Followed,
        author_query,
        find_followed,
        follow_query,
        followed,
        new_papers_query,
    )
    from papertray.store.news import News, news, news_count
    from papertray.store.searches import SavedSearch, combined_query, unread_counts
    from papertray.store.updates import Update, Version

# Each name loads its module on first use (the imports above are for the type checker).
__getattr__, __dir__ = lazy_names(
    globals(),
    {
        "papertray.store.follows": (
            "Follow",
            "Followed",
            "author_query",
            "find_followed",
            "follow_query",
            "followed",
            "new_papers_query",
        ),
        "papertray.store.news": (
            "News",
            "news",
            "news_count",
        ),
        "papertray.store.searches": (
            "SavedSearch",
            "combined_query",
            "unread_counts",
        ),
        "papertray.store.updates": (
            "Update",
            "Version",
        ),
    },
)

__all__ = [
    "SavedSearch",
    "Follow",
    "Followed",
    "Update",
    "Version",
    "News",
    "news",
    "news_count",
    "author_query",
    "follow_query",
    "followed",
    "find_followed",
    "new_papers_query",
    "combined_query",
    "unread_counts",
]
