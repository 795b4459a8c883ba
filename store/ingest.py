"""Turn a digest file into papers: the Hugging Face Papers page copy, JSON, JSON Lines, or the
Hugging Face daily-papers API response.

Files come from anywhere, so every failure is an `IngestError` with one clear line (the CLI
prints it and exits non-zero), text is sanitised on the way in, and nothing here is slower than
linear: a 170 MB digest of 100k papers is split with `str.split`, not scanned per character.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from papertray.store.formats import detect as formats
from papertray.store.formats.latex import latex_to_text
from papertray.store.links import clean_url, extract_links, order_links, with_arxiv_links
from papertray.store.models import Paper, key_ids, paper_id, title_key
from papertray.store.sanitize import clean_text
from papertray.store.storage import pause_gc

MAX_BYTES = 512 * 1024 * 1024
FORMATS = ("page", "json", "jsonl", "hf-api", *formats.FORMATS)


class IngestError(Exception):
    """A file that cannot be read as a digest. `str(e)` is one line meant for the user."""


@dataclass
class IngestResult:
    papers: list[Paper]
    format: str
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0
    """Papers dropped because an earlier one in the same input had the same id."""
    title_keys: list[str] | None = None
    """`title_key(p.title)` of each paper, when parsing computed them anyway (page format):
    `Library.add` can take them instead of normalising every title again."""
    updates: list[Paper] = field(default_factory=list)
    """Revisions of papers the library may hold (arXiv email replacements): applied to those,
    otherwise skipped."""


# ---------------------------------------------------------------------------------------------
# Entry points


def ingest_file(
    path: str | Path, *, fmt: str | None = None, max_bytes: int = MAX_BYTES
) -> IngestResult:
    """Read and parse one digest file; "-" reads standard input."""
    _check_format(fmt)
    name = os.fspath(path)
    data, source = read_input(name, max_bytes=max_bytes)
    try:
        return ingest_bytes(data, fmt=fmt, source=source)
    except IngestError as err:
        raise IngestError(f"{name}: {err}") from None


def read_input(path: str | Path, *, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """The bytes of one digest file ("-" is standard input) and its source name, as
    `ingest_file` reads them: `ingest_bytes(data, source=source)` then parses them. Raises
    `IngestError` for a missing, unreadable, empty or too large input."""
    name = os.fspath(path)
    if name == "-":
        if sys.stdin is None:
            raise IngestError("there is no standard input to read")
        data = _read_capped(getattr(sys.stdin, "buffer", sys.stdin), max_bytes, "standard input")
        source = "stdin"
    else:
        data = _read_path(name, max_bytes)
        source = os.path.basename(name.rstrip("/")) or name
    if not data:
        raise IngestError(f"{'standard input' if name == '-' else name} is empty")
    return data, source


def ingest_bytes(data: bytes, *, fmt: str | None = None, source: str = "") -> IngestResult:
    """Decode (UTF-8, or UTF-16/32 with a byte-order mark) and parse."""
    _check_format(fmt)
    if not data:
        raise IngestError("the input is empty")
    data = bytes(data)
    text, warnings, utf8 = _decode(data)
    return _ingest(text, fmt, source, warnings, utf8)


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


def _read_path(name: str, max_bytes: int) -> bytes:
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise IngestError(f"{name}: no such file") from None
    except PermissionError:
        raise IngestError(f"{name}: permission denied") from None
    except (OSError, ValueError) as err:
        raise IngestError(f"{name}: cannot read ({_reason(err)})") from None
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
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise IngestError(f"{name}: permission denied") from None
    except OSError as err:
        raise IngestError(f"{name}: cannot read ({_reason(err)})") from None
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
        raise IngestError(f"{name}: cannot read ({_reason(err)})") from None
    data = data or b""
    if len(data) > max_bytes:
        raise IngestError(f"{name} is larger than the {_limit(max_bytes)} limit")
    return bytes(data)


def _reason(err: BaseException) -> str:
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


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII text with a NUL in every other byte."""
    head = data[:4096]
    if len(head) < 8 or len(head) % 2 or b"\x00" not in head:
        return None
    half = len(head) // 2
    even_nul, odd_nul = head[0::2].count(0), head[1::2].count(0)
    if odd_nul > 0.9 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.9 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


_REPLACED = "undecodable bytes were replaced by U+FFFD"


def _decode(data: bytes) -> tuple[str, list[str], bytes | None]:
    """(text, warnings, the UTF-8 bytes the text was decoded from if it was UTF-8 without
    errors: see `_all_printable`)."""
    encoding, skip = "utf-8", 0
    for bom, name, size in _BOMS:
        if data.startswith(bom):
            encoding, skip = name, size
            break
    else:
        sniffed = _sniff_utf16(data)
        if sniffed:
            encoding = sniffed
    body = memoryview(data)[skip:]
    try:
        text = str(body, encoding)
        if encoding != "utf-8":
            return text, [], None
        return text, [], data if not skip else bytes(body)
    except UnicodeDecodeError as err:
        text = str(body, encoding, "replace")
        label = "UTF-8" if encoding == "utf-8" else encoding.upper()
        return (
            text,
            [f"invalid {label} at byte {err.start + skip}: {_REPLACED}"],
            None,
        )


# Characters that no text digest has many of: C0 controls other than whitespace, DEL, C1, and
# U+FFFD from undecodable bytes.
_BINARY_CHARS = {c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)]}
_BINARY_CHARS[0xFFFD] = None


def _looks_binary(text: str) -> bool:
    # A few escape sequences in a title are hostile but still text; a file that is a tenth junk
    # is not a digest. Sampling the start and the middle keeps this O(1) on big files.
    samples = [text[:65536]]
    if len(text) > 200_000:
        mid = len(text) // 2
        samples.append(text[mid : mid + 65536])
    for sample in samples:
        junk = len(sample) - len(sample.translate(_BINARY_CHARS))
        if junk > 0.1 * len(sample):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Dispatch


_LEADING_SPACE = re.compile(r"\s*")


def _ingest(
    text: str, fmt: str | None, source: str, warnings: list[str], utf8: bytes | None = None
) -> IngestResult:
    # Parsing 100k papers allocates a million containers that all live on: the cyclic
    # collector's passes over them would cost a third of the time and find nothing.
    with pause_gc():
        result = _ingest_text(text, fmt, source, warnings, utf8)
    _add_arxiv_links(result.papers)
    return result


def _add_arxiv_links(papers: list[Paper]) -> None:
    """Every paper with an arXiv id gets its arXiv page, PDF and HF page among its links,
    whatever format it came in (page copies have no ids: one attribute test each)."""
    for paper in papers:
        if paper.arxiv_id:
            paper.links = with_arxiv_links(paper.links, paper.arxiv_id)


def _ingest_text(
    text: str, fmt: str | None, source: str, warnings: list[str], utf8: bytes | None
) -> IngestResult:
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text or text.isspace():
        raise IngestError("the input is empty (only whitespace)")
    if _looks_binary(text):
        raise IngestError("looks like a binary file, not a digest")

    records: list[Any] | None = None
    if fmt is None:
        fmt = formats.detect(text)
    if fmt in formats.PARSERS:
        return formats.to_result(formats.parse(fmt, text, source), fmt, warnings)  # type: ignore[no-any-return]
    if fmt is None:
        start = _LEADING_SPACE.match(text)
        first = text[start.end() if start else 0]
        if first in "[{":
            detected, records, json_error = _detect_json(text, warnings)
            if detected:
                fmt = detected
            else:
                # Not JSON after all: a page copy whose first title starts with a bracket?
                papers, page_warnings, date = _parse_page(text, utf8)
                if not papers:
                    raise IngestError(json_error or "no papers found")
                return _finish(papers, "page", source, warnings + page_warnings, date)
        else:
            if refused := formats.refusal(text):
                raise IngestError(refused)
            fmt = "page"

    if fmt == "page":
        pairs, page_warnings, date = _parse_page(text, utf8)
        if not pairs:
            raise IngestError(
                "no papers found (expected title and abstract paragraphs, JSON or JSON Lines)"
            )
        return _finish(pairs, "page", source, warnings + page_warnings, date)

    if records is None:
        if fmt == "jsonl":
            records = _parse_jsonl(text, warnings)
        else:
            records = _records(_load_json(text))
            if records is None:
                raise IngestError("the JSON holds no papers (expected a list of paper objects)")
    return _finish_records(records, fmt, source, warnings)


def _load_json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except (ValueError, TypeError, RecursionError) as err:
        raise IngestError(f"not valid JSON: {_one_line(err)}") from None


def _one_line(err: BaseException) -> str:
    lines = str(err).splitlines()
    return lines[0] if lines else type(err).__name__


def _detect_json(text: str, warnings: list[str]) -> tuple[str | None, list[Any] | None, str | None]:
    """(format, records, error): format None when the text is neither JSON nor JSON Lines."""
    try:
        doc = orjson.loads(text)
    except (ValueError, TypeError, RecursionError) as err:
        error = f"not valid JSON: {_one_line(err)}"
    else:
        records = _records(doc)
        if records is None:
            return None, None, "the JSON holds no papers (expected a list of paper objects)"
        return ("hf-api" if _is_hf_api(records) else "json"), records, None
    if text.lstrip()[:1] == "{" and "\n" in text.strip():
        lines_warnings: list[str] = []
        try:
            records = _parse_jsonl(text, lines_warnings)
        except IngestError:
            return None, None, error
        warnings.extend(lines_warnings)
        return "jsonl", records, None
    return None, None, error


def _records(doc: Any) -> list[Any] | None:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in ("papers", "items", "results", "data"):
            if isinstance(doc.get(key), list):
                return list(doc[key])
        if "title" in doc or isinstance(doc.get("paper"), dict):
            return [doc]
    return None


def _is_hf_api(records: list[Any]) -> bool:
    dicts = [r for r in records[:50] if isinstance(r, dict)]
    return bool(dicts) and sum(isinstance(r.get("paper"), dict) for r in dicts) * 2 > len(dicts)


def _parse_jsonl(text: str, warnings: list[str]) -> list[Any]:
    records: list[Any] = []
    bad = 0
    first_bad = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.isspace():
            continue
        try:
            obj = orjson.loads(line)
        except (ValueError, TypeError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            records.append(obj)
        else:
            bad += 1
            first_bad = first_bad or number
    if not records:
        raise IngestError("no JSON objects found (expected one paper object per line)")
    if bad:
        warnings.append(
            f"skipped {bad} line(s) that are not JSON objects (first: line {first_bad})"
        )
    return records


# ---------------------------------------------------------------------------------------------
# The page copy

_MONTHS = {
    m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)
}
_DATE_LINE = re.compile(r"([A-Za-z]{3})[a-z]*\.? (\d{1,2})(?:,? (\d{4}))?")
_ISO_DATE_LINE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_HEADER_LINES = frozenset(
    {
        "new",
        "subscribe",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox",
        "byak and the research community",
        "by ak and the research community",
        "daily papers",
        "papers",
        "previous",
        "next",
    }
)
_HEADER_SCAN = 2000  # a header is a handful of short lines; never scan further


def _header_date(line: str) -> tuple[bool, str | None]:
    """(is a date line, ISO date if it names a year)."""
    if len(line) > 20:
        return False, None
    iso = _ISO_DATE_LINE.fullmatch(line)
    if iso:
        return True, line
    match = _DATE_LINE.fullmatch(line)
    if not match or match.group(1).lower() not in _MONTHS:
        return False, None
    day = int(match.group(2))
    if not 1 <= day <= 31:
        return False, None
    if match.group(3):
        return True, f"{match.group(3)}-{_MONTHS[match.group(1).lower()]:02d}-{day:02d}"
    return True, None


def _skip_header(text: str) -> tuple[int, str | None]:
    """Offset of the first line after the page header, and the digest date it names."""
    pos = 0
    date: str | None = None
    while pos < len(text) and pos < _HEADER_SCAN:
        end = text.find("\n", pos)
        if end < 0:
            end = len(text)
        line = " ".join(text[pos:end].split())
        if line:
            is_date, iso = _header_date(line)
            if is_date:
                date = iso or date
            elif line.lower() not in _HEADER_LINES:
                break
        pos = end + 1
    return min(pos, len(text)), date


_ASCII_PRINTABLE_NL = bytes(range(0x20, 0x7F)) + b"\n"
_LATIN1_PRINTABLE_NL = bytes(c for c in range(256) if chr(c).isprintable()) + b"\n"
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _all_printable(text: str, utf8: bytes | None) -> bool:
    """True when every character of `text` except "\n" is printable (`str.isprintable`), found
    with a few passes at C speed over the whole text instead of one call per paragraph.
    `utf8`, if given, is the UTF-8 encoding of `text` (perhaps with one more BOM). Without it,
    text beyond Latin-1 gives False (unknown: the caller checks each paragraph instead)."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _ASCII_PRINTABLE_NL)
    if utf8 is not None:
        # Dropping the printable ASCII leaves the multi-byte sequences whole (their bytes are
        # all >= 0x80) plus any ASCII control: only those few characters need a look.
        rest = utf8.translate(None, _ASCII_PRINTABLE_NL)
        if rest.translate(None, _HIGH_BYTES):
            return False
        try:
            return rest.decode("utf-8").isprintable()
        except UnicodeDecodeError:
            return False
    try:
        latin1 = text.encode("latin-1")  # a copy when every character is below U+0100
    except UnicodeEncodeError:
        return False
    return not latin1.translate(None, _LATIN1_PRINTABLE_NL)


def _units(text: str, clean: bool = False) -> list[str]:
    """Split the body into cleaned paragraphs (units), each a title or (part of) an abstract.
    `clean` promises that the whole text has no double space and no character but "\n" that
    is not printable (see `_all_printable`), so only each block's ends and line breaks need a
    look."""
    units: list[str] = []
    append = units.append
    for block in text.split("\n\n"):
        if not block:
            continue
        # The common case, checked at C speed: one line that clean_text would leave unchanged
        # (isprintable() is False for "\n", every control and every whitespace but the space).
        if clean:
            if block[0] != " " != block[-1] and "\n" not in block:
                append(block)
                continue
        elif block.isprintable() and block[0] != " " != block[-1] and "  " not in block:
            append(block)
            continue
        lines: list[str] = []
        for line in block.split("\n"):
            line = clean_text(line)
            if line:
                lines.append(line)
            elif lines:
                units.extend(_block_units(lines))
                lines = []
        if lines:
            units.extend(_block_units(lines))
    return units


def _line_units(text: str, start: int) -> list[str] | None:
    """`_units(text[start:], clean=True)` for the usual layout, one paragraph per line and one
    blank line between paragraphs, found with one split on "\n" (a one-character split is
    twice as fast as splitting on "\n\n", and the body is never copied); None for any other
    layout (then `_units` decides). `start` is the start of a line (see `_skip_header`)."""
    if start >= len(text):
        return None
    lines = text.split("\n")
    first = text.count("\n", 0, start)
    end = len(lines)
    while end > first and not lines[end - 1]:
        end -= 1
    units = lines[first:end:2]
    if any(lines[first + 1 : end : 2]) or not all(units):
        return None
    # clean_text would strip a space at either end of a paragraph. Every character of a clean
    # text but "\n" is at least " ", so a unit starting with one is the smallest.
    if min(units)[0] == " " or " " in map(itemgetter(-1), units):
        return None
    return units


def _block_units(lines: list[str]) -> list[str]:
    """Lines with no blank line between them: a title glued to its abstract, several papers
    with no blank lines at all, or one hard-wrapped paragraph."""
    if len(lines) == 1:
        return lines
    # Hard-wrapped prose stays within ~100 columns; a longer line before the last one means one
    # paragraph per line (title, abstract, title, ...).
    if any(len(line) > 120 for line in lines[:-1]):
        return lines
    head, rest = lines[0], lines[1:]
    # A title directly followed by its abstract: the abstract starts a sentence. A hard-wrapped
    # paragraph continues mid-sentence, usually in lower case.
    if _costs(head)[0] == 0 and not rest[0][:1].islower():
        return [head, " ".join(rest)]
    return [" ".join(lines)]


def _costs(unit: str) -> tuple[float, float]:
    """How unlike a title, and how unlike an abstract, one paragraph is (0 = typical)."""
    size = len(unit)
    if size >= 300:
        return 4.0, 0.0  # titles are short; a 1 MB title still wins if the structure says so
    title = 1.5 if size > 200 else 0.0
    abstract = 1.0 if size >= 120 else 2.5
    if unit[-1] in ".!?)\u3002":
        abstract -= 1.0
        if unit[-1] == ".":
            title += 2.0 if (size > 120 or ". " in unit) else 1.0
    return title, abstract


# Costs of the paper structure, for the labelling below.
_TITLE_AFTER_TITLE = 2.0  # the earlier title has no abstract
_ABSTRACT_AFTER_ABSTRACT = 1.5  # a second paragraph of the same abstract
_ABSTRACT_FIRST = 5.0  # text before any title
_TITLE_LAST = 1.0  # a last title cut off without its abstract


_SENTENCE_END = frozenset(".!?)\u3002")


def _alternates(units: list[str]) -> bool:
    """True when each unit's own cheaper label (`_costs`) is title, abstract, title, ... Only
    the units whose costs could say otherwise are costed: a unit of at most 200 characters
    that does not end like a sentence is a title, one of 300 or more is an abstract."""
    titles = [u for u in units[0::2] if len(u) > 200 or u[-1] in _SENTENCE_END]
    if not all(t < a for t, a in map(_costs, titles)):
        return False
    others = [u for u in units[1::2] if len(u) < 300]
    return not any(t < a for t, a in map(_costs, others))


def _label(units: list[str]) -> list[bool]:
    """True for each unit that is a title: the cheapest labelling under the costs above, by a
    two-state Viterbi pass. When each unit's own cheaper label already alternates title,
    abstract, title, ... no structure cost applies, so that is the answer."""
    if not units:
        return []
    if _alternates(units):
        return [True, False] * (len(units) // 2) + [True] * (len(units) % 2)
    # Every choice compares the cost of the best labelling so far that ends in a title with the
    # one that ends in an abstract, so the pass carries only their difference `d` (title minus
    # abstract) and each unit's own difference. All costs are multiples of 0.5: the sums are
    # exact, and these comparisons give what comparing the two sums gives.
    deltas = [t - a for t, a in map(_costs, units)]
    d = deltas[0] - _ABSTRACT_FIRST
    # Best predecessor of a title, and of an abstract, at each unit: True = a title.
    after_t: list[bool] = [True]
    after_a: list[bool] = [False]
    for delta in deltas[1:]:
        after_t.append(d <= -_TITLE_AFTER_TITLE)
        after_a.append(d <= _ABSTRACT_AFTER_ABSTRACT)
        # min(d + title after title, 0) - min(d, abstract after abstract) + delta
        d = (
            (d + _TITLE_AFTER_TITLE if d < -_TITLE_AFTER_TITLE else 0.0)
            - (d if d < _ABSTRACT_AFTER_ABSTRACT else _ABSTRACT_AFTER_ABSTRACT)
            + delta
        )
    labels = [False] * len(units)
    is_title = d <= -_TITLE_LAST
    for i in range(len(units) - 1, -1, -1):
        labels[i] = is_title
        is_title = after_t[i] if is_title else after_a[i]
    return labels


def _parse_page(
    text: str, utf8: bytes | None = None
) -> tuple[list[tuple[str, str]], list[str], str | None]:
    """(title, abstract) pairs, warnings, and the digest date from the header."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        utf8 = None
    start, date = _skip_header(text)
    # The whole-text test, when it holds, spares a per-paragraph isprintable() and "  " search.
    clean = text.find("  ", start) < 0 and _all_printable(text if utf8 else text[start:], utf8)
    units = _line_units(text, start) if clean else None
    if units is None:
        units = _units(text[start:] if start else text, clean)
    labels = _label(units)
    warnings: list[str] = []

    if len(units) % 2 == 0 and labels[0::2] == [True] * (len(units) // 2):
        if not any(labels[1::2]):  # the clean alternation: pair them at C speed
            return list(zip(units[0::2], units[1::2], strict=True)), warnings, date

    pairs: list[tuple[str, str]] = []
    extra: list[list[str]] = []  # further paragraphs of each pair's abstract
    pending: str | None = None
    no_abstract: list[str] = []
    orphans = 0
    for unit, is_title in zip(units, labels, strict=True):
        if is_title:
            if pending is not None:
                pairs.append((pending, ""))
                extra.append([])
                no_abstract.append(pending)
            pending = unit
        elif pending is not None:
            pairs.append((pending, unit))
            extra.append([])
            pending = None
        elif pairs and pairs[-1][1]:
            extra[-1].append(unit)
        else:
            orphans += 1
    cut_off = pending
    if pending is not None:
        pairs.append((pending, ""))
        extra.append([])

    # Title-like lines before the first real paper are an unknown page header, not papers.
    lead = 0
    while lead < len(pairs) - 1 and not pairs[lead][1] and not extra[lead]:
        lead += 1
    if lead:
        shown = ", ".join(repr(_short(t)) for t, _ in pairs[:lead][:3])
        warnings.append(f"skipped {lead} line(s) before the first paper: {shown}")
        pairs, extra = pairs[lead:], extra[lead:]
        # Those leading titles were each followed by another title, so they lead this list too.
        no_abstract = no_abstract[lead:]
    if orphans:
        warnings.append(f"skipped {orphans} paragraph(s) with no title before them")
    if len(pairs) == 1 and not pairs[0][1]:
        return [], warnings, date  # a lone line of text is not a digest
    if no_abstract:
        shown = ", ".join(repr(_short(t)) for t in no_abstract[:3])
        more = f" and {len(no_abstract) - 3} more" if len(no_abstract) > 3 else ""
        warnings.append(f"{len(no_abstract)} paper(s) have no abstract: {shown}{more}")
    if cut_off is not None:
        warnings.append(f"the last paper {_short(cut_off)!r} has no abstract (cut off?)")
    merged = [
        (title, "\n\n".join([abstract, *more]) if more else abstract)
        for (title, abstract), more in zip(pairs, extra, strict=True)
    ]
    return merged, warnings, date


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _finish(
    pairs: list[tuple[str, str]],
    fmt: str,
    source: str,
    warnings: list[str],
    date: str | None,
) -> IngestResult:
    if any(_has_latex(t) or _has_latex(a) for t, a in pairs):
        pairs = [(_latex(t), _latex(a)) for t, a in pairs]
    titles = list(map(itemgetter(0), pairs))
    keys = list(map(title_key, titles))
    if not all(keys):  # "---", "}": no title, no paper (and no shared id of the empty title)
        kept = [i for i, key in enumerate(keys) if key]
        warnings.append(f"skipped {len(keys) - len(kept)} title(s) with no letters or digits")
        pairs, titles, keys = [pairs[i] for i in kept], [titles[i] for i in kept], [keys[i] for i in kept]
    papers: list[Paper] = []
    append = papers.append
    for pid, title, (_, abstract) in zip(key_ids(keys), titles, pairs, strict=True):
        # Page units are already cleaned. "/" is found with memchr, and most abstracts have
        # none: "://" is then searched only in the others.
        if "/" in abstract and "://" in abstract and (found := extract_links(abstract)):
            links, repo = order_links(found)
        else:
            links, repo = [], None
        # Positional: the keyword form costs a third more at 100k papers.
        append(Paper(pid, title, abstract, [], None, links, repo, source, None, None, None,
                     None, [], date))  # fmt: skip
    return _dedupe(papers, fmt, warnings, keys)


def _has_latex(text: str) -> bool:
    return "\\" in text or "$" in text


def _latex(text: str) -> str:
    return clean_text(latex_to_text(text), multiline=True) if _has_latex(text) else text


def _dedupe(
    papers: list[Paper], fmt: str, warnings: list[str], keys: list[str] | None = None
) -> IngestResult:
    ids = [paper.id for paper in papers]
    # id -> index of its first paper: built backwards, so an earlier index overwrites a later.
    first = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
    duplicates = len(ids) - len(first)
    kept, kept_keys = papers, keys
    if duplicates:
        order = sorted(first.values())
        kept = list(map(papers.__getitem__, order))
        kept_keys = None if keys is None else list(map(keys.__getitem__, order))
        for i in sorted(set(range(len(ids))).difference(order)):
            paper, head = papers[i], papers[first[ids[i]]]
            # The same paper twice: the first copy wins, but a cut-off copy takes the full
            # abstract.
            if not head.abstract and paper.abstract:
                head.abstract, head.links, head.repo = paper.abstract, paper.links, paper.repo
        warnings.append(f"{duplicates} duplicate paper(s) ignored")
    return IngestResult(
        papers=kept, format=fmt, warnings=warnings, duplicates=duplicates, title_keys=kept_keys
    )


# ---------------------------------------------------------------------------------------------
# JSON records

_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")
_ARXIV_OLD = re.compile(r"([a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?")
_ARXIV_URL = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/([A-Za-z0-9./-]{1,40}?)(?:\.pdf)?/?(?:[?#]|$)",
    re.I,
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalize_arxiv_id(value: Any) -> str | None:
    """ "arXiv:2403.12345v2" -> "2403.12345"; None if `value` is not an arXiv id."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    value = value.strip()
    if value[:6].lower() == "arxiv:":
        value = value[6:].strip()
    match = _ARXIV_NEW.fullmatch(value) or _ARXIV_OLD.fullmatch(value)
    return match.group(1) if match else None


def _arxiv_from_url(url: str) -> str | None:
    match = _ARXIV_URL.search(url[:300])
    return normalize_arxiv_id(match.group(1)) if match else None


def _text(value: Any, *, multiline: bool = False) -> str:
    if isinstance(value, str):
        return _latex(clean_text(value, multiline=multiline))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if _ISO_DATE.match(value):
        return value[:10]
    cleaned = clean_text(value[:200])
    return cleaned[:64] or None


def _authors(value: Any) -> list[str]:
    items: Iterable[Any]
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        return []
    names: list[str] = []
    for item in items:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name:
            names.append(name)
    return names


def _keywords(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [k for k in (_text(v) for v in value) if k]


def _url_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _field_urls(record: dict[str, Any], *keys: str) -> list[str]:
    urls: list[str] = []
    for key in keys:
        if key in record:
            urls += filter(None, map(clean_url, _url_list(record[key])))
    return urls


def _record_paper(record: dict[str, Any], source: str) -> Paper | None:
    """One paper from a generic record or a daily-papers API item (nested `paper`)."""
    item: dict[str, Any] = record
    inner = record.get("paper")
    if isinstance(inner, dict):
        paper: dict[str, Any] = inner
        # The day it was on the daily page: `submittedOnDailyAt` (2026 responses); the item's
        # `publishedAt` is that day in 2024 responses but the arXiv date - 4 h in 2026 ones.
        digest_date = _date(paper.get("submittedOnDailyAt")) or _date(item.get("publishedAt"))
        comments = _int(item.get("numComments"))
    else:
        paper = record
        digest_date = _date(record.get("digest_date")) or _date(record.get("submittedOnDailyAt"))
        comments = _int(record.get("comments", record.get("numComments")))

    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title or not title_key(title):
        return None
    abstract = ""
    details = item.get("details") if isinstance(item.get("details"), dict) else {}
    for key in ("abstract", "summary"):
        abstract = _text(paper.get(key), multiline=True) or _text(item.get(key), multiline=True)
        abstract = abstract or _text(details.get(key), multiline=True)  # scraper bots' JSON
        if abstract:
            break

    arxiv_id = normalize_arxiv_id(paper.get("arxiv_id")) or normalize_arxiv_id(paper.get("id"))
    if arxiv_id is None:
        urls = _url_list(paper.get("url")) + _url_list(paper.get("paper_url"))
        arxiv_id = next(filter(None, map(_arxiv_from_url, urls)), None)

    # The API's own repo goes first, so it is the paper's repo even if the abstract names another.
    # A field must be a URL itself: "javascript:...https://..." is dropped, not mined.
    found = _field_urls(paper, "githubRepo", "repo")
    if "://" in abstract:
        found += extract_links(abstract)
    found += _field_urls(paper, "projectPage", "links", "url")
    links, repo = order_links(found) if found else ([], None)

    return Paper(
        id=paper_id(arxiv_id=arxiv_id, title=title),
        title=title,
        abstract=abstract,
        authors=_authors(paper.get("authors")),
        published=_date(paper.get("publishedAt", paper.get("published"))),
        links=links,
        repo=repo,
        source=source,
        arxiv_id=arxiv_id,
        upvotes=_int(paper.get("upvotes")),
        stars=_int(paper.get("githubStars", paper.get("stars"))),
        comments=comments,
        keywords=_keywords(paper.get("ai_keywords", paper.get("keywords"))),
        digest_date=digest_date,
    )


def _finish_records(records: list[Any], fmt: str, source: str, warnings: list[str]) -> IngestResult:
    papers: list[Paper] = []
    skipped = 0
    for record in records:
        made = _record_paper(record, source) if isinstance(record, dict) else None
        if made is None:
            skipped += 1
        else:
            papers.append(made)
    if not papers:
        raise IngestError(f"no papers found: none of the {len(records)} record(s) has a title")
    if skipped:
        warnings.append(f"skipped {skipped} record(s) without a title")
    return _dedupe(papers, fmt, warnings)
