"""Conditional requests' memory: the ETag / Last-Modified of each URL fetched, so that an
unchanged page costs one 304 next time. Kept in `http-cache.json` in the data folder, written
atomically; it is derived data, so a damaged file only costs full downloads."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from papertray.store import limits

__all__ = ["CACHE_FILE", "ValidatorCache"]

CACHE_FILE = "http-cache.json"


class ValidatorCache:
    """ETag / Last-Modified per URL, in a small JSON file of the data folder. A damaged or
    unreadable file just means no conditional requests this time (it is derived data)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._data: dict[str, dict[str, Any]] | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._data is None:
            data: Any = {}
            if self.path is not None:
                try:
                    data = orjson.loads(self.path.read_bytes())
                except (OSError, ValueError):
                    data = {}
            self._data = (
                {k: v for k, v in data.items() if isinstance(v, dict)}
                if isinstance(data, dict)
                else {}
            )
        return self._data

    def get(self, url: str) -> dict[str, Any]:
        return dict(self._load().get(url, {}))

    def put(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Remember these URLs' validators (and notes such as the item count of a page), and
        write the file at once, atomically."""
        data = self._load()
        for url, entry in entries.items():
            data.pop(url, None)  # re-inserted last: the dict's order is the age
            if entry:
                data[url] = dict(entry)
        while len(data) > limits.CACHE_ENTRIES:
            data.pop(next(iter(data)))
        if self.path is None:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(orjson.dumps(data, option=orjson.OPT_INDENT_2))
            os.replace(tmp, self.path)
        except OSError:
            # Not remembering costs a full download next time, nothing more.
            with contextlib.suppress(OSError):
                tmp.unlink()
