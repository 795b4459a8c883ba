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
from papertray.store.formats.fields import arxiv_version_of
from papertray.store.formats.markup import markup_to_text, xml_root
from papertray.store.models import Paper
from papertray.store.sanitize import quoted

ATOM, RSS, FEED = "arxiv-atom", "arxiv-rss", "rss"
_DECLARED = re.compile(r"""(\A\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")
_ANNOUNCE = re.compile(
    r"^\s*arXiv:(\S+)\s+Announce Type:\s*([\w-]+)\s*(?:Abstract:\s*)?", re.I | re.S
)


def sniff(head: str) -> str | None:
    """Which feed this is, from its root element; None if it is not a feed. Atom 1.0 and 0.3
    (`<feed xmlns="http://purl.org/atom/ns#">`), RSS 0.9x-2.0 (`<rss>`, with a prefix too:
    `<r:rss>`), RSS 1.0 (`<rdf:RDF>` holding `<channel>`, as arXiv served until 2024) and CDF
    (`<CHANNEL>`) are feeds: feedparser reads them all."""
    found = xml_root(head)
    if found is None:
        return None
    name, attributes = found
    local = name.rsplit(":", 1)[-1].lower()
    lowered = head[:8192].lower()
    if local == "feed":
        namespaces = attributes.lower()
        if "w3.org/2005/atom" not in namespaces and "purl.org/atom/ns" not in namespaces:
            return None
        return ATOM if "arxiv.org/api" in lowered or "arxiv.org/schemas/atom" in lowered else FEED
    if local == "rdf" and "<channel" not in lowered and "purl.org/rss/1.0" not in lowered:
        return None  # RDF of some other kind
    if local in ("rss", "rdf", "channel"):
        return RSS if _is_arxiv(lowered) else FEED
    return None


def _is_arxiv(lowered: str) -> bool:
    """arXiv's own RSS: rss.arxiv.org (2024-), or the RSS 1.0 feeds before it, whose channel is
    "cs.CL updates on arXiv.org"."""
    return "arxiv.org" in lowered and (
        "rss.arxiv.org" in lowered or "updates on arxiv.org" in lowered
    )


def parse(text: str, source: str = "", kind: str = FEED, data: bytes | None = None) -> Parsed:
    """The papers of a feed. `data`, the bytes as read, is what feedparser is given when there
    are some: it honours the byte-order mark and the XML declaration's encoding itself."""
    import feedparser  # slow to import: only for feeds

    if data is None:
        # UTF-8 now, whatever the declaration said when the text was still bytes.
        data = _DECLARED.sub(r"\1utf-8\2", text, count=1).encode("utf-8")
    try:
        # A file object, never the string: feedparser fetches a string that looks like a URL
        # and opens one that names a file.
        feed: Any = feedparser.parse(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - feedparser's own errors on a hostile feed
        # (`chr()` of an out-of-range character reference, feedparser's illformed tests):
        # the file is unreadable, papertray is not broken.
        from papertray.store.formats.common import IngestError

        raise IngestError(f"not a readable feed: {_reason(err)}") from None
    entries = list(feed.entries)
    if not entries:
        if feed.get("bozo") and not feed.get("feed"):
            from papertray.store.formats.common import IngestError

            raise IngestError(f"not a readable feed: {_reason(feed.get('bozo_exception'))}")
        channel = quoted(feed.get("feed", {}).get("title") or "the feed", 100)
        if kind == RSS:
            return Parsed([], note=f"{channel} has no entries (arXiv announces none on weekends)")
        return Parsed([], note=f"{channel} has no entries")
    papers = keep(_paper(entry, source, kind) for entry in entries)
    warnings = []
    if len(papers) < len(entries):
        warnings.append(f"skipped {len(entries) - len(papers)} entries without a title")
    return Parsed(papers, warnings)


def _reason(error: Any) -> str:
    return quoted(str(error).splitlines()[0], 200) if error and str(error) else "no entries"


# An RSS 1.0 arXiv title ends with its id and category: "Title. (arXiv:2001.01582v1 [cs.LG])",
# "... [cs.CL] UPDATED)", "... [cs.LG] CROSS LISTED)".
_TITLE_ID = re.compile(r"\.?\s*\(arXiv:(\S+?)\s+\[([\w.-]+)\](?:\s+[A-Z][A-Z ]*)?\)\s*$")


def _title(raw: str) -> str:
    return markup_to_text(raw)


def _paper(entry: Any, source: str, kind: str) -> Paper | None:
    links = [link.get("href") for link in entry.get("links", []) if link.get("href")]
    if entry.get("link"):
        links.insert(0, entry.get("link"))
    ident = entry.get("id", "") or ""
    declared = mapping(entry.get("summary_detail")).get("type") == "text/html"
    abstract = markup_to_text(entry.get("summary", "") or "", paragraphs=True, html=declared)
    title = _title(entry.get("title", "") or "")
    pid = arxiv_from_url(ident) or next(filter(None, map(arxiv_from_url, links)), None)
    tags = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
    arxiv_shaped = kind != FEED
    suffix = _TITLE_ID.search(title)
    if suffix:
        pid = arxiv_id(suffix.group(1)) or pid
        if suffix.group(2) not in tags:
            tags.insert(0, suffix.group(2))
        title = title[: suffix.start()]
        arxiv_shaped = True
    # arXiv's RSS, and a feed reader's re-export of it: "arXiv:2401.01234v1 Announce Type: new
    # Abstract: ..." opens the description.
    found = _ANNOUNCE.match(abstract)
    if found:
        pid = arxiv_id(found.group(1)) or pid
        abstract = abstract[found.end() :]
        arxiv_shaped = True
    authors = [_title(a.get("name", "")) for a in entry.get("authors", []) if a.get("name")]
    if arxiv_shaped and len(authors) <= 1 and entry.get("author"):
        # dc:creator is one string, "A. One, B. Two", or in RSS 1.0 links to each author's
        # arXiv listing: "<a href=...>A. One</a>, <a href=...>B. Two</a>".
        authors = split_authors(_title(entry.get("author")))
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
        title=title,
        abstract=abstract,
        authors=authors,
        arxiv=pid,
        links=links,
        source=source,
        unwrap_abstract=arxiv_shaped,
        published=iso_date(entry.get("published") or entry.get("updated")),
        categories=tags if arxiv_shaped else [],
        remarks=comment,
        arxiv_version=arxiv_version_of(ident) or arxiv_version_of(suffix and suffix.group(1)),
    )


def _strip_html(markup: str) -> str:
    """HTML as one paragraph of text (a JSON Feed's `content_html`)."""
    return markup_to_text(markup, html=True)
