"""`papertray fetch --save FILE`: keeping a fetch's raw responses, and writing them.

A fetch's pages wait on disk (`Spool`, an anonymous temporary file), not in memory, until the
fetch is done; `saved_files` then says which file each goes to.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import orjson

__all__ = ["Spool", "saved_files"]


class Spool:
    """Response bodies kept on disk until they are saved: memory holds one page at a time."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._parts: list[tuple[int, int, str]] = []

    def add(self, body: bytes, suffix: str) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile()
        self._file.seek(0, os.SEEK_END)
        self._parts.append((self._file.tell(), len(body), suffix))
        self._file.write(body)

    def __len__(self) -> int:
        return len(self._parts)

    def suffix(self, n: int) -> str:
        return self._parts[n][2]

    def body(self, n: int) -> bytes:
        assert self._file is not None
        start, size, _suffix = self._parts[n]
        self._file.seek(start)
        return self._file.read(size)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def saved_files(
    spool: Spool, one_list: bool, label: str, path: Path, *, several: bool
) -> Iterator[tuple[Path, Iterable[bytes]]]:
    """(file, its bytes) for each file --save writes for one source: `path` itself when it is
    the only file of the only source, else names beside it with the source and page."""
    tag = re.sub(r"[^A-Za-z0-9.-]+", "-", label).strip("-")
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    if one_list and len(spool) > 1:  # pages of one JSON list: one importable list
        target = path.with_name(f"{stem}-{tag}{path.suffix or '.json'}") if several else path
        yield target, _one_list(spool)
        return
    for n in range(len(spool)):
        target = path
        if several or len(spool) > 1:
            page = f"-{n + 1}" if len(spool) > 1 else ""
            target = path.with_name(f"{stem}-{tag}{page}{path.suffix or spool.suffix(n)}")
        yield target, [spool.body(n)]


def _one_list(spool: Spool) -> Iterator[bytes]:
    yield b"["
    first = True
    for n in range(len(spool)):
        items = orjson.loads(spool.body(n))
        for item in items if isinstance(items, list) else []:
            yield (b"\n  " if first else b",\n  ") + orjson.dumps(item)
            first = False
    yield b"\n]\n"
