"""How a one-shot `papertray list -q WORDS` over 100k papers avoids parsing the library.

The old path parsed the whole 190 MB library file (0.5 s at 100k), then checked the words in every
paper (0.35 s). This module instead looks for the query's positive bare words and phrases in the
library file's own bytes, lower-cased in C (`bytes.lower`, which keeps every byte where it was),
and only the records holding every word are cut out of the file and parsed; the caller then
applies the exact rules (`library_tables.holds_all`, then the whole query) to those.

Why no folded copy of the text beside the library, as issue 13 suggested: writing one at import
(fold 100k papers, join, encode, find each record's offset, write 170 MB) measured +0.45 s on a
quiet machine against an import budget that had no room for it (2.5 s); lower-casing the file at
query time, in cache-sized pieces, costs about as much as one search through it and nothing at
import.

Why it is sound (a superset of the papers `fold_text` would match, so the exact check after it
loses nothing):
- only ASCII words without `"`, `\\` or control characters are looked for this way (anything else
  takes the old path). Such a word occurs in a JSON string's escaped bytes whenever it occurs in
  the string; it cannot span two fields (that needs a newline) nor two records;
- for ASCII text `fold_text` is `lower()`, and `casefold()` of a non-ASCII character yields only
  non-ASCII characters, except for the 19 in `FOLDS_TO_ASCII` (ß -> ss, ﬁ -> fi, the Kelvin
  sign -> k, ...). The folded text of the papers holding one of those is kept at import in
  `library.search.json` (none in the benchmark's corpus, a few in real digests) and checked
  there: those holding the words are added;
- that file is stamped like the preview (`preview.stamp_of`: inode, size, mtime of the library
  file); when the stamp does not match the file (another version wrote it, by hand or by an
  older papertray) or anything about the file is unexpected, `None` is returned and the caller
  parses the library as before. The record boundaries rely on the layout our writer produces
  (orjson's 2-space indent, see `bigjson`), which a matching stamp vouches for.

How it is fast: the records are read 256 kB at a time into one reused buffer; the search
runs between the offsets where the writer put the papers (the marks keep them, with the name
of the table after them, checked in the file before use); the rarest of the words is looked
for first; and on a machine with a second core the papers are searched in two parts at once,
the second by a forked child (`store/forked.py`), or, for `list --format jsonl`, each part is
also listed and written by its own process (`listing.rendered_in_halves`).

Measured at 100k papers on the 2-core VM, medians: `list -q "memory efficient" --format jsonl`
(19k matches) 1.60 s (issue 13's figure, the library parsed whole) -> 0.85-1.20 s (this search
in one process, 2026-12-02 00:23) -> 0.50-0.58 s (02:05), fzf --exact 0.91-1.10 s; `list -q
'"low-bit" quantization'` ~1.6 -> 0.51-0.62 -> 0.22-0.30 s.
What an import pays for `library.search.json`: ~0.1 s, made while the library file is written.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Collection, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from papertray.store.forked import fork_worker, spare_cores
from papertray.store.preview import stamp_of
from papertray.store.search_marks import FOLDS_TO_ASCII, SEARCH_FILE, read_marks

__all__ = [
    "FOLDS_TO_ASCII",  # the marks' (store/search_marks.py), named here for the soundness notes
    "SEARCH_FILE",
    "matching_documents",
    "searchable",
]

MAX_LOOKUPS = 64
"""Papers found by id (folding or tagged ones the words did not find): each is one scan of the
file, so past this many the old path is cheaper."""
_TABLE_HEAD = b'\n  "papers": {\n'
_RECORD_START = b'\n    "'
_RECORD_END = b"\n    }"
_CHUNK = 256 << 10
SPLIT_FROM = 16 << 20
"""Bytes of papers from which the search is shared with a forked child."""


def searchable(words: Sequence[str]) -> list[bytes] | None:
    """The words as bytes to look for in the lower-cased file, or None if one cannot be."""
    out = []
    for word in words:
        if not word or not word.isascii() or '"' in word or "\\" in word:
            return None
        if any(ord(c) < 32 or ord(c) == 127 for c in word):
            return None
        out.append(word.encode("ascii"))
    return out


def matching_documents(
    target: Path,
    library_file: Path,
    words: Sequence[str],
    also: Collection[str] = (),
    part: int | None = None,
) -> dict[str, Any] | None:
    """The stored documents (id -> document, in library order) whose file record holds every
    one of `words` (folded, as `Query.required_words`), those whose id is in `also`, and those
    with a character of `FOLDS_TO_ASCII` whose folded text holds the words: a superset of the
    papers whose folded title/abstract/authors hold every word. None when this cannot answer
    soundly (then parse the library).

    `part` 0 or 1: only the papers of that half of the library (split where `_halves` says,
    the same in every process for one file), searched here without a child; None when the
    marks do not say where the papers end."""
    needles = searchable(words)
    if not needles:
        return None
    try:
        fd = os.open(library_file, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        stamp = [st.st_ino, st.st_size, st.st_mtime_ns]
        if stamp != stamp_of(library_file):
            return None  # replaced between the open and the stat
        marks = read_marks(target, stamp)
        if marks is None or st.st_size == 0:
            return None
        folds, span = marks
        wanted = set(also)
        wanted.update(pid for pid, text in folds.items() if all(w in text for w in words))
        return _documents(fd, needles, wanted, span, part)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def _documents(
    fd: int,
    needles: list[bytes],
    wanted: set[str],
    span: list[Any] | None = None,
    part: int | None = None,
) -> dict[str, Any] | None:
    block = os.pread(fd, 1 << 16, 0)
    head = block.find(_TABLE_HEAD)
    if not block.startswith(b"{\n") or head < 0:
        return None  # not our layout, or the papers are not the first table: the old path
    pos = head + len(_TABLE_HEAD) - 1  # the newline before the first record
    # Where the table ends, when the marks say and the file agrees; else each piece read is
    # searched for it.
    end = _table_end(fd, pos, span)
    if part is not None:
        if end is None:
            return None
        cut = _halves(fd, pos, end)
        low, high = (pos, cut) if part == 0 else (cut, end)
        scanned = _scan(fd, low, high, needles, b'{"', end)
        if scanned is None:
            return None
        starts, found_records, count, _ = scanned
        found_records += b"}"
        docs = _parse_records(found_records if count else b"{}", count)
        return None if docs is None else _with_wanted(fd, pos, end, docs, starts, wanted, low, high)
    # A big file is searched in two halves at once, the second by a forked child (see
    # `store/forked.py`), cut where `_halves` says (in the papers, or in the file when their
    # end is not known). When the papers table ends before the cut, the first part finds the
    # end and the child's answer (from another table) is dropped.
    split: int | None = None
    child = None
    length = (os.fstat(fd).st_size if end is None else end) - pos
    if length >= SPLIT_FROM and spare_cores():
        cut = _halves(fd, pos, pos + length)
        if cut < pos + length:
            split = cut
            child = fork_worker(partial(_scan, fd, split, end, needles, b"", end))
    try:
        scanned = _scan(fd, pos, split or end, needles, b'{"', end)
    finally:  # the child is waited for (and its memfd closed) whatever happens here
        other = child.result() if child is not None else None
    if scanned is None:
        return None
    starts, found_records, count, closed = scanned
    if not closed:
        if split is None:
            return None  # pragma: no cover - an unbounded scan ends at the table's end
        if other is None:
            other = _scan(fd, split, end, needles, b"", end)
        if other is None or not other[3]:
            return None
        starts += other[0]
        if other[2]:
            if count:
                found_records += b',"'
            found_records += other[1]
            count += other[2]
    found_records += b"}"
    docs = _parse_records(found_records if count else b"{}", count)
    del found_records
    if docs is None:
        return None
    return _with_wanted(fd, pos, end, docs, starts, wanted, pos, None)


def _halves(fd: int, begin: int, end: int) -> int:
    """Where the papers between `begin` and `end` are cut in two: the first record start after
    55% of them (`end` when there is none). This process takes the bigger part: the child pays
    for its fork and for sending its answer back (at 100k papers, cut at the middle, this
    process waited 0.02-0.16 s for it; at 55-58% 0.01-0.03 s)."""
    middle = begin + (end - begin) * 55 // 100
    at = os.pread(fd, 1 << 16, middle).find(_RECORD_START)
    return middle + at if at >= 0 and middle + at < end else end


def _with_wanted(
    fd: int,
    begin: int,
    end: int | None,
    docs: dict[str, Any],
    starts: list[int],
    wanted: set[str],
    low: int,
    high: int | None,
) -> dict[str, Any] | None:
    """`docs` (found at `starts`) with the `wanted` documents the search did not find, looked up
    by id between `low` and `high` (None: the table's end), all in file order."""
    missing = [pid for pid in wanted if pid not in docs]
    if not missing:
        return docs
    if len(missing) > MAX_LOOKUPS:
        return None
    with mmap.mmap(fd, 0, prot=mmap.PROT_READ) as raw:
        stop = raw.find(b"\n  }", begin) if end is None else end
        spans: dict[int, int] = {}
        for pid in missing:  # found by id: one scan of the file each
            key = b"".join((_RECORD_START[:-1], orjson.dumps(pid), b": {\n"))
            start = raw.find(key, begin, stop)
            if start >= 0 and low <= start and (high is None or start < high):
                record_end = raw.find(_RECORD_END, start, stop)
                if record_end < 0:
                    return None
                spans[start] = record_end
        found = sorted(spans)
        extra = _parse([raw[a + len(_RECORD_START) : spans[a] + len(_RECORD_END)] for a in found])
    if extra is None:
        return None
    merged = sorted(
        [*zip(starts, docs.items(), strict=True), *zip(found, extra.items(), strict=True)]
    )
    return dict(item for _, item in merged)


def _table_end(fd: int, begin: int, span: list[Any] | None) -> int | None:
    """The end of the papers' records that `span` (from the search marks: begin, end, the next
    table's name) gives, if the file shows one there: the table opens at `begin`, its last
    record and the table close at the end, then the next table's header. Table names are
    unique at that indentation, so the end of no other table passes; a library whose papers
    are its last table (the file's end would not tell them from another last table) has the
    end searched for instead."""
    if span is None or span[0] != begin or span[1] <= begin or not isinstance(span[2], str):
        return None
    end = span[1]
    expected = b"".join((_RECORD_END, b"\n  }", b",\n  ", orjson.dumps(span[2]), b": {"))
    closing = os.pread(fd, len(expected), end - len(_RECORD_END))
    return end if closing == expected else None


def _scan(
    fd: int,
    pos: int,
    stop: int | None,
    needles: list[bytes],
    head: bytes,
    table_end: int | None = None,
) -> tuple[list[int], bytearray, int, bool] | None:
    """The records holding every needle from the record starting at `pos` up to the papers
    table's end or to `stop` (a record start): (where each is in the file; `head` followed by
    their bytes from after the opening quote of each id, joined by `,"`; how many; whether
    the table's end was reached). None for anything unexpected. The records go straight into
    one buffer: a list of pieces joined twice afterwards cost 0.07 s for 20k records. With
    `table_end` known, the pieces are not searched for the table's end."""
    # The rarest word first, so the fewest records are checked for the rest: counted in the
    # first piece read (longest first on a tie). Longest first alone took "quantization" (30k
    # times in the benchmark's library) before "low-bit" (4k) and "efficient" (105k) before
    # "memory" (49k).
    first, rest = needles[0], needles[1:]
    ranked = len(needles) == 1
    found = bytearray(head)
    count = 0
    starts: list[int] = []  # where each record is in the file
    # Whole records, read a piece at a time into one reused buffer, lower-cased and searched
    # while they are in the CPU's cache: 0.3 s less at 100k papers than lower-casing an mmap
    # of the file whole (page faults, and 190 MB going through memory twice). Reusing the
    # buffers matters as much: a fresh 256 kB bytes object a piece (read, cut, lower-cased)
    # made glibc hand memory back and fault it in again, 20k page faults a search (0.36 ->
    # 0.25 s for a whole 150 MB library on this VM).
    buf = bytearray(_CHUNK)
    while True:
        want = len(buf) if stop is None else min(len(buf), stop - pos)
        if want <= 0:
            return starts, found, count, pos == table_end
        view = memoryview(buf)
        got = os.preadv(fd, [view[:want]], pos)
        view.release()
        close = buf.find(b"\n  }", 0, got) if table_end is None else -1
        if close >= 0:
            limit = close
        elif stop is None or pos + got < stop:
            limit = buf.rfind(_RECORD_START, 0, got)
            if limit <= 0:  # a record longer than the buffer, or the file ends in the table
                if got < want:
                    return None
                buf = bytearray(2 * len(buf))
                continue
        else:
            limit = got
        low = buf.lower()
        find, rfind = low.find, low.rfind
        if not ranked:
            first, *rest = sorted(needles, key=lambda w: (low.count(w, 0, limit), -len(w)))
            ranked = True
        hit = find(first, 0, limit)
        while hit != -1:
            start = rfind(_RECORD_START, 0, hit)
            end = find(_RECORD_END, hit, limit)
            if start < 0 or end < 0:
                return None
            if all(find(word, start, end) != -1 for word in rest):
                if count:
                    found += b',"'
                with memoryview(buf) as record:
                    found += record[start + len(_RECORD_START) : end + len(_RECORD_END)]
                count += 1
                starts.append(pos + start)
            hit = find(first, end, limit)
        if close >= 0:
            return starts, found, count, True
        pos += limit
        if len(buf) > _CHUNK:
            buf = bytearray(_CHUNK)


def _parse_records(records: bytes | bytearray, count: int) -> dict[str, Any] | None:
    """`{"...}` holding `count` records, parsed."""
    try:
        docs = orjson.loads(records)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(docs, dict) or len(docs) != count:
        return None
    return docs


def _parse(pieces: list[bytes]) -> dict[str, Any] | None:
    """The records `id": {...}` (from after their opening quote) parsed in one call, in their
    order."""
    try:
        docs = orjson.loads(b"".join((b'{"', b',"'.join(pieces), b"}")) if pieces else b"{}")
    except orjson.JSONDecodeError:
        return None
    if not isinstance(docs, dict) or len(docs) != len(pieces):
        return None
    return docs
