"""A list of papers answered through the library's SQL, indexed by position as the tests that
compare it with `Query.matches` count them (the papers' ids must be distinct)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from papertray.store import Library, Paper, PaperState, Query
from papertray.store.query import QueryContext


class SqlIndex:
    def __init__(self, papers: Sequence[Paper]) -> None:
        assert len({p.id for p in papers}) == len(papers), "distinct ids, please"
        self.library = Library.in_memory()
        assert self.library.add(list(papers), keep_added=True).new == len(papers)
        rowids = self.library.rowids_of(p.id for p in papers)
        self.rowids = [rowids[p.id] for p in papers]
        self.position = {rowid: i for i, rowid in enumerate(self.rowids)}

    def search(
        self,
        query: Query,
        states: Mapping[str, PaperState],
        candidates: Sequence[int] | None = None,
        context: QueryContext | None = None,
    ) -> list[int]:
        """The positions of the papers matching, ascending (among `candidates` if given)."""
        scope = None if candidates is None else [self.rowids[i] for i in candidates]
        found = self.library.select(query, states, context=context, scope=scope).rowids
        return sorted(self.position[r] for r in found)
