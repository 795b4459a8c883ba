"""papertray's store: ingest digests, keep the library and the user's marks, query them.

A small library with a typed facade and no knowledge of Textual: the CLI, scripts and the TUI all
talk to it through `Library`, `State`, `parse_query` and `ingest_file`; `SimilarityIndex`
ranks papers by likeness (numpy, scipy and scikit-learn are imported only when it is used).
"""

from papertray.store.ingest import (
    FORMATS,
    IngestError,
    IngestResult,
    ingest_bytes,
    ingest_file,
    ingest_text,
)
from papertray.store.library import ImportReport, Library
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.query import Query, QueryError, SearchIndex, find_spans, parse_query
from papertray.store.similar import Match, SimilarityIndex, word_spans
from papertray.store.state import State
from papertray.store.storage import StoreError

__all__ = [
    "FORMATS",
    "UNTOUCHED",
    "ImportReport",
    "IngestError",
    "IngestResult",
    "Library",
    "Match",
    "Paper",
    "PaperState",
    "Query",
    "QueryError",
    "SearchIndex",
    "SimilarityIndex",
    "State",
    "StoreError",
    "find_spans",
    "ingest_bytes",
    "ingest_file",
    "ingest_text",
    "parse_query",
    "word_spans",
]
