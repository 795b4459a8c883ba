"""Semantic Scholar Graph API: a paper (`/paper/{id}`) or a search (`/paper/search`:
`{"total", "data": [...]}`); `externalIds.ArXiv` gives the arXiv id."""

from __future__ import annotations

from typing import Any

from papertray.store.formats._common import (
    Parsed,
    arxiv_id,
    iso_date,
    items,
    make_paper,
    parse_listing,
)
from papertray.store.models import Paper

NAME = "s2"


def sniff(head: str) -> bool:
    head = head[:8192]
    return '"paperId"' in head and ('"externalIds"' in head or '"corpusId"' in head.lower())


def parse(doc: Any, source: str = "") -> Parsed:
    return parse_listing(doc, "data", lambda record: _paper(record, source), "records")


def _paper(record: dict[str, Any], source: str) -> Paper | None:
    found = record.get("externalIds")
    ids: dict[str, Any] = found if isinstance(found, dict) else {}
    links = [record.get("url")]
    pdf = record.get("openAccessPdf")
    if isinstance(pdf, dict):
        links.append(pdf.get("url"))
    doi = ids.get("DOI")
    if isinstance(doi, str):
        links.append(f"https://doi.org/{doi}")
    authors = [a.get("name", "") for a in items(record.get("authors")) if isinstance(a, dict)]
    year = record.get("year")
    return make_paper(
        title=record.get("title", ""),
        abstract=record.get("abstract") or "",
        authors=authors,
        arxiv=arxiv_id(ids.get("ArXiv")),
        links=links,
        source=source,
        published=iso_date(record.get("publicationDate")) or (str(year) if year else None),
        keywords=[f for f in items(record.get("fieldsOfStudy")) if isinstance(f, str)],
    )
