"""`papertray sync`: the marks on every machine, through a folder a sync tool shares; and the
automatic sync the commands that change marks run when the config file names a folder (the
reader's own is `syncing.py`).

Summary and refusals go to stderr (one line each), `--status` to stdout.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papertray.tui.cli_common import CliError, data_dir_option, open_store, plural, say, warn

if TYPE_CHECKING:
    from papertray.store import State, types

__all__ = ["add_parser", "cmd_sync", "sync_after_change"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "sync",
        help="sync marks, tags, notes and mute rules with your other machines through a "
        "folder a sync tool shares (Syncthing, Dropbox, a git repo)",
        description="Sync once: write this machine's changes to its log in the folder, merge "
        "every other machine's. With [sync] folder in the config file (papertray config) the "
        "commands that change marks sync by themselves. The library is not synced: papers "
        "are fetched or imported on each machine, and a mark waits for its paper.",
    )
    p.add_argument(
        "--folder", metavar="DIR", help="the shared folder (default: [sync] folder of the config)"
    )
    p.add_argument(
        "--status",
        action="store_true",
        help="machines seen, the last change from each, what waits to be written or merged "
        "(changes nothing)",
    )
    data_dir_option(p)
    p.set_defaults(run=cmd_sync)


def _folder(args: argparse.Namespace) -> Path:
    if args.folder:
        return Path(args.folder).expanduser()
    from papertray.store import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as error:
        raise CliError(str(error), 1) from None
    if config.sync_folder is None:
        raise CliError(
            'which folder? papertray sync --folder DIR, or [sync] folder = "DIR" in '
            f"{config.path} (papertray config)",
            2,
        )
    return config.sync_folder


def cmd_sync(args: argparse.Namespace) -> int:
    from papertray.store import Sync

    folder = _folder(args)
    _library, state = open_store(args.data_dir, check=False)
    sync = Sync(state, folder)
    if args.status:
        _print_status(sync.status())
        return 0
    if not folder.exists() and folder.parent.is_dir():
        try:
            folder.mkdir()  # asked for by name: made (its parent must be there)
        except OSError:
            pass
    report = sync.run()
    for line in [*report.warnings, *report.refused]:
        say(line)
    if report.error is not None:
        say(report.error)
        return 1
    say(report.line())
    return 0


def sync_after_change(state: State) -> None:
    """After a command changed marks: sync when the config file names a folder. A problem is
    a warning: the change is saved here either way, and waits for the next sync."""
    from papertray.store import ConfigError, StoreError, Sync

    try:
        sync = Sync.configured(state)
    except ConfigError as error:
        warn(f"{error}; not synced")
        return
    if sync is None:
        return
    try:
        report = sync.run()
    except StoreError as error:
        warn(f"sync: {error}")
        return
    for line in [*report.warnings, *report.refused]:
        say(line)
    if report.error is not None:
        warn(report.error.removeprefix("sync: "))


def _print_status(status: types.SyncStatus) -> None:
    from papertray.store import rules

    print(f"folder    {rules.one_line(status.folder)}")
    if not status.machine:
        print("machine   this data folder has not synced yet (papertray sync --folder DIR)")
    else:
        this = next((m for m in status.machines if m.this), None)
        name = f" ({rules.one_line(this.name)})" if this is not None and this.name else ""
        log = f", its log {rules.one_line(status.log)}" if status.log else ""
        print(f"machine   {status.machine}{name}{log}")
    print(
        f"waiting   {plural(status.to_write, 'change')} here not yet written out; "
        f"{status.to_merge:,} {'entry' if status.to_merge == 1 else 'entries'} in the folder "
        "not yet merged"
    )
    for line in status.refused:
        print(f"refused   {rules.one_line(line)}")
    if status.machines:
        print()
        print(f"{'machine':<14}{'name':<20}{'last change':<18}{'entries':>9}")
    for m in status.machines:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(m.last)) if m.last else "-"
        name = rules.one_line(m.name)[:19]
        mark = "  (this one)" if m.this else ""
        print(f"{m.machine:<14}{name:<20}{when:<18}{m.entries:>9,}{mark}")
