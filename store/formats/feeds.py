"""Atom and RSS through feedparser: the arXiv API's Atom (`export.arxiv.org/api/query`), arXiv's
RSS (`rss.arxiv.org/rss/cs.CL`), and any other feed of papers (`rss`: titles, links, summaries).

    <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry><id>http://arxiv.org/abs/2606.13677v1</id><title>Mana: ...</title> ...
"""

from __future__ import annotations

import io
import re
from typing import Any

from papertray.store.formats._common import (
    Parsed,
    arxiv_from_url,
    arxiv_id,
    iso_date,
    keep,
    make_paper,
    mapping,
    split_authors,
)
from papertray.store.models import Paper
from papertray.store.sanitize import quoted

ATOM, RSS, FEED = "arxiv-atom", "arxiv-rss", "rss"
_ANNOUNCE = re.compile(
    r"^\s*arXiv:(\S+)\s+Announce Type:\s*([\w-]+)\s*(?:Abstract:\s*)?", re.I | re.S
)


def sniff(head: str) -> str | None:
    """Which feed this is, from its first bytes; None if it is not a feed."""
    start = head.lstrip()[:4096]
    if not start.startswith("<"):
        return None
    lowered = start.lower()
    if "<feed" in lowered and "http://www.w3.org/2005/atom" in lowered:
        return ATOM if "arxiv.org/api" in lowered or "arxiv.org/schemas/atom" in lowered else FEED
    if "<rss" in lowered or "<rdf:rdf" in lowered:
        return (
            RSS
            if "arxiv.org" in lowered
            and "<channel>" in lowered
            and ("rss.arxiv.org" in lowered or "updates on arxiv.org" in lowered)
            else FEED
        )
    return None


def parse(text: str, source: str = "", kind: str = FEED) -> Parsed:
    import feedparser  # ~60 ms to import: only for feeds

    # A file object, never the string: feedparser fetches a string that looks like a URL and
    # opens one that names a file.
    feed: Any = feedparser.parse(io.BytesIO(text.encode("utf-8")))
    entries = list(feed.entries)
    if not entries:
        if feed.get("bozo") and not feed.get("feed"):
            from papertray.store.formats.common import IngestError

            raise IngestError(f"not a readable feed: {_reason(feed.get('bozo_exception'))}")
        channel = quoted(feed.get("feed", {}).get("title") or "the feed", 100)
        return Parsed([], note=f"{channel} has no entries (arXiv announces none on weekends)")
    papers = keep(_paper(entry, source, kind) for entry in entries)
    warnings = []
    if len(papers) < len(entries):
        warnings.append(f"skipped {len(entries) - len(papers)} entries without a title")
    return Parsed(papers, warnings)


def _reason(error: Any) -> str:
    return quoted(str(error).splitlines()[0], 200) if error and str(error) else "no entries"


def _paper(entry: Any, source: str, kind: str) -> Paper | None:
    links = [link.get("href") for link in entry.get("links", []) if link.get("href")]
    if entry.get("link"):
        links.insert(0, entry.get("link"))
    ident = entry.get("id", "") or ""
    abstract = entry.get("summary", "") or ""
    pid = arxiv_from_url(ident) or next(filter(None, map(arxiv_from_url, links)), None)
    authors = [a.get("name", "") for a in entry.get("authors", []) if a.get("name")]
    if kind == RSS:
        found = _ANNOUNCE.match(abstract)
        if found:
            pid = arxiv_id(found.group(1)) or pid
            abstract = abstract[found.end() :]
        # dc:creator is one string: "A. One, B. Two"
        if len(authors) <= 1 and entry.get("author"):
            authors = split_authors(entry.get("author"))
    elif kind == FEED and "<" in abstract:
        abstract = _strip_html(abstract)
    tags = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
    primary = mapping(entry.get("arxiv_primary_category")).get("term")
    if primary in tags:
        tags.remove(primary)
        tags.insert(0, primary)
    doi = entry.get("arxiv_doi")
    if doi:
        links.append(f"https://doi.org/{doi}")
    comment = entry.get("arxiv_comment") or ""
    if "://" in comment:
        from papertray.store.links import extract_links

        links = extract_links(comment) + links
    return make_paper(
        title=entry.get("title", ""),
        abstract=abstract,
        authors=authors,
        arxiv=pid,
        links=links,
        source=source,
        unwrap_abstract=kind != FEED,
        published=iso_date(entry.get("published") or entry.get("updated")),
        keywords=tags if kind != FEED else [],
    )


def _strip_html(markup: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    reader = _Text()
    reader.feed(markup)
    reader.close()
    return " ".join("".join(parts).split())
