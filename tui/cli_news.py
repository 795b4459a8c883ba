"""`papertray follow`, `unfollow` and `news`: followed searches and what is new since the user
last looked (each follow's new papers, the updates of watched papers not seen yet), and the
news a `fetch` or `watch` says when it is done (a line, a desktop notification).

`news` reads only the library and the state file: offline it answers from what was fetched,
and its exit status is 0 whatever it finds (scripts read `--format json`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from papertray.tui.cli_common import (
    CliError,
    data_dir_option,
    open_store,
    output_width,
    plural,
    say,
)
from papertray.tui.cli_sync import sync_after_change

if TYPE_CHECKING:
    from papertray.store import Config, Library, State, following

__all__ = [
    "NewsWatch",
    "add_parsers",
    "cmd_follow",
    "cmd_news",
    "cmd_unfollow",
    "print_updates",
]


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "follow",
        help="follow a search: papertray follow 'speculative decoding'; --author 'Tri Dao'; "
        "papertray news counts its new papers",
    )
    p.add_argument("query", nargs="*", metavar="QUERY", help="any query (see the README)")
    p.add_argument("--name", metavar="NAME", help="the saved search's name (default: the query)")
    p.add_argument(
        "--author", metavar="NAME", help='follow an author: the search author:"NAME", named NAME'
    )
    p.add_argument("--search", metavar="NAME", help="follow the saved search NAME")
    data_dir_option(p)
    p.set_defaults(run=cmd_follow)

    p = sub.add_parser(
        "unfollow", help="stop following a search (by name or query; it stays saved)"
    )
    p.add_argument("name", nargs="+", metavar="NAME|QUERY")
    data_dir_option(p)
    p.set_defaults(run=cmd_unfollow)

    p = sub.add_parser(
        "news",
        help="what is new: each follow's papers since it was last seen, and the updates of "
        "starred and read-later papers (papertray watch) not seen yet",
    )
    p.add_argument(
        "--seen",
        nargs="?",
        const="",
        default=None,
        metavar="QUERY",
        help="then mark it seen: every follow and update, or the follow QUERY (a name or query)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    data_dir_option(p)
    p.set_defaults(run=cmd_news)


def _shown(text: str) -> str:
    from papertray.store import rules

    # The state file may have been edited by hand: printable text only, on one line.
    return " ".join(rules.shown_text(text).split())


def _label(name: str, query: str) -> str:
    return _shown(name) if name == query else f"{_shown(name)}: {_shown(query)}"


def cmd_follow(args: argparse.Namespace) -> int:
    from papertray.store import SearchError, following

    chosen = [bool(args.query), args.author is not None, args.search is not None]
    if sum(chosen) != 1:
        raise CliError("give a QUERY, --author NAME or --search NAME (one of them)", 2)
    library, state = open_store(args.data_dir)
    try:
        if args.search is not None:
            if args.name is not None:
                raise CliError("--name goes with a QUERY or --author, not --search", 2)
            found = state.search(args.search)
            if found is None:
                raise SearchError(
                    f"no saved search named {args.search!r} (papertray searches lists them)"
                )
            search, made = found, False
            was = any(f.search == search.id for f in state.follows.all())
            state.follows.follow(search.id)
        else:
            name = args.name
            if args.author is not None:
                query = following.author_query(args.author)
                if name is None:  # named after the author
                    name = query.removeprefix('author:"').removesuffix('"')
            else:
                query = " ".join(args.query)
            known = next((s for s in state.searches() if s.query == query), None)
            was = known is not None and any(f.search == known.id for f in state.follows.all())
            search, _follow, made = following.follow_query(state, query, name)
    except SearchError as error:
        raise CliError(str(error), 2) from None
    sync_after_change(state)
    label = _label(search.name, search.query)
    if was:
        count = next(
            (f.new for f in following.followed(library, state) if f.search.id == search.id), 0
        )
        say(f"already following {label}: {count or 0:,} new since last seen")
    else:
        saved = " (saved as a search)" if made else ""
        say(f"following {label}{saved}: papers that arrive from now on are its news")
    return 0


def cmd_unfollow(args: argparse.Namespace) -> int:
    from papertray.store import following

    library, state = open_store(args.data_dir)
    word = " ".join(args.name)
    found = following.find_followed(following.followed(library, state), word)
    if found is None:
        raise CliError(f"not following {word!r} (papertray news lists the follows)", 1)
    state.follows.unfollow(found.search.id)
    sync_after_change(state)
    say(f"no longer following {_label(found.search.name, found.search.query)} (still saved)")
    return 0


def cmd_news(args: argparse.Namespace) -> int:
    from papertray.store import Clock, following

    library, state = open_store(args.data_dir)
    try:  # seen as of now: a paper arriving while this runs is news next time
        began = Clock.system().now
    except ValueError:  # a PAPERTRAY_NOW that is no time: the system's clock, as marks do
        began = time.time()
    found = following.news(library, state)
    if args.seen:  # one follow: only it is shown and marked
        one = following.find_followed(found.follows, args.seen)
        if one is None:
            raise CliError(f"not following {args.seen!r} (papertray news lists the follows)", 1)
        found = following.News([one], [])
    if args.format == "json":
        import orjson

        sys.stdout.buffer.write(orjson.dumps(found.to_dict()) + b"\n")
        sys.stdout.buffer.flush()
    else:
        _table(library, found)
    if args.seen is not None:
        follows = state.follows.mark_seen([f.search.id for f in found.follows], Clock(began))
        seen = library.mark_updates_seen([u.id for u in found.updates]) if found.updates else 0
        sync_after_change(state)
        say(f"marked seen: {plural(follows, 'follow')}, {plural(seen, 'update')}")
    return 0


def _table(library: Library, found: following.News) -> None:
    width = output_width()
    if found.follows:
        print("follows: new papers since last seen")
        for f in found.follows:
            count = "broken" if f.new is None else f"{f.new:,}"
            print(_cut(f"{count:>7}  {_label(f.search.name, f.search.query)}", width))
    else:
        say("no follows: papertray follow QUERY (or --author NAME) adds one")
    if found.updates:
        print("updates: starred and read-later papers that changed (not seen yet)")
        print_updates(library, found.updates)
    elif found.follows:
        say("no updates not seen yet (papertray watch checks starred and read-later papers)")


def print_updates(library: Library, updates: Sequence[following.Update]) -> None:
    """One line an update: `ID  KIND  DETAIL  TITLE` (the id as every table shows it)."""
    from papertray.store import display

    width = output_width()
    papers = {p.id: p for p in library.papers_among({u.paper for u in updates})}
    for u in updates:
        paper = papers.get(u.paper)
        shown = display.shown_id(paper) if paper is not None else _shown(u.paper)
        print(_cut(f"{shown:<12}  {u.kind:<7}  {_shown(u.detail)}  {_shown(u.title)}", width))


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: max(width - 1, 1)] + "…"


class NewsWatch:
    """What is new before a `fetch` or `watch`, to say after it what the run brought: a line
    when follows got new papers, and a desktop notification when the config asks for one."""

    def __init__(self, library: Library, state: State, config: Config) -> None:
        self.library, self.state, self.config = library, state, config
        self.before: int | None = None
        if config.notify or state.follows.all():
            from papertray.store import following

            self.before = following.news(library, state).count

    def after(self) -> None:
        """Say what the run brought (nothing when it brought nothing new)."""
        if self.before is None:
            return
        from papertray.store import following

        now = following.news(self.library, self.state)
        if now.count <= self.before or not now.summary():
            return
        say(f"news: {now.summary()} (papertray news)")
        if self.config.notify:
            from papertray.tui.notify import desktop_unavailable, notify_desktop

            if not notify_desktop(now.summary()):
                why = desktop_unavailable()
                if why:
                    say(f"note: {why}")
