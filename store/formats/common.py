"""What every input format shares: the digest handed to a parser, the result it returns, the
one error a bad digest raises, and the de-duplication of papers that appear twice in one input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from papertray.store.models import Paper


class IngestError(Exception):
    """A file that cannot be read as a digest. `str(e)` is one line meant for the user."""


@dataclass
class IngestResult:
    papers: list[Paper]
    format: str
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0
    """Papers dropped because an earlier one in the same input had the same id."""
    title_keys: list[str] | None = None
    """`title_key(p.title)` of each paper, when parsing computed them anyway (page format):
    `Library.add` can take them instead of normalising every title again."""
    updates: list[Paper] = field(default_factory=list)
    """Revisions of papers the library may hold (arXiv email replacements): applied to those,
    otherwise skipped."""


@dataclass
class Digest:
    """One decoded input, as a format's `parse` receives it."""

    text: str
    """The whole text, byte-order mark removed; never empty or only whitespace."""
    source: str
    """Where it came from (a file name, "stdin"): each paper's `source`."""
    warnings: list[str] = field(default_factory=list)
    """Warnings so far (decoding); a parser appends its own and returns them in the result."""
    utf8: bytes | None = None
    """The UTF-8 bytes `text` was decoded from, when it was UTF-8 without errors (a fast path
    for the page parser's printable check)."""
    records: list[Any] | None = None
    """The JSON records, when format detection already parsed them (never parse twice)."""


def short(text: str, size: int = 60) -> str:
    """`text` cut to `size` characters with an ellipsis, for warnings."""
    return text if len(text) <= size else text[: size - 1] + "\u2026"


def dedupe(
    papers: list[Paper], fmt: str, warnings: list[str], keys: list[str] | None = None
) -> IngestResult:
    """The papers with repeated ids dropped (the first copy wins; a cut-off copy takes a later
    full abstract), counted and warned about, as one `IngestResult`."""
    ids = [paper.id for paper in papers]
    # id -> index of its first paper: built backwards, so an earlier index overwrites a later.
    first = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
    duplicates = len(ids) - len(first)
    kept, kept_keys = papers, keys
    if duplicates:
        order = sorted(first.values())
        kept = list(map(papers.__getitem__, order))
        kept_keys = None if keys is None else list(map(keys.__getitem__, order))
        slot = {index: k for k, index in enumerate(order)}
        for i in sorted(set(range(len(ids))).difference(order)):
            paper, k = papers[i], slot[first[ids[i]]]
            # The same paper twice: the first copy wins, but a cut-off copy takes the full
            # abstract.
            if not kept[k].abstract and paper.abstract:
                kept[k] = kept[k]._replace(
                    abstract=paper.abstract, links=paper.links, repo=paper.repo
                )
        warnings.append(f"{duplicates} duplicate paper(s) ignored")
    return IngestResult(
        papers=kept, format=fmt, warnings=warnings, duplicates=duplicates, title_keys=kept_keys
    )
