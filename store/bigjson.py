"""The big-JSON codec: reading and writing a 190 MB library file without stalling on it.

What it buys, at 100k papers (169 MB of digest text, on a 2-core machine):
- `parse_tables` parses a file in orjson's 2-space layout a few MB at a time from an mmap, so
  the file's bytes and a whole parse tree are never both in memory (peak RSS of the reader:
  655 MB before this and the compact index, 484 MB after);
- `indented_pieces` + `write_pipelined` serialise the library piece by piece while a thread
  writes the pieces, with an `fdatasync` every 32 MB so the final fsync has little left to do
  (import into an empty library: 5.07 s before, 2.50 s with this and the one-pass page split);
- anything that is not in that layout is parsed whole with `orjson.loads`, so a file written by
  hand or by an older version still loads.
"""

from __future__ import annotations

import itertools
import mmap
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

Tables = dict[str, dict[str, Any]]

__all__ = [
    "DOCS_PER_PIECE",
    "PARSE_PIECE",
    "PIPELINE_DOCS",
    "SYNC_EVERY",
    "document_count",
    "indented_pieces",
    "parse_tables",
    "read_all",
    "write_all",
    "write_pipelined",
]


PARSE_PIECE = 4 << 20  # bytes of documents parsed at a time by parse_tables


def parse_tables(raw: bytes | memoryview, view: mmap.mmap | None) -> Tables | None:
    try:
        return _parse_pieces(raw, view)
    except orjson.JSONDecodeError:
        return None  # maybe still valid JSON, laid out otherwise: the caller parses it whole


def _parse_pieces(raw: bytes | memoryview, view: mmap.mmap | None) -> Tables | None:
    """Parse a file written with orjson's 2-space indent a few MB at a time, or return None
    (the caller then parses it whole) if it is laid out any other way.

    In that layout a table's header is `  "name": {` on a line of its own, its end is the
    first line that starts with exactly two spaces and `}`, and each document ends on a line
    `    },`. JSON strings hold no raw newline, so every newline is between tokens: a piece cut
    at such a line parses as `{piece}` only when the cut falls between two documents (inside a
    document the braces would not balance), and then the union of the pieces is exactly what
    one parse of the whole file gives. Anything unexpected returns None."""
    tables: Tables = {}
    size = len(raw)
    pos = 2
    page = mmap.PAGESIZE
    dropped = 0
    while True:
        end = _find(raw, b"\n", pos, size)
        if end < 0:
            return None
        line = bytes(raw[pos:end])
        if not line.startswith(b'  "'):
            return None
        if line.endswith((b": {}", b": {},")):
            name = orjson.loads(line[2 : line.rindex(b": {}")])
            table: dict[str, Any] = {}
            last = not line.endswith(b",")
            close = end
            after = end
        elif line.endswith(b": {"):
            name = orjson.loads(line[2:-3])
            close = _find(raw, b"\n  }", end, size)
            if close < 0:
                return None
            table = {}
            start = end + 1
            while start < close:
                cut = _find(raw, b"\n    },\n", start + PARSE_PIECE, close)
                stop = close if cut < 0 else cut + 6
                piece = orjson.loads(b"".join((b"{", raw[start:stop], b"}")))
                if not isinstance(piece, dict):
                    return None
                table.update(piece)
                start = close if cut < 0 else cut + 8
                if view is not None:
                    # Parsed pages are no longer needed: keep them out of this process's RSS.
                    upto = start // page * page
                    if upto > dropped and hasattr(view, "madvise"):
                        view.madvise(mmap.MADV_DONTNEED, dropped, upto - dropped)
                        dropped = upto
            after = close + 4
            tail = bytes(raw[after : after + 2])
            if tail == b",\n":
                last = False
                after += 1
            elif tail == b"\n}":
                last = True
            else:
                return None
        else:
            return None
        if not isinstance(name, str):
            return None
        tables[name] = table
        if last:
            return tables if bytes(raw[after:]).strip() == b"}" else None
        pos = after + 1


def _find(raw: bytes | memoryview, needle: bytes, start: int, stop: int) -> int:
    if isinstance(raw, memoryview):
        obj = raw.obj
        assert isinstance(obj, (bytes, mmap.mmap))
        return obj.find(needle, start, stop)
    return raw.find(needle, start, stop)


def read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def write_all(fd: int, payload: bytes | memoryview) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


PIPELINE_DOCS = 5000
"""Documents from which an indented file is written by `write_pipelined` (a thread is not
worth starting for a small file)."""
DOCS_PER_PIECE = 2000  # about 4 MB of library documents
SYNC_EVERY = 32 << 20
_datasync = getattr(os, "fdatasync", os.fsync)
# orjson's 2-space indent of {"": {...}}: around the documents, which sit at the depth of a
# table's documents in a whole file.
_PIECE_HEAD = len(b'{\n  "": {\n')
_PIECE_TAIL = len(b"\n  }\n}")


def document_count(data: Any) -> int:
    if not isinstance(data, dict):
        return 0
    return sum(len(table) for table in data.values() if isinstance(table, dict))


def indented_pieces(
    data: Tables, per_piece: int = DOCS_PER_PIECE, spans: dict[str, tuple[int, int]] | None = None
) -> Iterator[bytes | memoryview]:
    """The bytes of `orjson.dumps(data, option=orjson.OPT_INDENT_2)`, in pieces of `per_piece`
    documents: each piece is serialised only when it is asked for. `spans`, if given, gets
    where each table's documents lie in those bytes: from the newline ending its header line
    to the newline starting its closing `  }` line (what `search_text` reads between)."""
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        yield orjson.dumps(data, option=orjson.OPT_INDENT_2)
        return
    if not data:
        yield b"{}"
        return
    yield b"{\n"
    offset = 2
    last = len(data) - 1
    for number, (name, table) in enumerate(data.items()):
        if not isinstance(name, str):
            raise TypeError("Dict key must be str")
        header = b"".join((b"  ", orjson.dumps(name), b": {}" if not table else b": {\n"))
        yield header
        offset += len(header)
        if table:
            begin = offset - 1
            items = iter(table.items())
            separator = b""
            while chunk := dict(itertools.islice(items, per_piece)):
                out = orjson.dumps({"": chunk}, option=orjson.OPT_INDENT_2)
                if separator:
                    yield separator
                    offset += len(separator)
                separator = b",\n"
                yield memoryview(out)[_PIECE_HEAD : len(out) - _PIECE_TAIL]
                offset += len(out) - _PIECE_HEAD - _PIECE_TAIL
            if spans is not None:
                spans[name] = (begin, offset)
            yield b"\n  }"
            offset += 4
        yield b",\n" if number < last else b"\n}"
        offset += 2


def write_pipelined(
    fd: int, pieces: Iterable[bytes | memoryview], meanwhile: Callable[[], Any] | None = None
) -> Any:
    """Write `pieces` from a thread while the caller's thread makes the next ones: `os.write`
    and `fdatasync` release the GIL, so the 200 MB of a 100k-paper library reach the disk in
    about the time it takes to serialise them (one orjson call, then one write, then one fsync
    took twice as long). The periodic `fdatasync` leaves little for the final fsync.

    `meanwhile`, if given, runs on the caller's thread once every piece is made, while the
    thread is still writing (on this VM the kernel takes 0.2-1.2 s to take in 150 MB): its
    value is returned, or None if it raised (it is then the caller's to do again)."""
    jobs: queue.Queue[bytes | memoryview | None] = queue.Queue(maxsize=8)
    failed: list[BaseException] = []

    def drain() -> None:
        unsynced = 0
        while (piece := jobs.get()) is not None:
            if failed:
                continue  # keep taking pieces so the producer never blocks
            try:
                write_all(fd, piece)
                unsynced += len(piece)
                if unsynced >= SYNC_EVERY:
                    _datasync(fd)
                    unsynced = 0
            except BaseException as exc:  # reported by the caller's thread, below
                failed.append(exc)

    writer = threading.Thread(target=drain, name="papertray-writer", daemon=True)
    writer.start()
    result = None
    ended = False
    try:
        for piece in pieces:
            if failed:
                break
            jobs.put(piece)
        jobs.put(None)
        ended = True
        if meanwhile is not None and not failed:
            try:
                result = meanwhile()
            except Exception:  # noqa: BLE001 - the caller does it again, after the write
                result = None
    finally:
        if not ended:
            jobs.put(None)
        writer.join()
    if failed:
        raise failed[0]
    return result
