"""`papertray enrich`: give papers without an arXiv id their identity, by looking the title up.

Hugging Face's paper search first (`{HF_ENDPOINT}/api/papers/search?q=`), the arXiv API's `ti:`
search second. A match is taken only when its title and the paper's are the same after
normalisation (`title_key`: case, punctuation and spacing aside) and no other candidate has that
title too: attaching the wrong paper is worse than attaching none. A candidate that comes close
(rapidfuzz) is reported as a near miss, never taken.

A match brings the arXiv id, authors, dates, and HF upvotes/repo/stars where known, and is added
through `Library.add`, which merges it into the paper already there (same title) so every mark
stays on it. When the library holds that arXiv id under another paper already (its title has
changed since), the two are folded into one and their marks are merged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from papertray.store.fetch_common import ARXIV_INTERVAL, endpoints
from papertray.store.ingest import FORMATS, IngestError, ingest_bytes
from papertray.store.library import Library
from papertray.store.models import Paper, title_key
from papertray.store.net import Client, Response
from papertray.store.net_errors import FetchError, host_of
from papertray.store.state import State

NEAR_MISS = 85.0
"""rapidfuzz ratio (0-100) of two title keys from which a candidate is reported as a near miss."""
ARXIV_CANDIDATES = 5


@dataclass
class NearMiss:
    paper_id: str
    title: str
    candidate: str
    arxiv_id: str | None
    score: float


@dataclass
class EnrichReport:
    to_look_up: int = 0
    """Papers without an arXiv id that were to be looked up."""
    looked_up: int = 0
    linked: dict[str, str] = field(default_factory=dict)
    """Paper id (in the library, after merging) -> the arXiv id it was given."""
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    """(paper id, title) of each paper no lookup could place."""
    near: list[NearMiss] = field(default_factory=list)
    """The closest candidate of some unplaced papers, not taken."""
    error: str | None = None
    """A lookup that failed (the network): the matches before it are kept, the papers after it
    are not tried."""
    arxiv: bool = True
    """arXiv was asked after Hugging Face (not with `--no-arxiv`)."""

    @property
    def not_tried(self) -> int:
        """Papers never looked up: a failed lookup stopped the others."""
        return self.to_look_up - self.looked_up

    @property
    def not_found(self) -> str:
        """What "not found" means here: where it was looked for."""
        return "not found" if self.arxiv else "not found on Hugging Face (arXiv not asked)"

    def line(self) -> str:
        """One line: what was linked among the papers looked up, what was not found there, and
        what was not tried at all (never "not found": it was not looked for)."""
        if self.looked_up == 0 and self.not_tried:
            return f"enrich: none of the {_papers(self.not_tried)} tried (stopped at the error)"
        text = f"enrich: linked {len(self.linked)} of {_papers(self.looked_up)} to arXiv"
        if self.unplaced:
            text += f"; {len(self.unplaced)} {self.not_found}"
        if self.not_tried:
            text += f"; {self.not_tried} not tried (stopped at the error)"
        return text


def _papers(n: int) -> str:
    return f"{n} paper" if n == 1 else f"{n} papers"


def needs_enrich(paper: Paper) -> bool:
    return not paper.arxiv_id


def _candidates(response: Response, fmt: str) -> list[Paper]:
    if response.content.strip() in (b"[]", b""):
        return []
    head = response.content[:512].lstrip().lower()
    if "html" in response.content_type.lower() or head.startswith((b"<!doctype html", b"<html")):
        host = host_of(response.url)
        raise FetchError(
            f"{host} sent a web page instead of search results (a captive portal or a login "
            "page? check the network)",
            host=host,
        )
    try:
        return ingest_bytes(response.content, fmt=fmt, source="").papers
    except IngestError as error:
        if "no papers" in str(error) or "holds no papers" in str(error):
            return []
        host = host_of(response.url)
        raise FetchError(f"{host}: search results unreadable: {error}", host=host) from None


def _pick(title: str, candidates: Sequence[Paper]) -> tuple[Paper | None, NearMiss | None]:
    """The one candidate whose normalised title is the paper's, else the closest as a near
    miss (or None)."""
    key = title_key(title)
    same = [c for c in candidates if c.arxiv_id and title_key(c.title) == key]
    if len({c.arxiv_id for c in same}) == 1:
        return same[0], None
    if same:  # two different arXiv papers with this very title: not ours to choose
        return None, None
    from rapidfuzz import fuzz  # deferred: only enrich needs it

    best: tuple[float, Paper] | None = None
    for cand in candidates:
        score = fuzz.ratio(key, title_key(cand.title))
        if best is None or score > best[0]:
            best = (score, cand)
    if best is not None and best[0] >= NEAR_MISS:
        return None, NearMiss("", title, best[1].title, best[1].arxiv_id, round(best[0], 1))
    return None, None


def _arxiv_query(title: str) -> str:
    words = title_key(title).split()
    return 'ti:"' + " ".join(words) + '"'


def lookup(
    client: Client, title: str, *, arxiv: bool = True, arxiv_interval: float = ARXIV_INTERVAL
) -> tuple[Paper | None, NearMiss | None]:
    """The paper with this title (HF search, then arXiv), or the nearest miss."""
    urls = endpoints()
    response = client.get(
        f"{urls['hf']}/api/papers/search",
        {"q": " ".join(title.split())},
        conditional=False,
        accept="application/json",
    )
    found, near = _pick(title, _candidates(response, "hf-api"))
    if found is not None or not arxiv or "arxiv-atom" not in FORMATS:
        return found, near
    response = client.get(
        urls["arxiv_api"],
        {"search_query": _arxiv_query(title), "start": 0, "max_results": ARXIV_CANDIDATES},
        conditional=False,
        accept="application/atom+xml, application/xml",
        min_interval=arxiv_interval,
    )
    found2, near2 = _pick(title, _candidates(response, "arxiv-atom"))
    if found2 is not None:
        return found2, None
    if near is None or (near2 is not None and near2.score > near.score):
        near = near2
    return None, near


def enrich(
    library: Library,
    state: State,
    client: Client,
    papers: Sequence[Paper],
    *,
    arxiv: bool = True,
    arxiv_interval: float = ARXIV_INTERVAL,
    progress: Callable[[int, int], None] | None = None,
) -> EnrichReport:
    """Look up each of `papers` that has no arXiv id and add what matches (one library write
    at the end, or at the first failure, so nothing found is lost)."""
    todo = [p for p in papers if needs_enrich(p)]
    report = EnrichReport(to_look_up=len(todo), arxiv=arxiv and "arxiv-atom" in FORMATS)
    matches: list[tuple[Paper, Paper]] = []
    for n, paper in enumerate(todo, start=1):
        if progress is not None:
            progress(n, len(todo))
        try:
            found, near = lookup(client, paper.title, arxiv=arxiv, arxiv_interval=arxiv_interval)
        except FetchError as error:
            report.error = str(error)
            break
        report.looked_up += 1
        if found is None:
            report.unplaced.append((paper.id, paper.title))
            if near is not None:
                near.paper_id = paper.id
                report.near.append(near)
            continue
        matches.append((paper, found))
    _apply(library, state, matches, report)
    return report


def _apply(
    library: Library, state: State, matches: list[tuple[Paper, Paper]], report: EnrichReport
) -> None:
    if not matches:
        return
    incoming: list[Paper] = []
    for paper, found in matches:
        aid = found.arxiv_id
        assert aid is not None
        # A search result's item date is not a digest date, and its source is not a file.
        match = found._replace(digest_date=None, source=paper.source)
        other = library.get(f"arxiv:{aid}")
        if other is not None and other.id != paper.id:
            # The arXiv id is here already under another title: fold this paper into it.
            state.merge_marks(paper.id, other.id)
            library.fold(paper.id, other.id)
            incoming.append(match._replace(title=other.title))
            report.linked[other.id] = aid
            continue
        # Under the paper's own id, Library.add completes the paper (and so keeps its marks),
        # and the arXiv id becomes one of its names.
        incoming.append(match._replace(id=paper.id))
        report.linked[paper.id] = aid
    added = library.add(incoming, kind="enrich")
    # Where the match landed (the paper's own id), so the report names the library's ids.
    for (paper, _found), pid in zip(matches, added.ids, strict=True):
        if pid != paper.id and paper.id in report.linked and pid not in report.linked:
            report.linked[pid] = report.linked.pop(paper.id)
