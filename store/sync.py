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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papertray.store import limits
from papertray.store.dates import now as clock_now
from papertray.store.sanitize import one_line, quoted
from papertray.store.storage import os_reason
from papertray.store.sync_book import Book, BookFile, token, waiting
from papertray.store.sync_files import Folder, LogFile, Reading, encode, log_name, size_text
from papertray.store.sync_merge import (
    Entry,
    Record,
    is_machine_id,
)
from papertray.store.sync_status import MachineSeen, SyncStatus, status_of
from papertray.store.sync_tables import SYNCED, changes_here, check, values_of
from papertray.store.sync_write import append, clean_leftovers, start

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
        self._books = BookFile(state.path)
        self._seen: tuple[Any, ...] | None = None
        self._held: dict[str, Mapping[str, object]] = {}

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
        return self._books.warnings

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
            self._books.forget()  # changed in place by a run that did not finish
            self._held = {}
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
        book = self._books.load(me, str(self.folder.path))
        now = self._now()
        before = self._baseline(book)
        to_write: dict[str, set[str]] = {t: set(keys) for t, keys in before.items()}
        known_before = set(book.known)
        # 1. the changes made here
        local: list[Entry] = []
        unsent: dict[str, set[str]] = {}
        # What State held at this object's last run, if this run starts where it ended.
        previous = self._held if not before and book.known and book is self._books.kept() else None
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
        pending = waiting([*book.outbox, *local, *adopted])
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
        here = token(self.state.meta("synced"))
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
        self._books.save(book, str(self.folder.path))
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
        here = token(self.state.meta("synced"))
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
        clean_leftovers(self.folder, me)
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
                size = append(self.folder, own, lines)
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
        size = start(self.folder, me, gen, self.name, snapshot, then)
        name = log_name(me, gen)
        head = self.folder.head_digest(name)
        written = len(snapshot) + len(then)
        book.logs[name] = {"offset": size, "line": written + 2, "head": head}
        book.gen, book.own_entries, book.snapshot = gen, len(then), len(snapshot)
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
        book = self._books.load(me, str(self.folder.path), fresh=True) if me else Book("")
        before = self._baseline(book)
        return status_of(self.folder, self.state, me, self.name, book, before, self._now())

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


def _too_long(entry: Entry) -> bool:
    """An entry whose line would pass `limits.MAX_SYNC_ENTRY` (only a note can)."""
    value = entry.value
    if not isinstance(value, str) or len(value) < limits.MAX_SYNC_ENTRY // 8:
        return False
    return len(encode([entry])[0]) > limits.MAX_SYNC_ENTRY
