"""papertray's performance table: every row of issues 4 and 13 at 1k, 10k and 100k papers, each
beside a peer measured in the same run. A script, not a test (pytest never collects it; nothing here
asserts a time).

    python tests/benchmarks/bench.py                  # 1k, 10k, 100k; 5 runs a row
    python tests/benchmarks/bench.py --quick          # 1k and 10k, 3 runs a row
    python tests/benchmarks/bench.py --sizes 100000 --repeat 3 --out table.md
    python tests/benchmarks/bench.py --sizes 100000 --rows headless,import   # some rows only

Corpora come from gen_corpus.py beside this script (deterministic; $PAPERTRAY_GEN names another).
fzf (`apt-get install fzf`) is a peer; without it that row says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pty
import re
import resource
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GEN = Path(os.environ.get("PAPERTRAY_GEN", Path(__file__).resolve().parent / "gen_corpus.py"))
SEED = REPO / "store" / "data" / "sample_digest.txt"
QUERY = "memory efficient"
SELECTIVE = '"low-bit" quantization'
PY = sys.executable
CLI = [PY, "-c", "import sys; from papertray.tui.cli import main; main()"]
COLS, LINES = 120, 40
ORDER = [
    "import into an empty library",
    "re-import the same digest",
    "cold start to the first frame with rows",
    "filter: keystroke to redrawn list",
    "headless filter (`list -q ... --format jsonl`)",
    "headless filter, selective query",
    "date query (`list -q 'starred:<7d'`)",
    "star toggle written to disk",
    "fetch + import from loopback",
    "peak RSS of the TUI (after filtering)",
]

ROW_GROUPS = ("import", "cold", "filter", "headless", "dates", "memory", "star", "fetch")
"""`--rows` names: import (and re-import), cold start, filter typing, headless `list -q` (both
queries, with fzf and grep), dates (`list -q 'starred:<7d'`), peak RSS, star toggle, fetch
(bench_fetch.py's rows: fetch + import of a 50-paper day and a month from a loopback server,
beside the import alone)."""

EMPTY_APP = """
from textual.app import App
from textual.widgets import Static

class Empty(App):
    def compose(self):
        yield Static("papertray-bench-ready")

Empty().run()
"""


# -- measuring helpers --------------------------------------------------------------------------


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def run_quiet(cmd: list[str], *, stdin: Path | None = None, shell: bool = False) -> None:
    with open(stdin or os.devnull, "rb") as fin:
        subprocess.run(
            cmd, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
            shell=shell, cwd=REPO,
        )  # fmt: skip


_ANSI = re.compile(
    r"\x1b\[[0-9;?<>=$ ]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_].*?\x1b\\|\x1b."
)


def pty_until(
    cmd: list[str], markers: list[str], *, then: bytes = b"", settle: float = 0.0
) -> tuple[float, int]:
    """Start `cmd` in a pseudo-terminal; seconds until any marker shows on screen, and the peak
    RSS (kB) of the process. With `then`, those keys are typed after the marker and the output
    is followed until it stays quiet for `settle` seconds (for the memory row)."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the app
        os.chdir(REPO)
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(LINES))
        os.execvpe(cmd[0], cmd, env)
    fcntl_winsize(fd)
    seen = b""
    elapsed = float("nan")
    hwm = 0
    try:
        deadline = start + 60
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            text = _ANSI.sub("", seen[-200_000:].decode("utf-8", "replace"))
            if any(m in text for m in markers):
                elapsed = time.perf_counter() - start
                break
        if then:
            os.write(fd, then)
            quiet_since = time.perf_counter()
            end = quiet_since + 30
            while time.perf_counter() < end and time.perf_counter() - quiet_since < settle:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if ready:
                    try:
                        if os.read(fd, 1 << 16):
                            quiet_since = time.perf_counter()
                    except OSError:
                        break
        hwm = _vm_hwm(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return elapsed, hwm


def fcntl_winsize(fd: int) -> None:
    import fcntl

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLS, 0, 0))


def _vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# -- the corpus ---------------------------------------------------------------------------------


@dataclass
class Corpus:
    n: int
    page: Path  # the seed-like page copy
    lines: Path  # one paper a line, for grep and fzf
    json: Path  # the same papers as JSON, for the orjson floor
    data: Path  # a data folder holding the imported library
    first_titles: list[str]


def make_corpus(work: Path, n: int) -> Corpus:
    page, lines, js = work / f"{n}.txt", work / f"{n}.lines", work / f"{n}.json"
    for path, flag in ((page, []), (lines, ["--lines"]), (js, ["--json"])):
        if not path.exists():
            tmp = path.with_suffix(".part")
            with open(tmp, "wb") as out:
                subprocess.run([PY, str(GEN), str(n), *flag], stdout=out, check=True)
            tmp.rename(path)
    data = work / f"data-{n}"
    shutil.rmtree(data, ignore_errors=True)
    papers = json.loads(js.read_text())
    return Corpus(n, page, lines, js, data, [p["title"] for p in papers[:3]])


def wait_for_background_builds(limit: float = 180.0) -> None:
    """An import of 5k papers or more starts a background build of the similarity index
    (`python -m papertray.store.similar`, niced); the other rows measure the reader and the CLI
    on their own, so wait for it rather than time them against a busy core."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        busy = False
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if b"papertray.store.similar" in cmdline.read_bytes():
                    busy = True
                    break
            except OSError:
                continue
        if not busy:
            return
        time.sleep(0.5)


def seed_corpus(work: Path) -> Corpus:
    data = work / "data-seed"
    shutil.rmtree(data, ignore_errors=True)
    run_quiet([*CLI, "import", str(SEED), "--data-dir", str(data)])
    sys.path.insert(0, str(REPO))
    from papertray.store import Library

    titles = [p.title for p in Library.open(data).papers()[:3]]
    return Corpus(101, SEED, SEED, SEED, data, titles)


# -- the rows -----------------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    size: str
    ours: str
    peer: str
    ratio: str
    budget: str
    ok: bool | None


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mark(ok: bool | None) -> str:
    return "—" if ok is None else ("pass" if ok else "**FAIL**")


def bench_import(c: Corpus, repeat: int) -> list[Row]:
    import orjson

    first, again = [], []
    for _ in range(repeat):
        wait_for_background_builds()  # the last run's, so each import has the cores to itself
        shutil.rmtree(c.data, ignore_errors=True)
        cmd = [*CLI, "import", str(c.page), "--data-dir", str(c.data)]
        first += timed(lambda cmd=cmd: run_quiet(cmd), 1)
        wait_for_background_builds()
        again += timed(lambda cmd=cmd: run_quiet(cmd), 1)
    raw = c.json.read_bytes()
    floor = median(timed(lambda: orjson.loads(raw), repeat))
    a, b = median(first), median(again)
    size = f"{c.n:,}"
    return [
        Row("import into an empty library", size, ms(a), f"orjson.loads {ms(floor)}",
            f"{a / floor:.1f}x", "< 2.5 s", a < 2.5),
        Row("re-import the same digest", size, ms(b), f"orjson.loads {ms(floor)}",
            f"{b / floor:.1f}x", "< 2 s", b < 2.0),
    ]  # fmt: skip


def bench_cold_start(c: Corpus, repeat: int, empty: float, imp: float) -> Row:
    cmd = [*CLI, "--data-dir", str(c.data)]
    markers = [t[:24] for t in c.first_titles]
    got = median([pty_until(cmd, markers)[0] for _ in range(repeat)])
    peer = f"empty Textual app {ms(empty)}; import textual.app {ms(imp)}"
    if c.n <= 101:
        return Row("cold start to the first frame with rows", str(c.n), ms(got), peer,
                   f"+{ms(got - empty)}", "empty app + 0.15 s", got - empty < 0.15)  # fmt: skip
    return Row("cold start to the first frame with rows", f"{c.n:,}", ms(got), peer,
               f"+{ms(got - empty)}", "empty app + 0.15 s", got - empty < 0.15)  # fmt: skip


def bench_memory(c: Corpus, empty_kb: int) -> Row:
    cmd = [*CLI, "--data-dir", str(c.data)]
    markers = [t[:24] for t in c.first_titles]
    keys = b"/" + QUERY.encode()
    _, kb = pty_until(cmd, markers, then=keys, settle=1.5)
    return Row("peak RSS of the TUI (after filtering)", f"{c.n:,}", f"{kb / 1024:.0f} MB",
               f"empty Textual app {empty_kb / 1024:.0f} MB", f"{kb / max(empty_kb, 1):.1f}x",
               "< 450 MB", kb / 1024 < 450)  # fmt: skip


def bench_filter(c: Corpus, repeat: int) -> Row:
    sys.path.insert(0, str(REPO))
    from papertray.store import Library, State
    from papertray.tui.app import BACKGROUND_INDEX_LIMIT, PapertrayApp

    lower = None
    latencies: list[float] = []  # key -> first redraw with the new result's top rows
    complete: list[float] = []  # key -> every match counted (the status line's total)

    async def once() -> None:
        from textual import events

        app = PapertrayApp(Library.open(c.data), State.open(c.data))
        async with app.run_test(size=(COLS, LINES)) as pilot:
            await pilot.press("slash")
            await pilot.pause()
            # The index is built in the background after the first frame; a reader looks at the
            # screen for longer than that before typing.
            while len(app.shown) > BACKGROUND_INDEX_LIMIT and not app.filter.indexed:
                await asyncio.sleep(0.01)
            plist = app.paper_list
            stamps = {"set": 0.0, "drawn": 0.0}
            set_rows, render_line = plist.set_rows, plist.render_line

            def stamped_set_rows(*args, **kwargs):  # type: ignore[no-untyped-def]
                stamps["set"] = time.perf_counter()
                return set_rows(*args, **kwargs)

            def stamped_render_line(y):  # type: ignore[no-untyped-def]
                stamps["drawn"] = time.perf_counter()
                return render_line(y)

            plist.set_rows = stamped_set_rows  # type: ignore[method-assign]
            plist.render_line = stamped_render_line  # type: ignore[method-assign]
            assert app._driver is not None
            for ch in QUERY:
                key = events.Key("space" if ch == " " else ch, ch)
                key.set_sender(app)
                start = time.perf_counter()
                # Straight to the driver: Pilot.press sleeps 40 ms a key waiting for idle.
                app._driver.send_message(key)
                deadline = start + 5
                first = None
                while time.perf_counter() < deadline and not (
                    start < stamps["set"] < stamps["drawn"] and not app.filter.running
                ):
                    if first is None and start < stamps["set"] < stamps["drawn"]:
                        first = stamps["drawn"] - start
                    await asyncio.sleep(0.0005)
                done = stamps["drawn"] - start
                latencies.append(done if first is None else first)
                complete.append(done)
            await pilot.pause()
            assert app.filter.text == QUERY, app.filter.text

    for _ in range(repeat):
        asyncio.run(once())
    papers = Library.open(c.data).papers()
    lower = [f"{p.title}\n{p.abstract}".lower() for p in papers]
    scans = []
    for _ in range(repeat):
        for end in range(1, len(QUERY) + 1):
            terms = QUERY[:end].split()
            start = time.perf_counter()
            _ = [i for i, h in enumerate(lower) if all(t in h for t in terms)]
            scans.append(time.perf_counter() - start)
    med, high, scan = median(latencies), p95(latencies), median(scans)
    whole = median(complete)
    return Row("filter: keystroke to redrawn list", f"{c.n:,}",
               f"median {ms(med)}, p95 {ms(high)}, max {ms(max(latencies))}; "
               f"all matches counted: median {ms(whole)}, p95 {ms(p95(complete))}",
               f"plain all-terms scan {ms(scan)}", f"{med / scan:.2f}x",
               "median < 40 ms, p95 < 80 ms", med < 0.04 and high < 0.08)  # fmt: skip


def bench_headless(c: Corpus, repeat: int) -> list[Row]:
    """`list -q` against fzf on the same papers as one line each, runs interleaved (ours, fzf,
    grep, ours, ...) so a busy moment of the machine hits all of them alike."""
    ours = [*CLI, "list", "-q", QUERY, "--format", "jsonl", "--data-dir", str(c.data)]
    rare = [*CLI, "list", "-q", SELECTIVE, "--format", "jsonl", "--data-dir", str(c.data)]
    words = QUERY.split()
    grep = f"grep -i -- '{words[0]}' '{c.lines}' | grep -i -- '{words[1]}'"
    fzf = ["fzf", "--filter", QUERY, "--exact"]
    has_fzf = shutil.which("fzf") is not None
    got, g, f, sel = [], [], [], []
    for _ in range(repeat):
        got += timed(lambda: run_quiet(ours), 1)
        if has_fzf:
            f += timed(lambda: run_quiet(fzf, stdin=c.lines), 1)
        g += timed(lambda: run_quiet([grep], shell=True), 1)
        sel += timed(lambda: run_quiet(rare), 1)
    a, gm, s = median(got), median(g), median(sel)
    size = f"{c.n:,}"
    peer = f"`list -q {QUERY!r}` {ms(a)}"
    selective = Row("headless filter, selective query", size, ms(s), peer, f"{s / a:.2f}x",
                    "< 0.3 s", s < 0.3)  # fmt: skip
    if has_fzf:
        fm = median(f)
        return [Row("headless filter (`list -q ... --format jsonl`)", size, ms(a),
                    f"fzf --exact {ms(fm)}; grep \\| grep {ms(gm)}", f"{a / fm:.2f}x fzf",
                    "<= 0.5x fzf", a <= 0.5 * fm), selective]  # fmt: skip
    no_fzf = f"no fzf; grep \\| grep {ms(gm)}"
    return [Row("headless filter (`list -q ... --format jsonl`)", size, ms(a), no_fzf, "—",
                "<= 0.5x fzf", None), selective]  # fmt: skip


DATE_QUERY = "starred:<7d"
STARRED_SHARE = 100  # one paper in 100 starred, spread over the last 30 days


def bench_dates(c: Corpus, repeat: int) -> Row:
    """`list -q 'starred:<7d'` over a library with 1% of its papers starred across 30 days,
    beside `list -q is:starred` (the same papers, no date) and the word query of the row above.
    Budget: no slower than the word query (the one-shot filter's budget)."""
    sys.path.insert(0, str(REPO))
    from papertray.store import Library, PaperState, State

    data = c.data.with_name(c.data.name + "-dated")
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(c.data, data)
    ids = [p.id for p in Library.open(data).papers()][::STARRED_SHARE]
    now = time.time()
    State.open(data).restore(
        {pid: PaperState(starred=True, starred_at=now - (k % 30) * 86400 - 60)
         for k, pid in enumerate(ids)}
    )  # fmt: skip

    def cli(query: str) -> list[str]:
        return [*CLI, "list", "-q", query, "--format", "jsonl", "--data-dir", str(data)]

    ours = median(timed(lambda: run_quiet(cli(DATE_QUERY)), repeat))
    plain = median(timed(lambda: run_quiet(cli("is:starred")), repeat))
    words = median(timed(lambda: run_quiet(cli(QUERY)), repeat))
    return Row("date query (`list -q 'starred:<7d'`)", f"{c.n:,} ({len(ids):,} starred)",
               ms(ours), f"`is:starred` {ms(plain)}; `{QUERY}` {ms(words)}",
               f"{ours / words:.2f}x words", "no slower than the word query",
               ours <= words)  # fmt: skip


def bench_star(work: Path, repeat: int) -> Row:
    sys.path.insert(0, str(REPO))
    from tinydb import TinyDB

    from papertray.store import State

    folder = work / "state-10k"
    shutil.rmtree(folder, ignore_errors=True)
    state = State.open(folder)
    pids = [f"t:{i:016x}" for i in range(10_000)]
    state.set_read_many(pids, True)
    ours = median(timed(lambda: state.toggle_star(pids[5000]), max(20, repeat * 10)))

    stock_path = work / "stock-10k.json"
    stock_path.unlink(missing_ok=True)
    db = TinyDB(stock_path)
    db.insert_multiple({"pid": p, "read": True, "starred": False} for p in pids)
    doc = 5001

    def stock_toggle() -> None:
        current = db.get(doc_id=doc)
        assert current is not None
        db.update({"starred": not current["starred"]}, doc_ids=[doc])

    stock = median(timed(stock_toggle, max(20, repeat * 10)))
    db.close()
    return Row("star toggle written to disk", "10,000 states", ms(ours) if ours >= 0.001 else
               f"{ours * 1000:.1f} ms", f"TinyDB JSONStorage {stock * 1000:.1f} ms",
               f"{ours / stock:.2f}x", "< 10 ms", ours < 0.010)  # fmt: skip


def bench_fetch_rows(repeat: int) -> list[Row]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_fetch

    out = []
    for what, both, alone, extra in bench_fetch.rows(repeat):
        day = "day" in what
        seconds = float(extra.split()[0]) / (1000 if extra.endswith(" ms") else 1)
        out.append(Row("fetch + import from loopback", what, both, f"import alone {alone}",
                       extra if extra[0] in "+-" else f"+{extra}",
                       "import + < 0.3 s" if day else "—",
                       seconds < 0.3 if day else None))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--quick", action="store_true", help="1k and 10k, 3 runs a row")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "papertray-bench"))
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument(
        "--rows", default=",".join(ROW_GROUPS),
        help=f"only these rows (comma-separated; default all): {', '.join(ROW_GROUPS)}",
    )  # fmt: skip
    args = parser.parse_args()
    wanted = set(args.rows.split(","))
    if wanted - set(ROW_GROUPS):
        sys.exit(f"unknown rows: {', '.join(sorted(wanted - set(ROW_GROUPS)))}")
    sizes = [int(s) for s in ("1000,10000" if args.quick else args.sizes).split(",")]
    repeat = 3 if args.quick else args.repeat
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if not GEN.exists():
        sys.exit(f"corpus generator not found at {GEN} (set PAPERTRAY_GEN)")

    def log(msg: str) -> None:
        print(f"[bench] {msg}", file=sys.stderr, flush=True)

    empty = imp = 0.0
    empty_kb = 0
    if wanted & {"cold", "memory"}:
        log("peers: empty Textual app, import textual.app")
        empty_cmd = [PY, "-c", EMPTY_APP]
        runs = [pty_until(empty_cmd, ["papertray-bench-ready"]) for _ in range(repeat)]
        empty = median([r[0] for r in runs])
        empty_kb = max(r[1] for r in runs)
        imp = median(timed(lambda: run_quiet([PY, "-c", "import textual.app"]), repeat))

    rows: list[Row] = []
    if "cold" in wanted:
        seed = seed_corpus(work)
        log("cold start at 101 papers (the seed)")
        rows.append(bench_cold_start(seed, repeat, empty, imp))
    for n in sizes:
        log(f"corpus of {n:,}")
        c = make_corpus(work, n)
        if "import" in wanted:
            log(f"{n:,}: import")
            rows += bench_import(c, repeat)
        elif wanted - {"star"}:
            log(f"{n:,}: import (once, for the other rows)")
            run_quiet([*CLI, "import", str(c.page), "--data-dir", str(c.data)])
        wait_for_background_builds()
        if "cold" in wanted:
            log(f"{n:,}: cold start")
            rows.append(bench_cold_start(c, repeat, empty, imp))
        if "filter" in wanted:
            log(f"{n:,}: filter typing")
            rows.append(bench_filter(c, max(1, repeat // 2)))
        if "headless" in wanted:
            log(f"{n:,}: headless filter")
            wait_for_background_builds()  # one the reader's rows may have started
            rows += bench_headless(c, repeat)
        if "dates" in wanted:
            log(f"{n:,}: date query")
            wait_for_background_builds()
            rows.append(bench_dates(c, repeat))
        if "memory" in wanted:
            log(f"{n:,}: memory")
            rows.append(bench_memory(c, empty_kb))
    if "star" in wanted:
        log("star toggle")
        rows.append(bench_star(work, repeat))
    if "fetch" in wanted:
        log("fetch from loopback (bench_fetch.py)")
        rows += bench_fetch_rows(repeat)

    usage = resource.getrusage(resource.RUSAGE_SELF)
    head = [
        f"papertray benchmark: {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, medians of {repeat} runs (filter: every key of "
        f"{QUERY!r}, {max(1, repeat // 2)} runs); bench process CPU {usage.ru_utime:.0f} s",
        "",
        "| what | papers | papertray | peer (same run) | ratio | budget | |",
        "|---|---|---|---|---|---|---|",
    ]
    body = [
        f"| {r.what} | {r.size} | {r.ours} | {r.peer} | {r.ratio} | {r.budget} | {mark(r.ok)} |"
        for r in sorted(rows, key=lambda r: ORDER.index(r.what))
    ]
    tail = [
        "",
        "Not in this table: more like this / for you (tests/benchmarks/bench_similar.py).",
    ]
    table = "\n".join(head + body + tail) + "\n"
    print(table)
    if args.out:
        Path(args.out).write_text(table)


if __name__ == "__main__":
    main()
