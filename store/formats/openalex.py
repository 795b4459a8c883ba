"""OpenAlex works (`api.openalex.org/works`): `{"results": [work, ...]}` or one work. The
abstract comes as `abstract_inverted_index` (word -> positions) and is put back in order."""

from __future__ import annotations

from typing import Any

from papertray.store.formats._common import (
    Parsed,
    arxiv_from_url,
    iso_date,
    items,
    make_paper,
    mapping,
    parse_listing,
)
from papertray.store.formats.markup import markup_to_text
from papertray.store.models import Paper

NAME = "openalex"


def sniff(head: str) -> bool:
    return "openalex.org/W" in head[:8192]


def parse(doc: Any, source: str = "") -> Parsed:
    return parse_listing(doc, "results", lambda record: _paper(record, source), "works")


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def abstract_from_index(index: Any) -> str:
    if not isinstance(index, dict):
        return ""
    placed: list[tuple[int, str]] = []
    for word, positions in index.items():
        if isinstance(word, str) and isinstance(positions, list):
            placed.extend((p, word) for p in positions if isinstance(p, int) and 0 <= p < 100_000)
    return " ".join(word for _, word in sorted(placed))


def _paper(work: dict[str, Any], source: str) -> Paper | None:
    links: list[Any] = []
    for location in [work.get("primary_location"), *items(work.get("locations"))]:
        if isinstance(location, dict):
            links += [location.get("landing_page_url"), location.get("pdf_url")]
    doi = work.get("doi")
    links.append(doi)
    found = work.get("ids")
    ids: dict[str, Any] = found if isinstance(found, dict) else {}
    links = list(dict.fromkeys(u for u in links if isinstance(u, str)))
    authors = [
        mapping(a.get("author")).get("display_name", "")
        for a in items(work.get("authorships"))
        if isinstance(a, dict)
    ]
    return make_paper(
        # Titles come from Crossref with their publisher's HTML: "CO<sub>2</sub> capture".
        title=markup_to_text(_string(work.get("title") or work.get("display_name"))),
        abstract=abstract_from_index(work.get("abstract_inverted_index")),
        authors=authors,
        arxiv=next(filter(None, map(arxiv_from_url, [*links, ids.get("doi")])), None),
        links=links,
        source=source,
        published=iso_date(work.get("publication_date")),
        keywords=[
            k.get("display_name", "") for k in items(work.get("keywords")) if isinstance(k, dict)
        ],
    )
