"""How a re-import skips an unchanged file: import records keyed by content.

`papertray import d.txt` twice, or `papertray d.txt` every morning on the same digest: parsing
a big digest again would cost seconds and change nothing. So each import that landed every paper on
its own id is remembered in the library's `imports` table under its content key (SHA-256 of the
bytes, size, format asked for: `content_key`), with what it reported (format, duplicates,
warnings, the ids). Importing the same bytes again (`Library.recall`) reports the same figures
without parsing, unless one of its papers has changed or gone since (each row's `version` says
when it last changed), since importing that file again might then do something.
`store/imports.py` is where a CLI or reader import asks for it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["ContentKey", "KnownImport", "content_key", "recall"]


@dataclass
class KnownImport:
    """An imported file remembered by its content (`content_key`): importing the same bytes again
    reports these figures without parsing the file."""

    key: str | ContentKey
    format: str
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """As `ImportReport.ids` of that import: one per paper of the file, in order."""


def content_key(data: bytes, fmt: str | None) -> ContentKey:
    """What identifies one input for `Library.recall`: its bytes (SHA-256, hardware accelerated
    on most CPUs: a fraction of the parse it saves) and size, and the format it was read as."""
    return ContentKey(data, fmt)


class ContentKey:
    """The value of `content_key`, `str(key)`: `<sha256 hex>-<size>-<format or auto>`.

    The SHA-256 of a big input runs in a thread (hashlib releases the GIL), so parsing the
    input meanwhile does not wait for it; `str()`, `==` and `hash()` wait. A first import never
    waits at all: `Library.recall` needs no key while the library remembers no imports."""

    _THREAD_FROM = 1 << 20

    def __init__(self, data: bytes, fmt: str | None) -> None:
        self._rest = f"-{len(data)}-{fmt or 'auto'}"
        self._digest: list[str] = []
        self._thread: threading.Thread | None = None
        if len(data) < self._THREAD_FROM:
            self._digest.append(hashlib.sha256(data).hexdigest())
        else:
            self._thread = threading.Thread(
                target=self._hash, args=(data,), name="papertray-hash", daemon=True
            )
            self._thread.start()
        self._data: bytes | None = data

    def _hash(self, data: bytes) -> None:
        self._digest.append(hashlib.sha256(data).hexdigest())

    def __str__(self) -> str:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if not self._digest:  # the thread failed (out of memory?): here an error reaches the caller
            self._digest.append(hashlib.sha256(self._data or b"").hexdigest())
        self._data = None
        return self._digest[0] + self._rest

    def __repr__(self) -> str:
        return f"ContentKey({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, ContentKey)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


Rows = Callable[[str, Sequence[Any]], list[Any]]


def recall(rows: Rows, key: str | ContentKey) -> KnownImport | None:
    """What importing the input with this `content_key` did last time (the library's `imports`
    table, read through `rows`), if importing it again would change nothing: None when it was
    never imported, or when any of its papers has changed since (or is gone)."""
    if not rows("SELECT 1 FROM imports LIMIT 1", ()):
        return None  # without asking for the key: its hash may still be running
    stored = rows("SELECT record FROM imports WHERE key = ?", (str(key),))
    if not stored:
        return None
    try:
        record = orjson.loads(stored[0][0])
        ids, also, at = record["ids"], record["also"], record["version"]
        fmt, duplicates, warnings = record["format"], record["duplicates"], record["warnings"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        return None
    if not (
        isinstance(ids, list)
        and ids
        and all(isinstance(pid, str) for pid in ids)
        and isinstance(also, list)
        and all(isinstance(pid, str) for pid in also)
        and type(at) is int
        and isinstance(fmt, str)
        and type(duplicates) is int
        and isinstance(warnings, list)
        and all(isinstance(w, str) for w in warnings)
    ):
        return None  # a record edited by hand, or of another version
    unique = list(dict.fromkeys(ids))
    held = rows(
        "SELECT count(*) FROM papers WHERE id IN (SELECT value FROM json_each(?)) "
        "AND version <= ?",
        (orjson.dumps(unique).decode(), at),
    )[0][0]
    if held != len(unique) or (also and _present(rows, also)):
        return None
    return KnownImport(key, fmt, duplicates, list(warnings), list(ids))


def _present(rows: Rows, ids: list[str]) -> bool:
    found = rows(
        "SELECT 1 FROM papers WHERE id IN (SELECT value FROM json_each(?)) LIMIT 1",
        (orjson.dumps(ids).decode(),),
    )
    return bool(found)
