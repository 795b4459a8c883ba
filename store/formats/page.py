"""The `page` format: a copy of the Hugging Face Papers web page (select all, copy, paste).

An optional header (`new`, `Subscribe`, a date like `Mar 18`), then a title line and an abstract
paragraph, repeated. Which paragraphs are titles is decided for the whole page at once (see
`_label`), so a missing blank line or a cut-off last title does not shift every paper after it.
Linear in the input: a page of 100k papers is split with `str.split`, not scanned per
character.
"""

from __future__ import annotations

import re
from operator import itemgetter

from papertray.store.formats.common import Digest, IngestError, IngestResult, dedupe, short
from papertray.store.formats.fields import latex_text
from papertray.store.formats.latex import has_latex
from papertray.store.links import extract_links, order_links
from papertray.store.models import Paper, key_ids, title_key
from papertray.store.sanitize import clean_text

NAME = "page"


def parse(digest: Digest) -> IngestResult:
    """The papers of a page copy; `IngestError` when no title/abstract pair is found."""
    pairs, page_warnings, date = _parse_page(digest.text, digest.utf8)
    if not pairs:
        raise IngestError(
            "no papers found (expected title and abstract paragraphs, JSON or JSON Lines)"
        )
    return _finish(pairs, NAME, digest.source, digest.warnings + page_warnings, date)


def parse_or_none(digest: Digest) -> IngestResult | None:
    """Like `parse`, but None when no paper is found (detection's last resort)."""
    pairs, page_warnings, date = _parse_page(digest.text, digest.utf8)
    if not pairs:
        return None
    return _finish(pairs, NAME, digest.source, digest.warnings + page_warnings, date)


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
        shown = ", ".join(repr(short(t)) for t, _ in pairs[:lead][:3])
        warnings.append(f"skipped {lead} line(s) before the first paper: {shown}")
        pairs, extra = pairs[lead:], extra[lead:]
        # Those leading titles were each followed by another title, so they lead this list too.
        no_abstract = no_abstract[lead:]
    if orphans:
        warnings.append(f"skipped {orphans} paragraph(s) with no title before them")
    if len(pairs) == 1 and not pairs[0][1]:
        return [], warnings, date  # a lone line of text is not a digest
    if no_abstract:
        shown = ", ".join(repr(short(t)) for t in no_abstract[:3])
        more = f" and {len(no_abstract) - 3} more" if len(no_abstract) > 3 else ""
        warnings.append(f"{len(no_abstract)} paper(s) have no abstract: {shown}{more}")
    if cut_off is not None:
        warnings.append(f"the last paper {short(cut_off)!r} has no abstract (cut off?)")
    merged = [
        (title, "\n\n".join([abstract, *more]) if more else abstract)
        for (title, abstract), more in zip(pairs, extra, strict=True)
    ]
    return merged, warnings, date


_Links = list[tuple[int, tuple[str, ...], str | None]]
_Prepared = tuple[list[tuple[int, str, str]], list[str], list[str], _Links]


def _prepare(pairs: list[tuple[str, str]]) -> _Prepared:
    """The per-paper work on (title, abstract) pairs: the pairs LaTeX changed
    `(i, title, abstract)`, each title's key and id, and the links of the papers that have some
    `(i, links, repo)`. Indexes are into `pairs`."""
    changed: list[tuple[int, str, str]] = []
    if any(has_latex(t) or has_latex(a) for t, a in pairs):
        shown = [(latex_text(t), latex_text(a)) for t, a in pairs]
        changed = [
            (i, *new) for i, (new, old) in enumerate(zip(shown, pairs, strict=True)) if new != old
        ]
        pairs = shown
    keys = list(map(title_key, map(itemgetter(0), pairs)))
    # Page units are already cleaned. "/" is found with memchr, and most abstracts have none:
    # "://" is then searched only in the others.
    linked: _Links = [
        (i, *order_links(found))
        for i, (_, abstract) in enumerate(pairs)
        if "/" in abstract and "://" in abstract and (found := extract_links(abstract))
    ]
    return changed, keys, key_ids(keys), linked


def _finish(
    pairs: list[tuple[str, str]],
    fmt: str,
    source: str,
    warnings: list[str],
    date: str | None,
) -> IngestResult:
    changed, keys, ids, linked = _prepare(pairs)
    if changed:
        pairs = list(pairs)
        for i, title, abstract in changed:
            pairs[i] = (title, abstract)
    titles = list(map(itemgetter(0), pairs))
    abstracts = list(map(itemgetter(1), pairs))
    links: list[tuple[str, ...]] = [()] * len(pairs)
    repos: list[str | None] = [None] * len(pairs)
    for i, found, repo in linked:
        links[i], repos[i] = tuple(found), repo
    if not all(keys):  # "---", "}": no title, no paper (and no shared id of the empty title)
        kept = [i for i, key in enumerate(keys) if key]
        if not kept:
            raise IngestError("no papers found: no title has a letter or a digit")
        warnings.append(f"skipped {len(keys) - len(kept)} title(s) with no letters or digits")
        titles, abstracts = [titles[i] for i in kept], [abstracts[i] for i in kept]
        keys, ids = [keys[i] for i in kept], [ids[i] for i in kept]
        links, repos = [links[i] for i in kept], [repos[i] for i in kept]
    # Positional: the keyword form costs a third more at 100k papers.
    papers = [
        Paper(pid, title, abstract, (), None, found, repo, source, None, None, None, None, (),
              date)
        for pid, title, abstract, found, repo in zip(ids, titles, abstracts, links, repos,
                                                     strict=True)
    ]  # fmt: skip
    return dedupe(papers, fmt, warnings, keys)
