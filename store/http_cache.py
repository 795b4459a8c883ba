"""Conditional requests' memory: the ETag / Last-Modified of each URL fetched, so that an
unchanged page costs one 304 next time.

Kept in the library database (table `http_cache`, see `Library.http_validators`) with the ids of
the papers each page gave, so the validators live and die with the papers: a library that is
missing, was moved aside as damaged or no longer holds a page's papers gets the page again in
full, never a 304 for content it does not hold.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from papertray.store import limits

if TYPE_CHECKING:
    from papertray.store.library import Library

__all__ = ["ValidatorCache", "remember", "validators"]


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


def validators(rows: Callable[[str, Sequence[Any]], list[Any]], url: str) -> dict[str, Any]:
    """The validators and notes of `url` (`rows` reads the library), or {} when the library does
    not hold every paper that page gave, removed ones counted (a 304 would then be wrong)."""
    found = rows("SELECT etag, last_modified, items, ids FROM http_cache WHERE url = ?", (url,))
    if not found:
        return {}
    etag, modified, items, ids = found[0]
    wanted = [pid for pid in (ids.split("\n") if ids else []) if pid]
    if wanted:
        held = rows(
            "SELECT count(*) FROM (SELECT value FROM json_each(?)) w "
            "WHERE w.value IN (SELECT id FROM papers) OR w.value IN (SELECT id FROM removed)",
            (orjson.dumps(wanted).decode(),),
        )[0][0]
        if held != len(wanted):
            return {}
    entry: dict[str, Any] = {"items": items, "ids": wanted}
    if etag:
        entry["etag"] = etag
    if modified:
        entry["last_modified"] = modified
    return entry


def remember(
    conn: sqlite3.Connection, version: int, entries: Mapping[str, Mapping[str, Any]]
) -> None:
    """These URLs' validators stored (in the caller's transaction, `version` its number); the
    `limits.CACHE_ENTRIES` URLs seen last are kept."""
    for url, entry in entries.items():
        if not entry:
            conn.execute("DELETE FROM http_cache WHERE url = ?", (url,))
            continue
        row = (url, entry.get("etag"), entry.get("last_modified"),
               int(entry.get("items") or 0), "\n".join(entry.get("ids") or ()))  # fmt: skip
        stored = conn.execute(
            "SELECT url, etag, last_modified, items, ids FROM http_cache WHERE url = ?", (url,)
        ).fetchone()
        if stored != row:  # a page that came back 304 changes nothing
            conn.execute(
                "INSERT OR REPLACE INTO http_cache "
                "(url, etag, last_modified, items, ids, seen) VALUES (?, ?, ?, ?, ?, ?)",
                (*row, version),
            )
    conn.execute(
        "DELETE FROM http_cache WHERE url NOT IN "
        "(SELECT url FROM http_cache ORDER BY seen DESC LIMIT ?)",
        (limits.CACHE_ENTRIES,),
    )
