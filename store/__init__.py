"""papertray's store: ingest digests, keep the library and the user's marks, query them.

A small library with a typed facade and no knowledge of Textual: the CLI, scripts and the TUI
all talk to it through the names below, never through its modules.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papertray.store.citation import COPY_ID_STYLES, bibtex_entry, citable_id, ris_entry
    from papertray.store.config import Config, ConfigError, config_path, load_config
    from papertray.store.dates import Clock, system_clock
    from papertray.store.enrich import EnrichReport, enrich, needs_enrich
    from papertray.store.export import OUTPUT_FORMATS, render_bytes, render_ranked_bytes
    from papertray.store.fetch import (
        FetchReport,
        SaveError,
        SaveTo,
        Source,
        SourceError,
        arxiv_query_source,
        arxiv_rss_source,
        configured_sources,
        endpoints,
        hf_source,
        run_fetch,
    )
    from papertray.store.follows import (
        Follow,
        Followed,
        author_query,
        find_followed,
        follow_query,
        followed,
        new_papers_query,
    )
    from papertray.store.formats import FORMATS
    from papertray.store.formats.common import IngestError, IngestResult
    from papertray.store.ids import UnknownId, resolve_ids
    from papertray.store.imports import FileImport, ImportOutcome, import_files, seed_sample
    from papertray.store.ingest import ingest_bytes, ingest_file, ingest_text
    from papertray.store.library import ImportBatch, ImportReport, Library
    from papertray.store.links import (
        arxiv_links,
        is_code_repo,
        is_safe_url,
        link_label,
        pdf_link,
    )
    from papertray.store.listing import Listing, list_papers, view_of
    from papertray.store.markers import Markers, RowMarks, markers_for, row_marks, shown_id
    from papertray.store.matching import find_spans
    from papertray.store.models import UNTOUCHED, Paper, PaperState
    from papertray.store.mutes import MuteError, MuteRule, MuteSet
    from papertray.store.net import Client
    from papertray.store.net_errors import FetchError
    from papertray.store.news import News, news, news_count
    from papertray.store.notify import desktop_unavailable, notify_desktop
    from papertray.store.paths import data_dir as resolve_data_dir
    from papertray.store.paths import sample_digest
    from papertray.store.query import DATE_FIELDS, Query, QueryContext, QueryError, parse_query
    from papertray.store.query_help import FILTER_HINT, QUERY_ROWS
    from papertray.store.runlock import AlreadyRunning, run_lock
    from papertray.store.sanitize import one_line, quoted, shown_text
    from papertray.store.searches import SavedSearch, SearchError, combined_query, unread_counts
    from papertray.store.similar import Match, SimilarityIndex
    from papertray.store.similar_words import word_spans
    from papertray.store.sorting import SORT_ORDERS, SortOrder, no_value_note
    from papertray.store.state import State
    from papertray.store.storage import StoreError
    from papertray.store.sync import MachineSeen, Sync, SyncReport, SyncStatus
    from papertray.store.tags import normalize_tags, parse_tag_changes, split_tags
    from papertray.store.updates import Update, Version
    from papertray.store.watch import WatchReport, run_watch

# Every name loads its module on first use (the imports above are for the type checker): the
# whole store is dozens of modules, and the reader's first frame needs only
# the library, the marks and the query language. The formats' parsers, the
# export, the network side (fetch, enrich, config, httpx) and the similarity index (numpy,
# scipy, scikit-learn) load when asked for: after the reader's first frame, and for
# `papertray list` of the library never the parsers or the network side.
# tests/test_import_hygiene.py keeps this table, the imports above and `__all__` in step.
_LAZY = {
    "papertray.store.config": ("Config", "ConfigError", "config_path", "load_config"),
    "papertray.store.dates": ("Clock", "system_clock"),
    "papertray.store.enrich": ("EnrichReport", "enrich", "needs_enrich"),
    "papertray.store.citation": ("COPY_ID_STYLES", "bibtex_entry", "citable_id", "ris_entry"),
    "papertray.store.export": ("OUTPUT_FORMATS", "render_bytes", "render_ranked_bytes"),
    "papertray.store.fetch": (
        "FetchReport",
        "SaveError",
        "SaveTo",
        "Source",
        "SourceError",
        "arxiv_query_source",
        "arxiv_rss_source",
        "configured_sources",
        "endpoints",
        "hf_source",
        "run_fetch",
    ),
    "papertray.store.follows": (
        "Follow",
        "Followed",
        "author_query",
        "find_followed",
        "follow_query",
        "followed",
        "new_papers_query",
    ),
    "papertray.store.formats": ("FORMATS",),
    "papertray.store.formats.common": ("IngestError", "IngestResult"),
    "papertray.store.ids": ("UnknownId", "resolve_ids"),
    "papertray.store.imports": ("FileImport", "ImportOutcome", "import_files", "seed_sample"),
    "papertray.store.ingest": ("ingest_bytes", "ingest_file", "ingest_text"),
    "papertray.store.library": ("ImportBatch", "ImportReport", "Library"),
    "papertray.store.links": (
        "arxiv_links",
        "is_code_repo",
        "is_safe_url",
        "link_label",
        "pdf_link",
    ),
    "papertray.store.listing": ("Listing", "list_papers", "view_of"),
    "papertray.store.markers": ("Markers", "RowMarks", "markers_for", "row_marks", "shown_id"),
    "papertray.store.matching": ("find_spans",),
    "papertray.store.models": ("UNTOUCHED", "Paper", "PaperState"),
    "papertray.store.mutes": ("MuteError", "MuteRule", "MuteSet"),
    "papertray.store.net": ("Client",),
    "papertray.store.net_errors": ("FetchError",),
    "papertray.store.news": ("News", "news", "news_count"),
    "papertray.store.notify": ("desktop_unavailable", "notify_desktop"),
    "papertray.store.paths": ("data_dir as resolve_data_dir", "sample_digest"),
    "papertray.store.query": ("DATE_FIELDS", "Query", "QueryContext", "QueryError", "parse_query"),
    "papertray.store.query_help": ("FILTER_HINT", "QUERY_ROWS"),
    "papertray.store.runlock": ("AlreadyRunning", "run_lock"),
    "papertray.store.sanitize": ("one_line", "quoted", "shown_text"),
    "papertray.store.searches": ("SavedSearch", "SearchError", "combined_query", "unread_counts"),
    "papertray.store.similar": ("Match", "SimilarityIndex"),
    "papertray.store.similar_words": ("word_spans",),  # the pane's highlights, without numpy
    "papertray.store.sorting": ("SORT_ORDERS", "SortOrder", "no_value_note"),
    "papertray.store.state": ("State",),
    "papertray.store.storage": ("StoreError",),
    "papertray.store.sync": ("MachineSeen", "Sync", "SyncReport", "SyncStatus"),
    "papertray.store.tags": ("normalize_tags", "parse_tag_changes", "split_tags"),
    "papertray.store.updates": ("Update", "Version"),
    "papertray.store.watch": ("WatchReport", "run_watch"),
}


def _split(entry: str) -> tuple[str, str]:
    """The name in its module and the name here: `settle as settle_heap` is heap.settle."""
    there, _, here = entry.partition(" as ")
    return there, here or there


# name here -> (its module, its name there)
_WHERE = {
    here: (module, there)
    for module, entries in _LAZY.items()
    for there, here in map(_split, entries)
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'papertray.store' has no attribute {name!r}")
    import sys

    __import__(where[0])  # not importlib.import_module: -X importtime then names the module
    module = sys.modules[where[0]]
    # Every name of that module at once: importing `papertray.store.enrich` sets `enrich` here
    # to the module, which must not hide the function for a later `from ... import enrich`.
    for entry in _LAZY[where[0]]:
        there, here = _split(entry)
        globals()[here] = getattr(module, there)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    # the library and the marks
    "Library",
    "State",
    "Paper",
    "PaperState",
    "UNTOUCHED",
    "StoreError",
    "resolve_data_dir",
    # the marks on every machine (a shared folder; loaded when asked for)
    "Sync",
    "SyncReport",
    "SyncStatus",
    "MachineSeen",
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
    "find_spans",
    "QUERY_ROWS",
    "FILTER_HINT",
    "Markers",
    "markers_for",
    "RowMarks",
    "row_marks",
    "shown_id",
    "resolve_ids",
    "UnknownId",
    "list_papers",
    "view_of",
    "Listing",
    "SORT_ORDERS",
    "SortOrder",
    "no_value_note",
    # saved searches (in the state file), each with its count of unread papers
    "SavedSearch",
    "SearchError",
    "combined_query",
    "unread_counts",
    # follows, the Updates list of watched papers, what is new (issue 24)
    "Follow",
    "Followed",
    "author_query",
    "find_followed",
    "follow_query",
    "followed",
    "new_papers_query",
    "Update",
    "Version",
    "News",
    "news",
    "news_count",
    "WatchReport",
    "run_watch",
    "AlreadyRunning",
    "run_lock",
    "desktop_unavailable",
    "notify_desktop",
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
    "one_line",
    "quoted",
    "is_code_repo",
    "is_safe_url",
    "link_label",
    "pdf_link",
    # fetching, linking to arXiv, the config file (loaded on first use)
    "Client",
    "Config",
    "ConfigError",
    "EnrichReport",
    "FetchError",
    "FetchReport",
    "SaveError",
    "SaveTo",
    "Source",
    "SourceError",
    "arxiv_links",
    "arxiv_query_source",
    "arxiv_rss_source",
    "bibtex_entry",
    "ris_entry",
    "citable_id",
    "COPY_ID_STYLES",
    "config_path",
    "configured_sources",
    "endpoints",
    "enrich",
    "hf_source",
    "load_config",
    "needs_enrich",
    "run_fetch",
]
