"""Measure the store's hot paths at scale and print one table (not a test; no assertions).

    python tests/helpers/bench_store.py [N_PAPERS] [N_STATES]

Papers come from ../shared/bench/gen_corpus.py, split on blank lines (no dependency on ingest).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from store.library import Library
from store.models import Paper, paper_id
from store.state import State
from store.storage import pause_gc

GEN = Path("/work/shared/bench/gen_corpus.py")


def corpus(n: int) -> list[Paper]:
    text = subprocess.run(
        [sys.executable, str(GEN), str(n)], check=True, capture_output=True, text=True
    ).stdout
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()][5:]
    papers = []
    for title, abstract in zip(blocks[0::2], blocks[1::2], strict=False):
        papers.append(Paper(id=paper_id(title=title), title=title, abstract=abstract))
    return papers


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


COLD = """
import sys, time
t = time.perf_counter()
import orjson

from store.library import Library
papers = Library.open(__import__("pathlib").Path(sys.argv[1])).papers()
print(time.perf_counter() - t)
__import__("os")._exit(0)  # skip freeing 100k objects at exit
"""


def cold_open(folder: Path) -> float:
    root = str(Path(__file__).resolve().parents[2])
    out = subprocess.run(
        [sys.executable, "-c", COLD, str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": root},
    ).stdout
    return float(out)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_states = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    papers = corpus(n)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lib = Library.open(folder)
        t, report = timed(lambda: lib.add(papers))
        size = (folder / "library.json").stat().st_size
        rows.append((f"add {len(papers)} papers to an empty library", t, f"{size / 1e6:.0f} MB"))
        t = statistics.median(cold_open(folder) for _ in range(3))
        rows.append((f"Library.open + papers() of {len(papers)}, fresh process", t, ""))
        raw = (folder / "library.json").read_bytes()
        with pause_gc():
            t, _ = timed(lambda: orjson.loads(raw), repeat=3)
        rows.append(("  floor: orjson.loads of library.json, gc paused", t, ""))
        mtime = (folder / "library.json").stat().st_mtime_ns
        reopened = Library.open(folder)
        t, report = timed(lambda: reopened.add(papers), repeat=3)
        same = (folder / "library.json").stat().st_mtime_ns == mtime
        rows.append((f"re-add the same {len(papers)} (no write)", t, f"file untouched: {same}"))

        state = State.open(folder)
        state.set_read_many([p.id for p in papers[:n_states]], True)
        pid = papers[0].id
        t, _ = timed(lambda: state.toggle_star(pid), repeat=41)
        size = (folder / "state.json").stat().st_size
        rows.append((f"star toggle, {n_states} in state file", t, f"{size / 1e6:.1f} MB, fsync"))
        t, _ = timed(lambda: State.open(folder).all(), repeat=5)  # includes freeing the last
        rows.append((f"State.open + all() of {n_states}", t, ""))
        t, _ = timed(lambda: state.set_read_many([p.id for p in papers], True), repeat=1)
        rows.append((f"set_read_many of {len(papers)}", t, ""))
    print(f"{'what':50} {'median':>10}  note")
    for what, secs, note in rows:
        print(f"{what:50} {secs * 1000:8.1f} ms  {note}")


if __name__ == "__main__":
    main()
