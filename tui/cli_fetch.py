"""`papertray fetch`, `papertray enrich` and `papertray config`: the network commands.

Kept apart so the other commands never import httpx; `cli.py` only registers them.
Summary lines go to stderr (as `import`'s do), a `--dry-run` listing to stdout.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papertray.tui.cli_common import CliError, data_dir_option, open_store, say

if TYPE_CHECKING:
    from papertray.store import Config, remote


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "fetch",
        help="fetch and import papers: hf (Hugging Face daily papers), arxiv CAT... "
        "(the day's announcement) or arxiv --query Q; no source: the config file's",
        description="Fetch papers and import them. Without a SOURCE, the sources of the config "
        "file (papertray config). Endpoints: HF_ENDPOINT, PAPERTRAY_ARXIV_API, "
        "PAPERTRAY_ARXIV_RSS.",
    )
    _fetch_options(p)
    data_dir_option(p)
    p.set_defaults(run=cmd_fetch, source=None)
    sources = p.add_subparsers(dest="source", metavar="SOURCE")

    hf = sources.add_parser("hf", help="the Hugging Face daily papers")
    period = hf.add_mutually_exclusive_group()
    period.add_argument("--date", metavar="YYYY-MM-DD", help="one day")
    period.add_argument("--week", metavar="YYYY-Www", help="an ISO week, e.g. 2026-W49")
    period.add_argument("--month", metavar="YYYY-MM", help="a month")
    period.add_argument("--days", type=int, metavar="N", help="the last N days, one by one")
    hf.add_argument(
        "--sort",
        choices=("trending",),
        help="HF's trending list (note: HF then ignores the date and returns a global list)",
    )
    _fetch_options(hf)
    data_dir_option(hf)
    hf.set_defaults(run=cmd_fetch)

    ax = sources.add_parser("arxiv", help="arXiv: the day's announcement of CATs, or --query")
    ax.add_argument("categories", nargs="*", metavar="CAT", help="e.g. cs.CL cs.LG")
    ax.add_argument("--query", metavar="QUERY", help="the arXiv API's search_query instead")
    ax.add_argument("--max", type=int, default=50, metavar="N", help="with --query: at most N")
    _fetch_options(ax)
    data_dir_option(ax)
    ax.set_defaults(run=cmd_fetch)

    p = sub.add_parser(
        "enrich", help="link papers without an arXiv id to theirs, by title (HF, then arXiv)"
    )
    p.add_argument("-q", "--query", default="", help="only the papers this query matches")
    p.add_argument("--no-arxiv", action="store_true", help="ask Hugging Face only")
    data_dir_option(p)
    p.set_defaults(run=cmd_enrich)

    p = sub.add_parser("config", help="print the config file's path and the settings in force")
    data_dir_option(p)
    p.set_defaults(run=cmd_config)


def _fetch_options(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: `fetch --dry-run hf` and `fetch hf --dry-run` both work, neither resets the other.
    p.add_argument(
        "--dry-run",
        action="store_true",
        default=argparse.SUPPRESS,
        help="list the papers an import would add or change, import nothing",
    )
    p.add_argument(
        "--save",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="also keep the raw response in FILE (a new file, outside the data folder)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        default=argparse.SUPPRESS,
        help="with --save: replace FILE if it exists",
    )


def _config(args: argparse.Namespace) -> Config:
    """The config file's settings; with a source named on the command line a bad file is a
    warning and the defaults apply (only the deadlines are read from it then)."""
    from papertray.store import Config, ConfigError, load_config

    try:
        return load_config()
    except ConfigError as error:
        if args.source is None:
            raise CliError(str(error), 1) from None
        say(f"warning: {error}; the defaults apply")
        return Config()


def _sources(args: argparse.Namespace, config: Config) -> list[remote.Source]:
    from papertray.store import remote

    try:
        if args.source == "hf":
            if args.sort == "trending":
                say("note: with --sort trending Hugging Face ignores the date: its global list")
            return [
                remote.hf_source(
                    date=args.date, week=args.week, month=args.month, days=args.days,
                    sort=args.sort,
                )
            ]  # fmt: skip
        if args.source == "arxiv":
            if args.query is not None:
                if args.categories:
                    raise CliError("give categories or --query, not both", 2)
                return [remote.arxiv_query_source(args.query, args.max)]
            if not args.categories:
                raise CliError("name arXiv categories (papertray fetch arxiv cs.CL) or --query", 2)
            return [remote.arxiv_rss_source(args.categories)]
        sources = remote.configured_sources(config.hf, config.arxiv)
        if not sources:
            raise CliError(
                f"no sources to fetch: {config.path} turns them all off "
                "(papertray fetch hf, or set [fetch] hf = true)",
                1,
            )
        return sources
    except remote.SourceError as error:
        raise CliError(str(error), 2) from None


def cmd_fetch(args: argparse.Namespace) -> int:
    from papertray.store import AlreadyRunning, Client, remote, run_fetch, run_lock
    from papertray.tui.cli_news import NewsWatch

    config = _config(args)
    sources = _sources(args, config)
    dry_run = bool(getattr(args, "dry_run", False))
    save = getattr(args, "save", None)
    force = bool(getattr(args, "force", False))
    if force and not save:
        raise CliError("--force goes with --save FILE", 2)
    target = remote.SaveTo(Path(save), args.data_dir, force) if save else None
    library, state = open_store(args.data_dir)
    progress = progress_printer()
    # A dry run writes nothing: it needs no lock, and says nothing of news.
    lock: AbstractContextManager[None] = (
        run_lock(args.data_dir, "this fetch") if not dry_run else nullcontext()
    )
    try:
        with lock:
            told = NewsWatch(library, state, config) if not dry_run else None
            with Client(
                args.data_dir,
                request_deadline=config.request_deadline,
                fetch_deadline=config.deadline,
            ) as client:
                try:
                    reports = run_fetch(
                        library, sources, client, dry_run=dry_run, save=target, progress=progress
                    )
                except remote.SaveError as error:
                    raise CliError(str(error), 1) from None
    except AlreadyRunning as busy:
        say(str(busy))
        return 0
    progress("")
    for report in reports:
        for warning in report.warnings:
            say(f"warning: {warning}")
        say(report.line())
    if dry_run:
        from papertray.store import render_bytes

        width = shutil.get_terminal_size((100, 24)).columns
        # Only what the import would change: a paper here already, with nothing new, is not news.
        rows = ((p, state.get(p.id)) for r in reports for p in r.changing)
        out = sys.stdout.buffer
        for chunk in render_bytes(rows, "table", width=width):
            out.write(chunk)
        out.flush()
    if told is not None:
        told.after()
    return 0 if all(r.ok for r in reports) else 1


def progress_printer() -> Callable[[str], None]:
    """Progress on one rewritten stderr line, only when stderr is a terminal."""
    from papertray.store import rules

    tty = sys.stderr.isatty()
    shown = [0]

    def show(line: str) -> None:
        if not tty:
            return
        text = f"{rules.quoted(line, 70)}…" if line else ""
        sys.stderr.write("\r" + text.ljust(shown[0]) + ("\r" if not line else ""))
        sys.stderr.flush()
        shown[0] = len(text)

    return show


def cmd_enrich(args: argparse.Namespace) -> int:
    from papertray.store import UNTOUCHED, Client, QueryError, enrich, parse_query, remote

    try:
        query = parse_query(args.query or "")
    except QueryError as error:
        raise CliError(f"bad query: {error.message}", 2) from None
    library, state = open_store(args.data_dir)
    states = state.all()
    papers = [
        p
        for p in library.papers()
        if remote.needs_enrich(p) and query.matches(p, states.get(p.id, UNTOUCHED))
    ]
    if not papers:
        say("enrich: every paper here has an arXiv id already" if not args.query
            else "enrich: no paper without an arXiv id matches the query")  # fmt: skip
        return 0
    progress = progress_printer()
    with Client(args.data_dir) as client:
        report = enrich(
            library,
            state,
            client,
            papers,
            arxiv=not args.no_arxiv,
            progress=lambda n, total: progress(f"enrich: looking up {n} of {total}"),
        )
    progress("")
    from papertray.tui.cli_sync import sync_after_change

    sync_after_change(state)  # two records found to be one paper: their marks were merged
    for near in report.near:
        where = f" (arXiv {near.arxiv_id})" if near.arxiv_id else ""
        say(f"near miss, not taken ({near.score:g}%): {near.title!r} vs {near.candidate!r}{where}")
    for _pid, title in report.unplaced:
        say(f"{report.not_found}: {title}")
    if report.error is not None:
        if report.looked_up:  # what was found before the failure is kept
            say(report.line())
        say(report.error)
        return 1
    say(report.line())
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from papertray.store import ConfigError, load_config, remote, rules

    try:
        config = load_config()
    except ConfigError as error:
        raise CliError(str(error), 1) from None
    path = config.path or remote.config_path()
    missing = "" if config.exists else " (not there: the defaults below apply)"
    print(f"# {rules.one_line(path)}{missing}")
    print(config.to_toml(), end="")
    urls = remote.endpoints()
    print(
        "\n# endpoints (from the environment: HF_ENDPOINT, PAPERTRAY_ARXIV_API, "
        "PAPERTRAY_ARXIV_RSS)"
    )
    for name in ("hf", "arxiv_api", "arxiv_rss"):
        print(f"# {name} = {rules.one_line(urls[name])}")
    print(f"# data folder = {rules.one_line(args.data_dir)}")
    return 0
