"""Your marks on every machine, through a folder a sync tool already shares (Syncthing,
Dropbox, iCloud Drive, a git repository, a USB stick): no server, no account.

Each data folder is a machine, with an id made once (kept in `state.json`'s `papertray` table,
with where the folder is, so a copied data folder becomes a machine of its own). It writes
only its own log in the shared folder (`sync_files.py`) and merges every log into its
`state.json` (`sync_merge.py` has the rules; `sync_tables.py` says what is exchanged). One
`Sync.run()`, under the data folder's lock (`State.transaction()`):

1. what `state.json` holds that the records do not say is a change made here, stamped with a
   clock (so the reader, the CLI and any other writer of `state.json` need not tell sync);
2. every log is read from where the last run left it, a sync tool's conflict copy whole;
3. the changes here and there merge into the records;
4. the changes here, and the entries of conflict copies no other log holds, are appended to
   this machine's log (a new generation, with a snapshot, when it has grown); the copies go;
5. the records of every key that changed are written to `state.json`, in one write.

What the last run knew is kept in the data folder (`sync.json`, written before `state.json`
and stamped so that a run killed between the two finds out and takes the changes here from the
records before the merge: no change is lost or taken for another).

A log that cannot be read (damaged, from a newer papertray, over `limits.MAX_SYNC_FILE`) is
refused in one line and the others are read; only this machine's own log failing to be
written is an error, and its changes wait in `sync.json` for the next run.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from papertray.store import limits
from papertray.store.dates import now as clock_now
from papertray.store.paths import SYNC_FILE
from papertray.store.sanitize import one_line, quoted
from papertray.store.storage import AtomicJSONStorage, os_reason
from papertray.store.sync_files import Folder, LogFile, Reading, encode, log_name, size_text
from papertray.store.sync_merge import (
    ELEMENTS,
    REGISTER,
    Entry,
    Record,
    Records,
    fields_json,
    is_machine_id,
    read_entry,
)
from papertray.store.sync_tables import SYNCED, changes_here, check, values_of

if TYPE_CHECKING:
    from papertray.store.config import Config
    from papertray.store.state import State

__all__ = ["MachineSeen", "Sync", "SyncReport", "SyncStatus"]

COMPACT_AFTER = 5000
"""A machine's log gets a new generation (its snapshot) once more entries than this, and than
its snapshot holds, were appended to it: a log is at most about twice the state it describes."""


@dataclass
class SyncReport:
    """What one run did. `refused` and `warnings` are one line each, ready to show."""

    folder: Path
    written: int = 0
    """Entries appended to this machine's log (a snapshot not counted)."""
    merged: int = 0
    """Entries from the folder that changed what this machine knew."""
    changed: int = 0
    """Papers and mute rules whose marks changed here."""
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    """This machine's own log could not be written (its changes wait for the next run)."""
    compacted: bool = False
    removed_copies: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        parts = [f"{_count(self.written, 'change')} written out"]
        parts.append(f"{_count(self.merged, 'change')} merged in")
        if self.changed:
            parts.append(f"{_count(self.changed, 'paper or rule', 'papers or rules')} changed here")
        if self.removed_copies:
            copies = _count(self.removed_copies, "conflict copy", "conflict copies")
            parts.append(f"{copies} read and removed")
        return f"synced with {one_line(self.folder)}: " + ", ".join(parts)


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


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


class Sync:
    """Sync one data folder's `State` with the logs of a shared folder."""

    def __init__(
        self,
        state: State,
        folder: str | os.PathLike[str],
        *,
        name: str | None = None,
        now: Callable[[], float] | None = None,
        compact_after: int | None = None,
    ) -> None:
        self.state = state
        self.folder = Folder(Path(os.path.expanduser(os.fspath(folder))))
        self.name = one_line(name if name is not None else _host_name())[:60]
        self._now = now or clock_now
        self.compact_after = compact_after if compact_after is not None else COMPACT_AFTER
        self._book_store: AtomicJSONStorage | None = None
        self._memory_book: dict[str, Any] | None = None
        if state.path is None:
            self._memory_book = {}
        else:
            self._book_store = AtomicJSONStorage(
                state.path.parent / SYNC_FILE, label="sync state file"
            )
        self._seen: tuple[Any, ...] | None = None
        self._cached: tuple[Any, Book] | None = None
        self._held: dict[str, Mapping[str, object]] = {}
        self._saved = b""

    @classmethod
    def configured(cls, state: State, config: Config | None = None) -> Sync | None:
        """The sync the config file's `[sync] folder` asks for, or None (ConfigError for a
        config file that cannot be read)."""
        if config is None:
            from papertray.store.config import load_config

            config = load_config()
        if config.sync_folder is None:
            return None
        return cls(state, config.sync_folder)

    @property
    def warnings(self) -> list[str]:
        """Lines about `sync.json` itself (a damaged one moved aside)."""
        return self._book_store.warnings if self._book_store is not None else []

    # -- one run -------------------------------------------------------------------------------

    def run(self) -> SyncReport:
        """Sync once (see the module's docstring). StoreError when `state.json` or
        `sync.json` cannot be saved."""
        report = SyncReport(self.folder.path)
        if not self.folder.exists():
            report.error = (
                f"sync: no folder {quoted(self.folder.path)} (make it, or point at the folder "
                "your sync tool shares); changes here wait for it"
            )
            return report
        # Taken before anything is read: a file that arrives during the run, or a change made
        # here meanwhile, makes the next poll run again (this run's own writes do too, once).
        seen = self._signature()
        try:
            with self.state.transaction():
                self._run(report)
        except BaseException:
            self._cached, self._held = None, {}  # changed by a run that did not finish
            raise
        report.warnings[:0] = self.warnings
        self._seen = seen
        return report

    def poll(self) -> SyncReport | None:
        """`run()` when another machine's file arrived or changed, or `state.json` did, since
        the last run; else None (a few `stat` calls). What a reader calls every second."""
        if self._seen is not None and self._signature() == self._seen:
            return None
        return self.run()

    def _signature(self) -> tuple[Any, ...]:
        here = self.state.path
        try:
            st = os.stat(here) if here is not None else None
        except OSError:
            st = None
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns) if st is not None else self.state.version
        return (stamp, self.folder.signature())

    def _run(self, report: SyncReport) -> None:
        me = self._machine(report)
        book = self._load(me)
        now = self._now()
        before = self._baseline(book)
        to_write: dict[str, set[str]] = {t: set(keys) for t, keys in before.items()}
        known_before = set(book.known)
        # 1. the changes made here
        local: list[Entry] = []
        unsent: dict[str, set[str]] = {}
        # What State held at this object's last run, if this run starts where it ended.
        previous = self._held if not before and book.known and book is self._kept() else None
        for synced in SYNCED.values():
            entries, cannot, _held = changes_here(
                synced,
                self.state,
                book.records,
                me,
                now,
                book.known,
                before.get(synced.table),
                previous.get(synced.table) if previous is not None else None,
            )
            for key, name in cannot:
                report.warnings.append(
                    f"sync: {synced.table} {quoted(key, 80)}: its {name} is no value papertray "
                    "sends (a hand-edited state file): kept here only"
                )
                unsent.setdefault(synced.table, set()).add(key)
            local.extend(entries)
        # 2. the folder
        logs = self.folder.logs()
        own = self._own(book, logs, me)
        readings: list[tuple[LogFile, Reading]] = []
        for log in logs:
            if log.copy:
                reading = self.folder.read(log, 0, 1, None, check)
            else:
                seen = book.logs.get(log.name, {})
                reading = self.folder.read(
                    log, seen.get("offset", 0), seen.get("line", 1), seen.get("head"), check
                )
            if reading.refused:
                report.refused.append(reading.refused)
            readings.append((log, reading))
        # 3. merge: the changes here first; `undo` keeps what the others' then changed (what
        # state.json, which holds the changes here, was written from)
        undo: dict[tuple[str, str], dict[str, Record] | None] = {}
        knew_before = bool(book.records.tables)
        changed = book.records.merge_all(local)
        book.heard(local)
        taken = book.records.taken
        for log, reading in readings:
            changed |= book.records.merge_all(reading.entries, undo)
            book.saw(log, reading)
        report.merged = book.records.taken - taken
        # 4. write out
        adopted = [e for log, r in readings if log.copy for e in r.entries if book.live(e)]
        pending = _dedupe([*book.outbox, *local, *adopted])
        too_long = [e for e in pending if _too_long(e)]
        if too_long:
            report.warnings.append(
                f"sync: {_count(len(too_long), 'change')} over "
                f"{size_text(limits.MAX_SYNC_ENTRY)}, the limit on one entry: kept here only"
            )
            pending = [e for e in pending if not _too_long(e)]
        try:
            self._write_out(book, own, me, pending, report, knew_before)
        except OSError as exc:
            report.error = (
                f"sync: could not write this machine's log in {quoted(self.folder.path)}: "
                f"{os_reason(exc)}; {_count(len(pending), 'change')} wait for the next sync"
            )
            book.outbox = pending
        else:
            report.written = len(pending)
            book.outbox = []
        # 5. the state file: every key whose records changed (a change here that won, written
        # back as the records say it: a set in their order), and, for a field never written
        # here from the records (the first sync, a field new in this version), every key (a
        # change here stamped by its time alone may have lost).
        for table, key in changed:
            to_write.setdefault(table, set()).add(key)
        for synced in SYNCED.values():
            if any(f"{synced.table}.{f}" not in book.known for f in synced.fields):
                to_write.setdefault(synced.table, set()).update(book.records.keys(synced.table))
        for table, keys in unsent.items():
            if table in to_write:
                to_write[table] -= keys
        book.known = {f"{s.table}.{f}" for s in SYNCED.values() for f in s.fields}
        writes = 0
        for table, keys in to_write.items():
            binding = SYNCED.get(table)
            if binding is not None and keys:
                values = {key: values_of(binding, book.records.fields(table, key)) for key in keys}
                writes += binding.write(self.state, values)
        report.changed = writes
        here = _token(self.state.meta("synced"))
        book.undo, book.undo_known = {}, set()
        if writes:
            # sync.json is written first, with a new stamp and what state.json holds of these
            # keys now: a run killed before state.json is written finds state.json with the
            # stamp before, and takes these as what it was written from.
            book.applied_before, book.applied = here, secrets.token_hex(8)
            book.undo_known = known_before
            for table, keys in to_write.items():
                for key in keys:
                    where = (table, key)
                    if key in before.get(table, {}):
                        book.undo[where] = before[table][key]
                    elif where in undo:
                        book.undo[where] = undo[where]
                    else:
                        book.undo[where] = book.records.fields(table, key)
            self.state.set_meta("synced", book.applied)
        else:
            book.applied = here
        self._save(book)
        self._held = {synced.table: synced.held(self.state) for synced in SYNCED.values()}
        if report.error is None:
            for log, reading in readings:
                if log.copy and not reading.stopped:
                    why = self.folder.remove(log.name)
                    if why is None:
                        report.removed_copies += 1
                    else:
                        report.warnings.append(f"sync: could not remove {quoted(log.name)}: {why}")

    def _baseline(self, book: Book) -> dict[str, dict[str, dict[str, Record] | None]]:
        """What `state.json` was written from, where that is not the records. Each run that
        writes `state.json` stamps it, and `sync.json` before it, with a new random stamp:
        `state.json` with the stamp before is a run killed between the two, and holds the
        records before that run's merge of the keys it was writing (and the fields it knew);
        with any other (a backup put back, a copy) nothing is known of it: `known` is emptied,
        and its values meet the records by their clocks."""
        here = _token(self.state.meta("synced"))
        if here == book.applied:
            return {}
        if here == book.applied_before and book.undo:
            book.known = set(book.undo_known)
            return book.undo_records()
        book.known = set()
        return {}

    # -- this machine's log --------------------------------------------------------------------

    def _own(self, book: Book, logs: list[LogFile], me: str) -> str | None:
        """The name of this machine's log to append to, or None when a new generation must
        start (none yet in this folder, or the one written before is gone or was cut)."""
        self.folder.clean_own_leftovers(me)
        mine = [log for log in logs if log.machine == me and not log.copy]
        if not mine:
            return None
        current = log_name(me, book.gen) if book.gen else None
        newest = max(mine, key=lambda log: log.gen)
        if newest.gen > book.gen:
            # A generation this machine started and did not get to record (a run killed after
            # it, or `sync.json` lost): it holds a snapshot of everything before it. Take it.
            book.gen, book.own_entries, book.snapshot = newest.gen, 0, 0
            book.logs.pop(newest.name, None)  # read it whole, as any log never read
            return newest.name
        if current is None or not any(log.name == current for log in mine):
            return None
        size = self.folder.size(current)
        written = book.logs.get(current, {}).get("offset", 0)
        if size is None or size < written:
            return None
        return current

    def _write_out(
        self,
        book: Book,
        own: str | None,
        me: str,
        pending: list[Entry],
        report: SyncReport,
        knew_before: bool,
    ) -> None:
        """Append `pending` to this machine's log, starting a new generation when there is
        none to append to or the log outgrew its snapshot. OSError when it cannot be written."""
        grown = book.own_entries + len(pending) > max(self.compact_after, book.snapshot)
        if own is not None and not grown:
            if pending:
                lines = encode(pending)
                size = self.folder.append(own, lines)
                seen = book.logs.setdefault(own, {})
                seen["offset"] = size
                seen["line"] = seen.get("line", 1) + len(lines)
                book.own_entries += len(lines)
            return
        # A new generation: every record (the changes here merged in already), then the older
        # generations go: the snapshot holds all they held that still counts. A machine's
        # first log, when it knew nothing before this run, holds its own changes only: what
        # it read is in the others' logs.
        gen = max([book.gen, *(log.gen for log in self.folder.logs() if log.machine == me)]) + 1
        then: list[Entry] = []
        if gen == 1 and not knew_before:
            snapshot, then = [], pending
        else:
            snapshot = [e for e in book.records.snapshot() if not _too_long(e)]
        size = self.folder.start(me, gen, self.name, snapshot, then)
        name = log_name(me, gen)
        head = self.folder.head_digest(name)
        written = len(snapshot) + len(then)
        book.logs[name] = {"offset": size, "line": written + 2, "head": head}
        book.gen, book.own_entries, book.snapshot = gen, len(then), len(snapshot)
        report.compacted = own is not None
        for log in self.folder.logs():
            if log.machine == me and not log.copy and log.gen < gen:
                why = self.folder.remove(log.name)
                if why is not None:
                    report.warnings.append(f"sync: could not remove {quoted(log.name)}: {why}")

    # -- status --------------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        """Machines seen, the last change of each, what waits to be written out or merged in.
        Changes nothing."""
        me = self._machine(None)
        book = self._load(me, fresh=True) if me else Book("")
        refused: list[str] = []
        to_write = len(book.outbox)
        if self.folder.exists():
            logs = self.folder.logs()
        else:
            logs = []
            refused.append(f"sync: no folder {quoted(self.folder.path)}")
        before = self._baseline(book)
        for synced in SYNCED.values():
            entries, _cannot, _held = changes_here(
                synced,
                self.state,
                book.records,
                me,
                self._now(),
                book.known,
                before.get(synced.table),
            )
            to_write += len(entries)
        to_merge = 0
        latest: dict[str, tuple[int, int]] = {}
        for log in logs:
            seen = book.logs.get(log.name, {})
            found = self.folder.pending(log, 0 if log.copy else seen.get("offset", 0))
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
            log.machine: self.folder.header_name(log)
            for log in logs
            if not log.copy and log.machine != me
        }
        names[me] = self.name
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
        return SyncStatus(self.folder.path, me, own, machines, to_write, to_merge, refused)

    # -- bookkeeping ---------------------------------------------------------------------------

    def _machine(self, report: SyncReport | None) -> str:
        """This data folder's machine id, made on its first sync and kept in `state.json`,
        with where the folder is: a data folder copied to another machine (or restored from a
        backup) is another machine, else both would write one log."""
        origin = _origin(self.state.path)
        record = self.state.meta("machine")
        if isinstance(record, dict):
            known = record.get("id")
            if isinstance(known, str) and is_machine_id(known):
                if record.get("origin") == origin:
                    return known
                if report is not None:
                    report.warnings.append(
                        "sync: this data folder was copied or moved here: it syncs as a new "
                        "machine (its old log stays in the folder, read like any other)"
                    )
        if report is None:
            return ""  # status: this data folder has not synced yet (or was copied)
        machine = secrets.token_hex(6)
        self.state.set_meta("machine", {"id": machine, "origin": origin, "name": self.name})
        return machine

    def _load(self, me: str, *, fresh: bool = False) -> Book:
        """What the last run knew: kept from this object's last run while `sync.json` is the
        file it wrote (a reader's runs then cost what changed, not what is held); else read."""
        cached = self._cached
        if not fresh and cached is not None and cached[1].machine == me:
            if cached[0] == self._book_stamp():
                return cached[1]
        self._cached = None
        if self._book_store is not None:
            data = self._book_store.read() or {}
        else:
            data = self._memory_book or {}
        return Book.from_json(data, me, str(self.folder.path))

    def _save(self, book: Book) -> None:
        data = book.to_json(me=book.machine, folder=str(self.folder.path))
        if self._book_store is not None:
            text = orjson.dumps(data)
            if text == self._saved and self._cached is not None and self._cached[1] is book:
                if self._cached[0] == self._book_stamp():
                    return  # the same as the file holds (a poll that found nothing new)
            self._book_store.write(data)
            self._saved = text
            # The storage keeps what it wrote as the file's content: the records themselves,
            # which the next run changes. Dropped: a read goes to the file.
            self._book_store.close()
        else:  # as a file would hold it: nothing shared with the records in use
            self._memory_book = orjson.loads(orjson.dumps(data))
        self._cached = (self._book_stamp(), book)

    def _kept(self) -> Book | None:
        return self._cached[1] if self._cached is not None else None

    def _book_stamp(self) -> Any:
        if self._book_store is None:
            return id(self._memory_book)
        try:
            st = os.stat(self._book_store.path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)


def _host_name() -> str:
    try:
        return socket.gethostname().split(".")[0] or "this machine"
    except OSError:
        return "this machine"


def _origin(path: Path | None) -> str:
    """Where the data folder is: its path and inode (and creation time, where the system
    keeps one). A copy elsewhere, or a restored backup, has another."""
    if path is None:
        return "memory"
    folder = path.parent
    try:
        st = os.stat(folder)
    except OSError:
        return str(folder)
    born = getattr(st, "st_birthtime", None)
    text = f"{folder}\0{st.st_ino}\0{born}"
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _seconds(pair: Any) -> float | None:
    if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int):
        return pair[0] / 1000
    return None


def _too_long(entry: Entry) -> bool:
    """An entry whose line would pass `limits.MAX_SYNC_ENTRY` (only a note can)."""
    value = entry.value
    if not isinstance(value, str) or len(value) < limits.MAX_SYNC_ENTRY // 8:
        return False
    return len(encode([entry])[0]) > limits.MAX_SYNC_ENTRY


def _dedupe(entries: Iterable[Entry]) -> list[Entry]:
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
        book.applied = _token(meta.get("applied"))
        book.applied_before = _token(meta.get("applied_before"))
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


def _token(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _names(value: Any) -> set[str]:
    return {k for k in value if isinstance(k, str)} if isinstance(value, list) else set()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
