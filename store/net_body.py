"""One response's body, read under its cap: decompressed here, layer by layer, in pieces of at
most 64 KB, each piece counted against the cap as it comes out.

httpx's own decoders inflate each network chunk whole: 8 KB of `Content-Encoding: gzip, gzip`
became 10 GB in memory before any cap could look at it. Here no layer ever holds more than one
piece beyond what the cap allows, so a response costs at most its cap in memory, however it was
compressed. Only gzip and deflate are asked for (`ACCEPT_ENCODING`) and read.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator

__all__ = ["ACCEPT_ENCODING", "BodyError", "codings", "read_body"]

ACCEPT_ENCODING = "gzip, deflate"
PIECE = 64 * 1024
"""Bytes one decompression step may produce."""

_GZIP = 16 + zlib.MAX_WBITS
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS


class BodyError(Exception):
    """A body that cannot be decoded; `str(e)` says why, without the host."""


def codings(header: str) -> list[str]:
    """The content codings of a `Content-Encoding` header, in the order they were applied
    ("identity" left out)."""
    found = [part.strip().lower() for part in header.split(",")]
    return [c for c in found if c and c != "identity"]


def read_body(
    raw: Iterable[bytes], applied: list[str], limit: int, over: Callable[[], Exception]
) -> bytes:
    """The body of `raw` (the bytes as they came off the wire) with the codings `applied`
    undone. Raises `over()` as soon as any layer has produced more than `limit` bytes, and
    BodyError for a coding papertray does not read or data that does not decode."""
    stream: Iterable[bytes] = _counted(raw, limit, over)
    for coding in reversed(applied):  # the last one applied is the first undone
        stream = _counted(_inflate(stream, coding), limit, over)
    return b"".join(stream)


def _counted(pieces: Iterable[bytes], limit: int, over: Callable[[], Exception]) -> Iterator[bytes]:
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > limit:
            raise over()
        yield piece


def _inflate(pieces: Iterable[bytes], coding: str) -> Iterator[bytes]:
    if coding in ("gzip", "x-gzip"):
        wbits = _GZIP
    elif coding == "deflate":
        wbits = _ZLIB
    else:
        raise BodyError(f"it is compressed as {coding[:40]!r}, which papertray does not read")
    inflater = zlib.decompressobj(wbits)
    started = False
    for data in pieces:
        while data and not inflater.eof:
            try:
                out = inflater.decompress(data, PIECE)
            except zlib.error as error:
                if wbits == _ZLIB and not started:
                    # "deflate" is often sent without its zlib header (as browsers accept).
                    wbits = _RAW_DEFLATE
                    inflater = zlib.decompressobj(wbits)
                    continue
                raise BodyError(f"its {coding} data is damaged ({error})") from None
            started = True
            data = inflater.unconsumed_tail
            if out:
                yield out
        # Output zlib still holds once its input is used up comes out in pieces too.
        while not inflater.eof:
            out = inflater.decompress(b"", PIECE)
            if not out:
                break
            yield out
    # Bytes after the end of the compressed data are ignored (as httpx does); a body cut off
    # before its end decodes as far as it goes, and the format's parser says it is cut off.
