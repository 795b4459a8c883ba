"""arXiv's daily email digest ("cs daily Subj-class mailing"), as text or as a saved `.eml`.

    arXiv:2601.15305
    Date: Mon, 12 Jan 2026 20:33:39 GMT   (215kb)
    Title: Gated Sparse Attention: Combining Computational Efficiency with Training
      Stability for Long-Context Language Models
    Authors: Alfred Shen, Aaron Shen
    \\\\
      The computational burden of attention ...
    \\\\ ( https://arxiv.org/abs/2601.15305 ,  215kb)

Continuation lines are indented by two spaces, one space, or a no-break space (a mail client's
copy). Several digests may follow each other in one file. After the `%%--%%` line come the
replacements ("replaced with revised version ..."): no abstract, they only revise papers the
library may already hold (`Parsed.updates`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

from papertray.store.formats._common import Parsed, arxiv_id, iso_date, make_paper, split_authors
from papertray.store.models import Paper

NAME = "arxiv-email"

_ENTRY = re.compile(r"^arXiv:(\S+)[^\n]*\n(?=Date:|replaced with|Title:)", re.M)
_SNIFF = re.compile(r"^arXiv:\S+[^\n]*\n(?:Date:|replaced with)", re.M)
_FIELD = re.compile(r"([A-Za-z][A-Za-z-]{1,20}):[ \t]?(.*)")
# The "from" date is a few words: `.*?` would scan to the end of the line from each of many
# "received from" in one line.
_RECEIVED = re.compile(r"received from .{0,200}? to\s+\w{3}\s+(\d{1,2}) (\w{3}) (\d{2,4})")
_MARK = re.compile(re.escape("%%--%%"))
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_MAIL_HEADER = re.compile(
    r"(?:From |(?:Return-Path|Received|Date|From|To|Subject|Message-I[Dd]|MIME-Version|"
    r"Content-Type|Delivered-To|X-[\w-]+):)"
)


def sniff(head: str) -> bool:
    return _SNIFF.search(head.replace("\r\n", "\n")) is not None


def is_mail(head: str) -> bool:
    """A saved mail (`.eml`, mbox): header lines first."""
    return _MAIL_HEADER.match(head) is not None


def parse(text: str, source: str = "") -> Parsed:
    """The papers of a whole digest (a saved mail too: its text part is read)."""
    mail_date: str | None = None
    if is_mail(text):
        text, mail_date = _mail_body(text)
    reader = Reader(source, mail_date)
    reader.feed(text, last=True)
    return reader.parsed()


def parse_pieces(pieces: Iterable[str], source: str = "") -> Parsed:
    """`parse` of the text the `pieces` make when joined, one piece at a time, so a big digest
    is never one string (as text, one non-Latin-1 character makes every character of it take
    2 bytes). Each piece but the first must start on a line that starts with `arXiv:`. Not for
    a saved mail (see `is_mail`): its body is decoded as a whole."""
    reader = Reader(source)
    ahead = None
    for piece in pieces:
        if ahead is not None:
            reader.feed(ahead, last=False)
        ahead = piece
    reader.feed(ahead or "", last=True)
    return reader.parsed()


class Reader:
    """Entries read as text comes in. An entry belongs to the last digest header before it
    (its date), and is a replacement when it says so or when a `%%--%%` line lies between that
    header and it. The entry still open at the end of a piece is kept until the next piece
    closes it: a piece may end in the middle of its abstract."""

    def __init__(self, source: str, mail_date: str | None = None) -> None:
        self.source = source
        self.mail_date = mail_date
        self.papers: list[Paper] = []
        self.updates: list[Paper] = []
        self.untitled = 0
        self.date = mail_date
        """The date of the last header read (the mail's own date before any header)."""
        self.marked = False
        """A `%%--%%` line read since that header (or since the start)."""
        self.open: list[str] = []
        """The text from the start of the entry still open, as it came."""

    def feed(self, text: str, *, last: bool) -> None:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\xa0" in text:
            text = text.replace("\xa0", " ")
        if self.open:
            # Only the open entry's last lines and this piece can hold a new entry's start:
            # while none comes, the piece is kept, not joined to all before and searched again.
            held = self.open[-1]
            line = held.rfind("\n", 0, max(held.rfind("\n", 0, len(held) - 1), 0)) + 1
            if not last and _ENTRY.search(held[line:] + text) is None:
                self.open.append(text)
                return
            text = "".join(self.open) + text
        starts = list(_ENTRY.finditer(text))
        # What is read to the end: all of it at the end, else up to the entry still open.
        done = len(text) if last or not starts else starts[-1].start()
        headers = [(m.start(), _digest_date(m)) for m in _RECEIVED.finditer(text, 0, done)]
        header_starts = [p for p, _ in headers]
        marks = [m.start() for m in _MARK.finditer(text, 0, done)]
        for i, match in enumerate(starts):
            pos = match.start()
            if pos >= done:
                break
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            block = text[match.end() : end]
            at = bisect_left(header_starts, pos)  # headers before this entry
            if at:
                header_pos, date = headers[at - 1]
                date = date or self.mail_date
            else:
                header_pos, date = -1, self.date
            mark = bisect_left(marks, pos)  # the last %%--%% line before it, if after its header
            replaced = (
                block.startswith("replaced with")
                or (mark > 0 and marks[mark - 1] > header_pos)
                or (not at and self.marked)
            )
            self._add(_entry(match.group(1), block, self.source, date, replaced), replaced)
        if headers:
            self.date = headers[-1][1] or self.mail_date
            self.marked = bool(marks) and marks[-1] > headers[-1][0]
        else:
            self.marked = self.marked or bool(marks)
        self.open = [text[done:]] if done < len(text) else []

    def _add(self, paper: Paper | None, replaced: bool) -> None:
        if paper is None:
            self.untitled += 1
        elif replaced:
            self.updates.append(paper)
        else:
            self.papers.append(paper)

    def parsed(self) -> Parsed:
        warnings: list[str] = []
        if self.untitled:
            n = self.untitled
            warnings.append(f"skipped {n} entr{'y' if n == 1 else 'ies'} without a title")
        return Parsed(self.papers, warnings, self.updates)


def _mail_body(text: str) -> tuple[str, str | None]:
    import email
    import email.policy

    message = email.message_from_string(text, policy=email.policy.compat32)
    date = iso_date(message.get("Date"))
    parts = [message] if not message.is_multipart() else list(message.walk())
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return _decoded(payload, part.get_content_charset() or "utf-8"), date
    return text, date


def _decoded(payload: bytes, charset: str) -> str:
    """The body in the charset the mail names, or in UTF-8 when that names nothing Python
    decodes with replacement (unknown, `undefined`, `idna`, a NUL in the name)."""
    try:
        return payload.decode(charset, "replace")
    except (LookupError, ValueError):  # UnicodeError is a ValueError
        return payload.decode("utf-8", "replace")


def _digest_date(match: re.Match[str]) -> str | None:
    day, month, year = match.groups()
    if month not in _MONTHS:
        return None
    full = int(year) + (2000 if len(year) == 2 else 0)
    return f"{full:04d}-{_MONTHS[month]:02d}-{int(day):02d}"


def _entry(raw_id: str, block: str, source: str, date: str | None, replaced: bool) -> Paper | None:
    # The fields, then "\\", the abstract, and "\\ ( https://arxiv.org/abs/ID , 215kb)".
    close = block.find("\n\\\\ (")
    if close < 0 and block.startswith("\\\\ ("):
        close = 0
    body = block if close < 0 else block[:close]
    # Each field's lines, joined once at the end: adding each continuation line to the string
    # copies all the field holds so far, for every line.
    parts: dict[str, list[str]] = {}
    abstract = ""
    last = ""
    lines = body.split("\n")
    for n, line in enumerate(lines):
        if line.strip() == "\\\\":
            abstract = "\n".join(lines[n + 1 :])
            break
        if line[:1] in (" ", "\t") and last:
            parts[last].append(line.strip())
            continue
        found = _FIELD.fullmatch(line)
        if found:
            last = found.group(1).lower()
            parts[last] = [found.group(2).strip()]
        elif line.strip():
            last = ""
    fields = {name: " ".join(values) for name, values in parts.items()}
    title = fields.get("title", "")
    pid = arxiv_id(raw_id)
    links = [f"https://arxiv.org/abs/{pid}"] if pid else []
    if fields.get("doi"):
        links.append(f"https://doi.org/{fields['doi'].split()[0]}")
    comments = fields.get("comments", "")
    if "://" in comments:
        from papertray.store.links import extract_links

        # The code repo is often named in the comments ("Code: https://github.com/...").
        links = extract_links(comments) + links
    return make_paper(
        title=title,
        abstract=abstract,
        authors=split_authors(fields.get("authors", "")),
        arxiv=pid,
        links=links,
        source=source,
        unwrap_abstract=True,
        published=None if replaced else iso_date(fields.get("date", "").split("(")[0]),
        categories=fields.get("categories", "").split(),
        remarks=comments,
        digest_date=date,
    )
