"""`papertray import`, `list`, `similar`, `remove` and `sources`: the library's papers.

`cli.py` parses the arguments and calls these; each imports what it needs from `store` when it
runs, so `papertray list` never loads Textual, numpy or httpx.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from papertray.tui.cli_common import (
    CliError,
    import_files,
    open_store,
    output_width,
    plural,
    resolve_ids,
    say,
    warn,
)

if TYPE_CHECKING:
    from papertray.store import Query, State

__all__ = ["cmd_import", "cmd_list", "cmd_remove", "cmd_similar", "cmd_sources"]


def cmd_import(args: argparse.Namespace) -> int:
    library, _state = open_store(args.data_dir)
    outcome = import_files(library, args.files, args.format, showing=False, summaries=True)
    # Saving is all this command is for: a read-only or full disk is a failure, not a warning.
    return 0 if outcome.saved else 1


def cmd_list(args: argparse.Namespace) -> int:
    from papertray.store import IngestError, QueryError, list_papers, parse_query, render_bytes

    try:
        query = parse_query(args.query or "")
    except QueryError as error:
        raise CliError(f"bad query: {error.message}", 2) from None
    library, state = open_store(args.data_dir)
    if args.search is not None:
        query = _with_saved_search(state, args.search, query)
    told = len(library.warnings)
    try:
        listing = list_papers(
            library,
            state,
            query,
            files=args.files,
            fmt=args.input_format,
            sort=args.sort,
            limit=args.limit,
            on_warning=warn,
        )
    except IngestError as error:
        raise CliError(str(error)) from None
    for warning in library.warnings[told:]:  # a damaged file found while listing
        warn(warning)
    if listing.library_empty:
        say("the library is empty: papertray import FILE adds a digest")
    _say_muted(listing.muted)
    if listing.note:
        say(listing.note)
    _write(render_bytes(listing.rows, args.format, width=output_width()))
    return 0


def _with_saved_search(state: State, name: str, query: Query) -> Query:
    from papertray.store import following

    saved = state.search(name)
    if saved is None:
        raise CliError(f"no saved search named {name!r} (papertray searches lists them)")
    parsed = saved.parsed()
    if parsed is None:
        raise CliError(f"the saved search {saved.name!r} no longer parses: {saved.query}")
    return following.combined_query(parsed, query)


def _write(chunks: Iterable[bytes]) -> None:
    out = sys.stdout.buffer
    for chunk in chunks:
        out.write(chunk)
    out.flush()


def _say_muted(muted: int) -> None:
    if muted:
        hidden = plural(muted, "muted paper")
        say(f"{hidden} not shown (add is:muted to see them; papertray mutes lists the rules)")


def cmd_similar(args: argparse.Namespace) -> int:
    """The papers most like one paper, best first, each with the words they share."""
    from papertray.store import UNTOUCHED, MuteSet, SimilarityIndex, render_ranked_bytes

    library, state = open_store(args.data_dir)
    (pid,) = resolve_ids(library, [args.id])
    index = SimilarityIndex.open(library)
    states = state.all()
    # Muted papers are left out, as `list` leaves them out; the next ones take their places.
    latest = library.latest_import()
    muted = MuteSet(state.mute_rules()).leave_out(
        library.get, states, latest.at if latest is not None else None
    )
    left_out: list[str] = []

    def leave_out(paper_id: str) -> bool:
        if muted is not None and muted(paper_id):
            left_out.append(paper_id)
            return True
        return False

    matches = index.similar(pid, args.limit, leave_out=leave_out)
    if not matches:
        say(f"no paper in the library shares a word that matters with {pid}")
    if left_out:
        hidden = plural(len(left_out), "muted paper")
        say(f"{hidden} not shown (papertray mutes lists the rules)")
    rows = []
    for m in matches:
        paper = library.get(m.id)
        if paper is not None:
            shares = index.written(paper, m.shared)
            rows.append((paper, states.get(m.id, UNTOUCHED), m.score, shares))
    width = output_width()
    out = sys.stdout.buffer
    for chunk in render_ranked_bytes(rows, args.format, width=width):
        out.write(chunk)
    out.flush()
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    library, _state = open_store(args.data_dir)
    if args.source is None and not args.ids:
        raise CliError("say what to remove: papertray remove ID... or --source NAME", 2)
    ids = resolve_ids(library, args.ids) if args.ids else []
    if args.source is not None:
        from papertray.store import rules

        # A digest is found by its name as `papertray sources` shows it, too: a name stored by
        # an earlier version may hold control characters, which it shows escaped.
        rows = library.sources()
        counts: dict[str, tuple[str, int, int]] = {}
        for name, count, only in rows:
            counts.setdefault(rules.one_line(name), (name, count, only))
            counts[name] = (name, count, only)
        if args.source not in counts:
            # Each digest once, as `papertray sources` shows it (`counts` holds a raw name twice).
            known = ", ".join(rules.one_line(name) for name, _, _ in rows[:5]) or "none yet"
            raise CliError(f"no digest named {args.source!r} in the library (digests: {known})")
        stored, count, only = counts[args.source]
        ids += library.ids_only_from(stored)
        if count > only:
            say(f"{count - only} of the papers from {args.source} also came from other digests: "
                "kept")  # fmt: skip
    removed = library.remove(list(dict.fromkeys(ids)))
    noun = "paper" if len(removed) == 1 else "papers"
    say(f"removed {len(removed)} {noun}; marks are kept and come back if you import them again")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from papertray.store import rules

    library, _state = open_store(args.data_dir)
    rows = library.sources()
    if not rows:
        say("the library is empty: papertray import FILE adds a digest")
    for name, count, only in rows:
        shared = f"  ({count - only} also from other digests)" if count > only else ""
        # Escaped as the import said it: a name stored by an earlier version may be raw.
        print(f"{count:>6}  {rules.one_line(name)}{shared}")
    return 0
