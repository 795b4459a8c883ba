"""arXiv as a `papertray fetch` source: the day's RSS announcement of some categories
(`arxiv_rss_source`, `fetch_arxiv_rss`) and a search through the API (`arxiv_query_source`,
`fetch_arxiv_query`, paced at arXiv's one request every 3 seconds)."""

from __future__ import annotations

from collections.abc import Sequence

from papertray.store import limits
from papertray.store.arxiv_taxonomy import category_problem
from papertray.store.fetch_common import (
    ARXIV_PAGE_SIZE,
    Fetched,
    Progress,
    Source,
    SourceError,
    as_int,
    check_xml,
    dedupe,
    endpoints,
    parse_papers,
)
from papertray.store.models import Paper
from papertray.store.net import Client, Response
from papertray.store.net_errors import LimitReached
from papertray.store.sanitize import quoted

__all__ = ["arxiv_query_source", "arxiv_rss_source", "fetch_arxiv_query", "fetch_arxiv_rss"]

def arxiv_rss_source(categories: Sequence[str]) -> Source:
    """The day's announcement of these categories (new and cross-listed papers; replacements
    only update papers already in the library)."""
    cats = _categories(categories)
    return Source(
        "arxiv-rss",
        f"arxiv {' '.join(cats)}",
        tuple(("cat", c) for c in cats),
        None,
        f"no announcement for {' '.join(cats)} today (arXiv announces nothing on weekends and "
        "holidays)",
    )


def arxiv_query_source(query: str, max_results: int = 50) -> Source:
    query = " ".join(query.split())
    if not query:
        raise SourceError("--query wants a search, e.g. 'ti:transformer AND cat:cs.CL'")
    if not 1 <= max_results <= limits.MAX_QUERY_RESULTS:
        raise SourceError(f"--max wants 1 to {limits.MAX_QUERY_RESULTS}, not {max_results}")
    return Source(
        "arxiv-query",
        f"arxiv query {query!r}",
        (("q", query), ("max", str(max_results))),
        None,
        f"no papers match {query!r}",
    )


def _categories(categories: Sequence[str]) -> list[str]:
    cats = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    if not cats:
        raise SourceError("name at least one arXiv category, e.g. cs.CL")
    for cat in cats:
        problem = category_problem(cat)
        if problem is not None:
            shown = quoted(cat, 40)
            raise SourceError(f"'{shown}': {problem} (arxiv.org/category_taxonomy lists them)")
    return cats


def fetch_arxiv_rss(
    client: Client, source: Source, fetched: Fetched, conditional: bool, say: Progress
) -> None:
    cats = "+".join(v for _k, v in source.params)
    url = f"{endpoints()['arxiv_rss']}/{cats}"
    say(f"{source.label}: the announcement")
    try:
        response = client.get(
            url, conditional=conditional, accept="application/rss+xml, application/xml"
        )
    except LimitReached as limit:
        fetched.stop(str(limit))  # no page yet: a failure, in one line
        return
    if response.not_modified:
        fetched.page(response, ".xml")
        fetched.not_modified = True
        fetched.unchanged = as_int(client.cache.get(response.request_url).get("items"))
        return
    check_xml(response, "the arXiv feed")
    fetched.page(response, ".xml")
    announce = _rss_announce_types(response)
    fetched.replacements = {
        f"arxiv:{aid}" for aid, kind in announce.items() if kind.startswith("replace")
    }
    fetched.notes[response.request_url] = {"items": len(announce)}
    if not announce:
        fetched.empty = True
        return
    fetched.papers = parse_papers(response.content, "arxiv-rss", source, url, fetched.warnings)


def fetch_arxiv_query(
    client: Client, source: Source, fetched: Fetched, say: Progress, interval: float
) -> None:
    params = dict(source.params)
    query, wanted = params["q"], int(params["max"])
    url = endpoints()["arxiv_api"]
    papers: list[Paper] = []
    start = 0
    while start < wanted:
        size = min(ARXIV_PAGE_SIZE, wanted - start)
        say(f"{source.label}: results {start + 1}-{start + size}")
        try:
            response = client.get(
                url,
                {"search_query": query, "start": start, "max_results": size},
                conditional=False,
                accept="application/atom+xml, application/xml",
                min_interval=interval,
            )
        except LimitReached as limit:
            fetched.stop(str(limit))
            break
        check_xml(response, "the arXiv API")
        fetched.page(response, ".xml")
        total, count = _atom_counts(response)
        if count == 0:
            break
        papers += parse_papers(response.content, "arxiv-atom", source, url, fetched.warnings)
        start += count
        if count < size or (total is not None and start >= total):
            break
    if not papers:
        fetched.empty = True
        return
    fetched.papers = dedupe(papers)


def _rss_announce_types(response: Response) -> dict[str, str]:
    """arXiv id -> announce type (new, cross, replace, replace-cross) of each item."""
    import xml.etree.ElementTree as ET

    from papertray.store.formats.fields import normalize_arxiv_id

    root = ET.fromstring(response.content)
    found: dict[str, str] = {}
    for item in root.iter("item"):
        link = item.findtext("link") or ""
        guid = item.findtext("guid") or ""
        aid = normalize_arxiv_id(link.rsplit("/", 1)[-1]) or normalize_arxiv_id(
            guid.removeprefix("oai:arXiv.org:")
        )
        kind = item.findtext("{http://arxiv.org/schemas/atom}announce_type") or "new"
        if aid:
            found[aid] = kind.strip().lower()
    return found


def _atom_counts(response: Response) -> tuple[int | None, int]:
    """(totalResults, entries on this page) of an arXiv API answer."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(response.content)
    total = root.findtext("{http://a9.com/-/spec/opensearch/1.1/}totalResults")
    entries = len(root.findall("{http://www.w3.org/2005/Atom}entry"))
    return (int(total) if total and total.strip().isdigit() else None), entries
