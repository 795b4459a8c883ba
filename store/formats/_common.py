"""What the format modules share: building a clean `Paper` from the fields a source gives, and
the result they hand back to `store.ingest`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# The arXiv id of a URL or an arXiv DOI: written once in fields.py, the formats take it from here.
from papertray.store.formats.fields import arxiv_from_url as arxiv_from_url
from papertray.store.formats.fields import normalize_arxiv_id
from papertray.store.formats.latex import has_latex, latex_to_text
from papertray.store.links import clean_url, extract_links, order_links
from papertray.store.models import Paper, paper_id, title_key
from papertray.store.sanitize import clean_text

_SEQ: Any = tuple  # what Paper's sequence fields hold
_FIELDS = frozenset(Paper._fields)


@dataclass
class Parsed:
    """What a format module returns."""

    papers: list[Paper]
    warnings: list[str] = field(default_factory=list)
    updates: list[Paper] = field(default_factory=list)
    """Entries that only revise papers that may be in the library (arXiv replacements): they
    update those and are otherwise skipped."""
    note: str = ""
    """Said instead of "no papers found" when an input legitimately holds none."""


# "arXiv:2403.12345v2" -> "2403.12345": the records parsers' rule, written once in fields.py.
arxiv_id = normalize_arxiv_id


def text(value: Any, *, multiline: bool = False, tex: bool = True) -> str:
    """A clean one-line (or paragraph) text, LaTeX read as Unicode (unless not `tex`: a text
    already read, whose `\\` is the character)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return ""
    cleaned = clean_text(value, multiline=multiline)
    if tex and has_latex(cleaned):
        converted = latex_to_text(cleaned)
        if converted != cleaned:
            return clean_text(converted, multiline=multiline)
    return cleaned


def unwrap(value: Any, *, tex: bool = True) -> str:
    """Hard-wrapped text (an Atom summary, an email abstract) as one paragraph."""
    if isinstance(value, str):
        # The usual text: its words, joined, are printable (so it held no control character
        # `clean_text` would delete: each is neither printable nor whitespace) and hold no TeX.
        joined = " ".join(value.split())
        if joined.isprintable() and not (tex and has_latex(joined)):
            return joined
    return " ".join(text(value, multiline=True, tex=tex).split())


_MAIL_DATE = re.compile(r"(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) \d\d:\d\d")
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_AUTHOR_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*")
_PARENS = re.compile(r"\s*\([^()]*(?:\([^()]*\)[^()]*)*\)")


def split_authors(value: str) -> list[str]:
    """ "A. One, B. Two, and C. Three (1) ((1) Uni)" -> ["A. One", "B. Two", "C. Three"]."""
    value = _PARENS.sub("", text(value))
    return [name for name in (n.strip() for n in _AUTHOR_SPLIT.split(value)) if name]


def iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    mail = _MAIL_DATE.match(value)  # "Mon, 5 Feb 2024 14:20:19 GMT": most dates of a mail
    if mail and mail.group(2) in _MONTHS:
        return f"{mail.group(3)}-{_MONTHS[mail.group(2)]:02d}-{int(mail.group(1)):02d}"
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def make_paper(
    *,
    title: Any,
    abstract: Any = "",
    authors: Iterable[str] = (),
    arxiv: str | None = None,
    links: Iterable[Any] = (),
    source: str = "",
    unwrap_abstract: bool = False,
    tex: bool = True,
    **extra: Any,
) -> Paper | None:
    """A paper from raw fields, or None when its title is no title at all (empty, or only
    punctuation: `---`, `}`, `|---|`). Links are the given ones (a field's own repo first)
    followed by those found in the abstract. `tex` False: the fields were read as TeX already
    (BibTeX), so a backslash in them is the character."""
    clean_title = unwrap(title, tex=tex)
    if not clean_title or not title_key(clean_title):
        return None
    body = unwrap(abstract, tex=tex) if unwrap_abstract else text(abstract, multiline=True, tex=tex)
    found: list[str] = [u for u in map(_url, links) if u]
    if "://" in body:
        found += extract_links(body)
    ordered, repo = order_links(found) if found else ([], None)
    names = [n for n in (text(a, tex=tex) for a in authors) if n]
    data: dict[str, Any] = {
        "id": paper_id(arxiv_id=arxiv, title=clean_title),
        "title": clean_title,
        "abstract": body,
        "authors": _SEQ(names),
        "links": _SEQ(ordered),
        "repo": repo,
        "source": source,
        "arxiv_id": arxiv,
    }
    for key, value in extra.items():
        if key not in _FIELDS:
            continue
        # The extra fields are untrusted text as much as the title: cleaned here, once for
        # every format, so no stored field holds a control character.
        if isinstance(value, str):
            value = clean_text(value)
        elif isinstance(value, (list, tuple)):
            # Keywords and categories come as any JSON value: each is cleaned like a title.
            value = _SEQ(k for k in (text(v, tex=tex) for v in value) if k)
        if value not in (None, "", ()):
            data[key] = value
    return Paper(**data)


def _url(value: Any) -> str | None:
    return clean_url(value) if isinstance(value, str) and value else None


def items(value: Any) -> list[Any]:
    """`value` if it is a list, else none: a record written by anyone may hold `true` or a
    string where a list belongs."""
    return value if isinstance(value, list) else []


def mapping(value: Any) -> dict[str, Any]:
    """`value` if it is an object, else an empty one (see `items`)."""
    return value if isinstance(value, dict) else {}


def parse_listing(
    doc: Any, key: str, make: Callable[[dict[str, Any]], Paper | None], noun: str
) -> Parsed:
    """The papers of an API response that lists its records under `key` (or is a list of
    them, or one record), with a warning for the records that gave none."""
    if isinstance(doc, dict) and isinstance(doc.get(key), list):
        records = doc[key]
    elif isinstance(doc, list):
        records = doc
    else:
        records = [doc]
    papers = keep(make(r) for r in records if isinstance(r, dict))
    warnings = []
    if len(papers) < len(records):
        warnings.append(f"skipped {len(records) - len(papers)} {noun} without a title")
    return Parsed(papers, warnings)


def keep(papers: Iterable[Paper | None]) -> list[Paper]:
    return [p for p in papers if p is not None]
