"""The `papertray` command: the TUI by default, and headless subcommands for scripts and pipes.

Headless subcommands import only `store`; Textual is imported only when the TUI starts.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from papertray.store import resolve_data_dir

if TYPE_CHECKING:
    from papertray.store import ImportOutcome, Library, MuteSet, State

SUBCOMMANDS = (
    "import", "list", "similar", "read", "unread", "star", "unstar", "tag", "note", "tags",
    "remove", "sources", "fetch", "enrich", "config", "mute", "mutes", "unmute",
)  # fmt: skip
PROG = "papertray"


class CliError(Exception):
    """A one-line message for the user; the exit status goes with it."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


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


def open_store(folder: Path, *, check: bool = True) -> tuple[Library, State]:
    from papertray.store import Library, State

    library = Library.open(folder, check=check)
    state = State.open(folder)
    for warning in [*library.warnings, *state.warnings]:
        say(f"warning: {warning}")
    return library, state


def warn(message: str) -> None:
    say(f"warning: {message}")


def import_files(
    library: Library,
    files: Sequence[str],
    fmt: str | None,
    *,
    showing: bool = True,
    summaries: bool = False,
) -> ImportOutcome:
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


def report_imports(outcome: ImportOutcome, *, showing: bool, summaries: bool = False) -> None:
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


# -- commands -----------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    library, _state = open_store(args.data_dir)
    outcome = import_files(library, args.files, args.format, showing=False, summaries=True)
    # Saving is all this command is for: a read-only or full disk is a failure, not a warning.
    return 0 if outcome.saved else 1


def output_width() -> int:
    """Titles are cut to the terminal's width only on a terminal: a pipe or a file gets them
    whole."""
    return shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else sys.maxsize


def cmd_list(args: argparse.Namespace) -> int:
    from papertray.store import IngestError, QueryError, list_papers, parse_query, render_bytes

    try:
        query = parse_query(args.query or "")
    except QueryError as error:
        raise CliError(f"bad query: {error.message}", 2) from None
    # Not parsed at open: a query's words may spare parsing most of it (store/search_text.py).
    library, state = open_store(args.data_dir, check=bool(args.files))
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
        say(f"warning: {warning}")
    if listing.imported is not None:
        report_imports(listing.imported, showing=True)
    if listing.library_empty:
        say("the library is empty: papertray import FILE adds a digest")
    if listing.muted:
        hidden = _count(listing.muted, "muted paper")
        say(f"{hidden} not shown (add is:muted to see them; papertray mutes lists the rules)")
    if listing.note:
        say(listing.note)
    width = output_width()
    out = sys.stdout.buffer
    for chunk in render_bytes(listing.rows, args.format, width=width):
        out.write(chunk)
    out.flush()
    return 0


def cmd_similar(args: argparse.Namespace) -> int:
    """The papers most like one paper, best first, each with the words they share."""
    from papertray.store import UNTOUCHED, SimilarityIndex, render_ranked_bytes

    library, state = open_store(args.data_dir)
    (pid,) = resolve_ids(library, [args.id])
    index = SimilarityIndex.open(library)
    matches = index.similar(pid, args.limit)
    if not matches:
        say(f"no paper in the library shares a word that matters with {pid}")
    states = state.all()
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


def cmd_mark(args: argparse.Namespace) -> int:
    library, state = open_store(args.data_dir, check=False)
    ids = resolve_ids(library, args.ids)
    action = {
        "read": lambda pid: state.set_read(pid, True),
        "unread": lambda pid: state.set_read(pid, False),
        "star": lambda pid: state.set_starred(pid, True),
        "unstar": lambda pid: state.set_starred(pid, False),
    }[args.command]
    for pid in ids:
        action(pid)
    papers = f"{len(ids)} {'paper' if len(ids) == 1 else 'papers'}"
    done = {
        "read": f"marked {papers} read",
        "unread": f"marked {papers} unread",
        "star": f"starred {papers}",
        "unstar": f"unstarred {papers}",
    }[args.command]
    say(done)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    library, state = open_store(args.data_dir, check=False)
    (pid,) = resolve_ids(library, [args.id])
    from papertray.store import parse_tag_changes

    if not args.changes:
        raise CliError("say which tags to change: papertray tag ID +TAG -TAG", 2)
    try:
        # The reader's rule: `+a,b` is two tags, `+#llm` is `llm` (see store/tags.py).
        add, remove = parse_tag_changes(args.changes)
    except ValueError as error:
        raise CliError(str(error), 2) from None
    if remove:
        state.remove_tags(pid, remove)
    new = state.add_tags(pid, add) if add else state.get(pid)
    print(" ".join(new.tags))
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    library, state = open_store(args.data_dir, check=False)
    (pid,) = resolve_ids(library, [args.id])
    text = " ".join(args.text)
    if text == "-":
        text = sys.stdin.read()
    state.set_note(pid, text)
    say(f"note {'cleared' if not text.strip() else 'saved'} for {pid}")
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    _library, state = open_store(args.data_dir, check=False)
    tags = state.all_tags()
    if not tags:
        say("no tags yet: papertray tag ID +TAG, or t in the reader")
    for tag, count in tags:
        print(f"{count:>6}  {tag}")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _mute_counts(library: Library, state: State, mutes: MuteSet) -> dict[int, int]:
    from papertray.store import SearchIndex

    latest = library.latest_import()
    papers = library.papers()
    return mutes.counts(
        papers, state.all(), latest.at if latest is not None else None, SearchIndex(papers)
    )


def cmd_mute(args: argparse.Namespace) -> int:
    from papertray.store import MuteError, MuteSet

    library, state = open_store(args.data_dir)
    try:
        rule = state.add_mute(" ".join(args.query), args.why or "")
    except MuteError as error:
        raise CliError(str(error), 2) from None
    count = _mute_counts(library, state, MuteSet([rule]))[rule.number]
    say(f"rule {rule.number} mutes {_count(count, 'paper')}: {rule.label}")
    return 0


def cmd_mutes(args: argparse.Namespace) -> int:
    from papertray.store import MuteSet, shown_text

    library, state = open_store(args.data_dir)
    rules = state.mute_rules()
    if not rules:
        say("no mute rules: papertray mute QUERY [--why TEXT] adds one")
        return 0
    mutes = MuteSet(rules)
    counts = _mute_counts(library, state, mutes)
    broken = {r.number for r in mutes.broken}
    for rule in rules:
        count = "broken" if rule.number in broken else f"{counts[rule.number]:,}"
        # The state file may have been edited by hand: printable text only.
        print(f"{rule.number:>4}  {count:>7}  {' '.join(shown_text(rule.label).split())}")
    return 0


def cmd_unmute(args: argparse.Namespace) -> int:
    from papertray.store import MuteError, MuteSet

    library, state = open_store(args.data_dir)
    try:
        rule = state.remove_mute(args.number)
    except MuteError as error:
        raise CliError(str(error), 1) from None
    count = _mute_counts(library, state, MuteSet([rule])).get(rule.number, 0)
    say(f"removed rule {rule.number} ({rule.label}): {_count(count, 'paper')} back")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    library, _state = open_store(args.data_dir)
    if args.source is None and not args.ids:
        raise CliError("say what to remove: papertray remove ID... or --source NAME", 2)
    ids = resolve_ids(library, args.ids) if args.ids else []
    if args.source is not None:
        counts = {name: (count, only) for name, count, only in library.sources()}
        if args.source not in counts:
            known = ", ".join(list(counts)[:5]) or "none yet"
            raise CliError(f"no digest named {args.source!r} in the library (digests: {known})")
        ids += library.ids_only_from(args.source)
        count, only = counts[args.source]
        if count > only:
            say(f"{count - only} of the papers from {args.source} also came from other digests: "
                "kept")  # fmt: skip
    removed = library.remove(list(dict.fromkeys(ids)))
    noun = "paper" if len(removed) == 1 else "papers"
    say(f"removed {len(removed)} {noun}; marks are kept and come back if you import them again")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    library, _state = open_store(args.data_dir)
    rows = library.sources()
    if not rows:
        say("the library is empty: papertray import FILE adds a digest")
    for name, count, only in rows:
        shared = f"  ({count - only} also from other digests)" if count > only else ""
        print(f"{count:>6}  {name}{shared}")
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    from papertray.store import seed_sample

    files = list(args.files)
    # Without files, the library file is read by the reader in the background (see preview).
    library, state = open_store(args.data_dir, check=bool(files))
    ids: list[str] | None = None
    preview = None
    warnings: list[str] = []
    link_new = False
    if files:
        outcome = import_files(library, files, args.format)
        ids = outcome.ids
        # A page copy's papers have no arXiv id: the reader links them in the background.
        link_new = outcome.saved and any(not p.arxiv_id for p in outcome.papers)
        if not outcome.saved:
            warnings.append("the data folder cannot be written: marks made now will not be saved")
    else:
        # The preview (ids and titles) draws the first frame while the whole library loads.
        preview = library.preview()
        seeded = seed_sample(library) if preview is None else None
        if seeded is not None:
            ids = seeded.ids
            warnings.append(
                "your library was empty: the bundled sample digest (101 papers) is in it now "
                "(papertray remove --source sample_digest.txt takes it out)"
            )
    from papertray.tui.app import PapertrayApp  # deferred: headless commands never import Textual

    app = PapertrayApp(
        library,
        state,
        paper_ids=list(dict.fromkeys(ids)) if ids is not None else None,
        warnings=[*library.warnings, *state.warnings, *warnings],
        preview=preview,
        scope=", ".join(Path(name).name for name in files),
        link_new=link_new,
    )
    del preview  # the app drops it once the whole library is in: ~20 MB at 100k papers
    app.run()
    return app.return_code or 0


# -- parsing ------------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    # On subcommands the default is SUPPRESS, so `papertray --data-dir X list` keeps X.
    parser.add_argument(
        "--data-dir",
        default=None if top else argparse.SUPPRESS,
        metavar="DIR",
        help="where the library and state live "
        "(default: $PAPERTRAY_DATA_DIR or the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    from papertray.store import FORMATS, OUTPUT_FORMATS, SORT_ORDERS

    parser = Parser(
        prog=PROG,
        usage=f"{PROG} [--data-dir DIR] [--format FORMAT] [FILE ...]\n"
        f"       {PROG} [--data-dir DIR] COMMAND [ARGS ...]\n"
        f"       {PROG} --version | --help",
        description="A terminal reader for research-paper digests. "
        "`papertray [FILE...]` opens the reader; the subcommands serve scripts and pipes.",
    )
    _version(parser)
    _common(parser, top=True)
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
    _common(p)
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
        choices=SORT_ORDERS,
        default="digest",
        help="; ".join(f"{o.name}: {o.help}" for o in SORT_ORDERS.values())
        + " (foryou with -q tag:NAME: like that tag's papers)",
    )
    p.add_argument("-n", "--limit", type=_count_arg, metavar="N", help="print at most N papers")
    _common(p)
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("similar", help="the papers most like one paper, best first")
    p.add_argument("id", metavar="ID", help="a paper id (a unique prefix will do)")
    p.add_argument(
        "-n", "--limit", type=_count_arg, default=10, metavar="N", help="how many (default 10)"
    )
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table", help="output format")
    _common(p)
    p.set_defaults(run=cmd_similar)

    for name, verb in (
        ("read", "mark papers read"),
        ("unread", "mark papers unread"),
        ("star", "star papers"),
        ("unstar", "unstar papers"),
    ):
        p = sub.add_parser(name, help=f"{verb} (by id)")
        p.add_argument("ids", nargs="+", metavar="ID", help="paper ids (a unique prefix will do)")
        _common(p)
        p.set_defaults(run=cmd_mark)

    p = sub.add_parser("tag", help="add or remove tags: papertray tag ID +llm -todo")
    p.add_argument("id", metavar="ID")
    p.add_argument("changes", nargs=argparse.REMAINDER, metavar="+TAG|-TAG")
    _common(p)
    p.set_defaults(run=cmd_tag)

    p = sub.add_parser("note", help="set a paper's note ('' clears it, '-' reads stdin)")
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="+", metavar="TEXT")
    _common(p)
    p.set_defaults(run=cmd_note)

    p = sub.add_parser("tags", help="list the tags in use, with counts")
    _common(p)
    p.set_defaults(run=cmd_tags)

    p = sub.add_parser(
        "remove", help="take papers out of the library (by id, or every paper only from a digest)"
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="paper ids (a unique prefix will do)")
    p.add_argument(
        "--source", metavar="NAME", help="the digest's name, as `papertray sources` shows"
    )
    _common(p)
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("sources", help="list the digests in the library, with paper counts")
    _common(p)
    p.set_defaults(run=cmd_sources)

    p = sub.add_parser(
        "mute",
        help="hide papers matching a query from the default view: papertray mute survey OR "
        "benchmark --why 'not my field'",
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="any query (see the README)")
    p.add_argument("--why", metavar="TEXT", help="the reason, shown beside the rule")
    _common(p)
    p.set_defaults(run=cmd_mute)

    p = sub.add_parser("mutes", help="list the mute rules, with how many papers each mutes")
    _common(p)
    p.set_defaults(run=cmd_mutes)

    p = sub.add_parser("unmute", help="remove mute rule N (papertray mutes numbers them)")
    p.add_argument("number", type=_rule_number, metavar="N")
    _common(p)
    p.set_defaults(run=cmd_unmute)
    from papertray.tui.cli_fetch import add_parsers  # fetch, enrich, config

    add_parsers(sub)
    return parser


def _rule_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a rule number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"rule numbers start at 1, not {value}")
    return value


def _count_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def build_tui_parser() -> argparse.ArgumentParser:
    from papertray.store import FORMATS

    parser = Parser(prog=PROG, add_help=False)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--format", choices=FORMATS)
    _version(parser)
    _common(parser, top=True)
    return parser


def _version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", action="version", version=f"{PROG} {version()}", help="print the version"
    )


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
    sys.exit(run(sys.argv[1:] if argv is None else list(argv)))


def _glue_mute(argv: list[str]) -> list[str]:
    """`papertray mute -has:repo tag:x`: after `mute`, every word but `--why X` and
    `--data-dir X` is the query, even one starting with '-'."""
    out: list[str] = []
    words: list[str] = []
    args = iter(argv)
    seen = False
    for arg in args:
        if not seen:
            out.append(arg)
            if arg == "--data-dir":
                out.append(next(args, ""))
            seen = arg == "mute"
        elif arg in ("--why", "--data-dir"):
            out += [arg, next(args, "")]
        elif arg.startswith(("--why=", "--data-dir=")) or arg in ("-h", "--help"):
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


def run(argv: list[str]) -> int:
    first = _first_positional(argv)
    try:
        if first in ("list", "enrich"):
            argv = _glue_query(argv)
        elif first == "mute":
            argv = _glue_mute(argv)
        if first in SUBCOMMANDS or any(a in ("-h", "--help") for a in argv):
            args = build_parser().parse_args(argv)
            if args.command is None:
                build_parser().print_help()
                return 0
        else:
            args = build_tui_parser().parse_args(argv)
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
