"""The reader's rows of issue 19's budget table, each beside its peer in the same run: cold start
to the first frame (beside an empty Textual app), a filter key to the redrawn list, any key to
the updated screen while a filter runs, and the reader's peak RSS after filtering. A script, not
a test (nothing here asserts a time).

    python tests/benchmarks/bench_reader.py                         # 10k and 100k, 5 runs a row
    python tests/benchmarks/bench_reader.py --sizes 100000 --repeat 3

Corpora come from gen_corpus.py (deterministic), imported with `papertray import` into
`--work` (kept between runs: a library already there is used as it is).

How each row is measured:
- cold start: `papertray --data-dir D` in a pseudo-terminal, from the spawn to the first title
  on screen; the peer is an empty Textual app (one Static) measured the same way.
- filter key: the reader in-process (`App.run_test`, headless), `memory efficient` typed one
  key at a time straight to the driver; from the key to the first frame composed after the list
  took the key's result (`PaperList.set_rows`, then `App._display`), and to the frame after the
  whole result was counted.
- any key while a filter runs: the filter set to a broad word (its whole result takes longest to
  count), then `j` on the list as soon as the first screenful is shown; from the key to the
  frame with the cursor moved. And each typed filter key to the frame that shows it in the bar.
- peak RSS: VmHWM of the pty run after `/memory efficient` was typed and the screen settled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (  # noqa: E402
    CLI,
    COLS,
    EMPTY_APP,
    LINES,
    PY,
    QUERY,
    make_corpus,
    median,
    ms,
    p95,
    pty_until,
    run_quiet,
    wait_for_background_builds,
)

BROAD = ["memory", "model", "efficient", "language", "training", "inference"]


def cold_start(data: Path, titles: list[str], repeat: int) -> tuple[float, int]:
    cmd = [*CLI, "--data-dir", str(data)]
    runs = [pty_until(cmd, [t[:24] for t in titles]) for _ in range(repeat)]
    return median([r[0] for r in runs]), max(r[1] for r in runs)


def first_titles(data: Path) -> list[str]:
    from papertray.store import Library

    library = Library.open(data)
    return [p.title for p in library.rows([1, 2, 3])]


def peak_rss(data: Path, titles: list[str]) -> int:
    keys = b"/" + QUERY.encode()
    cmd = [*CLI, "--data-dir", str(data)]
    _, kb = pty_until(cmd, [t[:24] for t in titles], then=keys, settle=1.5)
    return kb


async def typing(data: Path) -> dict[str, list[float]]:
    """In-process: every key of QUERY, then `j` while broad searches run."""
    from textual import events

    from papertray.store import Library, State
    from papertray.tui.app import PapertrayApp

    app = PapertrayApp(Library.open(data), State.open(data))
    out: dict[str, list[float]] = {"redrawn": [], "counted": [], "echo": [], "j": []}
    async with app.run_test(size=(COLS, LINES)) as pilot:
        main = app.main
        while main.live.counting:  # the first frame's result, counted in the background
            await asyncio.sleep(0.01)
        await pilot.pause()
        plist = main.paper_list
        stamps = {"set": 0.0, "display": 0.0}
        set_rows, display = plist.set_rows, app._display

        def stamped_set_rows(*args, **kwargs):  # type: ignore[no-untyped-def]
            stamps["set"] = time.perf_counter()
            return set_rows(*args, **kwargs)

        def stamped_display(*args, **kwargs):  # type: ignore[no-untyped-def]
            stamps["display"] = time.perf_counter()
            return display(*args, **kwargs)

        plist.set_rows = stamped_set_rows  # type: ignore[method-assign]
        app._display = stamped_display  # type: ignore[method-assign]
        assert app._driver is not None

        def send(name: str, char: str | None) -> float:
            key = events.Key(name, char)
            key.set_sender(app)
            start = time.perf_counter()
            # Straight to the driver: Pilot.press sleeps waiting for idle.
            app._driver.send_message(key)  # type: ignore[union-attr]
            return start

        await pilot.press("slash")
        await pilot.pause()
        for ch in QUERY:
            start = send("space" if ch == " " else ch, ch)
            deadline = start + 5
            echo = redrawn = None
            while time.perf_counter() < deadline:
                now_display = stamps["display"]
                if echo is None and main.filter_input.value.endswith(ch) and now_display > start:
                    echo = now_display - start
                if redrawn is None and start < stamps["set"] < now_display:
                    redrawn = now_display - start
                if redrawn is not None and not main.live.counting and stamps["set"] < now_display:
                    if main.live.text == main.filter_input.value:
                        break
                await asyncio.sleep(0.0005)
            out["echo"].append(echo if echo is not None else float("nan"))
            out["redrawn"].append(redrawn if redrawn is not None else float("nan"))
            out["counted"].append(stamps["display"] - start)
        await pilot.pause()
        assert main.live.text == QUERY, main.live.text
        # `j` on the list while a broad search counts its whole result.
        plist.focus()
        await pilot.pause()
        for word in BROAD * 2:
            main.filter_input.value = word
            while not (main.live.counting and main.live.text == word):
                await asyncio.sleep(0.0005)
            cursor = plist.cursor
            start = send("j", "j")
            while time.perf_counter() < start + 5:
                if plist.cursor != cursor and stamps["display"] > start:
                    break
                await asyncio.sleep(0.0005)
            out["j"].append(stamps["display"] - start)
            while main.live.counting:
                await asyncio.sleep(0.005)
            await pilot.pause()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "papertray-bench"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(f"[bench_reader] {msg}", file=sys.stderr, flush=True)

    log("peer: an empty Textual app")
    runs = [pty_until([PY, "-c", EMPTY_APP], ["papertray-bench-ready"]) for _ in range(args.repeat)]
    empty, empty_kb = median([r[0] for r in runs]), max(r[1] for r in runs)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        data = work / f"reader-{n}"
        if not (data / "library.db").exists():
            log(f"{n:,}: corpus and import")
            corpus = make_corpus(work, n)
            run_quiet([*CLI, "import", str(corpus.page), "--data-dir", str(data)])
        wait_for_background_builds()
        titles = first_titles(data)
        log(f"{n:,}: cold start")
        start, _kb = cold_start(data, titles, args.repeat)
        log(f"{n:,}: typing")
        keys: dict[str, list[float]] = {}
        for _ in range(max(1, args.repeat // 2)):
            for name, values in asyncio.run(typing(data)).items():
                keys.setdefault(name, []).extend(values)
        log(f"{n:,}: memory")
        kb = peak_rss(data, titles)
        rows += [
            (f"cold start to the first frame, {n:,}", f"{ms(start)} (+{ms(start - empty)})",
             f"empty Textual app {ms(empty)}", "≤ empty app + 0.1 s"),
            (f"filter key → redrawn list, {n:,}",
             f"median {ms(median(keys['redrawn']))}, p95 {ms(p95(keys['redrawn']))}, "
             f"max {ms(max(keys['redrawn']))}; whole result counted: median "
             f"{ms(median(keys['counted']))}, p95 {ms(p95(keys['counted']))}",
             "", "median ≤ 25 ms, p95 ≤ 50 ms"),
            (f"typed filter key shown in the bar, {n:,}",
             f"median {ms(median(keys['echo']))}, p95 {ms(p95(keys['echo']))}, "
             f"max {ms(max(keys['echo']))}", "", "≤ 50 ms"),
            (f"`j` while a filter counts, {n:,}",
             f"median {ms(median(keys['j']))}, p95 {ms(p95(keys['j']))}, max {ms(max(keys['j']))}",
             "", "≤ 50 ms"),
            (f"peak RSS after filtering, {n:,}", f"{kb / 1024:.0f} MB",
             f"empty Textual app {empty_kb / 1024:.0f} MB", "≤ 120 MB"),
        ]  # fmt: skip
    print(
        f"papertray reader benchmark: {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"medians of {args.repeat} runs (typing: {max(1, args.repeat // 2)} runs of {QUERY!r})\n"
    )
    print("| what | papertray | peer (same run) | budget |\n|---|---|---|---|")
    for what, ours, peer, budget in rows:
        print(f"| {what} | {ours} | {peer} | {budget} |")


if __name__ == "__main__":
    main()
