"""`papertray mute`, `mutes` and `unmute`: the mute rules, each said with how many papers it
hides (counted in the library, as the reader counts them)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from papertray.tui.cli_common import CliError, open_store, plural, say
from papertray.tui.cli_sync import sync_after_change

if TYPE_CHECKING:
    from papertray.store import Library, MuteSet, State

__all__ = ["cmd_mute", "cmd_mutes", "cmd_unmute"]


def _mute_counts(library: Library, state: State, mutes: MuteSet) -> dict[int, int]:
    latest = library.latest_import()
    return mutes.counts(library, state.all(), latest.at if latest is not None else None)


def cmd_mute(args: argparse.Namespace) -> int:
    from papertray.store import MuteError, MuteSet

    library, state = open_store(args.data_dir)
    try:
        rule = state.add_mute(" ".join(args.query), args.why or "")
    except MuteError as error:
        raise CliError(str(error), 2) from None
    sync_after_change(state)
    count = _mute_counts(library, state, MuteSet([rule]))[rule.number]
    say(f"rule {rule.number} mutes {plural(count, 'paper')}: {rule.label}")
    return 0


def cmd_mutes(args: argparse.Namespace) -> int:
    from papertray.store import MuteSet
    from papertray.store import rules as safe

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
        print(f"{rule.number:>4}  {count:>7}  {' '.join(safe.shown_text(rule.label).split())}")
    return 0


def cmd_unmute(args: argparse.Namespace) -> int:
    from papertray.store import MuteError, MuteSet

    library, state = open_store(args.data_dir)
    try:
        rule = state.remove_mute(args.number)
    except MuteError as error:
        raise CliError(str(error), 1) from None
    sync_after_change(state)
    count = _mute_counts(library, state, MuteSet([rule])).get(rule.number, 0)
    say(f"removed rule {rule.number} ({rule.label}): {plural(count, 'paper')} back")
    return 0
