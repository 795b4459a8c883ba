"""Conditional requests' memory: the ETag / Last-Modified of each URL fetched, so that an
unchanged page costs one 304 next time.

Kept in the library database (table `http_cache`, see `Library.http_validators`) with the ids of
the papers each page gave, so the validators live and die with the papers: a library that is
missing, was moved aside as damaged or no longer holds a page's papers gets the page again in
full, never a 304 for content it does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papertray.store.library import Library

__all__ = ["ValidatorCache"]


class ValidatorCache:
    """ETag / Last-Modified per URL, in the library of the data folder `folder` (None: kept
    nowhere, so no conditional requests)."""

    def __init__(self, folder: Path | None, library: Library | None = None) -> None:
        self.folder = folder
        self._library = library

    def _open(self) -> Library | None:
        if self._library is None and self.folder is not None:
            from papertray.store.library import Library

            self._library = Library.open(self.folder)
        return self._library

    def get(self, url: str) -> dict[str, Any]:
        library = self._open()
        return library.http_validators(url) if library is not None else {}

    def put(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Remember these URLs' validators (and notes: the item count of a page, the ids of
        its papers). Not remembering costs a full download next time, nothing more."""
        from papertray.store.storage import StoreError

        library = self._open()
        if library is None or library.read_only:
            return
        try:
            library.remember_http(entries)
        except StoreError:
            pass
