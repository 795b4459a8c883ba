"""What every input format shares: the digest handed to a parser, the result it returns, the
one error a bad digest raises, and the de-duplication of papers that appear twice in one input."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
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
    repeated = len(set(ids)) < len(ids)
    # Which papers carry a DOI or Semantic Scholar link: one look at all links at C speed
    # first (a page of 100k papers has none of its own).
    linked = [paper.links for paper in papers if paper.links]
    named: list[int] = []
    if linked and _may_be_named(tuple(chain.from_iterable(linked))):
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
    if not named and not with_arxiv and not any(p.authors or p.published for p in papers):
        # Nothing but titles (a page copy): the same id is the same title, so the same work.
        kept, kept_keys, duplicates = _first_of_each_id(papers, ids, keys)
        warnings.append(f"{duplicates} duplicate paper(s) ignored")
        return IngestResult(
            papers=kept, format=fmt, warnings=warnings, duplicates=duplicates, title_keys=kept_keys
        )
    suspects = set(named)
    if repeated:
        twice = {pid for pid, n in Counter(ids).items() if n > 1}
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


def _first_of_each_id(
    papers: list[Paper], ids: list[str], keys: list[str] | None
) -> tuple[list[Paper], list[str] | None, int]:
    """The first paper of each id, at C speed but for the repeats (a cut-off copy takes a
    later full abstract, with its links)."""
    # id -> index of its first paper: built backwards, so an earlier index overwrites a later.
    first = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
    order = sorted(first.values())
    kept = list(map(papers.__getitem__, order))
    kept_keys = None if keys is None else list(map(keys.__getitem__, order))
    slot = {index: k for k, index in enumerate(order)}
    for i in sorted(set(range(len(ids))).difference(order)):
        k = slot[first[ids[i]]]
        if not kept[k].abstract and papers[i].abstract:
            kept[k] = _merged(kept[k], papers[i])
    return kept, kept_keys, len(ids) - len(order)


def _may_be_named(links: tuple[str, ...]) -> bool:
    joined = "\n".join(links)
    return "doi.org/" in joined or "semanticscholar.org/" in joined


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
    plain: dict[int, bool] = {}  # kept index -> it has nothing but a title (see `bare`)
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
        bare = not (paper.authors or paper.published or paper.arxiv_id) and not (
            paper.links and _may_be_named(paper.links)
        )
        at = where.get(paper.id)
        if bare and at is not None and plain[at]:
            # Nothing but a title on either side (a page copy's paper twice): one work.
            kept[at] = _merged(kept[at], paper)
            duplicates += 1
            continue
        names = [] if bare else [f"{k}:{v}" for k, v in identities(paper).items()]
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
        plain[at] = bare
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
