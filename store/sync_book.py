"""What a data folder's sync knows between runs, and the file it is kept in (`sync.json`):
the records every log merged gives, how far each log was read, the machines seen, the changes
waiting to be written out, and the stamps that tell a run killed between `sync.json` and
`state.json` (see `Sync._baseline`). Derived from the logs and `state.json`: a lost or damaged
one is made again by reading the logs from their start.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from papertray.store.paths import SYNC_FILE
from papertray.store.sanitize import one_line
from papertray.store.storage import AtomicJSONStorage
from papertray.store.sync_files import LogFile, Reading
from papertray.store.sync_merge import (
    ELEMENTS,
    REGISTER,
    Entry,
    Record,
    Records,
    fields_json,
    read_entry,
)
from papertray.store.sync_tables import check

__all__ = ["Book", "BookFile", "token", "waiting"]


class Book:
    """What this data folder's sync knows between runs (`sync.json`)."""

    def __init__(self, machine: str) -> None:
        self.machine = machine
        self.gen = 0
        self.own_entries = 0
        self.snapshot = 0
        self.applied = ""
        """The stamp of the last run that wrote `state.json` (see `Sync._baseline`)."""
        self.applied_before = ""
        self.known: set[str] = set()
        self.logs: dict[str, dict[str, Any]] = {}
        self.machines: dict[str, dict[str, Any]] = {}
        self.outbox: list[Entry] = []
        self.undo: dict[tuple[str, str], dict[str, Record] | None] = {}
        self.undo_known: set[str] = set()
        self.records = Records()

    def saw(self, log: LogFile, reading: Reading) -> None:
        """Note how far a log was read, and who wrote what."""
        info = self._machine(log.machine)
        if reading.header is not None and reading.header.name:
            info["name"] = one_line(reading.header.name)[:60]
        info["entries"] = int(info.get("entries", 0)) + len(reading.entries)
        self.heard(reading.entries)
        if log.copy or reading.stopped:
            return
        if reading.header is not None:  # read from its start
            self.logs[log.name] = {
                "offset": reading.end,
                "line": reading.lines + 1,
                "head": reading.header.digest,
            }
            if log.machine == self.machine and log.gen == self.gen:
                self.snapshot = reading.header.snapshot
                self.own_entries = max(0, reading.lines - 1 - reading.header.snapshot)
        elif log.name in self.logs:
            seen = self.logs[log.name]
            seen["line"] = seen.get("line", 1) + reading.lines
            seen["offset"] = reading.end

    def heard(self, entries: Iterable[Entry]) -> None:
        """Note the latest change of each machine among `entries`."""
        latest: dict[str, tuple[int, int, str]] = {}
        for entry in entries:
            clock = entry[4]
            had = latest.get(clock[2])
            if had is None or clock > had:
                latest[clock[2]] = clock
        for machine, clock in latest.items():
            info = self._machine(machine)
            last, pair = info.get("last"), [clock[0], clock[1]]
            if not isinstance(last, list) or last < pair:
                info["last"] = pair

    def _machine(self, machine: str) -> dict[str, Any]:
        info = self.machines.get(machine)
        if info is None:
            info = self.machines[machine] = {"name": "", "last": None, "entries": 0}
        return info

    def live(self, entry: Entry) -> bool:
        """Whether the records still hold this entry (no later one replaced it)."""
        fields = self.records.fields(entry.table, entry.key)
        record = fields.get(entry.field) if fields else None
        if entry.kind == ELEMENTS:
            return isinstance(record, dict) and record.get(entry.element or "") == (
                entry.clock,
                entry.value,
            )
        if entry.kind == REGISTER:
            return record == (entry.clock, entry.value)
        return isinstance(record, list) and any(v[0] == entry.clock for v in record)

    def undo_records(self) -> dict[str, dict[str, dict[str, Record] | None]]:
        out: dict[str, dict[str, dict[str, Record] | None]] = {}
        for (table, key), fields in self.undo.items():
            out.setdefault(table, {})[key] = fields
        return out

    # -- its file ------------------------------------------------------------------------------

    def to_json(self, me: str, folder: str) -> dict[str, Any]:
        tables: dict[str, Any] = dict(self.records.to_json())
        undo: dict[str, Any] = {}
        for (table, key), fields in self.undo.items():
            undo.setdefault(table, {})[key] = fields_json(fields)
        tables["papertray"] = {
            "1": {
                "format": 1,
                "machine": me,
                "folder": folder,
                "gen": self.gen,
                "own_entries": self.own_entries,
                "snapshot": self.snapshot,
                "applied": self.applied,
                "applied_before": self.applied_before,
                "known": sorted(self.known),
                "undo_known": sorted(self.undo_known),
                "outbox": [e.to_json() for e in self.outbox],
            }
        }
        tables["logs"] = self.logs
        tables["machines"] = self.machines
        tables["undo"] = {"1": undo}
        return tables

    @classmethod
    def from_json(cls, data: dict[str, Any], me: str, folder: str) -> Book:
        """The book of `sync.json`; of another machine (a copied data folder), a new one; of
        another folder, what this machine knows without what it had read there."""
        book = cls(me)
        meta = data.get("papertray", {}).get("1", {})
        if not isinstance(meta, dict) or meta.get("machine") != me:
            return book
        records = {
            t: keys
            for t, keys in data.items()
            if t not in ("papertray", "logs", "machines", "undo")
        }
        try:
            book.records = Records.from_json(records)
        except ValueError:
            return cls(me)  # damaged by hand: read again from the logs (it is derived)
        book.applied = token(meta.get("applied"))
        book.applied_before = token(meta.get("applied_before"))
        book.known = _names(meta.get("known"))
        book.undo_known = _names(meta.get("undo_known"))
        outbox = meta.get("outbox")
        for raw in outbox if isinstance(outbox, list) else []:
            entry = read_entry(raw)
            if isinstance(entry, Entry) and check(entry) is None:
                book.outbox.append(entry)
        undo = data.get("undo", {}).get("1", {})
        if isinstance(undo, dict):
            for table, keys in undo.items():
                if not isinstance(keys, dict):
                    continue
                for key, fields in keys.items():
                    found = Records.from_json({table: {key: fields}}) if fields else None
                    book.undo[(table, key)] = found.fields(table, key) if found else None
        machines = data.get("machines")
        if isinstance(machines, dict):
            book.machines = {m: i for m, i in machines.items() if isinstance(i, dict)}
        if meta.get("folder") != folder:
            return book  # another folder: its logs and this machine's log there are not here
        book.gen = _int(meta.get("gen"))
        book.own_entries = _int(meta.get("own_entries"))
        book.snapshot = _int(meta.get("snapshot"))
        logs = data.get("logs")
        if isinstance(logs, dict):
            book.logs = {
                name: {
                    "offset": _int(info.get("offset")),
                    "line": max(1, _int(info.get("line"))),
                    "head": info.get("head") if isinstance(info.get("head"), str) else None,
                }
                for name, info in logs.items()
                if isinstance(info, dict)
            }
        return book


def token(value: Any) -> str:
    """A stamp as stored ("" when there is none)."""
    return value if isinstance(value, str) else ""


def _names(value: Any) -> set[str]:
    return {k for k in value if isinstance(k, str)} if isinstance(value, list) else set()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


class BookFile:
    """`sync.json` beside `state.json` (in memory for a `State` in memory). A `Book` loaded or
    saved here is kept, and given again while the file is the one it wrote: a reader's runs
    then cost what changed, not what is held."""

    def __init__(self, state_path: Path | None) -> None:
        self._store: AtomicJSONStorage | None = None
        self._memory: dict[str, Any] | None = None
        if state_path is None:
            self._memory = {}
        else:
            self._store = AtomicJSONStorage(state_path.parent / SYNC_FILE, label="sync state file")
        self._kept: tuple[Any, Book] | None = None
        self._saved = b""

    @property
    def warnings(self) -> list[str]:
        """Lines about the file itself (a damaged one moved aside)."""
        return self._store.warnings if self._store is not None else []

    def kept(self) -> Book | None:
        """The book of the last load or save, if the file is still the one it was."""
        return self._kept[1] if self._kept is not None else None

    def forget(self) -> None:
        """After a run that did not finish (its book changed in place): read the file again."""
        self._kept = None

    def load(self, me: str, folder: str, *, fresh: bool = False) -> Book:
        kept = self._kept
        if not fresh and kept is not None and kept[1].machine == me and kept[0] == self._stamp():
            return kept[1]
        self._kept = None
        data = (self._store.read() if self._store is not None else self._memory) or {}
        return Book.from_json(data, me, folder)

    def save(self, book: Book, folder: str) -> None:
        data = book.to_json(me=book.machine, folder=folder)
        if self._store is not None:
            text = orjson.dumps(data)
            kept = self._kept
            if text == self._saved and kept is not None and kept[1] is book:
                if kept[0] == self._stamp():
                    return  # what the file holds already (a poll that found nothing new)
            self._store.write(data)
            self._saved = text
            # The storage keeps what it wrote as the file's content: the records themselves,
            # which the next run changes. Dropped: a read goes to the file.
            self._store.close()
        else:  # as a file would hold it: nothing shared with the records in use
            self._memory = orjson.loads(orjson.dumps(data))
        self._kept = (self._stamp(), book)

    def _stamp(self) -> Any:
        if self._store is None:
            return id(self._memory)
        try:
            st = os.stat(self._store.path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)


def waiting(entries: Iterable[Entry]) -> list[Entry]:
    """Entries waiting to be written, each field's (each element's; each machine's version of
    a text) latest only: what a log needs of them."""
    latest: dict[tuple[Any, ...], Entry] = {}
    for entry in entries:
        where: tuple[Any, ...] = (entry.table, entry.key, entry.field, entry.element)
        if entry.seen is not None:
            where += (entry.clock[2],)
        had = latest.get(where)
        if had is None or entry.clock >= had.clock:
            latest[where] = entry
    return list(latest.values())
