"""One JSON database file, the low-level steps `storage.AtomicJSONStorage` is built from.

Decoding a file (mapped rather than copied above 1 MiB, parsed in pieces by `bigjson` when it is
indented, with the collector paused: see `heap.pause_gc`), checking it is a TinyDB database,
saying why it is not (`Damaged`) or why the OS refused (`os_reason`), and making a rename
durable (`fsync_dir`). Nothing here locks, caches or decides what to do with a damaged file: the
storage does.
"""

from __future__ import annotations

import errno
import mmap
import os
from pathlib import Path
from typing import Any

import orjson

from papertray.store import bigjson
from papertray.store.heap import pause_gc

__all__ = ["REASONS", "Damaged", "check_shape", "decode_tables", "fsync_dir", "os_reason"]


REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "an input/output error occurred",
}


def os_reason(exc: OSError) -> str:
    """An OSError in words for a one-line message ("the disk is full")."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    return (exc.strerror or str(exc)).lower()


def fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable. Some file systems refuse fsync on a folder; the data file
    # is already complete by then, so that is not worth failing the save for.
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_shape(data: Any) -> str | None:
    """Why `data` is not a TinyDB database (a dict of tables, each a dict of documents)."""
    if not isinstance(data, dict):
        return f"top level is {type(data).__name__ if data is not None else 'null'}, not an object"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"table {name!r} is not an object"
        for doc in table.values():
            if not isinstance(doc, dict):
                return f"table {name!r} holds a document that is not an object"
    return None


class Damaged(Exception):
    """The file is not a database (`reason`); `sig` is the file it was found in."""

    def __init__(self, reason: str, sig: tuple[int, ...] | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sig = sig


def decode_tables(fd: int, size: int, sig: tuple[int, ...]) -> Any:
    """The parsed JSON of the open file `fd` (`size` bytes; `sig` names it in a `Damaged`)."""
    try:
        # Mapping the file spares a copy of a 200 MB library; small files are just read.
        view = mmap.mmap(fd, 0, prot=mmap.PROT_READ) if size > 1 << 20 else None
        raw: bytes | memoryview = memoryview(view) if view is not None else bigjson.read_all(fd)
    except (OSError, ValueError) as exc:
        why = os_reason(exc) if isinstance(exc, OSError) else str(exc)
        raise Damaged(f"unreadable: {why}", sig) from None
    try:
        if not bytes(raw[:64]).strip() and not bytes(raw).strip():
            raise Damaged("the file is empty", sig)
        with pause_gc():
            data = bigjson.parse_tables(raw, view) if raw[:2] == b"{\n" else None
            return orjson.loads(raw) if data is None else data
    except orjson.JSONDecodeError as exc:
        raise Damaged(f"not valid JSON: {str(exc).splitlines()[0]}", sig) from None
    finally:
        if view is not None:
            assert isinstance(raw, memoryview)
            raw.release()
            view.close()
