"""`papertray fetch`: the Hugging Face daily papers and the arXiv announcements, imported through
the same ingest as a file.

A `Source` says what to ask for; `fetch_source` asks (every page of it, within the fetch's
deadline and byte budget: `Client.budget`) and parses each page as it arrives, keeping only
its papers; `import_fetched` then adds the papers in one library write and only then
remembers the pages' ETags. So a fetch that fails or is interrupted part-way imports nothing of
that source, leaves the library as it was, and does not turn into a 304 next time. A limit
that ends a fetch early (`limits.py`) keeps the whole pages before it, and says so.

The sources live in `fetch_hf` and `fetch_arxiv`, what they share in `fetch_common`; this module
runs them, imports what they gave and reports it. Its names are the ones the facade exports.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from papertray.store.fetch_arxiv import (
    arxiv_query_source,
    arxiv_rss_source,
    fetch_arxiv_query,
    fetch_arxiv_rss,
)
from papertray.store.fetch_common import (
    ARXIV_INTERVAL,
    Fetched,
    Progress,
    Source,
    SourceError,
    endpoints,
)
from papertray.store.fetch_hf import fetch_hf, hf_source
from papertray.store.fetch_save import SaveError, SaveTo, Spool, check_target, saved_files
from papertray.store.fetch_save import write_atomically as _write
from papertray.store.library import Library
from papertray.store.models import Paper
from papertray.store.net import Client
from papertray.store.net_errors import Cancelled, FetchError
from papertray.store.sanitize import one_line
from papertray.store.storage import StoreError

__all__ = [
    "ARXIV_INTERVAL",
    "FetchReport",
    "Fetched",
    "SaveError",
    "SaveTo",
    "Source",
    "SourceError",
    "arxiv_query_source",
    "arxiv_rss_source",
    "configured_sources",
    "endpoints",
    "fetch_source",
    "hf_source",
    "import_fetched",
    "run_fetch",
    "save_raw",
]


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
    removed: int = 0
    """Papers the user removed earlier, left out (`papertray import` of a file brings them
    back, undo in the reader too)."""
    changing: list[Paper] = field(default_factory=list)
    """With `dry_run`: the papers an import would change (new ones, and those here that would
    gain something), what `fetch --dry-run` lists."""

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
        removed = f", {self.removed} removed earlier (left out)" if self.removed else ""
        if self.dry_run:
            return (
                f"{label}: {total} {noun}: {self.new} new, {self.merged} would be updated, "
                f"{self.unchanged} unchanged{removed} (dry run: nothing imported)"
            )
        tail = " (not modified since the last fetch)" if self.not_modified else ""
        return (
            f"{label}: {total} {noun}: {self.new} new, {self.merged} merged, "
            f"{self.unchanged} unchanged{removed}{tail}"
        )


def fetch_source(
    client: Client,
    source: Source,
    *,
    conditional: bool = True,
    progress: Progress | None = None,
    arxiv_interval: float = ARXIV_INTERVAL,
    spool: Spool | None = None,
) -> Fetched:
    """Every page of `source`, parsed (the bodies into `spool`, for --save). Raises FetchError
    (one line) on any failure."""
    fetched = Fetched(source, raw=spool)
    say = progress or (lambda _line: None)
    with client.budget():
        if source.kind == "hf":
            fetch_hf(client, source, fetched, conditional, say)
        elif source.kind == "arxiv-rss":
            fetch_arxiv_rss(client, source, fetched, conditional, say)
        elif source.kind == "arxiv-query":
            fetch_arxiv_query(client, source, fetched, say, arxiv_interval)
        else:  # pragma: no cover - sources are made by the functions above
            raise FetchError(f"unknown source kind {source.kind!r}")
    return fetched


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
        here = library.present(fetched.replacements)
        papers = [p for p in papers if p.id not in fetched.replacements or p.id in here]
    report.papers = papers
    if fetched.empty and not papers:
        report.note = source.empty_message
    if dry_run:
        outcomes = library.outcomes(papers)
        report.new, report.merged = outcomes.count("new"), outcomes.count("updated")
        report.unchanged += outcomes.count("unchanged")
        report.removed = outcomes.count("removed")
        report.changing = [
            p for p, what in zip(papers, outcomes, strict=True) if what in ("new", "updated")
        ]
        known = library.identify(papers)
        report.ids = [pid or p.id for p, pid in zip(papers, known, strict=True)]
        return report
    if papers:
        try:
            # A paper the user removed stays removed: only an explicit import brings it back.
            added = library.add(papers, revive=False, kind="fetch")
        except StoreError as error:
            report.error = f"{source.label}: could not import: {error}"
            return report
        report.new, report.merged = added.new, added.merged
        report.unchanged += added.skipped
        report.removed = added.removed
        report.ids = added.ids
    # Each page's validators are kept with the papers it gave: without them, no 304.
    ids = list(dict.fromkeys(report.ids))
    notes = {
        r.request_url: {**fetched.notes.get(r.request_url, {}), "ids": ids}
        for r in fetched.responses
        if not r.not_modified  # a 304 keeps what was noted with the page (its ids too)
    }
    client.remember(fetched.responses, notes)
    return report


def save_raw(fetched: Fetched, save: SaveTo, *, several: bool) -> list[Path]:
    """Write the raw responses of one source (see `fetch_save.saved_files`), each file checked
    by `check_target` and written atomically. Raises SaveError or OSError."""
    written: list[Path] = []
    if fetched.raw is None:
        return written
    for target, chunks in saved_files(
        fetched.raw, fetched.one_list, fetched.source.label, save, several=several
    ):
        real = check_target(target, save)
        _write(real, chunks)
        written.append(target)
    return written


def run_fetch(
    library: Library,
    sources: Sequence[Source],
    client: Client,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    save: SaveTo | None = None,
    arxiv_interval: float = ARXIV_INTERVAL,
) -> list[FetchReport]:
    """Fetch and import each source in turn; a failing source is reported and the others go
    on. Nothing of a failing source is imported. A --save path papertray refuses raises
    SaveError before anything is asked for."""
    if save is not None:
        check_target(save.path, save, exists_too=len(sources) == 1)
    reports: list[FetchReport] = []
    for source in sources:
        if client.cancelled:
            reports.append(FetchReport(source, error=f"{source.label}: cancelled"))
            continue
        spool = Spool() if save is not None else None
        try:
            fetched = fetch_source(
                client,
                source,
                conditional=not dry_run and save is None,
                progress=progress,
                arxiv_interval=arxiv_interval,
                spool=spool,
            )
            if save is not None and fetched.raw:
                save_raw(fetched, save, several=len(sources) > 1)
        except Cancelled:
            reports.append(FetchReport(source, error=f"{source.label}: cancelled"))
            continue
        except FetchError as error:
            reports.append(FetchReport(source, error=str(error)))
            continue
        except SaveError as error:
            reports.append(FetchReport(source, error=str(error)))
            continue
        except OSError as error:
            reason = error.strerror or str(error)
            where = one_line(os.fspath(save.path)) if save is not None else ""
            reports.append(FetchReport(source, error=f"cannot save to {where}: {reason}"))
            continue
        finally:
            if spool is not None:
                spool.close()
        reports.append(import_fetched(library, client, fetched, dry_run=dry_run))
    return reports


def configured_sources(hf: bool, arxiv: Sequence[str]) -> list[Source]:
    """The sources the config file names: HF's latest day if `hf`, the arXiv announcement of
    the `arxiv` categories if any."""
    sources = [hf_source()] if hf else []
    if arxiv:
        sources.append(arxiv_rss_source(arxiv))
    return sources
