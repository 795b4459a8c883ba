"""`papertray watch`: have the papers the user watches (starred, or queued to read later) moved
at their sources? A new arXiv version, code that appeared, upvotes past a threshold; what
counts as a change, and where it is kept, is `store/updates.py`. This module asks.

- arXiv: the API's `id_list`, `ARXIV_BATCH` ids a request (1,000 papers are 5 requests), at
  arXiv's one request every 3 s, conditional (a batch answered before with an ETag costs a 304).
- Hugging Face: the paper API (`{HF_ENDPOINT}/api/papers/{arxiv id}`), asked only for papers
  that have a page there (`has_hf_page`) and for which something is still to come (no code
  yet, or upvotes under the threshold); at most `HF_LOOKUPS` a run, those asked longest ago
  first, one request every `HF_INTERVAL` s, conditional.

After each arXiv batch come the HF lookups of its papers: they take the time arXiv's pacing
waits anyway. Every request goes through the one `Client` (deadlines, size caps, retries on 429
and 5xx honouring Retry-After, one-line errors). Each answer is written as it comes
(`Library.apply_watch`: one transaction for an arXiv batch, one for a lookup), so a run cut off
keeps everything before the cut. A failure of arXiv ends the run (one line); a failure of
Hugging Face ends its lookups (one line) and arXiv goes on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import orjson

from papertray.store.dates import now as clock_now
from papertray.store.fetch_common import (
    ARXIV_INTERVAL,
    Progress,
    Source,
    check_xml,
    endpoints,
    json_object,
    parse_papers,
)
from papertray.store.formats.fields import arxiv_from_url, arxiv_version_of, normalize_arxiv_id
from papertray.store.library import Library
from papertray.store.models import Paper
from papertray.store.net import Client, Response
from papertray.store.net_errors import Cancelled, FetchError, host_of
from papertray.store.state import State
from papertray.store.updates import Answer, Update, Watched

__all__ = [
    "ARXIV_BATCH",
    "HF_INTERVAL",
    "HF_LOOKUPS",
    "WatchReport",
    "has_hf_page",
    "run_watch",
    "watched_papers",
]

ARXIV_BATCH = 200
"""Ids in one arXiv API request (`id_list`, with `max_results` as many): a URL of ~2.5 KB."""
HF_INTERVAL = 0.25
"""Seconds between two Hugging Face paper lookups."""
HF_LOOKUPS = 100
"""Hugging Face paper lookups in one run at most: the others wait for the next run, which
begins with them (those asked longest ago go first)."""

_ATOM = "{http://www.w3.org/2005/Atom}"
_SOURCE = Source("arxiv-watch", "arxiv watch")
_HF_SOURCE = Source("hf-paper", "hf paper")


@dataclass
class WatchReport:
    """What one run of `run_watch` did, for its summary line."""

    watched: int = 0
    """Papers starred or queued to read later, in the library."""
    checked: int = 0
    """Of those, the ones arXiv answered about (a 304 of their batch included)."""
    no_arxiv: int = 0
    """Watched papers without an arXiv id: no source to ask."""
    arxiv_requests: int = 0
    not_modified: int = 0
    """arXiv batches that came back 304."""
    hf_lookups: int = 0
    updates: list[Update] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """One line for each source that failed (what came before it is kept)."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def line(self) -> str:
        """One line: what was checked and what changed."""
        versions, code, upvotes = (
            sum(u.kind == kind for u in self.updates) for kind in ("version", "code", "upvotes")
        )
        changes = [
            *([_count(versions, "new version")] if versions else []),
            *([f"{code:,} with new code"] if code else []),
            *([f"{upvotes:,} past the upvote threshold"] if upvotes else []),
        ]
        asked = _count(self.arxiv_requests, "arXiv request")
        if self.hf_lookups:
            asked += f", {_count(self.hf_lookups, 'Hugging Face lookup')}"
        text = (
            f"watch: {self.checked:,} of {_count(self.watched, 'watched paper')} checked "
            f"({asked}): {', '.join(changes) or 'no changes'}"
        )
        if self.no_arxiv:
            text += f"; {self.no_arxiv:,} without an arXiv id not checked"
        return text


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def watched_papers(library: Library, state: State) -> list[Paper]:
    """The papers watch checks: those starred or queued to read later, in import order."""
    ids = [pid for pid, s in state.all().items() if s.starred or s.later]
    return library.papers_among(ids)


def has_hf_page(paper: Paper) -> bool:
    """True when the paper has a Hugging Face paper page: it came with HF's upvotes (the daily
    papers, HF's paper search), which only a paper page has. Any other paper is never asked."""
    return paper.upvotes is not None and paper.arxiv_id is not None


def _arxiv_id(paper: Paper) -> str | None:
    """The id to ask arXiv for: only a well-formed one (a bad id fails the whole batch)."""
    return normalize_arxiv_id(paper.arxiv_id) if paper.arxiv_id else None


def _still_to_come(paper: Paper, seen: Watched | None, upvotes: int | None) -> bool:
    """Something HF could still tell of the paper: code, or upvotes under the threshold."""
    repo = seen.repo if seen is not None else paper.repo
    ups = seen.upvotes if seen is not None and seen.upvotes is not None else paper.upvotes
    return not repo or (upvotes is not None and (ups or 0) < upvotes)


def _hf_wanted(
    papers: Sequence[Paper], seen: dict[str, Watched], upvotes: int | None, most: int
) -> list[str]:
    """The papers to look up on HF this run, those asked longest ago (or never) first."""
    wanted = [p for p in papers if has_hf_page(p) and _still_to_come(p, seen.get(p.id), upvotes)]

    def asked(paper: Paper) -> float:
        at = seen[paper.id].hf_at if paper.id in seen else None
        return -math.inf if at is None else at

    return [p.id for p in sorted(wanted, key=asked)[:most]]


def run_watch(
    library: Library,
    state: State,
    client: Client,
    *,
    upvotes: int | None = None,
    progress: Progress | None = None,
    arxiv_interval: float = ARXIV_INTERVAL,
    hf_interval: float = HF_INTERVAL,
    hf_lookups: int = HF_LOOKUPS,
) -> WatchReport:
    """Check every watched paper (see the module docstring); `upvotes`: the threshold whose
    crossing is an update (None: upvotes are not watched). Raises `StoreError` when an answer
    cannot be saved; a network failure is in the report's `errors`."""
    say = progress or (lambda _line: None)
    report = WatchReport()
    papers = watched_papers(library, state)
    report.watched = len(papers)
    askable = sorted((p for p in papers if _arxiv_id(p)), key=lambda p: _arxiv_id(p) or "")
    report.no_arxiv = len(papers) - len(askable)
    seen = library.watched([p.id for p in askable])
    hf_left = set(_hf_wanted(askable, seen, upvotes, hf_lookups))
    hf_failed = False
    total = len(askable)
    for start in range(0, total, ARXIV_BATCH):
        batch = askable[start : start + ARXIV_BATCH]
        say(f"watch: arXiv, papers {start + 1}-{start + len(batch)} of {total:,}")
        try:
            with client.budget():
                response, answers = ask_arxiv(client, batch, arxiv_interval)
        except Cancelled:
            report.errors.append("watch: cancelled")
            break
        except FetchError as error:
            report.errors.append(str(error))
            break
        report.arxiv_requests += 1
        report.not_modified += response.not_modified
        report.updates += library.apply_watch(answers, upvotes=upvotes, at=clock_now())
        report.checked += len(batch)
        client.remember([response], {response.request_url: {"ids": [p.id for p in batch]}})
        lookups = [p for p in batch if p.id in hf_left]
        if hf_failed or not lookups:
            continue
        now_seen = library.watched([p.id for p in lookups])
        for paper in lookups:
            hf_left.discard(paper.id)
            if not _still_to_come(paper, now_seen.get(paper.id), upvotes):
                continue  # the new version brought the code
            say(f"watch: Hugging Face, {paper.arxiv_id}")
            try:
                with client.budget():
                    hf_response, answer = ask_hf(client, paper, hf_interval)
            except Cancelled:
                report.errors.append("watch: cancelled")
                return report
            except FetchError as error:
                report.errors.append(str(error))
                hf_failed = True
                break
            report.hf_lookups += 1
            report.updates += library.apply_watch([answer], upvotes=upvotes, at=clock_now())
            if hf_response is not None:
                client.remember([hf_response], {hf_response.request_url: {"ids": [paper.id]}})
    return report


def ask_arxiv(
    client: Client, batch: Sequence[Paper], interval: float = ARXIV_INTERVAL
) -> tuple[Response, list[Answer]]:
    """What the arXiv API says of these papers now (one request): an answer for each, without
    a paper when the batch came back 304 or arXiv has no entry for it."""
    ids = [_arxiv_id(p) or "" for p in batch]
    url = endpoints()["arxiv_api"]
    response = client.get(
        url,
        {"id_list": ",".join(ids), "max_results": len(ids)},
        conditional=True,
        accept="application/atom+xml, application/xml",
        min_interval=interval,
    )
    if response.not_modified:
        return response, [Answer(p.id, "arxiv", None) for p in batch]
    check_xml(response, "the arXiv API")
    latest = _latest_versions(response.content)
    found: dict[str, Paper] = {}
    try:
        papers = parse_papers(response.content, "arxiv-atom", _SOURCE, url, []) if latest else []
    except FetchError:
        papers = []  # entries without a title (withdrawn?): nothing to say of them this time
    for paper in papers:
        if paper.arxiv_id:
            found[paper.arxiv_id] = paper
    answers = []
    for paper, aid in zip(batch, ids, strict=True):
        entry = found.get(aid)
        version, at = latest.get(aid, (None, None))
        if entry is not None and entry.arxiv_version is None:
            entry = entry._replace(arxiv_version=version)
        answers.append(Answer(paper.id, "arxiv", entry, at))
    return response, answers


def _latest_versions(content: bytes) -> dict[str, tuple[int | None, float | None]]:
    """arXiv id -> (its latest version, when that version came out) of each entry of an
    answer. An entry that is no paper (arXiv's error entries) is left out."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(content)
    found: dict[str, tuple[int | None, float | None]] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        ident = (entry.findtext(f"{_ATOM}id") or "").strip()
        aid = arxiv_from_url(ident)
        if aid is None:
            continue
        found[aid] = (arxiv_version_of(ident), _seconds(entry.findtext(f"{_ATOM}updated")))
    return found


def _seconds(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def ask_hf(
    client: Client, paper: Paper, interval: float = HF_INTERVAL
) -> tuple[Response | None, Answer]:
    """What Hugging Face's paper API says of one paper now: its repo and upvotes. A 304 or a
    404 (no page after all) is an answer without a paper."""
    aid = _arxiv_id(paper)
    url = f"{endpoints()['hf']}/api/papers/{aid}"
    try:
        response = client.get(
            url, conditional=True, accept="application/json", min_interval=interval
        )
    except FetchError as error:
        if error.status == 404:
            return None, Answer(paper.id, "hf", None)
        raise
    if response.not_modified:
        return response, Answer(paper.id, "hf", None)
    doc = json_object(response, "the paper")
    data = orjson.dumps([{"paper": doc}])
    warnings: list[str] = []
    found = parse_papers(data, "hf-api", _HF_SOURCE, url, warnings)
    if len(found) != 1 or found[0].arxiv_id != aid:
        host = host_of(url)
        raise FetchError(
            f"{host}: the paper API answered about another paper than {aid}", host=host
        )
    return response, Answer(paper.id, "hf", found[0])
