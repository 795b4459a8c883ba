"""What every `papertray fetch` source shares: the endpoints, `Source` (what to ask for),
`Fetched` (what came back, parsed, not imported yet), and the checks every response goes through
before its papers are parsed (a web page where JSON or XML was wanted, a cut-off document).

The sources themselves are `fetch_hf` and `fetch_arxiv`; `fetch` runs them and imports. The HTTP
layer (caching, validators, limits) is `net`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from papertray.store import limits
from papertray.store.ingest import IngestError, ingest_bytes
from papertray.store.models import Paper
from papertray.store.net import Response
from papertray.store.net_errors import FetchError, host_of

if TYPE_CHECKING:
    from papertray.store.fetch_save import Spool

__all__ = [
    "ARXIV_INTERVAL",
    "Fetched",
    "Progress",
    "Source",
    "SourceError",
    "as_int",
    "check_xml",
    "dedupe",
    "endpoints",
    "json_list",
    "json_object",
    "page_limit",
    "parse_papers",
]

HF_ENDPOINT = "https://huggingface.co"
ARXIV_API = "https://export.arxiv.org/api/query"
ARXIV_RSS = "https://rss.arxiv.org/rss"
HF_PAGE_SIZE = 100
"""The most the daily-papers API gives per page; a 50-paper day is then one request."""
ARXIV_PAGE_SIZE = 100
ARXIV_INTERVAL = 3.0
"""arXiv asks API clients for at most one request every 3 seconds."""

Progress = Callable[[str], None]
"""Told a short line ("hf 2026-12-01: page 2") as each request goes out."""


def endpoints() -> dict[str, str]:
    """The endpoints, from the environment (mirrors, tests) or the defaults."""
    return {
        "hf": (os.environ.get("HF_ENDPOINT") or HF_ENDPOINT).rstrip("/"),
        "arxiv_api": os.environ.get("PAPERTRAY_ARXIV_API") or ARXIV_API,
        "arxiv_rss": (os.environ.get("PAPERTRAY_ARXIV_RSS") or ARXIV_RSS).rstrip("/"),
    }


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


class SourceError(ValueError):
    """A source asked for with a bad value (a date that is no date); one line."""


@dataclass
class Fetched:
    """What one source gave, parsed but not imported yet. Each page is parsed as it arrives and
    its body let go (or spooled to disk for --save): only the papers are kept, and a fetch's
    pages together are capped (`limits.MAX_FETCH_BYTES`)."""

    source: Source
    papers: list[Paper] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    """The pages' responses, their bodies let go (`Client.remember` needs the rest)."""
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per request URL, what to remember beside its validators (the page's item count)."""
    raw: Spool | None = None
    """With --save: each response body, kept on disk until it is saved."""
    one_list: bool = False
    """The pages are parts of one JSON list (--save of several writes them as one)."""
    unchanged: int = 0
    """Papers on pages that came back 304 (imported before, unchanged since)."""
    not_modified: bool = False
    """Every page came back 304."""
    empty: bool = False
    """The source has no papers at all (a 404 for a date, an empty feed)."""
    replacements: set[str] = field(default_factory=set)
    """Ids announced as replacements: they update a paper already here, never add one."""
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    """Pages answered (304s included)."""
    stopped: bool = False
    """A limit ended the fetch early (said in `warnings`): the pages before it are kept."""

    def page(self, response: Response, suffix: str) -> None:
        """One more page answered: its validators kept, its body spooled for --save."""
        self.pages += 1
        self.responses.append(response.without_body())
        if self.raw is not None and not response.not_modified:
            self.raw.add(response.content, suffix)

    def stop(self, why: str) -> None:
        """A limit (`why`, e.g. "the 45 s limit on one fetch") ends the fetch before its last
        page: said in one warning, the pages before it kept. With no page yet it is a failure."""
        label = self.source.label
        if not self.pages:
            raise FetchError(f"{label}: nothing came within {why}")
        pages = "page" if self.pages == 1 else "pages"
        self.warnings.append(
            f"{label}: stopped after {self.pages} {pages} by {why}; the papers of those pages "
            "are kept"
        )
        self.stopped = True


def page_limit() -> str:
    """The words for `Fetched.stop` when `limits.MAX_PAGES` ends a period."""
    return f"the limit of {limits.MAX_PAGES} pages on one period (no short page came)"


def dedupe(papers: list[Paper]) -> list[Paper]:
    """The papers in order, a paper that came again on a later page left out."""
    seen: set[str] = set()
    kept = []
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            kept.append(paper)
    return kept


def as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


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


def json_list(response: Response, what: str) -> list[Any]:
    doc: list[Any] = _json(response, what, list, "are", "list")
    return doc


def json_object(response: Response, what: str) -> dict[str, Any]:
    """The JSON object a response holds (the HF paper API's answer about one paper)."""
    doc: dict[str, Any] = _json(response, what, dict, "is", "object")
    return doc


def _json(response: Response, what: str, kind: type, verb: str, shape: str) -> Any:
    """The JSON document of `kind` a response holds, else a FetchError naming the host and
    `what` ("the papers are", "the paper is") and what was wrong."""
    host = host_of(response.url)
    if _looks_html(response):
        raise _portal(response, "JSON")
    try:
        doc = orjson.loads(response.content)
    except orjson.JSONDecodeError as error:
        reason = str(error).splitlines()[0] if str(error) else "bad JSON"
        raise FetchError(
            f"{host}: {what} {verb} not valid JSON (cut off?): {reason}", host=host
        ) from None
    if not isinstance(doc, kind):
        raise FetchError(
            f"{host}: {what} {verb} not the expected JSON {shape} (got {type(doc).__name__})",
            host=host,
        )
    return doc


def check_xml(response: Response, what: str) -> None:
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


def parse_papers(
    data: bytes, fmt: str, source: Source, url: str, warnings: list[str]
) -> list[Paper]:
    try:
        result = ingest_bytes(data, fmt=fmt, source=source.label)
    except IngestError as error:
        host = host_of(url)
        raise FetchError(f"{host}: {error}", host=host) from None
    warnings += [w for w in result.warnings if w not in warnings]
    return list(result.papers)
