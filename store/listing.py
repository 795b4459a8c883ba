"""`papertray list`: which papers a query selects, in which order, with their marks.

One path answers it: the query compiled to SQL over a library (`Library.select`). `list FILE`
is a view of the file's papers, never an import: they are read into a library in memory (each
paper the library holds already shown as the library has it, with its marks), and the same
query runs there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from papertray.store.library import Library
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.mutes import MuteSet
from papertray.store.query import Query
from papertray.store.sorting import SORT_ORDERS, no_value_note
from papertray.store.state import State

__all__ = ["Listing", "list_papers", "view_of"]


@dataclass
class Listing:
    rows: list[tuple[Paper, PaperState]]
    """The papers selected, sorted and cut to the limit, each with its marks."""
    library_empty: bool = False
    """True when nothing was listed because the library holds no paper at all."""
    muted: int = 0
    """Papers that matched but a mute rule left out (the query did not mention is:muted)."""
    note: str | None = None
    """A message for the user about the order (a "for you" with nothing to rank by, an order by
    a value no paper listed has)."""


def view_of(
    library: Library,
    files: Sequence[str],
    fmt: str | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Library:
    """The papers of `files` in a library of their own, in memory: a paper `library` holds is
    there as the library has it (its id, so its marks, and what other digests added to it).
    Raises `IngestError` (one line, naming the file) for a file that cannot be read."""
    from papertray.store.imports import read_files

    papers: list[Paper] = []
    for name, result in read_files(files, fmt):
        if on_warning is not None:
            for warning in result.warnings:
                on_warning(f"{name}: {warning}")
        papers.extend(result.papers)
    known = library.identify(papers)
    stored = {p.id: p for p in library.papers_among([pid for pid in known if pid])}
    view = Library.in_memory()
    shown = [
        stored.get(pid, paper) if pid else paper
        for paper, pid in zip(papers, known, strict=True)
    ]  # fmt: skip
    view.add(shown, revive=False, kind="view", keep_added=True)
    return view


def list_papers(
    library: Library,
    state: State,
    query: Query,
    *,
    files: Sequence[str] = (),
    fmt: str | None = None,
    sort: str = "digest",
    limit: int | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Listing:
    """The papers of `files` (shown, not imported) or of the whole library that match `query`.
    Raises `IngestError` for a bad file, KeyError for an unknown sort (see `SORT_ORDERS`)."""
    order = SORT_ORDERS[sort]
    source = view_of(library, files, fmt, on_warning) if files else library
    states = state.all()
    latest = library.latest_import()
    mutes = MuteSet(state.mute_rules())
    context = mutes.context(latest.at if latest is not None else None)
    selection = source.select(
        query,
        states,
        context=context,
        order_by=order.sql,
        limit=None if order.ranked else limit,
        count_muted=True,
        marks_version=state.version if source is library else None,
        papers=True,
    )
    papers: list[Paper] = selection.rows
    note = selection.note
    if order.ranked:
        papers, note = _for_you(library, papers, states, query.tags)
        if limit is not None:
            papers = papers[:limit]
    note = note or no_value_note(order, papers)
    # An empty library is said to be empty, unless it was found damaged (already said).
    empty = not (papers or files or library.warnings) and query.is_empty and not len(library)
    rows = [(p, states.get(p.id, UNTOUCHED)) for p in papers]
    return Listing(rows, library_empty=empty, note=note, muted=selection.muted)


def _for_you(
    library: Library, papers: list[Paper], states: Mapping[str, PaperState], tags: Sequence[str]
) -> tuple[list[Paper], str | None]:
    """`papers` in the "for you" order, or as they are with a note saying why. numpy, scipy
    (and scikit-learn, when the index must be built) are imported only here."""
    from papertray.store.similar import SimilarityIndex

    seeds, what = SimilarityIndex.seeds(states, tags)
    if not seeds:
        hint = "tag some with `papertray tag ID +TAG`" if tags else "star some: papertray star ID"
        return papers, f"no {what} yet to rank by ({hint}): digest order"
    order = SimilarityIndex.open(library).for_you(papers, states, seeds)
    if order is None:
        return papers, f"none of the {what} is in the library: digest order"
    return [papers[i] for i in order], None
