"""`papertray searches`, `search save` and `search rm`: the saved searches, each said with how
many unread papers it has (counted in the library as `list` shows them). `list --search NAME`
lists one (`cli_library`)."""

from __future__ import annotations

import argparse
from typing import Any

from papertray.tui.cli_common import CliError, data_dir_option, open_store, plural, say
from papertray.tui.cli_sync import sync_after_change

__all__ = ["add_parsers", "cmd_search_rm", "cmd_search_save", "cmd_searches", "glue_search"]


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("searches", help="list the saved searches, with their unread papers")
    data_dir_option(p)
    p.set_defaults(run=cmd_searches)

    p = sub.add_parser(
        "search",
        help="save a search by name: papertray search save llm 'tag:llm -survey' --slot 1; "
        "search rm NAME",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    save = actions.add_parser("save", help="save QUERY as NAME (a search of that name changes)")
    save.add_argument("name", metavar="NAME")
    save.add_argument("query", nargs="+", metavar="QUERY", help="any query (see the README)")
    save.add_argument("--slot", type=_slot, metavar="N", help="bind it to the reader's key N (1-9)")
    data_dir_option(save)
    save.set_defaults(run=cmd_search_save)
    rm = actions.add_parser("rm", help="remove the saved search NAME")
    rm.add_argument("name", metavar="NAME")
    data_dir_option(rm)
    rm.set_defaults(run=cmd_search_rm)


def _slot(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a slot: {text!r} (1 to 9)") from None
    if not 1 <= value <= 9:
        raise argparse.ArgumentTypeError(f"slots are 1 to 9, not {value}")
    return value


def glue_search(argv: list[str]) -> list[str]:
    """`papertray search save NAME -survey tag:x`: after the name, every word but `--slot N`
    and `--data-dir X` is the query, even one starting with '-'."""
    try:
        at = argv.index("save", argv.index("search") + 1)
    except ValueError:
        return argv
    head, rest = argv[: at + 1], iter(argv[at + 1 :])
    out: list[str] = []
    words: list[str] = []
    name: str | None = None
    for arg in rest:
        if arg in ("--slot", "--data-dir"):
            out += [arg, next(rest, "")]
        elif arg.startswith(("--slot=", "--data-dir=")) or arg in ("-h", "--help"):
            out.append(arg)
        elif arg == "--" and name is not None and not words:
            continue
        elif name is None:
            name = arg
        else:
            words.append(arg)
    named = [name] if name is not None else []
    return head + out + (["--", *named, *words] if named else [])


def _counted(count: int | None) -> str:
    return "broken" if count is None else f"{count:,}"


def cmd_searches(args: argparse.Namespace) -> int:
    from papertray.store import following, rules

    library, state = open_store(args.data_dir)
    searches = state.searches()
    if not searches:
        say("no saved searches: papertray search save NAME QUERY [--slot N] adds one")
        return 0
    counts = following.unread_counts(library, state, searches)
    for search in searches:
        slot = str(search.slot) if search.slot is not None else "-"
        # The state file may have been edited by hand: printable text only.
        text = " ".join(rules.shown_text(f"{search.name}: {search.query}").split())
        print(f"{slot:>4}  {_counted(counts[search.id]):>7}  {text}")
    return 0


def cmd_search_save(args: argparse.Namespace) -> int:
    from papertray.store import SearchError, following

    library, state = open_store(args.data_dir)
    known = state.search(args.name) is not None
    try:
        saved = state.save_search(args.name, " ".join(args.query), args.slot)
    except SearchError as error:
        raise CliError(str(error), 2) from None
    sync_after_change(state)
    count = following.unread_counts(library, state, [saved])[saved.id] or 0
    slot = f" (key {saved.slot})" if saved.slot is not None else ""
    verb = "updated" if known else "saved"
    say(f"{verb} search {saved.name!r}{slot}: {saved.query}; {plural(count, 'unread paper')}")
    return 0


def cmd_search_rm(args: argparse.Namespace) -> int:
    from papertray.store import SearchError

    _library, state = open_store(args.data_dir)
    try:
        gone = state.remove_search(args.name)
    except SearchError as error:
        raise CliError(str(error), 1) from None
    sync_after_change(state)
    say(f"removed search {gone.name!r}: {gone.query}")
    return 0
