"""What every `papertray` subcommand shares: the one-line error, the stderr voice, opening the
store, importing with a report, resolving ids, the `--data-dir` option.

Imports only `store` (and that lazily): `papertray list` never loads Textual, numpy or httpx.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papertray.store import Library, State, types

__all__ = [
    "PROG",
    "CliError",
    "data_dir_option",
    "import_files",
    "open_store",
    "output_width",
    "plural",
    "report_imports",
    "resolve_ids",
    "say",
    "warn",
]

PROG = "papertray"


class CliError(Exception):
    """A one-line message for the user; the exit status goes with it."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def say(message: str) -> None:
    """One line on stderr. Messages quote file names, URLs, queries and ids from outside:
    every one passes through the store's one sanitizer, so no control character reaches the
    terminal raw (an ESC in a feed's title could set its title and colours)."""
    from papertray.store import rules

    print(f"{PROG}: {rules.one_line(message)}", file=sys.stderr)


def warn(message: str) -> None:
    say(f"warning: {message}")


def open_store(folder: Path, *, check: bool = True) -> tuple[Library, State]:
    from papertray.store import Library, State

    library = Library.open(folder, check=check)
    state = State.open(folder)
    notices = [*library.notices, *state.notices]
    if notices:  # a data folder of an older release, brought up to date: one line
        say("data folder upgraded: " + "; ".join(notices))
    for warning in [*library.warnings, *state.warnings]:
        say(f"warning: {warning}")
    return library, state


def output_width() -> int:
    """Titles are cut to the terminal's width only on a terminal: a pipe or a file gets them
    whole."""
    return shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else sys.maxsize


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def import_files(
    library: Library,
    files: Sequence[str],
    fmt: str | None,
    *,
    showing: bool = True,
    summaries: bool = False,
) -> types.ImportOutcome:
    """Import through the store, saying what happened on stderr. A file that cannot be read or
    parsed is fatal (before anything is written); one that cannot be saved is a warning when
    its papers are shown anyway (`showing`), else an error line."""
    from papertray.store import IngestError
    from papertray.store import import_files as store_import

    try:
        outcome = store_import(library, files, fmt, keep_papers=showing, on_warning=warn)
    except IngestError as error:
        raise CliError(str(error)) from None
    report_imports(outcome, showing=showing, summaries=summaries)
    return outcome


def report_imports(outcome: types.ImportOutcome, *, showing: bool, summaries: bool = False) -> None:
    """One line per file: its summary (when asked), or why it could not be saved."""
    for done in outcome.files:
        if done.save_error is None:
            if summaries:
                say(done.summary)
        elif showing:
            warn(
                f"could not save {done.name} to the library ({done.save_error}); showing it unsaved"
            )
        else:
            say(f"could not import {done.name}: {done.save_error}")


def resolve_ids(library: Library, wanted: Sequence[str]) -> list[str]:
    from papertray.store import UnknownId
    from papertray.store import resolve_ids as store_resolve

    try:
        return store_resolve(library, wanted)
    except UnknownId as error:
        raise CliError(str(error)) from None


def data_dir_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    # On subcommands the default is SUPPRESS, so `papertray --data-dir X list` keeps X.
    parser.add_argument(
        "--data-dir",
        default=None if top else argparse.SUPPRESS,
        metavar="DIR",
        help="where the library and state live "
        "(default: $PAPERTRAY_DATA_DIR or the user data folder)",
    )
