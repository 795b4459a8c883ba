"""What a fetch is given, read through the facade as a namespace
(`from papertray.store import remote`): the sources (Hugging Face, arXiv's API and feeds), the
endpoints, where a fetch saves its answers, the config file's place, and which papers
`enrich` would look up. `run_fetch` and `enrich` themselves are facade names.

Each name loads its module on first use: a source loads the network side (httpx), which the
CLI and the reader do when a fetch runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store.lazy import lazy_names

if TYPE_CHECKING:
    from papertray.store.config import config_path
    from papertray.store.enrichment import EnrichReport, needs_enrich
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

# Each name loads its module on first use (the imports above are for the type checker).
__getattr__, __dir__ = lazy_names(
    globals(),
    {
        "papertray.store.config": ("config_path",),
        "papertray.store.enrichment": (
            "EnrichReport",
            "needs_enrich",
        ),
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
        ),
    },
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
