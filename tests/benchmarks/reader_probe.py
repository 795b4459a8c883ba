"""The reader measured from inside (`App.run_test`, headless) for bench.py's `filter` and `keys`
rows: keys sent straight to the driver, and the time from each to the first frame composed
after the screen took what the key asked for (`App._display`, the moment Textual hands the frame
to the terminal). A script's helper, not a test: nothing here asserts a time.

    typing(data, query)  -> per key of `query` typed into the filter: key to the list redrawn
                            with that key's result (its first screenful)
    keys(data, query)    -> (`j` alone, `j` right after a filter key while its query runs):
                            key to the frame with the cursor moved

    python tests/benchmarks/reader_probe.py DATA_DIR [QUERY]    # both, printed
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BROAD = ["memory", "model", "efficient", "language", "training", "inference"]
"""Words most papers hold: their whole result takes longest to count."""


class _Stamps:
    """When the list last took rows, and when a frame last went out."""

    def __init__(self, app: Any) -> None:
        self.set = self.display = 0.0
        plist, display = app.main.paper_list, app._display
        set_rows = plist.set_rows

        def stamped_set_rows(*args: Any, **kwargs: Any) -> None:
            self.set = time.perf_counter()
            set_rows(*args, **kwargs)

        def stamped_display(*args: Any, **kwargs: Any) -> None:
            self.display = time.perf_counter()
            display(*args, **kwargs)

        plist.set_rows = stamped_set_rows
        app._display = stamped_display


def _send(app: Any, name: str, char: str | None) -> float:
    from textual import events

    key = events.Key(name, char)
    key.set_sender(app)
    start = time.perf_counter()
    app._driver.send_message(key)  # straight to the driver: Pilot.press waits for idle
    return start


async def _ready(app: Any, pilot: Any) -> None:
    while app.main.live.counting:  # the first frame's whole result, counted in a worker
        await asyncio.sleep(0.01)
    await pilot.pause()


async def typing(data: Path, query: str) -> list[float]:
    """Seconds from each key of `query`, typed into the filter, to the list redrawn with its
    result (to the next frame when the key asks nothing new: a space after a word)."""
    from papertray.store import Library, State
    from papertray.tui.app import PapertrayApp

    app = PapertrayApp(Library.open(data), State.open(data))
    out: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        await pilot.press("slash")
        await pilot.pause()
        stamps = _Stamps(app)
        live = app.main.live
        typed = ""
        for ch in query:
            typed += ch
            asked = live.query
            start = _send(app, "space" if ch == " " else ch, ch)
            redrawn = float("nan")
            while time.perf_counter() < start + 5:
                if live.text == typed:
                    # A key that asks nothing new (a space after a word) has only the filter
                    # bar to redraw: the first frame after it counts.
                    new_rows = live.query.root != asked.root
                    drawn = start < stamps.set < stamps.display or (
                        not new_rows and stamps.display > start
                    )
                    if drawn:
                        redrawn = stamps.display - start
                        break
                await asyncio.sleep(0.0005)
            out.append(redrawn)
            while app.main.live.counting and time.perf_counter() < start + 5:
                await asyncio.sleep(0.001)  # the next key as a reader types: ~every 100 ms
            await asyncio.sleep(max(0.0, start + 0.1 - time.perf_counter()))
        await pilot.pause()
        assert app.main.live.text == query, app.main.live.text
    return out


async def keys(data: Path, query: str) -> tuple[list[float], list[float]]:
    """Seconds from `j` on the list to the frame with the cursor moved: on its own, and right
    after the filter is set to a broad word, while its whole result is being counted."""
    from papertray.store import Library, State
    from papertray.tui.app import PapertrayApp

    app = PapertrayApp(Library.open(data), State.open(data))
    alone: list[float] = []
    during: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        stamps = _Stamps(app)
        main = app.main
        plist = main.paper_list

        async def j() -> float:
            cursor = plist.cursor
            start = _send(app, "j", "j")
            while time.perf_counter() < start + 5:
                if plist.cursor != cursor and stamps.display > start:
                    return stamps.display - start
                await asyncio.sleep(0.0005)
            return float("nan")

        for word in [*query.split(), *BROAD]:
            alone.append(await j())
            await pilot.pause()
            main.set_filter(word)
            while not (main.live.counting and main.live.text == word):
                await asyncio.sleep(0.0005)  # the first screenful is in, the rest counting
            during.append(await j())
            while main.live.counting:
                await asyncio.sleep(0.005)
            await pilot.pause()
    return alone, during


def main() -> None:
    data = Path(sys.argv[1])
    query = sys.argv[2] if len(sys.argv) > 2 else "memory efficient"
    typed = asyncio.run(typing(data, query))
    alone, during = asyncio.run(keys(data, query))
    for what, values in (("filter key", typed), ("j alone", alone), ("j while counting", during)):
        values = [v for v in values if v == v]
        print(f"{what}: median {statistics.median(values) * 1000:.0f} ms, "
              f"max {max(values) * 1000:.0f} ms ({len(values)} keys)")  # fmt: skip


if __name__ == "__main__":
    main()
