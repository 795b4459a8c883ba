"""The sync folder: whose file is which, reading a log from where the last sync left it,
appending to this machine's own log, and starting a new generation of it (its snapshot).

Each machine writes one file, `papertray.<machine>.<generation>.jsonl`, and no other machine
ever writes it, so a sync tool has nothing to make a conflict of. JSON Lines: a header

    {"papertray": "sync", "format": 1, "machine": "3f2a9c0d1b7e", "gen": 2, "name": "laptop",
     "snapshot": 812}

then one entry per line, an array (`sync_merge.Entry`):

    ["marks", "arxiv:2401.00001", "starred", 1718000000.5, [1718000000500, 0, "3f2a9c0d1b7e"]]
    ["marks", "arxiv:2401.00001", "tags", true, [1718000000600, 0, "3f2a9c0d1b7e"], "llm"]
    ["marks", "arxiv:2401.00001", "note", "see §3", [1718000000700, 0, "3f2a9c0d1b7e"], null,
     {"3f2a9c0d1b7e": [1718000000700, 0]}]

A generation after the first starts with a snapshot: `snapshot` entries that hold every record
this machine knew when it began the generation, then the entries appended after (a machine's
first log holds only its own changes: what it read is in the others' logs).

A line is whole only once its newline is written: a reader takes whole lines and leaves a torn
last one for later, and the owner cuts a torn tail off before it appends again. A new
generation is written beside (a dot-name ending in `.tmp`) and renamed into place, so it is
there whole or not at all; the older generations it covers are removed after.

A file named like a log with something more (`….sync-conflict-…`, `… (conflicted copy …)`,
`… (1)`, `… 2`) is a sync tool's copy of one: it is read like a log, its entries carried into
this machine's log, and removed.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from papertray.store import limits
from papertray.store.sanitize import one_line, quoted
from papertray.store.storage import os_reason
from papertray.store.sync_merge import Entry, is_machine_id, read_entry

__all__ = [
    "BINARY",
    "FORMAT",
    "Folder",
    "Header",
    "LogFile",
    "Reading",
    "encode",
    "log_name",
    "size_text",
    "unlink",
]

FORMAT = 1
"""The log format this papertray writes and reads; a log of a later one is refused."""
_LOG = re.compile(r"papertray\.([0-9a-f]{12})\.([1-9][0-9]{0,8})(.*)", re.S)
_MAX_HEADER = 64 * 1024
_NO_HEADER = "no papertray log header (damaged, or not a log)"


def size_text(size: int) -> str:
    """A limit in words: "256 MB", or "1,000 bytes" (a test lowers one)."""
    return f"{size // limits.MB} MB" if size % limits.MB == 0 else f"{size:,} bytes"


def log_name(machine: str, gen: int) -> str:
    return f"papertray.{machine}.{gen}.jsonl"


@dataclass(frozen=True)
class LogFile:
    name: str
    machine: str
    gen: int
    copy: bool
    """A sync tool's copy of a log (a conflict copy): read once, carried over, removed."""


@dataclass(frozen=True)
class Header:
    machine: str
    gen: int
    name: str
    snapshot: int
    line: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.line).hexdigest()[:16]

    @staticmethod
    def make(machine: str, gen: int, name: str, snapshot: int) -> bytes:
        data = {
            "papertray": "sync",
            "format": FORMAT,
            "machine": machine,
            "gen": gen,
            "name": name,
            "snapshot": snapshot,
        }
        return orjson.dumps(data) + b"\n"


@dataclass
class Reading:
    """What one read of a log gave."""

    entries: list[Entry] = field(default_factory=list)
    end: int = 0
    """The offset after the last whole line read: where the next read starts."""
    header: Header | None = None
    refused: str | None = None
    """The file refused whole (`stopped`), or lines of it (one line for them all)."""
    stopped: bool = False
    """The file was not read (refused whole): where it was read to stays."""
    lines: int = 0
    """Whole lines read (the header, entries and refused ones)."""


class Folder:
    """The shared folder, as this machine sees it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(os.path.abspath(path))

    def exists(self) -> bool:
        return self.path.is_dir()

    def logs(self) -> list[LogFile]:
        """Every log and sync-tool copy of one, by machine and generation. Names starting
        with a dot (files being written) and any other file are left alone."""
        found: list[LogFile] = []
        for name in os.listdir(self.path):
            match = _LOG.fullmatch(name)
            if match is None or "jsonl" not in name:
                continue
            machine, gen, rest = match.group(1), int(match.group(2)), match.group(3)
            if rest == ".jsonl":
                found.append(LogFile(name, machine, gen, copy=False))
            elif rest and not rest[0].isdigit():
                found.append(LogFile(name, machine, gen, copy=True))
        found.sort(key=lambda f: (f.machine, f.gen, f.copy, f.name))
        return found

    def signature(self) -> tuple[tuple[str, int, int], ...]:
        """The name, size and change time of every file: differs when anything arrived."""
        out = []
        try:
            with os.scandir(self.path) as entries:
                for entry in entries:
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    out.append((entry.name, st.st_size, st.st_mtime_ns))
        except OSError:
            return ()
        return tuple(sorted(out))

    # -- reading -----------------------------------------------------------------------------

    def read(
        self,
        log: LogFile,
        offset: int,
        line: int,
        digest: str | None,
        check: Callable[[Entry], str | None],
    ) -> Reading:
        """The whole lines of `log` from `offset`, which is the start of line number `line`
        (offset 0: from its header, line 1). A file whose header is no longer the one read
        before (`digest`) was replaced, and is read from its start."""
        try:
            raw = self._bytes(log, offset)
        except _Refused as refused:
            why = f"sync: {quoted(log.name)}: {refused}; not read"
            return Reading(end=offset, refused=why, stopped=True)
        if raw is None:  # replaced by a shorter file: read it whole
            return self.read(log, 0, 1, None, check)
        if offset and digest is not None and self.head_digest(log.name) != digest:
            return self.read(log, 0, 1, None, check)
        reading = Reading(end=offset)
        start = 0
        if offset == 0:
            newline = raw.find(b"\n")
            if newline < 0:
                if len(raw) > _MAX_HEADER:
                    reading.refused = f"sync: {quoted(log.name)}: {_NO_HEADER}; not read"
                reading.stopped = True  # or its header is still being written
                return reading
            header = self._header(log, raw[: newline + 1])
            if isinstance(header, str):
                reading.refused = f"sync: {quoted(log.name)}: {header}; not read"
                reading.stopped = True
                return reading
            reading.header = header
            start, line = newline + 1, 2
            reading.lines = 1
        end = raw.rfind(b"\n") + 1
        if end <= start:
            reading.end = offset + start
            return reading
        bad, first, why = 0, 0, ""
        entries = reading.entries
        body = raw[start : end - 1]
        lines = body.split(b"\n")
        for number, parsed in enumerate(_parse(lines, len(body)), start=line):
            problem: str | None
            if type(parsed) is _Unread:
                problem = parsed.why
            else:
                entry = read_entry(parsed)
                if isinstance(entry, str):
                    problem = entry
                else:
                    problem = check(entry)
                    if problem is None:
                        entries.append(entry)
            if problem is not None:
                bad += 1
                if bad == 1:
                    first, why = number, problem
        reading.lines += len(lines)
        reading.end = offset + end
        if bad:
            counted = "1 line" if bad == 1 else f"{bad:,} lines"
            reading.refused = (
                f"sync: {quoted(log.name)}: {counted} refused (line {first}: {why}); the rest read"
            )
        return reading

    def _bytes(self, log: LogFile, offset: int) -> bytes | None:
        """The file's bytes from `offset`; None when it is shorter than that (replaced)."""
        path = self.path / log.name
        too_big = f"larger than {size_text(limits.MAX_SYNC_FILE)}, the limit on a sync log"
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | BINARY)
        except FileNotFoundError:
            raise _Refused("gone while read") from None
        except OSError as exc:
            raise _Refused(f"cannot be read ({os_reason(exc)})") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise _Refused("not a regular file")
            if st.st_size > limits.MAX_SYNC_FILE:
                raise _Refused(too_big)
            if st.st_size < offset:
                return None
            os.lseek(fd, offset, os.SEEK_SET)
            chunks = []
            left = limits.MAX_SYNC_FILE - offset + 1  # a file that grows while read stops here
            while left > 0 and (chunk := os.read(fd, min(left, 1 << 22))):
                chunks.append(chunk)
                left -= len(chunk)
            raw = b"".join(chunks)
            if offset + len(raw) > limits.MAX_SYNC_FILE:
                raise _Refused(too_big)
            return raw
        except OSError as exc:
            raise _Refused(f"cannot be read ({os_reason(exc)})") from None
        finally:
            os.close(fd)

    def _head(self, log: LogFile) -> bytes | None:
        try:
            with open(self.path / log.name, "rb") as handle:
                line = handle.readline(_MAX_HEADER)
        except OSError:
            return None
        return line if line.endswith(b"\n") else None

    def header_name(self, log: LogFile) -> str:
        """The name of the machine a log's header gives ("" when it cannot be read)."""
        head = self._head(log)
        header = self._header(log, head) if head is not None else None
        return one_line(header.name)[:60] if isinstance(header, Header) else ""

    def head_digest(self, name: str) -> str | None:
        """What tells a log from another file put under its name later."""
        head = self._head(LogFile(name, "", 0, copy=False))
        return hashlib.sha1(head).hexdigest()[:16] if head is not None else None

    @staticmethod
    def _header(log: LogFile, line: bytes) -> Header | str:
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError:
            return _NO_HEADER
        if not isinstance(data, dict) or data.get("papertray") != "sync":
            return _NO_HEADER
        version = data.get("format")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            return _NO_HEADER
        if version > FORMAT:
            return (
                f"written by a newer papertray (sync log format {version}, this one reads "
                f"{FORMAT}): update papertray on this machine"
            )
        machine, gen, name = data.get("machine"), data.get("gen"), data.get("name", "")
        if not isinstance(machine, str) or not is_machine_id(machine) or machine != log.machine:
            return "its header names another machine than its file name"
        if gen != log.gen:
            return "its header names another generation than its file name"
        snapshot = data.get("snapshot", 0)
        if not isinstance(snapshot, int) or isinstance(snapshot, bool) or snapshot < 0:
            snapshot = 0
        return Header(machine, log.gen, name if isinstance(name, str) else "", snapshot, line)

    def pending(self, log: LogFile, offset: int) -> tuple[int, dict[str, tuple[int, int]]] | None:
        """Whole lines past `offset` not yet read (a header not counted), and the latest
        clock among them of each machine; None when the file cannot be read."""
        try:
            raw = self._bytes(log, offset)
            if raw is None:
                raw, offset = self._bytes(log, 0), 0
        except _Refused:
            return None
        raw = raw or b""
        lines = raw[: raw.rfind(b"\n") + 1].split(b"\n")[:-1]
        if offset == 0:
            lines = lines[1:]
        latest: dict[str, tuple[int, int]] = {}
        for line in lines:
            try:
                entry = read_entry(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
            if isinstance(entry, Entry):
                machine, pair = entry.clock[2], entry.clock[:2]
                if latest.get(machine, (-1, -1)) < pair:
                    latest[machine] = pair
        return len(lines), latest

    # -- removing --------------------------------------------------------------------------

    def size(self, name: str) -> int | None:
        try:
            st = os.stat(self.path / name)
        except OSError:
            return None
        return st.st_size if stat.S_ISREG(st.st_mode) else None

    def remove(self, name: str) -> str | None:
        """Remove a file of the folder; why not, in a few words, or None."""
        try:
            os.unlink(self.path / name)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return os_reason(exc)
        return None


class _Refused(Exception):
    pass


def _parse(lines: list[bytes], size: int) -> list[Any]:
    """Each line parsed, or why it cannot be (`_Unread`): all in one call of the parser when
    every line is within the limit and JSON, else line by line."""
    cap = limits.MAX_SYNC_ENTRY
    if size <= cap * len(lines) and all(len(line) <= cap for line in lines):
        try:
            parsed = orjson.loads(b"[" + b",".join(lines) + b"]")
        except orjson.JSONDecodeError:
            pass
        else:
            # Lines that are not one value each change the count (a torn line and the next
            # read as one, `{},{}` as two): then line by line. A log made to keep the count
            # gives entries all the same, each checked as any other.
            if len(parsed) == len(lines):
                return parsed
    out: list[Any] = []
    for line in lines:
        if len(line) > cap:
            out.append(_Unread(f"longer than {size_text(cap)}, the limit on one entry"))
            continue
        try:
            out.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            out.append(_Unread("not JSON"))
    return out


class _Unread:
    """A line that is no JSON value, and why."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


BINARY = getattr(os, "OBINARY", 0)


def unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # gone already, or for the next sync to remove


def encode(entries: Iterable[Entry]) -> list[bytes]:
    """Entries as log lines."""
    dumps = orjson.dumps
    return [dumps(e.to_json()) + b"\n" for e in entries]
