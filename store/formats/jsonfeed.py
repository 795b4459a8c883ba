"""JSON Feed (jsonfeed.org): `{"version": "https://jsonfeed.org/version/1", "items": [{"id",
"url", "title", "content_text" | "content_html" | "summary", "authors", "date_published"}]}`."""

from __future__ import annotations

from typing import Any

from papertray.store.formats._common import (
    Parsed,
    arxiv_from_url,
    iso_date,
    items,
    keep,
    make_paper,
)
from papertray.store.models import Paper

NAME = "jsonfeed"


def sniff(head: str) -> bool:
    return "jsonfeed.org/version" in head[:4096]


def parse(doc: Any, source: str = "") -> Parsed:
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        from papertray.store.formats.common import IngestError

        raise IngestError("not a JSON Feed: no items list")
    papers = keep(_paper(item, source) for item in items if isinstance(item, dict))
    if papers:
        from papertray.store.formats.refuse import is_paper, message

        if not any(map(is_paper, papers)):
            from papertray.store.formats.common import IngestError

            title = doc.get("title")
            named = f" ({' '.join(title.split())[:60]})" if isinstance(title, str) and title else ""
            raise IngestError(
                message(
                    f"a JSON Feed{named} whose items are not papers (no paper ids, abstracts "
                    "or links to papers: a blog or an issue tracker?)"
                )
            )
    warnings = []
    if len(papers) < len(items):
        warnings.append(f"skipped {len(items) - len(papers)} items without a title")
    return Parsed(papers, warnings)


def _paper(item: dict[str, Any], source: str) -> Paper | None:
    urls = [u for u in (item.get("url"), item.get("external_url"), item.get("id")) if u]
    abstract = item.get("content_text") or item.get("summary") or ""
    if not abstract and isinstance(item.get("content_html"), str):
        from papertray.store.formats.feeds import _strip_html

        abstract = _strip_html(item["content_html"])
    people = items(item.get("authors")) or (
        [item["author"]] if isinstance(item.get("author"), dict) else []
    )
    authors = [a.get("name", "") for a in people if isinstance(a, dict)]
    return make_paper(
        title=item.get("title", ""),
        abstract=abstract,
        authors=authors,
        arxiv=next(filter(None, map(arxiv_from_url, urls)), None),
        links=urls,
        source=source,
        published=iso_date(item.get("date_published")),
        keywords=[t for t in items(item.get("tags")) if isinstance(t, str)],
    )
