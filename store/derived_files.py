"""The files derived from `library.json` and stamped with it, rewritten after each write of it:
the preview (`library.preview.json`: ids, titles, repos, so the reader's first frame comes
before the whole library is parsed; see `preview.py`) and the search marks
(`library.search.json`: where each record lies and which are plain ASCII, so `list -q` parses
only the records holding the query's words; see `search_text.py`). A stale one is never used:
each is read only while its stamp matches the library file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papertray.store.library_tables import INDEX, LATEST, PAPERS_TABLE, as_dict
from papertray.store.preview import (
    PREVIEW_FILE,
    PreviewPapers,
    preview_columns,
    read_preview,
    write_preview,
)
from papertray.store.search_marks import SEARCH_FILE, search_folds, write_search_marks

__all__ = ["DerivedFiles", "Prepared"]


@dataclass(frozen=True)
class Prepared:
    """`DerivedFiles.prepare`'s work: the preview's columns and the search marks' folds."""

    columns: dict[str, str]
    folds: dict[str, str]


class DerivedFiles:
    """Those beside the library file `path` (None: a library in memory has none)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def prepare(self, table: dict[str, Any]) -> Prepared:
        """What both files hold of the papers `table` but the library file's stamp: made while
        the library file is still being written (`AtomicJSONStorage.write`'s `meanwhile`:
        0.13-0.27 s of a 100k-paper import off its critical path)."""
        return Prepared(preview_columns(table), search_folds(table))

    def write(
        self,
        table: dict[str, Any],
        tables: dict[str, Any],
        spans: Mapping[str, tuple[int, int]] | None = None,
        prepared: Prepared | None = None,
    ) -> None:
        """After a write of the library file (`tables`, its papers `table`; `spans`: where the
        writer put each table's documents, when it knows; `prepared`: `prepare(table)`, when
        made already): both files."""
        if self.path is None:
            return
        self.write_preview(table, prepared.columns if prepared else None)
        latest = as_dict(tables.get(INDEX)).get(LATEST)
        found = (spans or {}).get(PAPERS_TABLE)
        span = None
        if found is not None:
            # What follows the papers' closing line: the next table's header, or the file's
            # end. `list -q` checks it, so a span ending at another table's end is not used.
            names = list(tables)
            if names and names[0] == PAPERS_TABLE:
                span = (*found, names[1] if len(names) > 1 else None)
        folds = prepared.folds if prepared else None
        write_search_marks(self.path.with_name(SEARCH_FILE), self.path, table, latest, span, folds)

    def write_preview(self, table: dict[str, Any], columns: dict[str, str] | None = None) -> None:
        if self.path is not None:
            write_preview(self.path.with_name(PREVIEW_FILE), self.path, table, columns)

    def read_preview(self) -> PreviewPapers | None:
        """The preview when it matches the library file, else None."""
        if self.path is None:
            return None
        return read_preview(self.path.with_name(PREVIEW_FILE), self.path)
