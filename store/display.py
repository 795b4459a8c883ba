"""How a paper is shown and ordered, read through the facade as a namespace
(`from papertray.store import display`): the row's markers, the id shown, the sort orders, and
the spans of a title or abstract a query or "more like this" matched (to highlight)."""

from __future__ import annotations

from papertray.store.markers import Markers, RowMarks, markers_for, row_marks, shown_id
from papertray.store.matching import find_spans
from papertray.store.similar_words import word_spans
from papertray.store.sorting import SORT_ORDERS, SortOrder, no_value_note

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
