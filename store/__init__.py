"""papertray's store: ingest digests, keep the library and the user's marks, query them.

A small library with a typed facade and no knowledge of Textual: the CLI, scripts and the TUI all
talk to it through `Library`, `State`, `parse_query` and `ingest_file`.
"""

from typing import TYPE_CHECKING, Any

from papertray.store.ingest import (
    FORMATS,
    IngestError,
    IngestResult,
    ingest_bytes,
    ingest_file,
    ingest_text,
)
from papertray.store.library import ImportReport, Library
from papertray.store.links import arxiv_links
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.query import Query, QueryError, SearchIndex, find_spans, parse_query
from papertray.store.state import State
from papertray.store.storage import StoreError

if TYPE_CHECKING:
    from papertray.store.config import Config, ConfigError, config_path, load_config
    from papertray.store.enrich import EnrichReport, enrich, needs_enrich
    from papertray.store.export import bibtex_entry
    from papertray.store.fetch import (
        FetchReport,
        Source,
        SourceError,
        arxiv_query_source,
        arxiv_rss_source,
        configured_sources,
        endpoints,
        hf_source,
        run_fetch,
    )
    from papertray.store.net import Client, FetchError

# The network side (fetch, enrich, config) loads on first use: `papertray list` and the reader's
# start never pay for its modules.
_LAZY = {
    "papertray.store.config": ("Config", "ConfigError", "config_path", "load_config"),
    "papertray.store.enrich": ("EnrichReport", "enrich", "needs_enrich"),
    "papertray.store.export": ("bibtex_entry",),
    "papertray.store.fetch": (
        "FetchReport",
        "Source",
        "SourceError",
        "arxiv_query_source",
        "arxiv_rss_source",
        "configured_sources",
        "endpoints",
        "hf_source",
        "run_fetch",
    ),
    "papertray.store.net": ("Client", "FetchError"),
}
_LAZY_NAMES = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'papertray.store' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FORMATS",
    "UNTOUCHED",
    "Client",
    "Config",
    "ConfigError",
    "EnrichReport",
    "FetchError",
    "FetchReport",
    "Source",
    "SourceError",
    "arxiv_links",
    "bibtex_entry",
    "arxiv_query_source",
    "arxiv_rss_source",
    "config_path",
    "configured_sources",
    "endpoints",
    "enrich",
    "hf_source",
    "load_config",
    "needs_enrich",
    "run_fetch",
    "ImportReport",
    "IngestError",
    "IngestResult",
    "Library",
    "Paper",
    "PaperState",
    "Query",
    "QueryError",
    "SearchIndex",
    "State",
    "StoreError",
    "find_spans",
    "ingest_bytes",
    "ingest_file",
    "ingest_text",
    "parse_query",
]
