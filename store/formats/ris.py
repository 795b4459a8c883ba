"""RIS, the tagged format every reference manager exports (Zotero, Mendeley, EndNote, Web of
Science, publishers' "download citation"): one tag a line, each record from `TY  - ` to `ER  - `.

    TY  - JOUR
    TI  - Attention Is All You Need
    AU  - Vaswani, Ashish
    PY  - 2017
    AB  - The dominant sequence transduction models ...
    DO  - 10.48550/arXiv.1706.03762
    UR  - http://arxiv.org/abs/1706.03762
    ER  -

A tag is two characters (a capital, then a capital or digit), two spaces, a hyphen and a space
(RIS format specification, Research Information Systems; refman.com, 2011). A line that is not a
tag continues the value before it (EndNote writes keywords and addresses that way).
"""

from __future__ import annotations

import re

from papertray.store.formats._common import Parsed, arxiv_from_url, arxiv_id, make_paper
from papertray.store.models import Paper

NAME = "ris"
_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*)|\s*)$")
_SNIFF = re.compile(r"(?:\d+\.[ \t]*\r?\n\s*)?TY  - ?\S")
_ARXIV_NOTE = re.compile(r"arXiv:\s*((?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)")
_TITLE_TAGS = ("TI", "T1", "CT", "BT", "ST")  # ST: a short title, when it is all there is
_AUTHOR_TAGS = ("AU", "A1")
_ABSTRACT_TAGS = ("AB", "N2")
_DATE_TAGS = ("DA", "PY", "Y1")
_LINK_TAGS = ("UR", "L1", "L2", "LK")
_YEAR = re.compile(r"(\d{4})(?:/(\d{1,2})?(?:/(\d{1,2}))?)?")


def sniff(head: str) -> bool:
    """The text opens with a record's `TY  - ` line (rispy's examples number the records: a
    `1.` line before it)."""
    return _SNIFF.match(head.lstrip("\ufeff \t\r\n")[:256]) is not None


def parse(text: str, source: str = "") -> Parsed:
    records = _records(text.replace("\r\n", "\n").replace("\r", "\n"))
    papers: list[Paper] = []
    untitled = 0
    for record in records:
        paper = _paper(record, source)
        if paper is None:
            untitled += 1
        else:
            papers.append(paper)
    warnings = []
    if untitled:
        warnings.append(f"skipped {untitled} record(s) without a title")
    return Parsed(papers, warnings)


def _records(text: str) -> list[dict[str, list[str]]]:
    """Each record's values by tag. A value's lines are joined once, at the end: adding each
    continuation line to the value would copy all it holds so far, for every line."""
    records: list[dict[str, list[list[str]]]] = []
    current: dict[str, list[list[str]]] | None = None
    last: list[str] | None = None  # the lines of the value read last
    for line in text.split("\n"):
        found = _TAG.match(line)
        if found:
            tag, value = found.group(1), (found.group(2) or "").strip()
            if tag == "TY":
                current, last = {}, None
                records.append(current)
                continue
            if current is None:
                continue
            if tag == "ER":
                current, last = None, None
                continue
            last = [value]
            current.setdefault(tag, []).append(last)
        elif current is not None and last is not None and line.strip():
            last.append(line.strip())
    return [
        {tag: ["\n".join(lines) for lines in values] for tag, values in record.items()}
        for record in records
    ]


def _first(record: dict[str, list[str]], tags: tuple[str, ...]) -> str:
    for tag in tags:
        for value in record.get(tag, []):
            if value.strip():
                return value
    return ""


def _date(record: dict[str, list[str]]) -> str | None:
    """RIS dates are `YYYY/MM/DD/other` with any part empty (`2014//`, `1948/07//`)."""
    for tag in _DATE_TAGS:
        for value in record.get(tag, []):
            found = _YEAR.match(value.strip())
            if found:
                year, month, day = found.groups()
                if month and day:
                    return f"{year}-{int(month):02d}-{int(day):02d}"
                return f"{year}-{int(month):02d}" if month else year
    return None


def _name(raw: str) -> str:
    """ "Vaswani, Ashish" -> "Ashish Vaswani"; RIS may add a suffix ("Smith, John, Jr.")."""
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) >= 2 and parts[0] and parts[1]:
        return " ".join([parts[1], parts[0], *parts[2:]]).strip()
    return " ".join(raw.split())


def _paper(record: dict[str, list[str]], source: str) -> Paper | None:
    title = " ".join(_first(record, _TITLE_TAGS).split())
    links = [
        url.strip()
        for tag in _LINK_TAGS
        for value in record.get(tag, [])
        for url in re.split(r"[;\n]\s*|\s+(?=https?://)", value)
        if url.strip().startswith(("http://", "https://"))
    ]
    doi = _first(record, ("DO", "DI")).strip()
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    if doi:
        links.append(f"https://doi.org/{doi}")
    pid = next(filter(None, map(arxiv_from_url, links)), None)
    if pid is None:
        # Zotero writes the arXiv id in notes and the accession number: "arXiv:1706.03762 [cs]".
        for tag in ("AN", "N1", "M1", "M3", "J2", "T2", "JO"):
            found = _ARXIV_NOTE.search(" ".join(record.get(tag, [])))
            if found:
                pid = arxiv_id(found.group(1))
                break
    authors = [_name(a) for tag in _AUTHOR_TAGS for a in record.get(tag, []) if a.strip()]
    keywords = [
        k.strip() for value in record.get("KW", []) for k in re.split(r"[;\n]", value) if k.strip()
    ]
    return make_paper(
        title=title,
        abstract=_first(record, _ABSTRACT_TAGS),
        authors=authors,
        arxiv=pid,
        links=links,
        source=source,
        unwrap_abstract=True,
        published=_date(record),
        keywords=keywords,
    )
