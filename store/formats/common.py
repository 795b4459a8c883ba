"""What every input format shares: the digest handed to a parser, the result it returns, the
one error a bad digest raises, and the de-duplication of papers that appear twice in one input."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from papertray.store.models import Paper, title_key


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
    data: bytes | None = None
    """The bytes as read, when the input came as bytes: feedparser decodes a feed itself, as
    its byte-order mark and XML declaration say."""


def short(text: str, size: int = 60) -> str:
    """`text` cut to `size` characters with an ellipsis, for warnings."""
    return text if len(text) <= size else text[: size - 1] + "\u2026"


def dedupe(
    papers: list[Paper], fmt: str, warnings: list[str], keys: list[str] | None = None
) -> IngestResult:
    """The papers with the repeats of one work dropped (the first copy wins and takes what a
    later copy adds: a cut-off copy takes a later full abstract), counted and warned about, as
    one `IngestResult`. Two records are one work by `identity.same_work`: a shared arXiv id,
    DOI or Semantic Scholar id, or title and first author and year. Different works that share
    a title are all kept, the later ones under an id of their own (`identity.distinct_id`)."""
    ids = [paper.id for paper in papers]
    counts = Counter(ids)
    repeated = len(counts) < len(ids)
    named = [i for i, paper in enumerate(papers) if paper.links and _may_be_named(paper.links)]
    titled: list[str] | None = keys
    shared_titles: set[str] = set()
    with_arxiv = sum(1 for paper in papers if paper.arxiv_id)
    if 0 < with_arxiv < len(papers):
        # A record with an arXiv id and one without can be one work (same title, first author
        # and year): only then are the titles of records with different ids compared.
        titled = keys if keys is not None else [title_key(p.title) for p in papers]
        shared_titles = {key for key, n in Counter(titled).items() if n > 1}
    if not repeated and not named and not shared_titles:
        return IngestResult(
            papers=papers, format=fmt, warnings=warnings, duplicates=0, title_keys=keys
        )
    suspects = set(named)
    if repeated:
        twice = {pid for pid, n in counts.items() if n > 1}
        suspects.update(i for i, pid in enumerate(ids) if pid in twice)
    if shared_titles and titled is not None:
        suspects.update(i for i, key in enumerate(titled) if key in shared_titles)
    kept, kept_keys, duplicates, apart = _merge_repeats(papers, keys, suspects)
    if duplicates:
        warnings.append(f"{duplicates} duplicate paper(s) ignored")
    if apart:
        warnings.append(
            f"{apart} paper(s) share a title with another but not its authors, year or ids: "
            "kept as different works"
        )
    return IngestResult(
        papers=kept, format=fmt, warnings=warnings, duplicates=duplicates, title_keys=kept_keys
    )


def _may_be_named(links: tuple[str, ...]) -> bool:
    return any("doi.org/" in link or "semanticscholar.org/" in link for link in links)


def _merge_repeats(
    papers: list[Paper], keys: list[str] | None, suspects: set[int]
) -> tuple[list[Paper], list[str] | None, int, int]:
    """(kept papers, their title keys if `keys` was given, repeats dropped, works kept apart
    under a new id). Only the `suspects` (an id, a name or a title that another record has)
    are compared; the others are kept as they are."""
    from papertray.store.identity import distinct_id, identities, same_work

    kept: list[Paper] = []
    kept_keys: list[str] | None = [] if keys is not None else None
    where: dict[str, int] = {}  # an id, "doi:..." or "s2:..." -> the kept paper that has it
    by_title: dict[str, list[int]] = {}
    taken = {paper.id for i, paper in enumerate(papers) if i not in suspects}
    duplicates = apart = 0
    for i, paper in enumerate(papers):
        key = keys[i] if keys is not None else ""
        if i not in suspects:
            kept.append(paper)
            if kept_keys is not None:
                kept_keys.append(key)
            continue
        key = key or title_key(paper.title)
        names = [f"{kind}:{value}" for kind, value in identities(paper).items()]
        near = [where[tag] for tag in (paper.id, *names) if tag in where]
        near += by_title.get(key, [])
        match = next((j for j in dict.fromkeys(near) if same_work(kept[j], paper)), None)
        if match is not None:
            kept[match] = _merged(kept[match], paper)
            duplicates += 1
            for tag in (kept[match].id, *names):
                where.setdefault(tag, match)
            continue
        if paper.id in taken or paper.id in where:
            paper = paper._replace(id=distinct_id(paper, taken | where.keys()))
            apart += 1
        at = len(kept)
        kept.append(paper)
        if kept_keys is not None:
            kept_keys.append(key)
        taken.add(paper.id)
        for tag in (paper.id, *names):
            where.setdefault(tag, at)
        by_title.setdefault(key, []).append(at)
    return kept, kept_keys, duplicates, apart


def _merged(first: Paper, again: Paper) -> Paper:
    """The first record of a work with what a later record of it adds: a cut-off copy takes the
    full abstract (with the links and repo found in it), an empty field the other's value, a
    record without an arXiv id the other's (and so its id). The first copy's own fields win."""
    changes: dict[str, Any] = {}
    if not first.abstract and again.abstract:
        changes.update(abstract=again.abstract, links=again.links, repo=again.repo)
    if not first.authors and again.authors:
        changes["authors"] = again.authors
    if not first.published and again.published:
        changes["published"] = again.published
    if not first.arxiv_id and again.arxiv_id:
        changes.update(arxiv_id=again.arxiv_id, id=again.id)
    return first._replace(**changes) if changes else first
