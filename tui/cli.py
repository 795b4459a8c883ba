"""The `papertray` command: the TUI by default, and headless subcommands for scripts and pipes.

Headless subcommands import only `store`; Textual is imported only when the TUI starts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from papertray.store.paths import data_dir as resolve_data_dir

SUBCOMMANDS = (
    "import", "list", "read", "unread", "star", "unstar", "tag", "note", "tags",
    "fetch", "enrich", "config",
)  # fmt: skip
PROG = "papertray"


class CliError(Exception):
    """A one-line message for the user; the exit status goes with it."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def open_store(folder: Path, *, check: bool = True):  # type: ignore[no-untyped-def]
    from papertray.store import Library, State

    library = Library.open(folder, check=check)
    state = State.open(folder)
    for warning in [*library.warnings, *state.warnings]:
        say(f"warning: {warning}")
    return library, state


def import_files(
    library, files: Sequence[str], fmt: str | None, *, quiet: bool = False, showing: bool = True
):  # type: ignore[no-untyped-def]
    """Import each file; return (ids in file order, the papers, saved?). Errors in a file are fatal
    before anything is written, so a bad file in the list never half-imports the others.

    A file whose exact bytes were imported before, and whose papers have not changed in the
    library since, is not parsed again: the library remembers what that import reported."""
    from papertray.store import IngestError, StoreError
    from papertray.store.ingest import ingest_bytes, read_input
    from papertray.store.library import ImportReport, KnownImport, content_key

    def parse(name: str, data: bytes, source: str):  # type: ignore[no-untyped-def]
        try:
            return ingest_bytes(data, fmt=fmt, source=source)
        except IngestError as error:
            raise CliError(f"{name}: {error}") from None

    loaded = []
    for name in files:
        try:
            data, source = read_input(name)
        except IngestError as error:
            raise CliError(str(error)) from None
        key = content_key(data, fmt)
        known = library.recall(key)
        result = None if known is not None else parse(name, data, source)
        warnings = known.warnings if known is not None else result.warnings
        for warning in warnings:
            say(f"warning: {name}: {warning}")
        loaded.append((name, data, source, key, result))
    ids: list[str] = []
    papers = []
    saved = True
    for name, data, source, key, result in loaded:
        # Recalled again here: an earlier file of this same command may have changed the papers.
        known = library.recall(key) if result is None else None
        if result is None and known is None:
            result = parse(name, data, source)
        if known is not None:
            report = ImportReport(skipped=len(known.ids), ids=list(known.ids))
            count, duplicates, shown_format = len(known.ids), known.duplicates, known.format
            if showing:
                papers.extend(p for p in map(library.get, known.ids) if p is not None)
        else:
            remember = KnownImport(key, result.format, result.duplicates, result.warnings)
            try:
                report = library.add(result.papers, title_keys=result.title_keys, remember=remember)
            except StoreError as error:
                if showing:
                    say(f"warning: could not save {name} to the library ({error}); "
                        "showing it unsaved")  # fmt: skip
                else:
                    say(f"could not import {name}: {error}")
                saved = False
                ids.extend(p.id for p in result.papers)
                papers.extend(result.papers)
                continue
            papers.extend(result.papers)
            count, duplicates, shown_format = len(result.papers), result.duplicates, result.format
        ids.extend(report.ids)
        if not quiet:
            skipped = report.skipped + duplicates
            say(
                f"{name}: {count + duplicates} papers ({shown_format}): "
                f"{report.new} new, {report.merged} merged, {skipped} skipped"
            )
    return ids, papers, saved


def _unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def resolve_ids(library, wanted: Sequence[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Accept a full id, a bare arXiv id, or an unambiguous prefix of an id. The ids come from
    the library's preview when it matches (no need to parse 100k abstracts to star one)."""
    preview = library.preview()
    known = list(preview.ids) if preview is not None else [p.id for p in library.papers()]
    known_set = set(known)
    resolved = []
    for raw in wanted:
        key = raw.strip()
        if key in known_set:
            resolved.append(key)
            continue
        if f"arxiv:{key}" in known_set:
            resolved.append(f"arxiv:{key}")
            continue
        matches = [
            pid for pid in known if pid.startswith(key) or pid.split(":", 1)[-1].startswith(key)
        ]
        if len(matches) == 1 and key:
            resolved.append(matches[0])
        elif not matches or not key:
            raise CliError(f"no paper with id {raw!r} in the library (see `papertray list`)")
        else:
            raise CliError(
                f"id {raw!r} is ambiguous: {', '.join(matches[:5])}"
                + ("…" if len(matches) > 5 else "")
            )
    return _unique(resolved)


# -- commands -----------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    library, _state = open_store(args.data_dir)
    _ids, _papers, saved = import_files(library, args.files, args.format, showing=False)
    # Saving is all this command is for: a read-only or full disk is a failure, not a warning.
    return 0 if saved else 1


def cmd_list(args: argparse.Namespace) -> int:
    from papertray.store import QueryError, parse_query
    from papertray.store.export import render_bytes
    from papertray.store.models import UNTOUCHED

    try:
        query = parse_query(args.query or "")
    except QueryError as error:
        raise CliError(f"bad query: {error.message}", 2) from None
    library, state = open_store(args.data_dir)
    if args.files:
        ids, file_papers, _saved = import_files(library, args.files, args.input_format, quiet=True)
        by_id = {p.id: p for p in library.papers()} if _saved else {}
        fallback = {p.id: p for p in file_papers}
        papers = [
            by_id.get(pid) or fallback[pid]
            for pid in _unique(ids)
            if pid in by_id or pid in fallback
        ]
        states = state.all()
    else:
        # One query over the whole library: a cheap pre-filter on the stored text first, so
        # only papers that can match become Paper objects (100k papers: no search index).
        states = state.all()
        tagged = {pid for pid, st in states.items() if st.tags}
        papers = library.papers_containing(query.required_words, always=tagged)
        if not papers and query.is_empty and not library.warnings:
            say("the library is empty: papertray import FILE adds a digest")
        if query.only_words:  # the pre-filter was exact, but for papers let in by a tag
            papers = [p for p in papers if p.id not in tagged or query.matches(p, states[p.id])]
    if not query.is_empty and not (query.only_words and not args.files):
        papers = [p for p in papers if query.matches(p, states.get(p.id, UNTOUCHED))]
    papers = sort_papers(papers, states, args.sort)
    if args.limit is not None:
        papers = papers[: args.limit]
    width = shutil.get_terminal_size((100, 24)).columns
    rows = ((p, states.get(p.id, UNTOUCHED)) for p in papers)
    out = sys.stdout.buffer
    for chunk in render_bytes(rows, args.format, width=width):
        out.write(chunk)
    out.flush()
    return 0


def sort_papers(papers, states, order: str):  # type: ignore[no-untyped-def]
    from papertray.store.models import UNTOUCHED

    if order == "digest":
        return papers
    if order == "title":
        return sorted(papers, key=lambda p: p.title.casefold())
    if order == "starred":
        return sorted(papers, key=lambda p: not states.get(p.id, UNTOUCHED).starred)
    if order == "unread":
        return sorted(papers, key=lambda p: states.get(p.id, UNTOUCHED).read)
    raise CliError(f"unknown sort {order!r}", 2)


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
    # `+a,b` is two tags, as in the reader's tags editor.
    add = [t for c in args.changes if c.startswith("+") for t in c[1:].split(",") if t]
    remove = [t for c in args.changes if c.startswith("-") for t in c[1:].split(",") if t]
    bad = [c for c in args.changes if c[:1] not in "+-" or len(c) < 2]
    if not args.changes:
        raise CliError("say which tags to change: papertray tag ID +TAG -TAG", 2)
    if bad:
        raise CliError(f"tag changes are +TAG or -TAG, not {bad[0]!r}", 2)
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


def cmd_tui(args: argparse.Namespace) -> int:
    from papertray.store.paths import sample_digest

    files = list(args.files)
    # Without files, the library file is read by the reader in the background (see preview).
    library, state = open_store(args.data_dir, check=bool(files))
    ids: list[str] | None = None
    preview = None
    warnings: list[str] = []
    link_new = False
    if files:
        ids, _papers, saved = import_files(library, files, args.format, quiet=True)
        # A page copy's papers have no arXiv id: the reader links them in the background.
        link_new = saved and any(not p.arxiv_id for p in _papers)
        if not saved:
            warnings.append("the data folder cannot be written: marks made now will not be saved")
    else:
        # The preview (ids and titles) draws the first frame while the whole library loads.
        preview = library.preview()
        if preview is None and len(library) == 0:
            ids, _papers, _saved = import_files(library, [str(sample_digest())], None, quiet=True)
            warnings.append(
                "your library was empty: the bundled sample digest (101 papers) is in it now"
            )
    from papertray.tui.app import PapertrayApp  # deferred: headless commands never import Textual

    app = PapertrayApp(
        library,
        state,
        paper_ids=_unique(ids) if ids is not None else None,
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
    from papertray.store.export import OUTPUT_FORMATS
    from papertray.store.ingest import FORMATS

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A terminal reader for research-paper digests. "
        "`papertray [FILE...]` opens the reader; the subcommands serve scripts and pipes.",
    )
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    p.add_argument("--sort", choices=("digest", "title", "starred", "unread"), default="digest")
    p.add_argument("-n", "--limit", type=_count_arg, metavar="N", help="print at most N papers")
    _common(p)
    p.set_defaults(run=cmd_list)

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

    from papertray.tui.cli_fetch import add_parsers  # fetch, enrich, config

    add_parsers(sub)
    return parser


def _count_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def build_tui_parser() -> argparse.ArgumentParser:
    from papertray.store.ingest import FORMATS

    parser = argparse.ArgumentParser(prog=PROG, add_help=False)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--format", choices=FORMATS)
    _common(parser, top=True)
    return parser


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
    try:
        first = _first_positional(argv)
        if first in ("list", "enrich"):
            argv = _glue_query(argv)
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
