"""papertray's store: ingest digests, keep the library and the user's marks, query them.

A small library with a typed facade and no knowledge of Textual: the CLI, scripts and the TUI
all talk to it through the names below, never through its modules.
"""

from typing import TYPE_CHECKING, Any

from papertray.store.dates import Clock, system_clock
from papertray.store.export import OUTPUT_FORMATS, render_bytes, render_ranked_bytes
from papertray.store.formats import FORMATS
from papertray.store.formats.common import IngestError, IngestResult
from papertray.store.heap import give_back_memory
from papertray.store.heap import settle as settle_heap
from papertray.store.ids import UnknownId, resolve_ids
from papertray.store.imports import FileImport, ImportOutcome, import_files, seed_sample
from papertray.store.ingest import ingest_bytes, ingest_file, ingest_text
from papertray.store.library import ImportBatch, ImportReport, Library
from papertray.store.links import arxiv_links, is_code_repo, is_safe_url
from papertray.store.listing import Listing, list_papers
from papertray.store.markers import Markers, markers_for
from papertray.store.matching import find_spans
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.mutes import MuteError, MuteRule, MuteSet
from papertray.store.paths import data_dir as resolve_data_dir
from papertray.store.paths import sample_digest
from papertray.store.preview import id_positions
from papertray.store.query import DATE_FIELDS, Query, QueryContext, QueryError, parse_query
from papertray.store.query_help import FILTER_HINT, QUERY_ROWS
from papertray.store.sanitize import shown_text
from papertray.store.search_index import SearchIndex
from papertray.store.similar import Match, SimilarityIndex, word_spans
from papertray.store.sorting import SORT_ORDERS, SortOrder, sort_papers, sorted_rows, title_ranks
from papertray.store.state import State
from papertray.store.storage import StoreError
from papertray.store.tags import normalize_tags, parse_tag_changes, split_tags

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
    # the library and the marks
    "Library",
    "State",
    "Paper",
    "PaperState",
    "UNTOUCHED",
    "StoreError",
    "resolve_data_dir",
    # mute rules and time
    "MuteRule",
    "MuteSet",
    "MuteError",
    "Clock",
    "system_clock",
    "ImportBatch",
    # reading digests
    "FORMATS",
    "IngestError",
    "IngestResult",
    "ingest_bytes",
    "ingest_file",
    "ingest_text",
    "import_files",
    "ImportOutcome",
    "ImportReport",
    "FileImport",
    "seed_sample",
    "sample_digest",
    # finding papers
    "Query",
    "QueryError",
    "QueryContext",
    "DATE_FIELDS",
    "parse_query",
    "SearchIndex",
    "find_spans",
    "QUERY_ROWS",
    "FILTER_HINT",
    "Markers",
    "markers_for",
    "resolve_ids",
    "UnknownId",
    "id_positions",
    "list_papers",
    "Listing",
    "SORT_ORDERS",
    "SortOrder",
    "sort_papers",
    "sorted_rows",
    "title_ranks",
    # similar papers (numpy, scipy and scikit-learn load only when a ranking is asked for)
    "SimilarityIndex",
    "Match",
    "word_spans",
    "OUTPUT_FORMATS",
    "render_bytes",
    "render_ranked_bytes",
    # the rules text and tags follow
    "normalize_tags",
    "parse_tag_changes",
    "split_tags",
    "shown_text",
    "is_code_repo",
    "is_safe_url",
    # the heap after a big load
    "give_back_memory",
    "settle_heap",
    # fetching, linking to arXiv, the config file (loaded on first use)
    "Client",
    "Config",
    "ConfigError",
    "EnrichReport",
    "FetchError",
    "FetchReport",
    "Source",
    "SourceError",
    "arxiv_links",
    "arxiv_query_source",
    "arxiv_rss_source",
    "bibtex_entry",
    "config_path",
    "configured_sources",
    "endpoints",
    "enrich",
    "hf_source",
    "load_config",
    "needs_enrich",
    "run_fetch",
]
