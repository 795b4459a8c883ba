"""The types of results the reader annotates that no namespace of the facade holds, for the
type checker only (`if TYPE_CHECKING: from papertray.store import types`).

Values of these types come from facade calls; the reader never builds one. The similarity
index's `Match` is here so that naming it costs no numpy at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store.lazy import lazy_names

if TYPE_CHECKING:
    from papertray.store.imports import ImportOutcome
    from papertray.store.library import ImportBatch
    from papertray.store.mutes import MuteRule
    from papertray.store.query import QueryContext
    from papertray.store.similar import Match
    from papertray.store.sync import SyncStatus

# Each name loads its module on first use (the imports above are for the type checker).
__getattr__, __dir__ = lazy_names(
    globals(),
    {
        "papertray.store.imports": ("ImportOutcome",),
        "papertray.store.library": ("ImportBatch",),
        "papertray.store.mutes": ("MuteRule",),
        "papertray.store.query": ("QueryContext",),
        "papertray.store.similar": ("Match",),
        "papertray.store.sync": ("SyncStatus",),
    },
)

__all__ = ["ImportBatch", "ImportOutcome", "Match", "MuteRule", "QueryContext", "SyncStatus"]
