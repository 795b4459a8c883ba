"""papertray's store: ingest digests, keep the library and the user's marks, query them.

A small library with a typed facade and no knowledge of Textual: the CLI, scripts and the TUI
all talk to it through the 40 names below, never through its modules. They are the nouns
(the library, the marks, a query, the sync, the similarity index, the config, the network
client, the clock), the errors a caller tells apart, the entry points (import, list, render,
fetch, enrich, watch), and five namespaces for what is naturally a set of small functions:
`rules` (text, tags and links made safe), `display` (markers, sort orders, highlights),
`following` (saved searches, follows, news), `remote` (what a fetch is given) and `types` (the
types of results, for annotations). The rest of the store's modules stay inside.
tests/test_import_hygiene.py pins the list.
"""

from typing import TYPE_CHECKING, Any

from papertray.store.lazy import lazy_names, split_entry

if TYPE_CHECKING:
    from papertray.store import display, following, remote, rules, types
    from papertray.store.config import Config, ConfigError, load_config
    from papertray.store.dates import Clock
    from papertray.store.enrichment import enrich
    from papertray.store.export import OUTPUT_FORMATS, render_bytes, render_ranked_bytes
    from papertray.store.fetch import run_fetch
    from papertray.store.formats import FORMATS
    from papertray.store.formats.common import IngestError
    from papertray.store.ids import UnknownId, resolve_ids
    from papertray.store.imports import import_files, seed_sample
    from papertray.store.library import Library
    from papertray.store.listing import list_papers
    from papertray.store.models import UNTOUCHED, Paper, PaperState
    from papertray.store.mutes import MuteError, MuteSet
    from papertray.store.net import Client
    from papertray.store.paths import data_dir as resolve_data_dir
    from papertray.store.query import Query, QueryError, parse_query
    from papertray.store.runlock import AlreadyRunning, run_lock
    from papertray.store.searches import SearchError
    from papertray.store.similar import SimilarityIndex
    from papertray.store.state import State
    from papertray.store.storage import StoreError
    from papertray.store.sync import Sync
    from papertray.store.watch import run_watch

# Every name loads its module on first use (the imports above are for the type checker): the
# whole store is dozens of modules, and the reader's first frame needs only
# the library, the marks and the query language. The formats' parsers, the
# export, the network side (fetch, enrich, config, httpx) and the similarity index (numpy,
# scipy, scikit-learn) load when asked for: after the reader's first frame, and for
# `papertray list` of the library never the parsers or the network side.
# tests/test_import_hygiene.py keeps this table, the imports above and `__all__` in step.
_LAZY = {
    "papertray.store.config": ("Config", "ConfigError", "load_config"),
    "papertray.store.dates": ("Clock",),
    "papertray.store.enrichment": ("enrich",),
    "papertray.store.export": ("OUTPUT_FORMATS", "render_bytes", "render_ranked_bytes"),
    "papertray.store.fetch": ("run_fetch",),
    "papertray.store.formats": ("FORMATS",),
    "papertray.store.formats.common": ("IngestError",),
    "papertray.store.ids": ("UnknownId", "resolve_ids"),
    "papertray.store.imports": ("import_files", "seed_sample"),
    "papertray.store.library": ("Library",),
    "papertray.store.listing": ("list_papers",),
    "papertray.store.models": ("UNTOUCHED", "Paper", "PaperState"),
    "papertray.store.mutes": ("MuteError", "MuteSet"),
    "papertray.store.net": ("Client",),
    "papertray.store.paths": ("data_dir as resolve_data_dir",),
    "papertray.store.query": ("Query", "QueryError", "parse_query"),
    "papertray.store.runlock": ("AlreadyRunning", "run_lock"),
    "papertray.store.searches": ("SearchError",),
    "papertray.store.similar": ("SimilarityIndex",),
    "papertray.store.state": ("State",),
    "papertray.store.storage": ("StoreError",),
    "papertray.store.sync": ("Sync",),
    "papertray.store.watch": ("run_watch",),
}
# The namespaces: each a module of the store that names, from where they live, the small
# functions of one concern, loaded on first use in turn (importing one sets it here, as any
# submodule is set on its package). No facade name is also a module's name (a test): importing
# that module would set the package's attribute to the module, hiding the name.
_NAMESPACES = ("display", "following", "remote", "rules", "types")

# name here -> (its module, its name there)
_WHERE = {
    here: (module, there)
    for module, entries in _LAZY.items()
    for there, here in map(split_entry, entries)
}
_names, _dir = lazy_names(globals(), _LAZY)


def __getattr__(name: str) -> Any:
    if name in _NAMESPACES:
        import sys

        __import__(f"papertray.store.{name}")
        return sys.modules[f"papertray.store.{name}"]
    return _names(name)


def __dir__() -> list[str]:
    return sorted([*_dir(), *_NAMESPACES])


__all__ = [
    # the library, the marks and the clock
    "Library",
    "State",
    "Paper",
    "PaperState",
    "UNTOUCHED",
    "Clock",
    "resolve_data_dir",
    # reading digests into the library
    "FORMATS",
    "import_files",
    "seed_sample",
    # finding papers, and writing them out
    "Query",
    "parse_query",
    "MuteSet",
    "resolve_ids",
    "list_papers",
    "OUTPUT_FORMATS",
    "render_bytes",
    "render_ranked_bytes",
    "SimilarityIndex",
    # the network: fetch, enrich, watch, and the config file that says where
    "Config",
    "load_config",
    "Client",
    "run_fetch",
    "enrich",
    "run_watch",
    "run_lock",
    # the marks on every machine
    "Sync",
    # the errors a caller tells apart (each is one line for the user)
    "StoreError",
    "IngestError",
    "QueryError",
    "MuteError",
    "SearchError",
    "UnknownId",
    "ConfigError",
    "AlreadyRunning",
    # the namespaces
    "rules",
    "display",
    "following",
    "remote",
    "types",
]
