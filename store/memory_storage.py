"""`MemoryJSONStorage`: the interface of `storage.AtomicJSONStorage`, kept in memory (tests,
scratch sessions, `Library`/`State` opened without a folder)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb import Storage

__all__ = ["MemoryJSONStorage"]

Tables = dict[str, dict[str, Any]]


class MemoryJSONStorage(Storage):
    """The same interface as `AtomicJSONStorage`, kept in memory (tests, scratch sessions).
    Data goes through orjson on every write, so what works here serialises on disk too."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.label = "memory"
        self.warnings: list[str] = []
        self.read_only = False
        self.version = 0
        self.spans: dict[str, tuple[int, int]] = {}  # no file: nothing lies anywhere
        self._data: Tables | None = None
        self._mutex = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._mutex:
            yield

    locked = transaction

    loaded = True  # as `AtomicJSONStorage.loaded`: nothing to parse

    def read(self) -> Tables | None:
        return self._data

    def write(self, data: Tables, meanwhile: Callable[[], Any] | None = None) -> Any:
        """As `AtomicJSONStorage.write`; `meanwhile` never runs (nothing is written)."""
        with self._mutex:
            self._data = orjson.loads(orjson.dumps(data))
            self.version += 1
        return None

    def refresh(self) -> bool:
        return False

    def unchanged(self) -> bool:
        return True

    def forget(self) -> bool:
        return False  # the only copy
