"""How a paper is shown and ordered, read through the facade as a namespace
(`from papertray.store import display`): the row's markers, the id shown, the sort orders, and
the spans of a title or abstract a query or "more like this" matched (to highlight)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store.lazy import lazy_names

if TYPE_CHECKING:
    from papertray.store.markers import Markers, RowMarks, markers_for, row_marks, shown_id
    from papertray.store.matching import find_spans
    from papertray.store.similar_words import word_spans
    from papertray.store.sorting import SORT_ORDERS, SortOrder, no_value_note

# Each name loads its module on first use (the imports above are for the type checker).
__getattr__, __dir__ = lazy_names(
    globals(),
    {
        "papertray.store.markers": (
            "Markers",
            "RowMarks",
            "markers_for",
            "row_marks",
            "shown_id",
        ),
        "papertray.store.matching": ("find_spans",),
        "papertray.store.similar_words": ("word_spans",),
        "papertray.store.sorting": (
            "SORT_ORDERS",
            "SortOrder",
            "no_value_note",
        ),
    },
)

__all__ = [
    "Markers",
    "RowMarks",
    "SortOrder",
    "markers_for",
    "row_marks",
    "shown_id",
    "SORT_ORDERS",
    "no_value_note",
    "find_spans",
    "word_spans",
]
