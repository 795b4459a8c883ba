"""`papertray list`: which papers a query selects, in which order, with their marks.

Over the whole library a one-shot query first pre-filters the stored text (`required_words`),
so only papers that can match become Paper objects: 100k papers need no search index (a
`list -q` at 100k: 2.38 s with an index, 1.36 s with the pre-filter), and when the library file
is not parsed yet only the records holding the words are (store/search_text.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from papertray.store.forked import fork_worker, spare_cores
from papertray.store.library import Library
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.mutes import MuteSet
from papertray.store.query import Query, QueryContext
from papertray.store.search_text import SPLIT_FROM
from papertray.store.sorting import SORT_ORDERS, sort_papers
from papertray.store.state import State

if TYPE_CHECKING:
    from papertray.store.imports import ImportOutcome

__all__ = ["Listing", "NoPart", "list_papers", "rendered_in_halves"]


class NoPart(Exception):
    """`list_papers` cannot give one half of the library for this query (see `part`)."""


@dataclass
class Listing:
    rows: list[tuple[Paper, PaperState]]
    """The papers selected, sorted and cut to the limit, each with its marks."""
    library_empty: bool = False
    """True when nothing was listed because the library holds no paper at all."""
    imported: ImportOutcome | None = None
    """What importing the listed files did (their `save_error`s say what is shown unsaved)."""
    muted: int = 0
    """Papers that matched but a mute rule left out (the query did not mention is:muted)."""
    note: str | None = None
    """A message for the user about the order (a "for you" with nothing to rank by)."""


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
    part: int | None = None,
) -> Listing:
    """The papers of `files` (imported first; unsaved ones still listed) or of the whole
    library that match `query`. Raises `IngestError` for a bad file, KeyError for an unknown
    sort (see `SORT_ORDERS`). `part` (0 or 1): only the papers of that half of the library
    file, for a word query over a library not parsed yet; `NoPart` when it cannot be done."""
    states = state.all()
    empty = False
    outcome = None
    latest = library.latest_import()
    new_batch = latest.at if latest is not None else None
    mutes = MuteSet(state.mute_rules())
    # A query about muting (`is:muted`) needs the rules; any other runs without them first, and
    # the rules then run over its matches only (never a pass over the whole library).
    context = QueryContext(new_batch) if query.hides_muted else mutes.context(new_batch)
    if files:
        if part is not None:
            raise NoPart
        # The import and the formats' parsers load only when there are files to read (~12 ms).
        from papertray.store.imports import import_files

        outcome = import_files(library, files, fmt, on_warning=on_warning)
        by_id = {p.id: p for p in library.papers()} if outcome.saved else {}
        fallback = {p.id: p for p in outcome.papers}
        papers = [
            by_id.get(pid) or fallback[pid]
            for pid in outcome.unique_ids
            if pid in by_id or pid in fallback
        ]
        exact = query.is_empty
    elif query.touched_only:
        if part is not None:
            raise NoPart
        # Only marked papers can match (`starred:<7d`, `is:read`, `tag:x`): only those become
        # Paper objects.
        papers = library.papers_among(states)
        exact = False
    else:
        tagged = {pid for pid, st in states.items() if st.tags}
        words = query.required_words
        # Bare words also match tags: a paper must get past the text pre-filter when one of its
        # tags holds one of the words (not for any tag: a "todo" never holds "memory").
        in_tags = {
            pid for pid in tagged
            if any(w in t.casefold() for t in states[pid].tags for w in words)
        }  # fmt: skip
        if part is None:
            papers = library.papers_containing(words, always=in_tags)
        elif (found := library.papers_containing_part(words, in_tags, part)) is not None:
            papers = found
        else:
            raise NoPart
        empty = not papers and query.is_empty and not library.warnings
        if query.only_words:  # the pre-filter was exact, but for papers let in by a tag
            papers = [
                p for p in papers if p.id not in tagged or query.matches(p, states[p.id], context)
            ]
        exact = query.is_empty or query.only_words
    if not exact:
        papers = [p for p in papers if query.matches(p, states.get(p.id, UNTOUCHED), context)]
    hidden = 0
    if mutes and query.hides_muted:
        rules = mutes.context(new_batch)
        kept = [p for p in papers if query.matches(p, states.get(p.id, UNTOUCHED), rules)]
        hidden, papers = len(papers) - len(kept), kept
    note = None
    if SORT_ORDERS[sort].ranked:
        papers, note = _for_you(library, papers, states, query.tags)
    else:
        papers = sort_papers(sort, papers, states)
    if limit is not None:
        papers = papers[:limit]
    rows = [(p, states.get(p.id, UNTOUCHED)) for p in papers]
    return Listing(rows, library_empty=empty, imported=outcome, note=note, muted=hidden)


def rendered_in_halves(
    library: Library, state: State, query: Query, fmt: str, *, width: int
) -> tuple[list[bytes], int] | None:
    """`papertray list -q WORDS --format jsonl` of a big library in two halves at once: a forked
    child lists and writes the papers of the second half of the library file while this process
    does the first (the lines of a digest-order listing are the first half's then the second's;
    see `store/forked.py`). (the output, the muted papers left out), or None when it cannot be
    done that way (one core, a query without words, marks that do not say where the papers end):
    then list as usual. At 100k papers (19k matches) each process then parses, checks and
    writes about half of them: `list -q "memory efficient" --format jsonl` 0.65-0.72 ->
    0.56-0.57 s (fzf --exact 0.91-1.02 s), medians of 9."""
    if fmt != "jsonl" or not query.required_words or not spare_cores():
        return None
    try:
        if library.path is None or library.path.stat().st_size < SPLIT_FROM:
            return None  # a small library: not worth a fork
    except OSError:
        return None
    child = fork_worker(partial(_rendered_part, library, state, query, fmt, width, 1))
    if child is None:
        return None
    try:
        mine = _rendered_part(library, state, query, fmt, width, 0)
    finally:
        theirs = child.result()
    if mine is None or theirs is None:
        return None
    return [mine[0], theirs[0]], mine[1] + theirs[1]


def _rendered_part(
    library: Library, state: State, query: Query, fmt: str, width: int, part: int
) -> tuple[bytes, int] | None:
    from papertray.store.export import render_bytes

    try:
        listing = list_papers(library, state, query, part=part)
    except NoPart:
        return None
    return b"".join(render_bytes(listing.rows, fmt, width=width)), listing.muted


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
