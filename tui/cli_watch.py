"""`papertray watch`: check the starred and read-later papers against their sources (a new arXiv
version, code that appeared, upvotes past `[watch] upvotes`) and print what changed.

Each change is printed on stdout (`ID  KIND  DETAIL  TITLE`) and kept in the Updates list
(`papertray news`); the summary and any failure go to stderr, one line each. Exit 0 when it ran
(changes or not), 1 when a source failed (what came before the failure is kept). It holds the
data folder's run lock, so a scheduled `fetch && watch` never runs beside another.
"""

from __future__ import annotations

import argparse
from typing import Any

from papertray.tui.cli_common import CliError, data_dir_option, open_store, say

__all__ = ["add_parsers", "cmd_watch"]


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "watch",
        help="check starred and read-later papers for new arXiv versions, code and upvotes; "
        "the changes go to papertray news",
        description="Ask arXiv (batched id_list, one request every 3 s) and the Hugging Face "
        "paper API (papers with an HF page only) about every starred and read-later paper. "
        "Endpoints: PAPERTRAY_ARXIV_API, HF_ENDPOINT. The upvote threshold is the config "
        "file's [watch] upvotes.",
    )
    data_dir_option(p)
    p.set_defaults(run=cmd_watch)


def cmd_watch(args: argparse.Namespace) -> int:
    from papertray.store import (
        AlreadyRunning,
        Client,
        ConfigError,
        load_config,
        run_lock,
        run_watch,
    )
    from papertray.tui.cli_fetch import progress_printer
    from papertray.tui.cli_news import NewsWatch, print_updates

    try:
        config = load_config()
    except ConfigError as error:
        raise CliError(str(error), 1) from None
    library, state = open_store(args.data_dir)
    if not any(s.starred or s.later for s in state.all().values()):
        say("watch: no starred or read-later papers to watch (papertray star ID, later ID)")
        return 0
    try:
        with run_lock(args.data_dir, "this watch"):
            told = NewsWatch(library, state, config)
            progress = progress_printer()
            with Client(
                args.data_dir,
                request_deadline=config.request_deadline,
                fetch_deadline=config.deadline,
            ) as client:
                report = run_watch(
                    library, state, client, upvotes=config.watch_upvotes, progress=progress
                )
            progress("")
    except AlreadyRunning as busy:
        say(str(busy))
        return 0
    print_updates(library, report.updates)
    if report.checked or not report.errors:
        say(report.line())
    for failure in report.errors:
        say(failure)
    told.after()
    return 0 if report.ok else 1
