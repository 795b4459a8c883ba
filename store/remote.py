"""What a fetch is given, read through the facade as a namespace
(`from papertray.store import remote`): the sources (Hugging Face, arXiv's API and feeds), the
endpoints, where a fetch saves its answers, the config file's place, and which papers
`enrich` would look up. `run_fetch` and `enrich` themselves are facade names.

Importing this loads the network side (httpx): the CLI and the reader do it when a fetch runs."""

from __future__ import annotations

from papertray.store.config import config_path
from papertray.store.enrich import EnrichReport, needs_enrich
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
)

__all__ = [
    "Source",
    "FetchReport",
    "EnrichReport",
    "hf_source",
    "arxiv_query_source",
    "arxiv_rss_source",
    "configured_sources",
    "endpoints",
    "SourceError",
    "SaveTo",
    "SaveError",
    "config_path",
    "needs_enrich",
]
