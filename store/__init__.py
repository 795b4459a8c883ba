"""papertray's store: ingest digests, keep the library and the user's marks, query them.

A small library with a typed facade and no knowledge of Textual: the CLI, scripts and the TUI all
talk to it through `Library`, `State`, `parse_query` and `ingest_file`.
"""

from papertray.store.dates import Clock, system_clock
from papertray.store.ingest import (
    FORMATS,
    IngestError,
    IngestResult,
    ingest_bytes,
    ingest_file,
    ingest_text,
)
from papertray.store.library import ImportBatch, ImportReport, Library
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.mutes import MuteError, MuteRule, MuteSet
from papertray.store.query import (
    Query,
    QueryContext,
    QueryError,
    SearchIndex,
    find_spans,
    parse_query,
)
from papertray.store.sorts import SORTS, Sort, sort_rows
from papertray.store.state import State
from papertray.store.storage import StoreError

__all__ = [
    "FORMATS",
    "SORTS",
    "UNTOUCHED",
    "Clock",
    "ImportBatch",
    "ImportReport",
    "IngestError",
    "IngestResult",
    "Library",
    "MuteError",
    "MuteRule",
    "MuteSet",
    "Paper",
    "PaperState",
    "Query",
    "QueryContext",
    "QueryError",
    "SearchIndex",
    "Sort",
    "State",
    "StoreError",
    "find_spans",
    "ingest_bytes",
    "ingest_file",
    "ingest_text",
    "parse_query",
    "sort_rows",
    "system_clock",
]
