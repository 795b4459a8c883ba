"""Turn a digest into papers: read the input safely, decode it, detect its format and hand it
to that format's parser (`store/formats/`).

Files come from anywhere, so every failure is an `IngestError` with one clear line (the CLI
prints it and exits non-zero): a missing file, a directory, a FIFO or `/dev/zero` (refused, not
read forever), more than 512 MB, a binary file, a line longer than the parsers should ever see
(`_check_lines`, before any parser runs). Text that is not UTF-8 is read in the encoding its XML
declaration names or else the one detected (with a warning that says which); the few bad bytes
of damaged UTF-8 are replaced, with a warning. The limits are in `limits.py`; a file name in a
message goes through `sanitize.one_line`.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from papertray.store import limits, sanitize
from papertray.store.formats import FORMATS, hf_api, page
from papertray.store.formats.common import Digest, IngestError, IngestResult
from papertray.store.formats.detect import detect, refusal, to_result
from papertray.store.formats.records import jsonl_records, one_line, records_of
from papertray.store.links import with_arxiv_links
from papertray.store.models import Paper

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "IngestError",
    "IngestResult",
    "ingest_bytes",
    "ingest_file",
    "ingest_text",
    "read_input",
]

MAX_BYTES = limits.MAX_INPUT_BYTES


# ---------------------------------------------------------------------------------------------
# Entry points


def ingest_file(
    path: str | Path, *, fmt: str | None = None, max_bytes: int | None = None
) -> IngestResult:
    """Read and parse one digest file; "-" reads standard input."""
    _check_format(fmt)
    name = os.fspath(path)
    data, source = read_input(name, max_bytes=max_bytes)
    try:
        return ingest_bytes(data, fmt=fmt, source=source)
    except IngestError as err:
        raise IngestError(f"{sanitize.one_line(name)}: {err}") from None


def read_input(path: str | Path, *, max_bytes: int | None = None) -> tuple[bytes, str]:
    """The bytes of one digest file ("-" is standard input) and its source name, as
    `ingest_file` reads them: `ingest_bytes(data, source=source)` then parses them. Raises
    `IngestError` for a missing, unreadable, empty or too large input (`max_bytes`, by
    default `limits.MAX_INPUT_BYTES`)."""
    if max_bytes is None:
        max_bytes = limits.MAX_INPUT_BYTES
    name = os.fspath(path)
    if name == "-":
        if sys.stdin is None:
            raise IngestError("there is no standard input to read")
        data = _read_capped(getattr(sys.stdin, "buffer", sys.stdin), max_bytes, "standard input")
        source = "stdin"
    else:
        data = _read_path(name, max_bytes)
        # Kept as the messages name the file (control characters escaped): the reader, the
        # exports and `remove --source` all see the name the import said.
        source = sanitize.one_line(os.path.basename(name.rstrip("/")) or name)
    if not data:
        shown = "standard input" if name == "-" else sanitize.one_line(name)
        raise IngestError(f"{shown} is empty")
    return data, source


def ingest_bytes(data: bytes, *, fmt: str | None = None, source: str = "") -> IngestResult:
    """Decode (a byte-order mark, UTF-8, an XML declaration's encoding, or the legacy encoding
    detected, said in a warning) and parse."""
    _check_format(fmt)
    if not data:
        raise IngestError("the input is empty")
    data = bytes(data)
    streamed = _streamed(data, fmt, source)
    if streamed is not None:
        return streamed
    text, warnings, utf8, own = _decode(data)
    return _ingest(text, fmt, source, warnings, utf8, own)


def ingest_text(text: str, *, fmt: str | None = None, source: str = "") -> IngestResult:
    """Parse already-decoded text; `fmt` None means detect the format."""
    _check_format(fmt)
    return _ingest(text, fmt, source, [])


# ---------------------------------------------------------------------------------------------
# Reading and decoding


def _check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")


def _limit(max_bytes: int) -> str:
    mib = 1024 * 1024
    if max_bytes >= mib:
        return f"{max_bytes // mib} MB"
    return f"{max_bytes} byte"


def _read_path(path: str, max_bytes: int) -> bytes:
    name = sanitize.one_line(path)  # for the messages: a file's name is anything but "/" and NUL
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise IngestError(f"{name}: no such file") from None
    except PermissionError:
        raise IngestError(f"{name}: permission denied") from None
    except (OSError, ValueError) as err:
        raise IngestError(f"{name}: cannot read ({_os_reason(err)})") from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise IngestError(f"{name} is a directory, not a digest file")
    # Opening a FIFO blocks until a writer appears: refuse it before opening.
    if stat.S_ISFIFO(mode):
        raise IngestError(f"{name} is a named pipe, not a file (use - to read standard input)")
    if stat.S_ISSOCK(mode):
        raise IngestError(f"{name} is a socket, not a file")
    if stat.S_ISREG(mode) and info.st_size > max_bytes:
        raise IngestError(f"{name} is larger than the {_limit(max_bytes)} limit")
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since stat(), open must not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise IngestError(f"{name}: permission denied") from None
    except OSError as err:
        raise IngestError(f"{name}: cannot read ({_os_reason(err)})") from None
    with open(fd, "rb", closefd=True) as handle:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
            raise IngestError(f"{name} is not a regular file")
        return _read_capped(handle, max_bytes, name)


def _read_capped(handle: Any, max_bytes: int, name: str) -> bytes:
    # One byte more than the limit tells "exactly at the limit" from "too large" without ever
    # reading an endless device (/dev/zero) further than that.
    try:
        data = handle.read(max_bytes + 1)
    except OSError as err:
        raise IngestError(f"{name}: cannot read ({_os_reason(err)})") from None
    data = data or b""
    if len(data) > max_bytes:
        raise IngestError(f"{name} is larger than the {_limit(max_bytes)} limit")
    return bytes(data)


def _os_reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    return str(err).splitlines()[0] if str(err) else type(err).__name__


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xef\xbb\xbf", "utf-8", 3),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\xfe\xff", "utf-16-be", 2),
)


def _sniff_wide(data: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM: ASCII text with NULs in a fixed pattern (the XML
    specification's appendix F finds `<?xml` in each of them the same way)."""
    head = data[:4096]
    if len(head) < 8 or b"\x00" not in head:
        return None
    if len(head) % 4 == 0:
        quarter = len(head) // 4
        lanes = [head[i::4].count(0) for i in range(4)]
        for lane, name in ((0, "utf-32-le"), (3, "utf-32-be")):
            others = [n for i, n in enumerate(lanes) if i != lane]
            if lanes[lane] < 0.05 * quarter and all(n > 0.9 * quarter for n in others):
                return name
    if len(head) % 2:
        return None
    half = len(head) // 2
    even_nul, odd_nul = head[0::2].count(0), head[1::2].count(0)
    if odd_nul > 0.9 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.9 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


_REPLACED = "undecodable bytes were replaced by U+FFFD"
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z][\w.:-]{0,40})["']""")
# Declared names whose files hold more than the name says: GBK and GB18030 are supersets of
# GB2312, cp949 of EUC-KR, cp1252 of ISO-8859-1 (as browsers read them: WHATWG Encoding).
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "euc_kr": "cp949", "latin_1": "cp1252"}


def _decode(data: bytes) -> tuple[str, list[str], bytes | None, bytes | None]:
    """(text, warnings, the UTF-8 bytes the text was decoded from if it was UTF-8 without
    errors: see `_all_printable`, and `data` itself unless its encoding was guessed: a parser
    that decodes by the BOM and the XML declaration, as feedparser does, reads it the same).
    A byte-order mark decides; then UTF-8; then, for text that is not UTF-8, the encoding an
    XML declaration names, or else the one charset-normalizer finds (said in a warning). UTF-8
    with a few bad bytes stays UTF-8, the bytes replaced."""
    encoding, skip = "utf-8", 0
    for bom, name, size in _BOMS:
        if data.startswith(bom):
            encoding, skip = name, size
            break
    else:
        sniffed = _sniff_wide(data)
        if sniffed:
            encoding = sniffed
    body = memoryview(data)[skip:]
    try:
        text = str(body, encoding)
        if encoding != "utf-8":
            return text, [], None, data
        return text, [], data if not skip else bytes(body), data
    except UnicodeDecodeError as err:
        bad_at = err.start + skip
    if encoding == "utf-8" and not skip:
        other = _declared(data) or _detected(data)
        if other is not None:
            text, name, declared = other
            if declared:
                return text, [], None, data
            said = f"invalid UTF-8 at byte {bad_at}: read as {name} (detected)"
            return text, [said], None, None
    text = str(body, encoding, "replace")
    label = "UTF-8" if encoding == "utf-8" else encoding.upper()
    return text, [f"invalid {label} at byte {bad_at}: {_REPLACED}"], None, data


def _codec(name: str) -> str | None:
    import codecs

    try:
        found = codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return None
    return _WIDER.get(found, found)


def _declared(data: bytes) -> tuple[str, str, bool] | None:
    """(text, encoding, True) when an XML declaration names the encoding and it reads the
    bytes without an error."""
    found = _XML_ENCODING.match(data.lstrip()[:300])
    codec = _codec(found.group(1).decode("ascii")) if found else None
    if codec is None or codec.startswith("utf_8"):
        return None
    try:
        return str(data, codec), codec, True
    except (UnicodeDecodeError, LookupError):
        return None


def _detected(data: bytes) -> tuple[str, str, bool] | None:
    """(text, encoding, False) of the legacy encoding charset-normalizer finds for bytes that
    are not UTF-8, unless they are UTF-8 with a few bad bytes (a cut-off or damaged file:
    those stay UTF-8) or nothing reads them (binary)."""
    sample = data[:1_000_000]
    as_utf8 = sample.decode("utf-8", "replace")
    replaced = as_utf8.count("\ufffd")
    valid = len(as_utf8) - len(as_utf8.encode("ascii", "ignore")) - replaced
    if valid > replaced:
        return None  # mostly well-formed UTF-8
    # Imported here: slow to import, and only a file that is not UTF-8 needs it.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding.startswith("utf"):
        return None
    codec = _codec(best.encoding) or best.encoding
    try:
        return str(data, codec), codec.replace("_", "-").upper(), False
    except (UnicodeDecodeError, LookupError):
        return None


# Characters that no text digest has many of: C0 controls other than whitespace, DEL, C1, and
# U+FFFD from undecodable bytes.
_BINARY_CHARS = {c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)]}
_BINARY_CHARS[0xFFFD] = None


_BINARY = "looks like a binary file, not a digest"
_MIDDLE_FROM = 200_000


def _looks_binary(text: str) -> bool:
    # A few escape sequences in a title are hostile but still text; a file that is a tenth junk
    # is not a digest. Sampling the start and the middle keeps this O(1) on big files.
    samples = [text[:65536]]
    if len(text) > _MIDDLE_FROM:
        mid = len(text) // 2
        samples.append(text[mid : mid + 65536])
    return any(_junk(sample) for sample in samples)


def _junk(sample: str) -> bool:
    return len(sample) - len(sample.translate(_BINARY_CHARS)) > 0.1 * len(sample)


# ---------------------------------------------------------------------------------------------
# Detection and dispatch


_LEADING_SPACE = re.compile(r"\s*")


def _ingest(
    text: str,
    fmt: str | None,
    source: str,
    warnings: list[str],
    utf8: bytes | None = None,
    data: bytes | None = None,
) -> IngestResult:
    result = _dispatch(text, fmt, source, warnings, utf8, data)
    result.papers = _with_arxiv_links(result.papers)
    if result.updates:
        result.updates = _with_arxiv_links(result.updates)
    return result


def _with_arxiv_links(papers: list[Paper]) -> list[Paper]:
    """Every paper with an arXiv id gets its arXiv page, PDF and HF page among its links,
    whatever format it came in (page copies have no ids: one attribute test each)."""
    if not any(paper.arxiv_id for paper in papers):
        return papers
    return [
        p._replace(links=with_arxiv_links(p.links, p.arxiv_id)) if p.arxiv_id else p for p in papers
    ]


def _dispatch(
    text: str,
    fmt: str | None,
    source: str,
    warnings: list[str],
    utf8: bytes | None,
    data: bytes | None = None,
) -> IngestResult:
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text or text.isspace():
        raise IngestError("the input is empty (only whitespace)")
    if _looks_binary(text):
        raise IngestError(_BINARY)
    _check_lines(text)
    digest = Digest(text, source, warnings, utf8, data=data)
    if fmt is None:
        fmt, json_error = _detect(digest)
        if fmt is None:
            # Not JSON after all: a page copy whose first title starts with a bracket?
            found = page.parse_or_none(digest)
            if found is None:
                raise IngestError(json_error or "no papers found")
            return found
    return FORMATS[fmt].parse(digest)


_PIECE_BYTES = 1 << 22
"""An arXiv email digest is decoded and parsed this much at a time (see `_streamed`)."""


def _streamed(data: bytes, fmt: str | None, source: str) -> IngestResult | None:
    """An arXiv email digest in UTF-8, decoded and parsed a piece at a time: one string of the
    whole of a 100k-paper digest is twice its bytes as soon as one character is past Latin-1,
    and its bytes are held already. The same checks as `_dispatch`, in its order, with the same
    result. None for any other input, and for anything only the whole text can answer (another
    encoding, a byte that is not UTF-8, a saved mail, a second byte-order mark): `ingest_bytes`
    then decodes it whole."""
    if fmt not in (None, "arxiv-email"):
        return None
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if not skip and (data.startswith(tuple(bom for bom, _, _ in _BOMS)) or b"\x00" in data[:4096]):
        return None
    cuts = [skip]  # each piece after the first starts on a line that starts with "arXiv:"
    floor = data.find(b"\narXiv:", skip) + 1  # the first piece holds the first entry
    while (at := data.find(b"\narXiv:", max(cuts[-1] + _PIECE_BYTES, floor))) >= 0:
        cuts.append(at + 1)
    cuts.append(len(data))
    view = memoryview(data)
    try:
        head = str(view[cuts[0] : cuts[1]], "utf-8")
    except UnicodeDecodeError:
        return None
    begin = _LEADING_SPACE.match(head)
    start = begin.end() if begin else 0
    if (
        start == len(head)
        or head[start] in "[{<\ufeff"
        or _email().is_mail(head)
        or (fmt is None and detect(head) != "arxiv-email")
    ):
        return None
    sizes: list[int] = []
    long_line: list[int] = []

    def pieces() -> Iterator[str]:
        lines = 0
        for a, b in zip(cuts, cuts[1:], strict=False):
            text = head if a == cuts[0] else str(view[a:b], "utf-8")
            sizes.append(len(text))
            if not long_line:
                at = _long_run(text, start if a == cuts[0] else 0, "\n\r", limits.MAX_LINE)
                if at is not None:
                    long_line.append(lines + text.count("\n", 0, at) + 1)
            lines += text.count("\n")
            yield text

    try:
        parsed = _email().parse_pieces(pieces(), source)
    except UnicodeDecodeError:
        return None
    samples = [head[:65536]]
    total = sum(sizes)
    if total > _MIDDLE_FROM:
        samples.append(_middle(view, cuts, sizes, total // 2))
    if any(_junk(sample) for sample in samples):
        raise IngestError(_BINARY)
    if long_line:
        raise IngestError(_too_long(long_line[0], "a line"))
    result = to_result(parsed, "arxiv-email", [])
    result.papers = _with_arxiv_links(result.papers)
    if result.updates:
        result.updates = _with_arxiv_links(result.updates)
    return result


def _email() -> Any:
    from papertray.store.formats import arxiv_email

    return arxiv_email


def _middle(view: memoryview, cuts: list[int], sizes: list[int], mid: int) -> str:
    """The 64k characters from character `mid` of the text the pieces make."""
    before = 0
    for i, size in enumerate(sizes):
        if before + size > mid:
            text = str(view[cuts[i] : cuts[min(i + 2, len(sizes))]], "utf-8")
            return text[mid - before : mid - before + 65536]
        before += size
    return ""


def _check_lines(text: str) -> None:
    """Refuse, before any parser runs, a text with a line longer than `limits.MAX_LINE` (in a
    JSON text a string, in an XML text the text between two tags): parsers cost up to 20 times
    a paragraph's size in memory, and no digest has such a line. Looks at ~1 character in
    `MAX_LINE` of a well-formed text (see `_long_run`)."""
    cap = limits.MAX_LINE
    start = _LEADING_SPACE.match(text)
    begin = start.end() if start else 0
    if len(text) - begin <= cap:
        return
    first = text[begin]
    if first in "[{":  # a JSON string holds no raw newline: a run without both is too long
        stops, what = '"\n', "a JSON string or line"
    elif first == "<":
        stops, what = "<>", "the text between two XML tags"
    else:
        stops, what = "\n\r", "a line"
    at = _long_run(text, begin, stops, cap)
    if at is not None:
        raise IngestError(_too_long(text.count("\n", 0, at) + 1, what))


def _too_long(line: int, what: str) -> str:
    cap = limits.MAX_LINE
    mib = cap / limits.MB
    size = f"{mib:g} MB" if mib >= 1 else f"{cap:,} characters"
    return (
        f"line {line}: {what} longer than {size}, the limit on one line of a digest "
        "(refused before parsing)"
    )


def _long_run(text: str, start: int, stops: str, cap: int) -> int | None:
    """Where a run of more than `cap` characters without any of `stops` begins, or None.
    Each step looks back from `cap` characters ahead for the last stop, so a text whose stops
    are close together is crossed in len(text) / cap steps."""
    pos = start
    while len(text) - pos > cap:
        end = pos + cap + 1
        last = max(text.rfind(stop, pos, end) for stop in stops)
        if last < 0:
            return pos
        pos = last + 1
    return None


def _detect(digest: Digest) -> tuple[str | None, str | None]:
    """(format, None), keeping in `digest` the JSON records parsed on the way; or (None, why
    it is not JSON) for a text that looked like JSON but is not."""
    for name, known in FORMATS.items():
        if known.sniff is not None and known.sniff(digest.text):
            return name, None
    start = _LEADING_SPACE.match(digest.text)
    first = digest.text[start.end() if start else 0]
    if first not in "[{":
        # A page copy is the last resort: first refuse what plainly is no digest at all.
        if refused := refusal(digest.text):
            raise IngestError(refused)
        return "page", None
    detected, digest.records, error = _detect_json(digest.text, digest.warnings)
    if detected is None and error is not None:
        if not error.startswith("not valid JSON"):
            raise IngestError(error)  # valid JSON that holds no papers is no page copy either
        if refused := refusal(digest.text):
            raise IngestError(refused)  # not JSON, and plainly no page copy either
    return detected, error


def _detect_json(text: str, warnings: list[str]) -> tuple[str | None, list[Any] | None, str | None]:
    """(format, records, error): format None when the text is neither JSON nor JSON Lines."""
    try:
        doc = orjson.loads(text)
    except (ValueError, TypeError, RecursionError) as err:
        error = f"not valid JSON: {one_line(err)}"
    else:
        records = records_of(doc)
        if records is None:
            return None, None, "the JSON holds no papers (expected a list of paper objects)"
        return ("hf-api" if hf_api.looks_like(records) else "json"), records, None
    if text.lstrip()[:1] == "{" and "\n" in text.strip():
        lines_warnings: list[str] = []
        try:
            records = jsonl_records(text, lines_warnings)
        except IngestError:
            return None, None, error
        warnings.extend(lines_warnings)
        return "jsonl", records, None
    return None, None, error
