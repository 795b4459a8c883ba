"""A CSV table of papers with a header row: Zotero's "Export Collection... > CSV", and
papertray's own `list --format csv`.

    "Key","Item Type","Publication Year","Author","Title","Publication Title","ISBN","ISSN",
    "DOI","Url","Abstract Note","Date",...,"Extra","Notes",...,"Manual Tags","Automatic Tags"

Zotero writes authors as "Family, Given; Family, Given", tags separated by "; ", and an arXiv
preprint's id in `Extra` ("arXiv: 1706.03762") or its `Url`. A column is found by its name in
any case; a table without a Title column and at least one of the columns only a bibliography has
(Author, Abstract, DOI) is some other table, not papers.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from papertray.store.formats._common import Parsed, arxiv_from_url, arxiv_id, make_paper
from papertray.store.models import Paper

NAME = "csv"
_TITLE = ("title",)
_AUTHORS = ("author", "authors", "creators")
_ABSTRACT = ("abstract note", "abstract", "summary")
_DATE = ("date", "publication year", "year", "published")
_URL = ("url", "link", "links")
_DOI = ("doi",)
_TAGS = ("manual tags", "keywords")
_EXTRA = ("extra", "notes", "id", "arxiv id", "arxiv_id")

_PAPER_COLUMNS = frozenset(_AUTHORS + _ABSTRACT + _DOI + ("item type",))
_ARXIV_NOTE = re.compile(
    r"(?:arXiv[:\s]+|^)((?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)\b", re.I
)


def _header(head: str) -> list[str] | None:
    line = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if "," not in line or len(line) > 4096:
        return None
    try:
        row = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None
    return [cell.strip().lower() for cell in row]


def sniff(head: str) -> bool:
    """The first line is a header with a Title column and one only a bibliography has."""
    columns = _header(head)
    return (
        columns is not None
        and len(columns) >= 3
        and "title" in columns
        and bool(_PAPER_COLUMNS.intersection(columns))
    )


def parse(text: str, source: str = "") -> Parsed:
    from papertray.store.formats.common import IngestError

    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        rows = list(reader)
    except csv.Error as err:
        raise IngestError(f"not a readable CSV table: {err}") from None
    if not rows:
        raise IngestError("not a CSV table of papers: no header row")
    columns = [cell.strip().lower() for cell in rows[0]]
    if "title" not in columns:
        raise IngestError("not a CSV table of papers: no Title column")
    papers: list[Paper] = []
    untitled = 0
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        record = {name: value for name, value in zip(columns, row, strict=False) if value}
        paper = _paper(record, source)
        if paper is None:
            untitled += 1
        else:
            papers.append(paper)
    warnings = []
    if untitled:
        warnings.append(f"skipped {untitled} row(s) without a title")
    return Parsed(papers, warnings)


def _get(record: dict[str, str], names: tuple[str, ...]) -> str:
    return next((record[n] for n in names if record.get(n, "").strip()), "")


def _name(raw: str) -> str:
    """ "Vaswani, Ashish" -> "Ashish Vaswani"."""
    family, _, given = raw.partition(",")
    return f"{given.strip()} {family.strip()}".strip() if given.strip() else raw.strip()


def _paper(record: dict[str, str], source: str) -> Paper | None:
    urls = [u for u in re.split(r"[\s;]+", _get(record, _URL)) if u.startswith("http")]
    doi = _get(record, _DOI).strip()
    if doi:
        urls.append(doi if doi.startswith("http") else f"https://doi.org/{doi}")
    pid = next(filter(None, map(arxiv_from_url, urls)), None)
    if pid is None:
        # Zotero's Extra ("arXiv: 1706.03762"), papertray's own id column ("arxiv:1706.03762").
        found = next(filter(None, (_ARXIV_NOTE.search(record.get(n, "")) for n in _EXTRA)), None)
        pid = arxiv_id(found.group(1)) if found else None
    names = _get(record, _AUTHORS)
    authors = [_name(a) for a in names.split(";") if a.strip()] if names else []
    date = _get(record, _DATE).strip()
    found_date = re.match(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", date)
    tags: list[Any] = [t.strip() for t in re.split(r";", _get(record, _TAGS)) if t.strip()]
    return make_paper(
        title=_get(record, _TITLE),
        abstract=_get(record, _ABSTRACT),
        authors=authors,
        arxiv=pid,
        links=urls,
        source=source,
        unwrap_abstract=True,
        published=found_date.group(0) if found_date else None,
        keywords=tags,
    )
