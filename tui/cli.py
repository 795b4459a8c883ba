"""The `papertray` command: the TUI by default, and headless subcommands for scripts and pipes.

This module parses the command line and reports what went wrong in one line; the subcommands
live by family: `cli_library` (import, list, similar, remove, sources), `cli_marks` (read,
star, later, tag, note, tags), `cli_mutes`, `cli_searches` (searches, search save/rm, with
their parsers), `cli_fetch` (fetch, enrich, config, with their parsers), `cli_news` (follow,
unfollow, news), `cli_watch` (watch), `cli_sync`
(sync, and the sync after a change) and `cli_reader` (the TUI). Headless subcommands import
only `store`; Textual is imported only when the TUI starts, httpx only by the network commands.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from papertray.store import resolve_data_dir
from papertray.tui.cli_common import PROG, CliError, data_dir_option, say
from papertray.tui.cli_library import cmd_import, cmd_list, cmd_remove, cmd_similar, cmd_sources
from papertray.tui.cli_marks import cmd_mark, cmd_note, cmd_tag, cmd_tags
from papertray.tui.cli_mutes import cmd_mute, cmd_mutes, cmd_unmute
from papertray.tui.cli_reader import cmd_tui
from papertray.tui.cli_searches import glue_search

__all__ = ["SUBCOMMANDS", "build_parser", "build_tui_parser", "main", "resolve_data_dir", "run"]

SUBCOMMANDS = (
    "import", "list", "similar", "read", "unread", "star", "unstar", "later", "unlater", "tag",
    "note", "tags", "remove", "sources", "fetch", "enrich", "config", "mute", "mutes", "unmute",
    "searches", "search", "follow", "unfollow", "news", "watch", "sync",
)  # fmt: skip


class UsageError(Exception):
    """A command line argparse rejected; `prog` is the (sub)command whose --help explains it."""

    def __init__(self, message: str, prog: str) -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line with a hint, not a usage block:
    `papertray: invalid --format 'xml' (table, json, …); see papertray list --help`."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(_plain_usage_error(message), self.prog)


_INVALID_CHOICE = re.compile(r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)$", re.S)
_BAD_ARGUMENT = re.compile(r"argument (\S+): (.*)$", re.S)


def _plain_usage_error(message: str) -> str:
    message = " ".join(message.split())
    if match := _INVALID_CHOICE.match(message):
        option, value, choices = match.groups()
        names = ", ".join(c.strip().strip("'") for c in choices.split(","))
        return f"invalid {option.split('/')[-1]} {value} ({names})"
    if match := _BAD_ARGUMENT.match(message):
        option, why = match.groups()
        return f"invalid {option.split('/')[-1]}: {why}"
    return message


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("papertray")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


# -- parsing ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from papertray.store import FORMATS, OUTPUT_FORMATS, display

    parser = Parser(
        prog=PROG,
        usage=f"{PROG} [--data-dir DIR] [--format FORMAT] [FILE ...]\n"
        f"       {PROG} [--data-dir DIR] COMMAND [ARGS ...]\n"
        f"       {PROG} --version | --help",
        description="A terminal reader for research-paper digests. "
        "`papertray [FILE...]` opens the reader; the subcommands serve scripts and pipes.",
    )
    _version(parser)
    data_dir_option(parser, top=True)
    # The reader's own arguments, listed here so `papertray --help` shows every one of them; the
    # reader is parsed by build_tui_parser (argparse cannot mix these with subcommands).
    reader = parser.add_argument_group(
        "the reader",
        description="papertray [FILE ...] opens the reader on the digests FILE (a page copy, "
        "JSON or JSON Lines; '-' for stdin), imported into the library first; without FILEs, "
        "on the whole library (an empty one gets the bundled sample digest).",
    )
    reader.add_argument(
        "--format",
        dest="reader_format",
        choices=FORMATS,
        default=argparse.SUPPRESS,
        help="input format of the FILEs (default: detected)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog=PROG)

    p = sub.add_parser("import", help="add digests to the library")
    p.add_argument("files", nargs="+", metavar="FILE", help="digest files ('-' for stdin)")
    p.add_argument("--format", choices=FORMATS, help="input format (default: detected)")
    data_dir_option(p)
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("list", help="print papers, filtered by a query")
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="digests to list (imported first); default: the whole library",
    )
    p.add_argument(
        "-q", "--query", default="", help="e.g. 'is:unread has:repo -survey \"low-bit\"'"
    )
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table", help="output format")
    p.add_argument("--from", dest="input_format", choices=FORMATS, help="input format of FILEs")
    p.add_argument(
        "--sort",
        choices=display.SORT_ORDERS,
        default="digest",
        help="; ".join(f"{o.name}: {o.help}" for o in display.SORT_ORDERS.values())
        + " (foryou with -q tag:NAME: like that tag's papers)",
    )
    p.add_argument("-n", "--limit", type=_count_arg, metavar="N", help="print at most N papers")
    p.add_argument(
        "--search",
        metavar="NAME",
        help="the papers of a saved search (papertray searches lists them); with -q, both apply",
    )
    data_dir_option(p)
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("similar", help="the papers most like one paper, best first")
    p.add_argument("id", metavar="ID", help="a paper id (a unique prefix will do)")
    p.add_argument(
        "-n", "--limit", type=_positive_arg, default=10, metavar="N", help="how many (default 10)"
    )
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table", help="output format")
    data_dir_option(p)
    p.set_defaults(run=cmd_similar)

    for name, verb in (
        ("read", "mark papers read"),
        ("unread", "mark papers unread"),
        ("star", "star papers"),
        ("unstar", "unstar papers"),
        ("later", "put papers in the read-later queue"),
        ("unlater", "take papers out of the read-later queue"),
    ):
        p = sub.add_parser(name, help=f"{verb} (by id)")
        p.add_argument("ids", nargs="+", metavar="ID", help="paper ids (a unique prefix will do)")
        data_dir_option(p)
        p.set_defaults(run=cmd_mark)

    p = sub.add_parser("tag", help="add or remove tags: papertray tag ID +llm -todo")
    p.add_argument("id", metavar="ID")
    p.add_argument("changes", nargs=argparse.REMAINDER, metavar="+TAG|-TAG")
    data_dir_option(p)
    p.set_defaults(run=cmd_tag)

    p = sub.add_parser("note", help="set a paper's note ('' clears it, '-' reads stdin)")
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="+", metavar="TEXT")
    data_dir_option(p)
    p.set_defaults(run=cmd_note)

    p = sub.add_parser("tags", help="list the tags in use, with counts")
    data_dir_option(p)
    p.set_defaults(run=cmd_tags)

    p = sub.add_parser(
        "remove", help="take papers out of the library (by id, or every paper only from a digest)"
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="paper ids (a unique prefix will do)")
    p.add_argument(
        "--source", metavar="NAME", help="the digest's name, as `papertray sources` shows"
    )
    data_dir_option(p)
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("sources", help="list the digests in the library, with paper counts")
    data_dir_option(p)
    p.set_defaults(run=cmd_sources)

    p = sub.add_parser(
        "mute",
        help="hide papers matching a query from the default view: papertray mute survey OR "
        "benchmark --why 'not my field'",
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="any query (see the README)")
    p.add_argument("--why", metavar="TEXT", help="the reason, shown beside the rule")
    data_dir_option(p)
    p.set_defaults(run=cmd_mute)

    p = sub.add_parser("mutes", help="list the mute rules, with how many papers each mutes")
    data_dir_option(p)
    p.set_defaults(run=cmd_mutes)

    p = sub.add_parser("unmute", help="remove mute rule N (papertray mutes numbers them)")
    p.add_argument("number", type=_rule_number, metavar="N")
    data_dir_option(p)
    p.set_defaults(run=cmd_unmute)
    from papertray.tui import cli_news, cli_searches, cli_watch
    from papertray.tui.cli_fetch import add_parsers  # fetch, enrich, config

    cli_searches.add_parsers(sub)
    add_parsers(sub)
    cli_news.add_parsers(sub)  # follow, unfollow, news
    cli_watch.add_parsers(sub)
    from papertray.tui.cli_sync import add_parser as add_sync_parser

    add_sync_parser(sub)
    return parser


def _rule_number(text: str) -> int:
    value = _int_arg(text, "a rule number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"rule numbers start at 1, not {value}")
    return value


def _count_arg(text: str) -> int:
    value = _int_arg(text, "a whole number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _positive_arg(text: str) -> int:
    value = _int_arg(text, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _int_arg(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None


def build_tui_parser() -> argparse.ArgumentParser:
    from papertray.store import FORMATS

    parser = Parser(prog=PROG, add_help=False)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--format", choices=FORMATS)
    _version(parser)
    data_dir_option(parser, top=True)
    return parser


class _VersionAction(argparse.Action):
    """`--version`, looked up only when asked for: importlib.metadata costs ~40 ms to import,
    which every other command (and the reader's first frame) would pay."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        parser._print_message(f"{PROG} {version()}\n", sys.stdout)
        parser.exit()


def _version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", nargs=0, action=_VersionAction, help="print the version")


def _first_positional(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--data-dir", "--format"):
            skip = True
            continue
        if arg.startswith("-") and arg != "-":
            continue
        return arg
    return None


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The `papertray` command. With `argv` (tests, embedding): `sys.exit` with the status."""
    if argv is not None:
        sys.exit(run(list(argv)))
    status = run(sys.argv[1:])
    # What was printed is flushed here, where a failure can still change the status: a reader
    # gone (`| head`) is no failure, a full disk is (120, what Python's own exit says then).
    # Either way the stream then points at the null device, so the exit's own flush is quiet
    # (the recipe of Python's `signal` documentation for SIGPIPE).
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            _silence(stream)
        except OSError:
            status = status or 120
            _silence(stream)
    sys.exit(status)


def _silence(stream: TextIO) -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
    except (OSError, ValueError):
        pass


MUTE_OPTIONS = ("--why", "--data-dir")
FOLLOW_OPTIONS = ("--name", "--author", "--search", "--data-dir")


def _glue_words(argv: list[str], command: str, valued: tuple[str, ...]) -> list[str]:
    """`papertray mute -has:repo tag:x`, `papertray follow -survey tag:x`: after `command`,
    every word but the options of `valued` and their values is the query, even one starting
    with '-'."""
    out: list[str] = []
    words: list[str] = []
    args = iter(argv)
    seen = False
    for arg in args:
        if not seen:
            out.append(arg)
            if arg == "--data-dir":
                out.append(next(args, ""))
            seen = arg == command
        elif arg in valued:
            out += [arg, next(args, "")]
        elif arg.startswith(tuple(f"{v}=" for v in valued)) or arg in ("-h", "--help"):
            out.append(arg)
        elif arg == "--" and not words:
            continue
        else:
            words.append(arg)
    return out + (["--", *words] if words else [])


def _glue_query(argv: list[str]) -> list[str]:
    """`-q -survey` is a query, not an option: argparse would read `-survey` as one."""
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in ("-q", "--query"):
            value = next(args, None)
            out.append(arg if value is None else f"--query={value}")
        else:
            out.append(arg)
    return out


def _neither_file_nor_command(word: str) -> str | None:
    """What to say of `papertray WORD` when WORD is no file and reads as a command mistyped (a
    word, not a path): the nearest command, if one is near. None for anything else, which the
    reader then opens as a digest."""
    if word == "-" or os.path.lexists(word) or any(c in word for c in "./\\"):
        return None
    from difflib import get_close_matches

    near = get_close_matches(word, SUBCOMMANDS, n=1, cutoff=0.4)
    hint = f"did you mean {near[0]}?" if near else f"{PROG} --help lists the commands"
    return f"no such command or file: {word}; {hint}"


def run(argv: list[str]) -> int:
    first = _first_positional(argv)
    try:
        if first in ("list", "enrich"):
            argv = _glue_query(argv)
        elif first == "mute":
            argv = _glue_words(argv, "mute", MUTE_OPTIONS)
        elif first == "search":
            argv = glue_search(argv)
        elif first == "follow":
            argv = _glue_words(argv, "follow", FOLLOW_OPTIONS)
        if first in SUBCOMMANDS or any(a in ("-h", "--help") for a in argv):
            args = build_parser().parse_args(argv)
            if args.command is None:
                build_parser().print_help()
                return 0
        else:
            args = build_tui_parser().parse_args(argv)
            if args.files and (problem := _neither_file_nor_command(args.files[0])):
                say(problem)
                return 2
            args.run = cmd_tui
            args.command = None
        args.data_dir = resolve_data_dir(args.data_dir)
        return int(args.run(args))
    except CliError as error:
        say(str(error))
        return error.status
    except UsageError as error:
        hint = error.prog
        if hint == PROG and first in SUBCOMMANDS:  # e.g. an unknown option after `list`
            hint = f"{PROG} {first}"
        say(f"{error}; see {hint} --help")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `papertray list | head`: the reader went away; that is not an error.
        _silence_stdout()
        return 0
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, no traceback
        from papertray.store import StoreError

        if isinstance(error, StoreError):
            say(str(error))
            return 1
        if os.environ.get("PAPERTRAY_DEBUG"):
            raise
        say(
            f"unexpected error: {type(error).__name__}: {error} (set PAPERTRAY_DEBUG=1 for details)"
        )
        return 70


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
