"""Semantic Scholar, every response shape in the wild:

- Graph API (`api.semanticscholar.org/graph/v1`): a paper (`/paper/{id}`), a search or bulk
  search (`{"total", "data": [...]}`), a batch (`[paper, null, ...]`), citations
  (`{"data": [{"contexts", "citingPaper": {...}}]}`), references (`citedPaper`), an author's
  papers (`/author/{id}/papers`: `data`; `/author/{id}?fields=papers`: `{"authorId", "papers"}`);
- Recommendations (`/recommendations/v1`): `{"recommendedPapers": [...]}`;
- the retired v1 API (`api.semanticscholar.org/v1/paper/...`): `arxivId`, `doi`, `paperId`.

`externalIds.ArXiv` (or v1's `arxivId`) gives the arXiv id; `externalIds.DOI` (v1's `doi`) and
the paperId are kept as links, the paper's names for `store.identity`.
"""

from __future__ import annotations

from typing import Any

from papertray.store.formats._common import (
    Parsed,
    arxiv_id,
    iso_date,
    items,
    make_paper,
    mapping,
)
from papertray.store.formats.fields import int_field
from papertray.store.formats.markup import markup_to_text
from papertray.store.models import Paper

NAME = "s2"
_S2_PAPER = "https://www.semanticscholar.org/paper/"
# The keys that hold a paper inside a listed item: citations, references.
_NESTED = ("citingPaper", "citedPaper")


def sniff(head: str) -> bool:
    head = head[:8192]
    return '"paperId"' in head and (
        '"externalIds"' in head
        or '"corpusId"' in head.lower()
        or '"arxivId"' in head
        or '"title"' in head
    )


def records(doc: Any) -> list[Any]:
    """The paper records of a response, whatever its shape."""
    if isinstance(doc, list):
        found = doc
    elif isinstance(doc, dict):
        for key in ("recommendedPapers", "data", "papers"):
            if isinstance(doc.get(key), list):
                found = doc[key]
                break
        else:
            found = [doc]
    else:
        found = []
    out: list[Any] = []
    for record in found:
        if isinstance(record, dict):
            nested = next((record[k] for k in _NESTED if isinstance(record.get(k), dict)), None)
            out.append(nested if nested is not None else record)
    return out


def parse(doc: Any, source: str = "") -> Parsed:
    found = records(doc)
    papers = [p for p in (_paper(r, source) for r in found) if p is not None]
    warnings = []
    if len(papers) < len(found):
        warnings.append(f"skipped {len(found) - len(papers)} records without a title")
    return Parsed(papers, warnings)


def _paper(record: dict[str, Any], source: str) -> Paper | None:
    ids = mapping(record.get("externalIds"))
    paper_id = record.get("paperId")
    links = [record.get("url")]
    if isinstance(paper_id, str) and paper_id and not record.get("url"):
        links.append(_S2_PAPER + paper_id)
    pdf = record.get("openAccessPdf")
    if isinstance(pdf, dict):
        links.append(pdf.get("url"))
    doi = ids.get("DOI") or record.get("doi")
    if isinstance(doi, str) and doi:
        links.append(f"https://doi.org/{doi}")
    authors = [a.get("name", "") for a in items(record.get("authors")) if isinstance(a, dict)]
    year = int_field(record.get("year"))
    title = record.get("title")
    abstract = record.get("abstract")
    return make_paper(
        # Titles and abstracts from publishers hold JATS and MathML (`<inline-formula>`).
        title=markup_to_text(title) if isinstance(title, str) else "",
        abstract=markup_to_text(abstract, paragraphs=True) if isinstance(abstract, str) else "",
        authors=authors,
        arxiv=arxiv_id(ids.get("ArXiv") or record.get("arxivId")),
        links=links,
        source=source,
        published=iso_date(record.get("publicationDate")) or (str(year) if year else None),
        keywords=[f for f in items(record.get("fieldsOfStudy")) if isinstance(f, str)],
    )
