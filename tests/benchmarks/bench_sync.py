"""Sync benchmark (issue 25): merging 100k log entries from 4 machines (budget 1 s), a sync after
one change, and the time from a star's log arriving to another machine's `State` showing it
(budget: an open reader shows it within 2 s).

    python tests/benchmarks/bench_sync.py [--repeat 3] [--work DIR]

Logs are generated in the format papertray writes (`store/sync_files.py`): 4 machines of 25,000
entries each, spread over 5,000 papers (a heavy user's years of marks: every paper changed about
20 times) or over 50,000 (nearly every entry a paper's first mark: the state file grows by 43k
papers). Each row starts a fresh data folder and times `Sync.run()`, the whole run: reading and
checking the logs, merging, writing `state.json`, `sync.json` and this machine's first log.
Prints a markdown table; asserts nothing. A CPU probe (`sum(range(10**7))`) is printed with it:
on a shared machine the numbers scale with it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from papertray.store import State, Sync  # noqa: E402
from papertray.store.sync_files import Header, encode  # noqa: E402
from papertray.store.sync_merge import Entry  # noqa: E402

MACHINES = [f"{i:012x}" for i in range(1, 5)]
TAGS = ["llm", "rl", "cv", "todo", "diffusion", "agents"]
BASE_MS = 1_800_000_000_000


def make_logs(folder: Path, papers: int, per_machine: int = 25_000, seed: int = 25) -> int:
    """Four machines' logs of `per_machine` entries each: stars, reads, tags and notes."""
    rng = random.Random(seed)
    for m in MACHINES:
        entries: list[Entry] = []
        for j in range(per_machine):
            pid = f"arxiv:2601.{rng.randrange(papers):05d}"
            clock = (BASE_MS + j * 37 + rng.randrange(30), 0, m)
            kind = rng.randrange(4)
            if kind == 0:
                entries.append(Entry("marks", pid, "starred", clock[0] / 1000, clock))
            elif kind == 1:
                entries.append(Entry("marks", pid, "read", clock[0] / 1000, clock))
            elif kind == 2:
                tag, on = rng.choice(TAGS), rng.random() < 0.8
                entries.append(Entry("marks", pid, "tags", on, clock, tag))
            else:
                text = f"note {j} from {m[-1]}: the ablations in section {j % 9}"
                entries.append(Entry("marks", pid, "note", text, clock, None, {m: clock[:2]}))
        path = folder / f"papertray.{m}.1.jsonl"
        path.write_bytes(Header.make(m, 1, f"machine {m[-1]}", 0) + b"".join(encode(entries)))
    return len(MACHINES) * per_machine


def probe() -> float:
    start = time.perf_counter()
    sum(range(10**7))
    return time.perf_counter() - start


def merge_row(work: Path, papers: int, repeat: int) -> tuple[str, list[float], str]:
    shared = work / f"logs-{papers}"
    if not shared.exists():
        shared.mkdir(parents=True)
        make_logs(shared, papers)
    times = []
    detail = ""
    for n in range(repeat):
        data = work / f"fresh-{papers}-{n}"
        shutil.rmtree(data, ignore_errors=True)
        for name in os.listdir(shared):  # the previous run's own log
            if not name.startswith(tuple(f"papertray.{m}." for m in MACHINES)):
                os.unlink(shared / name)
        state = State.open(data)
        sync = Sync(state, shared, name="bench")
        start = time.perf_counter()
        report = sync.run()
        times.append(time.perf_counter() - start)
        assert report.ok and not report.refused, report
        detail = f"{report.merged:,} entries took, {report.changed:,} papers written"
    return f"merge 100k entries of 4 machines, {papers:,} papers (fresh machine)", times, detail


def one_change_row(work: Path, marked: int, repeat: int, cached: bool) -> tuple[str, list, str]:
    data = work / f"marked-{marked}-{cached}"
    shared = work / f"shared-{marked}-{cached}"
    for folder in (data, shared):
        shutil.rmtree(folder, ignore_errors=True)
    shared.mkdir(parents=True)
    state = State.open(data)
    state.set_read_many([f"arxiv:2601.{i:05d}" for i in range(marked)], True)
    sync = Sync(state, shared, name="bench")
    sync.run()
    times = []
    for n in range(repeat * 3):
        state.toggle_star(f"arxiv:2601.{n:05d}")
        this = sync if cached else Sync(state, shared, name="bench")
        start = time.perf_counter()
        this.run()
        times.append(time.perf_counter() - start)
    how = "the same Sync (a reader)" if cached else "a new Sync each time (a command)"
    return f"a sync after one star, {marked:,} marked papers, {how}", times, ""


def arrival_row(work: Path, marked: int, repeat: int) -> tuple[str, list, str]:
    """B stars a paper and syncs (its log line arrives in the folder); A, polling, merges it;
    the reader's own State (another object on A's data folder) then shows it."""
    shared = work / f"arrival-{marked}"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir(parents=True)
    states, syncs = [], []
    for who in ("a", "b"):
        folder = work / f"arrival-{marked}-{who}"
        shutil.rmtree(folder, ignore_errors=True)
        state = State.open(folder)
        state.set_read_many([f"arxiv:2601.{i:05d}" for i in range(marked)], True)
        states.append(state)
        syncs.append(Sync(state, shared, name=who))
    for _ in range(2):
        for sync in syncs:
            sync.run()
    reader = State.open(work / f"arrival-{marked}-a")
    reader.all()
    times = []
    for n in range(repeat * 3):
        pid = f"arxiv:2601.{n:05d}"
        states[1].toggle_star(pid)
        syncs[1].run()  # the line is in the folder: it has arrived
        arrived = time.perf_counter()
        while syncs[0].poll() is None:
            pass
        reader.refresh()
        assert reader.get(pid).starred == states[1].get(pid).starred
        times.append(time.perf_counter() - arrived)
    idle = Sync(states[0], shared)
    idle.run()
    start = time.perf_counter()
    for _ in range(100):
        idle.poll()
    idle_ms = (time.perf_counter() - start) * 10
    return (
        f"a star's log arriving to the reader's State showing it, {marked:,} marked papers",
        times,
        f"plus the poll interval (1 s); a poll that finds nothing new {idle_ms:.2f} ms",
    )


def table(rows: list[tuple[str, list[float], str]]) -> str:
    out = ["| what | median | range | notes |", "|---|---|---|---|"]
    for what, times, notes in rows:
        median = statistics.median(times)
        unit = (lambda t: f"{t:.2f} s") if median >= 0.1 else (lambda t: f"{t * 1000:.0f} ms")
        out.append(f"| {what} | {unit(median)} | {unit(min(times))}-{unit(max(times))} | {notes} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "papertray-sync-bench"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    before = probe()
    rows = [
        merge_row(args.work, 5_000, args.repeat),
        merge_row(args.work, 50_000, args.repeat),
        one_change_row(args.work, 1_000, args.repeat, cached=False),
        one_change_row(args.work, 10_000, args.repeat, cached=False),
        one_change_row(args.work, 10_000, args.repeat, cached=True),
        arrival_row(args.work, 1_000, args.repeat),
        arrival_row(args.work, 10_000, args.repeat),
    ]
    after = probe()
    print(table(rows))
    print(f"\nCPU probe (sum(range(10**7))): {before:.2f} s before, {after:.2f} s after")


if __name__ == "__main__":
    main()
