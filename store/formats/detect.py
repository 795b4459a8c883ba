"""The formats beyond the page copy and plain JSON records (issue 10): which one a text is (one
cheap look at its start, shared by their sniffs) and the parser for each, as `FORMATS` in
`store/formats/__init__.py` takes them; `refusal` says what a text that is no digest at all
looks like.

Each parser module is imported only when its format is met: feedparser, bibtexparser and
pylatexenc stay out of start-up and out of `papertray list` of the library."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papertray.store.formats._common import Parsed

# name -> (module, what `parse` takes: "text" or the loaded JSON "doc")
PARSERS: dict[str, tuple[str, str]] = {
    "arxiv-email": ("arxiv_email", "text"),
    "arxiv-atom": ("feeds", "text"),
    "arxiv-rss": ("feeds", "text"),
    "rss": ("feeds", "text"),
    "bibtex": ("bibtex", "text"),
    "ris": ("ris", "text"),
    "csv": ("csv_papers", "text"),
    "title-summary": ("title_summary", "text"),
    "md-table": ("md_table", "text"),
    "jsonfeed": ("jsonfeed", "doc"),
    "s2": ("s2", "doc"),
    "openalex": ("openalex", "doc"),
}
RECORD_FORMATS = ("hf-paper", "hf-search")
"""Hugging Face /api/papers/{id} and /api/papers/search: read by the JSON records parser."""
FORMATS = (*PARSERS, *RECORD_FORMATS)

_HEAD = 65536


def _module(name: str) -> Any:
    return importlib.import_module(f"papertray.store.formats.{name}")


def sniffer(name: str) -> Callable[[str], bool]:
    """`FORMATS`' sniff of the format `name`: all of them share one `detect` of the text."""
    return lambda text: _detect_head(text[:_HEAD]) == name


def parser(name: str) -> Callable[[Any], Any]:
    """`FORMATS`' parse of the format `name`: a `Digest` to an `IngestResult`."""
    if name in RECORD_FORMATS:

        def parse_records(digest: Any) -> Any:
            from papertray.store.formats.records import parse_records_as

            return parse_records_as(digest, name)

        return parse_records
    return lambda digest: to_result(
        parse(name, digest.text, digest.source, digest.data), name, digest.warnings
    )


@lru_cache(maxsize=8)
def _detect_head(head: str) -> str | None:
    return detect(head)


def detect(text: str) -> str | None:
    """The format of `text` among `FORMATS`, from its first 64 KB; None: not one of these."""
    head = text[:_HEAD]
    first = head.lstrip()[:1]
    if first == "<":
        kind: str | None = _module("feeds").sniff(head)
        return kind
    if first in "{[":
        for name in ("jsonfeed", "openalex", "s2"):
            if _module(name).sniff(head):
                return name
        start = head[:4096]
        if first == "{" and '"discussionId"' in start and '"paper"' not in start:
            return "hf-paper"
        if first == "[" and '"highlightedTitle"' in head:
            return "hf-search"
        return None
    email = _module("arxiv_email")
    if email.sniff(head) or (email.is_mail(head) and "arXiv" in head):
        return "arxiv-email"
    if _module("bibtex").sniff(head):
        return "bibtex"
    if _module("ris").sniff(head):
        return "ris"
    if _module("csv_papers").sniff(head):
        return "csv"
    if _module("title_summary").sniff(head):
        return "title-summary"
    if _module("md_table").sniff(head):
        return "md-table"
    return None


def parse(fmt: str, text: str, source: str, data: bytes | None = None) -> Parsed:
    module_name, takes = PARSERS[fmt]
    module = _module(module_name)
    if takes == "doc":
        import orjson

        from papertray.store.formats.common import IngestError

        try:
            doc = orjson.loads(text)
        except (ValueError, TypeError, RecursionError) as err:
            raise IngestError(f"not valid JSON: {str(err).splitlines()[0]}") from None
        return module.parse(doc, source)
    if module_name == "feeds":
        return module.parse(text, source, fmt, data)
    return module.parse(text, source)


def refusal(text: str) -> str | None:
    """One line for a text that is plainly no digest (a README, HTML, code...), else None."""
    from papertray.store.formats import refuse

    what = refuse.describe(text)
    return refuse.message(what) if what else None


def to_result(parsed: Parsed, fmt: str, warnings: list[str]) -> Any:
    """The `IngestResult` of a format module's papers: duplicates dropped as for every format."""
    from papertray.store.formats.common import IngestError, dedupe

    warnings = [*warnings, *parsed.warnings]
    if not parsed.papers and not parsed.updates:
        if not parsed.note:
            raise IngestError(f"no papers found (read as {fmt})")
        warnings.append(parsed.note)
    result = dedupe(parsed.papers, fmt, warnings)
    result.updates = parsed.updates
    return result
