"""`papertray fetch`: the Hugging Face daily papers and the arXiv announcements, imported through
the same ingest as a file.

A `Source` says what to ask for; `fetch_source` asks (every page of it) and parses, holding
everything in memory; `import_fetched` then adds the papers in one library write and only then
remembers the pages' ETags. So a fetch that fails or is interrupted part-way imports nothing of
that source, leaves the library as it was, and does not turn into a 304 next time.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from papertray.store.ingest import IngestError, ingest_bytes
from papertray.store.library import Library
from papertray.store.models import Paper, title_key
from papertray.store.net import Client, FetchError, Response, host_of
from papertray.store.storage import StoreError

HF_ENDPOINT = "https://huggingface.co"
ARXIV_API = "https://export.arxiv.org/api/query"
ARXIV_RSS = "https://rss.arxiv.org/rss"
HF_PAGE_SIZE = 100
"""The most the daily-papers API gives per page; a 50-paper day is then one request."""
ARXIV_PAGE_SIZE = 100
ARXIV_INTERVAL = 3.0
"""arXiv asks API clients for at most one request every 3 seconds."""
MAX_PAGES = 200
"""A server that never sends a short page is stopped here (20,000 papers)."""

Progress = Callable[[str], None]
"""Told a short line ("hf 2026-12-01: page 2") as each request goes out."""


def endpoints() -> dict[str, str]:
    """The endpoints, from the environment (mirrors, tests) or the defaults."""
    return {
        "hf": (os.environ.get("HF_ENDPOINT") or HF_ENDPOINT).rstrip("/"),
        "arxiv_api": os.environ.get("PAPERTRAY_ARXIV_API") or ARXIV_API,
        "arxiv_rss": (os.environ.get("PAPERTRAY_ARXIV_RSS") or ARXIV_RSS).rstrip("/"),
    }


# -- what to fetch ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One thing `papertray fetch` asks for, reported in one summary line (`label`)."""

    kind: str
    """"hf" (daily papers), "arxiv-rss" (the day's announcement), "arxiv-query" (the API)."""
    label: str
    params: tuple[tuple[str, str], ...] = ()
    """For "hf": one (key, value) pair per period (`date`, `week`, `month`), several for --days;
    for "arxiv-rss": ("cat", name) pairs; for "arxiv-query": ("q", query), ("max", n)."""
    sort: str | None = None
    empty_message: str = ""
    """What to say when the source has no papers (a 404 for a date, an empty feed)."""


_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_CATEGORY = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")


class SourceError(ValueError):
    """A source asked for with a bad value (a date that is no date); one line."""


def hf_source(
    *,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    days: int | None = None,
    sort: str | None = None,
    today: dt.date | None = None,
) -> Source:
    """The daily papers of a day, an ISO week, a month, or the last `days` days (one request
    series per day); with none of them, the latest day HF has. `sort="trending"`: HF's global
    trending list, which ignores the period."""
    chosen = [name for name, v in (("date", date), ("week", week), ("month", month)) if v]
    if len(chosen) + (days is not None) > 1:
        raise SourceError("give one of --date, --week, --month, --days")
    if sort not in (None, "trending", "publishedAt"):
        raise SourceError(f"unknown sort {sort!r} (trending or publishedAt)")
    if date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise SourceError(f"--date wants YYYY-MM-DD, not {date!r}") from None
        if len(date) != 10:
            raise SourceError(f"--date wants YYYY-MM-DD, not {date!r}")
        return Source("hf", f"hf {date}", (("date", date),), sort, f"no papers on {date}")
    if week:
        match = _WEEK.fullmatch(week)
        if not match or not 1 <= int(match.group(2)) <= 53:
            raise SourceError(f"--week wants YYYY-Www (e.g. 2026-W49), not {week!r}")
        return Source("hf", f"hf {week}", (("week", week),), sort, f"no papers in {week}")
    if month:
        match = _MONTH.fullmatch(month)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise SourceError(f"--month wants YYYY-MM, not {month!r}")
        return Source("hf", f"hf {month}", (("month", month),), sort, f"no papers in {month}")
    if days is not None:
        if not 1 <= days <= 366:
            raise SourceError(f"--days wants 1 to 366, not {days}")
        end = today or dt.datetime.now(dt.UTC).date()
        dates = [(end - dt.timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
        label = f"hf {dates[0]}..{dates[-1]}" if days > 1 else f"hf {dates[0]}"
        return Source(
            "hf",
            label,
            tuple(("date", d) for d in dates),
            sort,
            f"no papers in the last {days} days",
        )
    return Source("hf", "hf trending" if sort == "trending" else "hf latest", (), sort,
                  "no papers on the latest day")  # fmt: skip


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
    if not 1 <= max_results <= 10_000:
        raise SourceError(f"--max wants 1 to 10000, not {max_results}")
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
        if not _CATEGORY.fullmatch(cat) or len(cat) > 40:
            raise SourceError(f"not an arXiv category: {cat!r} (e.g. cs.CL, math.AG, hep-th)")
    return cats


# -- fetching -----------------------------------------------------------------------------------


@dataclass
class Fetched:
    """What one source gave, parsed but not imported yet."""

    source: Source
    papers: list[Paper] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per request URL, what to remember beside its validators (the page's item count)."""
    raw: list[tuple[bytes, str]] = field(default_factory=list)
    """Each response body and its file suffix (.json, .xml), for --save."""
    unchanged: int = 0
    """Papers on pages that came back 304 (imported before, unchanged since)."""
    not_modified: bool = False
    """Every page came back 304."""
    empty: bool = False
    """The source has no papers at all (a 404 for a date, an empty feed)."""
    replacements: set[str] = field(default_factory=set)
    """Ids announced as replacements: they update a paper already here, never add one."""
    warnings: list[str] = field(default_factory=list)


@dataclass
class FetchReport:
    """One summary line's worth: what a source did to the library."""

    source: Source
    new: int = 0
    merged: int = 0
    unchanged: int = 0
    papers: list[Paper] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """Library ids of the papers fetched, in order (after merging)."""
    error: str | None = None
    note: str | None = None
    cached: int = 0
    """Papers on pages that came back 304 (counted in `unchanged`)."""
    not_modified: bool = False
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        label = self.source.label
        if self.error is not None:
            return self.error
        if self.note is not None and not self.papers and not self.unchanged:
            return self.note
        total = len(self.papers) + self.cached
        noun = "paper" if total == 1 else "papers"
        if self.dry_run:
            return (
                f"{label}: {total} {noun}: {self.new} new, {self.merged} already here "
                "(dry run: nothing imported)"
            )
        tail = " (not modified since the last fetch)" if self.not_modified else ""
        return (
            f"{label}: {total} {noun}: {self.new} new, {self.merged} merged, "
            f"{self.unchanged} unchanged{tail}"
        )


def fetch_source(
    client: Client,
    source: Source,
    *,
    conditional: bool = True,
    progress: Progress | None = None,
    arxiv_interval: float = ARXIV_INTERVAL,
) -> Fetched:
    """Every page of `source`, parsed. Raises FetchError (one line) on any failure."""
    fetched = Fetched(source)
    say = progress or (lambda _line: None)
    if source.kind == "hf":
        _fetch_hf(client, source, fetched, conditional, say)
    elif source.kind == "arxiv-rss":
        _fetch_arxiv_rss(client, source, fetched, conditional, say)
    elif source.kind == "arxiv-query":
        _fetch_arxiv_query(client, source, fetched, say, arxiv_interval)
    else:  # pragma: no cover - sources are made by the functions above
        raise FetchError(f"unknown source kind {source.kind!r}")
    return fetched


def _fetch_hf(
    client: Client, source: Source, fetched: Fetched, conditional: bool, say: Progress
) -> None:
    base = f"{endpoints()['hf']}/api/daily_papers"
    periods: list[tuple[str, str] | None] = list(source.params) or [None]
    items: list[Any] = []
    for period in periods:
        seen: set[str] = set()
        for page in range(MAX_PAGES):
            params: dict[str, Any] = {}
            if period is not None:
                params[period[0]] = period[1]
            if source.sort:
                params["sort"] = source.sort
            params["p"] = page
            params["limit"] = HF_PAGE_SIZE
            when = f" {period[1]}" if period is not None and len(periods) > 1 else ""
            say(f"{source.label}{when}: page {page + 1}")
            try:
                response = client.get(
                    base, params, conditional=conditional, accept="application/json"
                )
            except FetchError as error:
                if error.status == 404:
                    break  # HF answers 404 for a day without papers (or a page past its end)
                raise
            fetched.responses.append(response)
            if response.not_modified:
                count = _int(client.cache.get(response.request_url).get("items"))
                fetched.unchanged += count
                if count < HF_PAGE_SIZE:
                    break
                continue
            page_items = _json_list(response, "the daily papers")
            fetched.raw.append((response.content, ".json"))
            fetched.notes[response.request_url] = {"items": len(page_items)}
            keys = {_hf_item_id(item) for item in page_items}
            if page_items and keys <= seen:
                fetched.warnings.append(
                    f"{host_of(base)} sent page {page + 1} again: stopped paging there"
                )
                break
            seen |= keys
            items += page_items
            if len(page_items) < HF_PAGE_SIZE:
                break
    fetched.not_modified = bool(fetched.responses) and all(
        r.not_modified for r in fetched.responses
    )
    if not items:
        # Every day 404 or an empty list: no papers. Pages that came back 304 were imported before.
        fetched.empty = not fetched.not_modified
        return
    fetched.papers = _parse(orjson.dumps(items), "hf-api", source, base, fetched.warnings)
    if len(fetched.raw) > 1:  # several pages: --save keeps one importable JSON list
        fetched.raw = [(orjson.dumps(items, option=orjson.OPT_INDENT_2), ".json")]


def _hf_item_id(item: Any) -> str:
    if isinstance(item, dict):
        paper = item.get("paper")
        if isinstance(paper, dict) and isinstance(paper.get("id"), str):
            return paper["id"]
        return str(item.get("title", ""))[:200]
    return ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _fetch_arxiv_rss(
    client: Client, source: Source, fetched: Fetched, conditional: bool, say: Progress
) -> None:
    cats = "+".join(v for _k, v in source.params)
    url = f"{endpoints()['arxiv_rss']}/{cats}"
    say(f"{source.label}: the announcement")
    response = client.get(
        url, conditional=conditional, accept="application/rss+xml, application/xml"
    )
    fetched.responses.append(response)
    if response.not_modified:
        fetched.not_modified = True
        fetched.unchanged = _int(client.cache.get(response.request_url).get("items"))
        return
    _check_xml(response, "the arXiv feed")
    fetched.raw.append((response.content, ".xml"))
    announce = _rss_announce_types(response)
    fetched.replacements = {
        f"arxiv:{aid}" for aid, kind in announce.items() if kind.startswith("replace")
    }
    fetched.notes[response.request_url] = {"items": len(announce)}
    if not announce:
        fetched.empty = True
        return
    fetched.papers = _parse(response.content, "arxiv-rss", source, url, fetched.warnings)


def _fetch_arxiv_query(
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
        response = client.get(
            url,
            {"search_query": query, "start": start, "max_results": size},
            conditional=False,
            accept="application/atom+xml, application/xml",
            min_interval=interval,
        )
        fetched.responses.append(response)
        _check_xml(response, "the arXiv API")
        fetched.raw.append((response.content, ".xml"))
        total, count = _atom_counts(response)
        if count == 0:
            break
        papers += _parse(response.content, "arxiv-atom", source, url, fetched.warnings)
        start += count
        if count < size or (total is not None and start >= total):
            break
    if not papers:
        fetched.empty = True
        return
    fetched.papers = _dedupe(papers)


def _dedupe(papers: list[Paper]) -> list[Paper]:
    seen: set[str] = set()
    kept = []
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            kept.append(paper)
    return kept


# -- checking and parsing responses -------------------------------------------------------------


def _looks_html(response: Response) -> bool:
    head = response.content[:512].lstrip().lower()
    return "html" in response.content_type.lower() or head.startswith(
        (b"<!doctype html", b"<html", b"<head", b"<body")
    )


def _portal(response: Response, wanted: str) -> FetchError:
    host = host_of(response.url)
    return FetchError(
        f"{host} sent a web page instead of {wanted} (a captive portal or a login page? "
        "check the network)",
        host=host,
    )


def _json_list(response: Response, what: str) -> list[Any]:
    host = host_of(response.url)
    if _looks_html(response):
        raise _portal(response, "JSON")
    try:
        doc = orjson.loads(response.content)
    except orjson.JSONDecodeError as error:
        reason = str(error).splitlines()[0] if str(error) else "bad JSON"
        raise FetchError(
            f"{host}: {what} are not valid JSON (cut off?): {reason}", host=host
        ) from None
    if not isinstance(doc, list):
        raise FetchError(
            f"{host}: {what} are not the expected JSON list (got {type(doc).__name__})",
            host=host,
        )
    return doc


def _check_xml(response: Response, what: str) -> None:
    if _looks_html(response) and not response.content.lstrip().startswith(b"<?xml"):
        raise _portal(response, "XML")
    # A well-formedness check of the whole document: a feed cut off mid-way must not import
    # the first half as if it were the day's announcement.
    import xml.etree.ElementTree as ET  # deferred: only the arXiv sources need it

    try:
        ET.fromstring(response.content)
    except ET.ParseError as error:
        host = host_of(response.url)
        raise FetchError(
            f"{host}: {what} sent malformed XML (cut off?): {error}", host=host
        ) from None


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


def _parse(data: bytes, fmt: str, source: Source, url: str, warnings: list[str]) -> list[Paper]:
    try:
        result = ingest_bytes(data, fmt=fmt, source=source.label)
    except IngestError as error:
        host = host_of(url)
        raise FetchError(f"{host}: {error}", host=host) from None
    warnings += [w for w in result.warnings if w not in warnings]
    return list(result.papers)


# -- importing ----------------------------------------------------------------------------------


def import_fetched(
    library: Library, client: Client, fetched: Fetched, *, dry_run: bool = False
) -> FetchReport:
    """Add what `fetch_source` gave to the library (one write) and then remember its pages'
    validators. With `dry_run`, count what would be new and change nothing."""
    source = fetched.source
    report = FetchReport(
        source, unchanged=fetched.unchanged, cached=fetched.unchanged, dry_run=dry_run
    )
    report.not_modified = fetched.not_modified
    report.warnings = list(fetched.warnings)
    papers = fetched.papers
    if fetched.replacements:
        # A replacement updates a paper already here; it is not news.
        papers = [p for p in papers if p.id not in fetched.replacements or p.id in library]
    report.papers = papers
    if fetched.empty and not papers:
        report.note = source.empty_message
    if dry_run:
        keys = {title_key(p.title) for p in library.papers()} if papers else set()
        for paper in papers:
            if paper.id in library or title_key(paper.title) in keys:
                report.merged += 1
            else:
                report.new += 1
        report.ids = [p.id for p in papers]
        return report
    if papers:
        try:
            added = library.add(papers)
        except StoreError as error:
            report.error = f"{source.label}: could not import: {error}"
            return report
        report.new, report.merged = added.new, added.merged
        report.unchanged += added.skipped
        report.ids = added.ids
    client.remember(fetched.responses, fetched.notes)
    return report


def save_raw(fetched: Fetched, path: Path, *, several: bool) -> list[Path]:
    """Write the raw responses of one source: to `path` itself when it is the only response of
    the only source, else beside it with the source and page in the name."""
    written: list[Path] = []
    tag = re.sub(r"[^A-Za-z0-9.-]+", "-", fetched.source.label).strip("-")
    for n, (body, suffix) in enumerate(fetched.raw, start=1):
        target = path
        if several or len(fetched.raw) > 1:
            page = f"-{n}" if len(fetched.raw) > 1 else ""
            stem = path.name[: -len(path.suffix)] if path.suffix else path.name
            target = path.with_name(f"{stem}-{tag}{page}{path.suffix or suffix}")
        target.write_bytes(body)
        written.append(target)
    return written


def run_fetch(
    library: Library,
    sources: Sequence[Source],
    client: Client,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    save: Path | None = None,
    arxiv_interval: float = ARXIV_INTERVAL,
) -> list[FetchReport]:
    """Fetch and import each source in turn; a failing source is reported and the others go
    on. Nothing of a failing source is imported."""
    reports: list[FetchReport] = []
    for source in sources:
        try:
            fetched = fetch_source(
                client,
                source,
                conditional=not dry_run and save is None,
                progress=progress,
                arxiv_interval=arxiv_interval,
            )
        except FetchError as error:
            reports.append(FetchReport(source, error=str(error)))
            continue
        if save is not None and fetched.raw:
            try:
                save_raw(fetched, save, several=len(sources) > 1)
            except OSError as error:
                reason = error.strerror or str(error)
                reports.append(FetchReport(source, error=f"cannot save to {save}: {reason}"))
                continue
        reports.append(import_fetched(library, client, fetched, dry_run=dry_run))
    return reports


def configured_sources(hf: bool, arxiv: Sequence[str]) -> list[Source]:
    """The sources the config file names: HF's latest day if `hf`, the arXiv announcement of
    the `arxiv` categories if any."""
    sources = [hf_source()] if hf else []
    if arxiv:
        sources.append(arxiv_rss_source(arxiv))
    return sources
