"""`papertray sync --status`: the machines seen, the last change from each, what waits to be
written out or merged in. Reads; changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papertray.store.sanitize import quoted
from papertray.store.sync_book import Book
from papertray.store.sync_files import Folder, log_name
from papertray.store.sync_merge import Record
from papertray.store.sync_tables import SYNCED, changes_here

if TYPE_CHECKING:
    from papertray.store.state import State

__all__ = ["MachineSeen", "SyncStatus", "status_of"]


@dataclass(frozen=True)
class MachineSeen:
    machine: str
    name: str
    last: float | None
    """When its latest change seen here was made (its clock's wall time, POSIX seconds)."""
    entries: int
    """Entries read here from its log (snapshots included)."""
    this: bool


@dataclass
class SyncStatus:
    folder: Path
    machine: str
    log: str | None
    machines: list[MachineSeen]
    to_write: int
    """Changes here not yet written out to this machine's log."""
    to_merge: int
    """Whole lines of logs in the folder not yet merged here."""
    refused: list[str] = field(default_factory=list)


def status_of(
    folder: Folder,
    state: State,
    me: str,
    name: str,
    book: Book,
    before: dict[str, dict[str, dict[str, Record] | None]],
    now: float,
) -> SyncStatus:
    """What `me` (this data folder's machine, "" before its first sync, then known as `name`)
    knows of `folder` (`book`, with `before` as `Sync._baseline` gives it), and what is there."""
    refused: list[str] = []
    to_write = len(book.outbox)
    if folder.exists():
        logs = folder.logs()
    else:
        logs = []
        refused.append(f"sync: no folder {quoted(folder.path)}")
    for synced in SYNCED.values():
        entries, _cannot, _held = changes_here(
            synced,
            state,
            book.records,
            me,
            now,
            book.known,
            before.get(synced.table),
        )
        to_write += len(entries)
    to_merge = 0
    latest: dict[str, tuple[int, int]] = {}
    for log in logs:
        seen = book.logs.get(log.name, {})
        found = folder.pending(log, 0 if log.copy else seen.get("offset", 0))
        if found is None:
            refused.append(f"sync: {quoted(log.name)} cannot be read")
            continue
        if log.machine != me or log.copy:
            to_merge += found[0]
        for machine, pair in found[1].items():
            latest[machine] = max(latest.get(machine, pair), pair)
    for machine, pair in latest.items():  # changes not merged yet count as seen
        info = book.machines.setdefault(machine, {"name": "", "last": None, "entries": 0})
        last = info.get("last")
        if not isinstance(last, list) or last < list(pair):
            info["last"] = list(pair)
    names = {
        log.machine: folder.header_name(log) for log in logs if not log.copy and log.machine != me
    }
    names[me] = name
    for machine in names:
        book.machines.setdefault(machine, {"name": "", "last": None, "entries": 0})
    machines = [
        MachineSeen(
            machine,
            names.get(machine) or str(info.get("name", "")),
            _seconds(info.get("last")),
            book.snapshot + book.own_entries if machine == me else _int(info.get("entries")),
            machine == me,
        )
        for machine, info in book.machines.items()
        if machine
    ]
    machines.sort(key=lambda m: (not m.this, -(m.last or 0), m.machine))
    own = log_name(me, book.gen) if book.gen else None
    return SyncStatus(folder.path, me, own, machines, to_write, to_merge, refused)


def _seconds(pair: Any) -> float | None:
    if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int):
        return pair[0] / 1000
    return None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
