"""The reader's sync of the marks with the user's other machines (issue 25): the blocking part,
run by the app in a thread worker once the first frame is drawn. No Textual here.

When the config file names a `[sync] folder`, a `Sync` on a `State` of its own (another
instance, as far as the reader's `State` is concerned, so the reader never waits on a merge)
runs at once, then whenever `Sync.poll` finds a file of the folder or `state.json` changed,
every `POLL_SECONDS`, and `DEBOUNCE` seconds after the reader's last change (`nudged`: a burst
of keys is one run): a star made in the reader is written out within a quarter of a second, and
another machine's star is merged within a second of its file arriving. A run that changed marks
here is reported at once, so the reader reads them then rather than at its own next look
(measured: 0.04 to 0.84 s from the file's arrival to the star on screen, issue 25's budget 2 s:
tests/test_tui_sync.py). What a run says (a refused file, a warning, this machine's log that
cannot be written) is said once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["DEBOUNCE", "POLL_SECONDS", "SyncNews", "keep_in_sync"]

POLL_SECONDS = 1.0
"""How often the sync looks at the folder and `state.json` (a few `stat` calls when nothing
changed)."""
DEBOUNCE = 0.25
"""After a change in the reader, the look waits until no other came for this long (never
longer than the next poll)."""
STEP = 0.05
"""How soon a stop is noticed while waiting for the next look."""

Severity = Literal["information", "warning", "error"]


@dataclass
class SyncNews:
    """What one run of the sync has for the reader."""

    changed: int = 0
    """Papers and mute rules whose marks it changed here."""
    lines: list[tuple[str, Severity]] = field(default_factory=list)
    """What it says, each line once in the reader's life (one line each, no markup)."""


def keep_in_sync(
    data_dir: Path,
    report: Callable[[SyncNews], object],
    stopped: Callable[[], bool],
    poll: float | None = None,
    nudged: threading.Event | None = None,
) -> None:
    """Sync the data folder `data_dir` until `stopped()` (see the module docstring), looking
    every `poll` seconds (`POLL_SECONDS`), and `DEBOUNCE` after `nudged` was last set (the
    reader changed a mark); nothing when the config file names no folder. On the way out a
    last look writes out a mark made just before."""
    from papertray.store import ConfigError, StoreError, load_config, rules

    every = POLL_SECONDS if poll is None else poll
    said: set[str] = set()

    def tell(changed: int, lines: list[tuple[str, Severity]]) -> None:
        new = [(rules.one_line(text), severity) for text, severity in lines]
        new = [(text, severity) for text, severity in new if text not in said]
        said.update(text for text, _ in new)
        if changed or new:
            report(SyncNews(changed, new))

    try:
        config = load_config()
    except ConfigError as error:
        tell(0, [(f"{error}; the marks are not synced", "warning")])
        return
    if config.sync_folder is None:
        return  # before the sync's modules: a reader that syncs nothing never loads them
    from papertray.store import State, Sync

    try:
        sync = Sync(State.open(data_dir), config.sync_folder)
    except (StoreError, OSError) as error:
        tell(0, [(f"sync: {error}", "warning")])
        return

    def look(first: bool) -> None:
        try:
            found = sync.run() if first else sync.poll()
        except (StoreError, OSError) as error:
            tell(0, [(f"sync: {error}", "warning")])
            return
        if found is not None:
            lines: list[tuple[str, Severity]] = [
                (line, "warning") for line in [*found.refused, *found.warnings]
            ]
            if found.error:
                lines.append((found.error, "error"))
            tell(found.changed, lines)

    look(first=True)
    while not _wait(stopped, every, nudged):
        look(first=False)
    look(first=False)


def _wait(
    stopped: Callable[[], bool], seconds: float, nudged: threading.Event | None = None
) -> bool:
    """Wait `seconds`, or `DEBOUNCE` after the last time `nudged` was set if that comes
    sooner; True as soon as `stopped()` says so."""
    poll_end = end = time.monotonic() + seconds
    while not stopped():
        now = time.monotonic()
        if nudged is not None and nudged.is_set():
            nudged.clear()
            end = min(poll_end, now + DEBOUNCE)  # each nudge puts the look off a little
        left = end - now
        if left <= 0:
            return False
        time.sleep(min(STEP, left))
    return True
