"""How a re-import skips an unchanged file: import records keyed by content.

`papertray import d.txt` twice, or `papertray d.txt` every morning on the same digest: parsing
170 MB again would cost a second and change nothing. So each import that landed every paper on
its own id is remembered in the library's `imports` table under its content key (SHA-256 of the
bytes, size, format asked for: `content_key`), with what it reported (format, duplicates,
warnings, the ids). Importing the same bytes again `recall`s that record and reports the same
figures without parsing (re-import of a 100k digest: 4.99 s before, 0.98 s now, most of it
reading and hashing the file). A record is dropped as soon as an add changes any of its papers
(`records_after`), since importing that file again might then do something.
`store/imports.py` is where a CLI or reader import asks for it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ContentKey", "KnownImport", "content_key", "recall", "records_after"]


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
    """What identifies one input for `Library.recall`: its bytes (SHA-256, which is hardware
    accelerated here: 0.11 s for 170 MB) and size, and the format it was read as."""
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


def recall(records: Any, papers: Mapping[str, Any], key: str | ContentKey) -> KnownImport | None:
    """What importing the input with this `content_key` did last time, if importing it again
    would change nothing: None when it was never imported, or when the library's documents
    (`papers`, id -> document) have changed since in a way that concerns its papers (the
    record is then stale). `records` is the stored `imports` table."""
    if not records:
        return None  # without asking for the key: its hash may still be running
    record: Any = records.get(str(key))
    table = papers
    try:
        ids, also = record["ids"], record.get("also", [])
        fmt, duplicates, warnings = record["format"], record["duplicates"], record["warnings"]
        ok = (
            isinstance(ids, list)
            and all(isinstance(pid, str) and pid in table for pid in ids)
            and isinstance(also, list)
            and not any(pid in table for pid in also)
            and isinstance(fmt, str)
            and type(duplicates) is int
            and isinstance(warnings, list)
            and all(isinstance(w, str) for w in warnings)
        )
    except (TypeError, KeyError, AttributeError):
        return None
    if not ok or not ids:
        return None
    return KnownImport(key, fmt, duplicates, list(warnings), list(ids))


def records_after(
    stored: Any,
    changed: Mapping[str, Any],
    remember: KnownImport | None,
    ids: list[str],
    also: list[str],
) -> dict[str, Any] | None:
    """The import records (`stored`) after an add that changed the documents `changed` and
    gave `ids` (see `ImportReport.ids`), or None if they stay as they are. A record whose
    papers changed (or whose merged-away ids now exist) is dropped: importing that file again
    might do something now."""
    records: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
    touched = False
    if changed and records:
        for key, record in list(records.items()):
            held = record.get("ids") if isinstance(record, dict) else None
            others = record.get("also", []) if isinstance(record, dict) else None
            if (
                not isinstance(held, list)
                or not isinstance(others, list)
                or any(pid in changed for pid in held)
                or any(pid in changed for pid in others)
            ):
                del records[key]
                touched = True
    # Only an import whose papers each landed on their own id can be replayed as "nothing to
    # do": two papers merged into one id would each overwrite the other's newer fields again.
    if remember is not None and ids and len(set(ids)) == len(ids):
        record = {
            "format": remember.format,
            "duplicates": remember.duplicates,
            "warnings": list(remember.warnings),
            "ids": list(ids),
            "also": also,
        }
        key = str(remember.key)
        if records.get(key) != record:
            records[key] = record
            touched = True
    return records if touched else None
