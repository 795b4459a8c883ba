"""`papertray read`, `unread`, `star`, `unstar`, `later`, `unlater`, `tag`, `note` and `tags`:
the user's marks.

The same rules as the reader's keys (`State` cleans tags and notes, `parse_tag_changes` reads
`+a,b -c`); `cli.py` parses the arguments and calls these.
"""

from __future__ import annotations

import argparse
import sys

from papertray.tui.cli_common import CliError, open_store, resolve_ids, say
from papertray.tui.cli_sync import sync_after_change

__all__ = ["cmd_mark", "cmd_note", "cmd_tag", "cmd_tags"]


def cmd_mark(args: argparse.Namespace) -> int:
    library, state = open_store(args.data_dir, check=False)
    ids = resolve_ids(library, args.ids)
    action = {
        "read": lambda pid: state.set_read(pid, True),
        "unread": lambda pid: state.set_read(pid, False),
        "star": lambda pid: state.set_starred(pid, True),
        "unstar": lambda pid: state.set_starred(pid, False),
        "later": lambda pid: state.set_later(pid, True),
        "unlater": lambda pid: state.set_later(pid, False),
    }[args.command]
    for pid in ids:
        action(pid)
    sync_after_change(state)
    papers = f"{len(ids)} {'paper' if len(ids) == 1 else 'papers'}"
    done = {
        "read": f"marked {papers} read",
        "unread": f"marked {papers} unread",
        "star": f"starred {papers}",
        "unstar": f"unstarred {papers}",
        "later": f"queued {papers} to read later",
        "unlater": f"took {papers} out of the read-later queue",
    }[args.command]
    say(done)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    library, state = open_store(args.data_dir, check=False)
    (pid,) = resolve_ids(library, [args.id])
    from papertray.store import rules

    if not args.changes:
        raise CliError("say which tags to change: papertray tag ID +TAG -TAG", 2)
    try:
        # The reader's rule: `+a,b` is two tags, `+#llm` is `llm` (see store/tags.py).
        add, remove = rules.parse_tag_changes(args.changes)
    except ValueError as error:
        raise CliError(str(error), 2) from None
    if remove:
        state.remove_tags(pid, remove)
    if add:
        state.add_tags(pid, add)
    sync_after_change(state)
    print(" ".join(state.get(pid).tags))
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    library, state = open_store(args.data_dir, check=False)
    (pid,) = resolve_ids(library, [args.id])
    text = " ".join(args.text)
    if text == "-":
        text = sys.stdin.read()
    other = state.get(pid).conflicting_note
    state.set_note(pid, text)
    sync_after_change(state)
    dropped = " (the conflicting note from another machine is dropped)" if other else ""
    say(f"note {'cleared' if not text.strip() else 'saved'} for {pid}{dropped}")
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    library, state = open_store(args.data_dir)
    # A tag counts only on papers in the library (a removed paper keeps its marks, unseen).
    tags = state.all_tags(library.present(state.all()))
    if not tags:
        say("no tags yet: papertray tag ID +TAG, or t in the reader")
    for tag, count in tags:
        print(f"{count:>6}  {tag}")
    return 0
