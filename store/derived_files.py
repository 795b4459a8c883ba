"""The files derived from `library.json` and stamped with it, rewritten after each write of it:
the preview (`library.preview.json`: ids, titles, repos, so the reader's first frame comes
before the whole library is parsed; see `preview.py`) and the search marks
(`library.search.json`: where each record lies and which are plain ASCII, so `list -q` parses
only the records holding the query's words; see `search_text.py`). A stale one is never used:
each is read only while its stamp matches the library file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from papertray.store.library_tables import INDEX, LATEST, PAPERS_TABLE, as_dict
from papertray.store.preview import PREVIEW_FILE, PreviewPapers, read_preview, write_preview
from papertray.store.search_text import SEARCH_FILE, write_search_marks

__all__ = ["DerivedFiles"]


class DerivedFiles:
    """Those beside the library file `path` (None: a library in memory has none)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def write(
        self,
        table: dict[str, Any],
        tables: dict[str, Any],
        spans: Mapping[str, tuple[int, int]] | None = None,
    ) -> None:
        """After a write of the library file (`tables`, its papers `table`; `spans`: where the
        writer put each table's documents, when it knows): both files."""
        self.write_preview(table)
        if self.path is not None:
            latest = as_dict(tables.get(INDEX)).get(LATEST)
            span = (spans or {}).get(PAPERS_TABLE)
            write_search_marks(self.path.with_name(SEARCH_FILE), self.path, table, latest, span)

    def write_preview(self, table: dict[str, Any]) -> None:
        if self.path is not None:
            write_preview(self.path.with_name(PREVIEW_FILE), self.path, table)

    def read_preview(self) -> PreviewPapers | None:
        """The preview when it matches the library file, else None."""
        if self.path is None:
            return None
        return read_preview(self.path.with_name(PREVIEW_FILE), self.path)
