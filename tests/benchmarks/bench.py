"""papertray's performance table: the budget rows of issue 19 at 1k, 10k and 100k papers (and
1M when asked), each beside a peer measured in the same run. A script, not a test: pytest never
collects it and nothing here asserts a time.

    python tests/benchmarks/bench.py                              # 1k, 10k, 100k; 3 runs a row
    python tests/benchmarks/bench.py --sizes 100000 --repeat 5 --out table.md
    python tests/benchmarks/bench.py --sizes 100000 --rows import,day,headless
    python tests/benchmarks/bench.py --sizes 1000000 --rows import,cold,filter,memory

Rows (`--rows`): import (into an empty library, beside a bare script's insert + FTS5 rebuild of
the same rows), day (a 500-paper day added to the library, beside the import), headless
(`list -q` beside `fzf --filter --exact`), star (a star written at 10k and 50k marked papers,
beside TinyDB's stock storage), email (a 100k arXiv email digest: import time and peak RSS, and
the similarity index built after it), cold (the reader's first frame, beside an empty Textual
app), filter (key to redrawn list while typing `memory efficient`), keys (any key to screen
updated, also while a filter runs), memory (the reader's peak RSS after filtering). More like
this / for you: `bench_similar.py`. Corpora come from gen_corpus.py beside this script
(deterministic; `$PAPERTRAY_GEN` names another) and are cached in `--work`. fzf
(`apt-get install fzf`) is a peer; without it that row says so. POSIX only (a pseudo-terminal
for the reader's cold start).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GEN = Path(os.environ.get("PAPERTRAY_GEN", Path(__file__).resolve().parent / "gen_corpus.py"))
QUERY = "memory efficient"
PY = sys.executable
CLI = [PY, "-c", "import sys; from papertray.tui.cli import main; main()"]
COLS, LINES = 120, 40
DAY = 500
ROWS = ("import", "day", "headless", "star", "email", "cold", "filter", "keys", "memory")

PEER_SCRIPT = r"""
import json, sqlite3, sys, time
rows = [(p["title"], p["abstract"]) for p in json.load(open(sys.argv[1]))]
conn = sqlite3.connect(sys.argv[2])
start = time.perf_counter()
conn.execute("CREATE TABLE p (title TEXT, abstract TEXT)")
conn.execute("CREATE VIRTUAL TABLE f USING fts5(title, abstract, content='p')")
conn.executemany("INSERT INTO p VALUES (?, ?)", rows)
conn.execute("INSERT INTO f (f) VALUES ('rebuild')")
conn.commit()
print(time.perf_counter() - start)
"""

EMPTY_APP = """
from textual.app import App
from textual.widgets import Static

class Empty(App):
    def compose(self):
        yield Static("papertray-bench-ready")

Empty().run()
"""

# -- measuring -----------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def run_timed(cmd: list[str], *, stdin: Path | None = None, env: dict[str, str] | None = None
              ) -> tuple[float, float, str]:  # fmt: skip
    """(wall seconds, peak RSS in MB, stdout) of a command, its own process only."""
    wrapper = [PY, "-c", _RUSAGE, *cmd]
    with open(stdin or os.devnull, "rb") as fin:
        start = time.perf_counter()
        done = subprocess.run(wrapper, stdin=fin, capture_output=True, cwd=REPO, env=env)
        wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[-4:]} failed: {done.stderr.decode()[-500:]}")
    *out, rss = done.stdout.decode().rstrip("\n").split("\n")
    return wall, float(rss or 0), "\n".join(out)


_RUSAGE = r"""
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
sys.stdout.write(done.stdout.decode(errors="replace"))
print()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
sys.exit(done.returncode)
"""


def gen(n: int, flag: str, target: Path) -> Path:
    if not target.exists():
        part = target.with_suffix(".part")
        with open(part, "wb") as out:
            subprocess.run([PY, str(GEN), str(n), *([flag] if flag else [])], stdout=out,
                           check=True)  # fmt: skip
        part.rename(target)
    return target


def wait_for_background_builds(limit: float = 300.0) -> None:
    """An import of 5k papers or more starts a background build of the similarity index: wait
    for it, so the next row has the cores to itself."""
    time.sleep(0.3)  # the build's process is started as the import ends: let it show
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        busy = any(
            b"papertray.store.similar" in _read(p) for p in Path("/proc").glob("[0-9]*/cmdline")
        )
        if not busy:
            return
        time.sleep(0.5)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


@dataclass
class Row:
    what: str
    size: str
    ours: str
    peer: str
    ratio: str
    budget: str
    ok: bool | None


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


# -- the corpus ----------------------------------------------------------------------------------


@dataclass
class Corpus:
    n: int
    work: Path

    @property
    def page(self) -> Path:
        return gen(self.n, "", self.work / f"{self.n}.txt")

    @property
    def json(self) -> Path:
        return gen(self.n, "--json", self.work / f"{self.n}.json")

    @property
    def lines(self) -> Path:
        return gen(self.n, "--lines", self.work / f"{self.n}.lines")

    @property
    def data(self) -> Path:
        """A data folder holding the imported page copy (made once per run)."""
        folder = self.work / f"data-{self.n}"
        if not (folder / "library.db").exists():
            shutil.rmtree(folder, ignore_errors=True)
            run_timed([*CLI, "--data-dir", str(folder), "import", str(self.page)])
            wait_for_background_builds()
        return folder

    def day(self) -> Path:
        """A day of `DAY` papers none of the library has, as an HF daily-papers API answer."""
        path = self.work / f"day-{self.n}.json"
        if not path.exists():
            more = gen(self.n + DAY, "--json", self.work / f"{self.n + DAY}.json")
            papers = json.loads(more.read_text())[-DAY:]
            items = [
                {"paper": {"id": f"2612.{9 * 10_000 + i:05d}", "title": p["title"],
                           "summary": p["abstract"], "authors": [{"name": "Ada Lovelace"}],
                           "publishedAt": "2026-12-01T00:00:00.000Z", "upvotes": i},
                 "title": p["title"], "publishedAt": "2026-12-01T00:00:00.000Z"}
                for i, p in enumerate(papers)
            ]  # fmt: skip
            path.write_text(json.dumps(items))
        return path


# -- the rows ------------------------------------------------------------------------------------


def bench_import(c: Corpus, repeat: int) -> list[Row]:
    ours, rss, peers = [], [], []
    for _ in range(repeat):
        wait_for_background_builds()
        folder = c.work / "import-target"
        shutil.rmtree(folder, ignore_errors=True)
        wall, mb, _ = run_timed([*CLI, "--data-dir", str(folder), "import", str(c.page)])
        ours.append(wall)
        rss.append(mb)
        peer_db = c.work / "peer.db"
        peer_db.unlink(missing_ok=True)
        _, _, out = run_timed([PY, "-c", PEER_SCRIPT, str(c.json), str(peer_db)])
        peers.append(float(out.strip()))
    a, p = median(ours), median(peers)
    return [Row("import into an empty library (peak RSS " f"{median(rss):.0f} MB)", f"{c.n:,}",
                ms(a), f"insert + FTS5 rebuild {ms(p)}", f"{a / p:.2f} ×", "≤ 1.3 × the peer",
                a <= 1.3 * p)]  # fmt: skip


def bench_day(c: Corpus, repeat: int) -> list[Row]:
    """A 500-paper day into the library: the command, and the add itself in-process (what the
    reader's fetch and an import in a running process pay)."""
    data, day = c.data, c.day()
    imports = []
    commands, adds = [], []
    for _ in range(repeat):
        target = c.work / "day-target"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(data, target)
        commands.append(run_timed([*CLI, "--data-dir", str(target), "import", str(day)])[0])
        wait_for_background_builds()  # its similarity build writes into the folder removed next
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(data, target)
        _, _, out = run_timed([PY, "-c", _ADD_DAY, str(target), str(day)])
        adds.append(float(out.strip()))
        wait_for_background_builds()
    for _ in range(max(1, repeat // 2)):
        folder = c.work / "import-target"
        shutil.rmtree(folder, ignore_errors=True)
        imports.append(run_timed([*CLI, "--data-dir", str(folder), "import", str(c.page)])[0])
        wait_for_background_builds()
    cmd, add, whole = median(commands), median(adds), median(imports)
    ok = add <= 0.3 and add <= 0.1 * whole
    return [Row(f"add a {DAY}-paper day (in-process; the command {ms(cmd)})", f"{c.n:,}",
                ms(add), f"the whole import {ms(whole)}", f"{add / whole:.3f} ×",
                "≤ 0.3 s and ≤ 0.1 × the import", ok)]  # fmt: skip


_ADD_DAY = r"""
import sys, time
from pathlib import Path
from papertray.store import Library, import_files
library = Library.open(Path(sys.argv[1]))
start = time.perf_counter()
import_files(library, [sys.argv[2]], keep_papers=False)
print(time.perf_counter() - start)
"""


def bench_headless(c: Corpus, repeat: int) -> list[Row]:
    """`list -q` beside fzf on the same papers one a line, runs interleaved."""
    data = c.data
    ours = [*CLI, "--data-dir", str(data), "list", "-q", QUERY, "--format", "jsonl"]
    fzf = ["fzf", "--filter", QUERY, "--exact"]
    has_fzf = shutil.which("fzf") is not None
    got, peer = [], []
    for _ in range(repeat):
        got.append(run_timed(ours)[0])
        if has_fzf:
            peer.append(run_timed(fzf, stdin=c.lines)[0])
    a = median(got)
    if not has_fzf:
        return [Row("`list -q \"memory efficient\" --format jsonl`", f"{c.n:,}", ms(a),
                    "no fzf here", "—", "≤ 0.25 × fzf", None)]  # fmt: skip
    f = median(peer)
    return [Row("`list -q \"memory efficient\" --format jsonl`", f"{c.n:,}", ms(a),
                f"`fzf --filter --exact` {ms(f)}", f"{a / f:.2f} ×", "≤ 0.25 × fzf",
                a <= 0.25 * f)]  # fmt: skip


_STAR = r"""
import json, statistics, sys, tempfile, time
from pathlib import Path
from tinydb import TinyDB
from papertray.store import State
n, repeat = int(sys.argv[1]), int(sys.argv[2])
folder = Path(tempfile.mkdtemp())
state = State.open(folder)
state.set_read_many([f"arxiv:{i}" for i in range(n)], True)
ours = []
for i in range(repeat):
    start = time.perf_counter()
    state.toggle_star(f"arxiv:{i}")
    ours.append(time.perf_counter() - start)
stock = TinyDB(str(folder / "stock.json"))
table = stock.table("marks")
table.insert_multiple({"paper": f"arxiv:{i}", "read": True} for i in range(n))
peer = []
for i in range(repeat):
    start = time.perf_counter()
    table.update({"starred": True}, doc_ids=[i + 1])
    peer.append(time.perf_counter() - start)
print(json.dumps([statistics.median(ours), statistics.median(peer)]))
"""


def bench_star(repeat: int) -> list[Row]:
    rows = []
    for n, budget in ((10_000, 0.030), (50_000, 0.100)):
        _, _, out = run_timed([PY, "-c", _STAR, str(n), str(max(repeat, 5))])
        ours, peer = json.loads(out.strip())
        rows.append(Row("a star toggle written to disk", f"{n:,} marked", ms(ours),
                        f"TinyDB's stock JSONStorage {ms(peer)}", f"{ours / peer:.2f} ×",
                        f"≤ {ms(budget)}", ours <= budget))  # fmt: skip
    return rows


def bench_email(c: Corpus, repeat: int) -> list[Row]:
    """A 100k arXiv email digest: import (time, peak RSS) beside the peer of the import row, and
    the similarity index built after it (time, peak RSS)."""
    email = gen(c.n, "--email", c.work / f"{c.n}.email.txt")
    walls, rss, builds, build_rss, peers = [], [], [], [], []
    for _ in range(repeat):
        wait_for_background_builds()
        folder = c.work / "email-target"
        shutil.rmtree(folder, ignore_errors=True)
        wall, mb, _ = run_timed([*CLI, "--data-dir", str(folder), "import", str(email)])
        walls.append(wall)
        rss.append(mb)
        wait_for_background_builds()  # the one the import started: measured again on its own
        (folder / "library.similar.npz").unlink(missing_ok=True)
        wall, mb, _ = run_timed([PY, "-m", "papertray.store.similar", str(folder)])
        builds.append(wall)
        build_rss.append(mb)
        peer_db = c.work / "peer.db"
        peer_db.unlink(missing_ok=True)
        _, _, out = run_timed([PY, "-c", PEER_SCRIPT, str(c.json), str(peer_db)])
        peers.append(float(out.strip()))
    a, mb, p = median(walls), median(rss), median(peers)
    b, bmb = median(builds), median(build_rss)
    return [
        Row("import of an arXiv email digest", f"{c.n:,}", f"{ms(a)}, peak {mb:.0f} MB",
            f"insert + FTS5 rebuild {ms(p)}", f"{a / p:.2f} ×",
            "≤ 1.3 × the peer; ≤ 300 MB", a <= 1.3 * p and mb <= 300),
        Row("similarity index built after it", f"{c.n:,}", f"{ms(b)}, peak {bmb:.0f} MB", "",
            "", "≤ 400 MB peak", bmb <= 400),
    ]  # fmt: skip


# -- the reader ----------------------------------------------------------------------------------


_ANSI = re.compile(
    r"\x1b\[[0-9;?<>=$ ]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_].*?\x1b\\|\x1b."
)


def pty_until(cmd: list[str], markers: list[str], *, then: bytes = b"", settle: float = 0.0
              ) -> tuple[float, int]:  # fmt: skip
    """Start `cmd` in a pseudo-terminal of COLS x LINES; seconds until any marker is on screen,
    and the peak RSS (kB) of the process. With `then`, those keys are typed after the marker
    and the output followed until quiet for `settle` seconds."""
    import fcntl
    import struct
    import termios

    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(REPO)
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(LINES))
        os.execvpe(cmd[0], cmd, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLS, 0, 0))
    seen = b""
    elapsed = float("nan")
    try:
        deadline = start + 120
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
            for key in then:
                os.write(fd, bytes([key]))
                time.sleep(0.05)
            quiet = time.perf_counter()
            end = quiet + 60
            while time.perf_counter() < end and time.perf_counter() - quiet < settle:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if ready:
                    try:
                        if os.read(fd, 1 << 16):
                            quiet = time.perf_counter()
                    except OSError:
                        break
        hwm = _vm_hwm(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return elapsed, hwm


def _vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def first_titles(data: Path) -> list[str]:
    sys.path.insert(0, str(REPO))
    from papertray.store import Library

    return [p.title[:24] for p in Library.open(data).rows(list(range(1, 4)))]


def bench_cold(c: Corpus, repeat: int) -> list[Row]:
    data = c.data
    markers = first_titles(data)
    empty = median([pty_until([PY, "-c", EMPTY_APP], ["papertray-bench-ready"])[0]
                    for _ in range(repeat)])  # fmt: skip
    ours = median([pty_until([*CLI, "--data-dir", str(data)], markers)[0]
                   for _ in range(repeat)])  # fmt: skip
    budget = 0.6 if c.n >= 1_000_000 else empty + 0.1
    text = "≤ 0.6 s" if c.n >= 1_000_000 else "≤ empty app + 0.1 s"
    return [Row("reader cold start to the first frame", f"{c.n:,}", ms(ours),
                f"empty Textual app {ms(empty)}", f"+{ms(ours - empty)}", text,
                ours <= budget)]  # fmt: skip


def bench_memory(c: Corpus) -> list[Row]:
    data = c.data
    markers = first_titles(data)
    _, empty_kb = pty_until([PY, "-c", EMPTY_APP], ["papertray-bench-ready"], then=b"x",
                            settle=0.5)  # fmt: skip
    _, kb = pty_until([*CLI, "--data-dir", str(data)], markers, then=b"/" + QUERY.encode(),
                      settle=2.0)  # fmt: skip
    budget = 250 if c.n >= 1_000_000 else 120
    return [Row("peak RSS of the reader after filtering", f"{c.n:,}", f"{kb / 1024:.0f} MB",
                f"empty Textual app {empty_kb / 1024:.0f} MB", f"{kb / max(empty_kb, 1):.1f} ×",
                f"≤ {budget} MB", kb / 1024 <= budget)]  # fmt: skip


def bench_filter(c: Corpus, repeat: int) -> list[Row]:
    """Typing `memory efficient` into the reader's filter, a key at a time: the time from the
    key to the list redrawn with that query's first rows (`reader_probe.typing`)."""
    from reader_probe import typing

    latencies = [t for _ in range(repeat) for t in asyncio.run(typing(c.data, QUERY))]
    med, high = median(latencies), p95(latencies)
    big = c.n >= 1_000_000
    ok = med <= 0.080 if big else (med <= 0.025 and high <= 0.050)
    return [Row("filter: key to redrawn list, typing `memory efficient`", f"{c.n:,}",
                f"median {ms(med)}, p95 {ms(high)}", "", "",
                "median ≤ 80 ms" if big else "median ≤ 25 ms, p95 ≤ 50 ms", ok)]  # fmt: skip


def bench_keys(c: Corpus, repeat: int) -> list[Row]:
    """Any key (`j`) to the screen updated: on its own, and right after a filter key while
    that filter's query runs (`reader_probe.keys`)."""
    from reader_probe import keys

    alone, during = [], []
    for _ in range(repeat):
        a, d = asyncio.run(keys(c.data, QUERY))
        alone += a
        during += d
    worst = max(median(alone), median(during))
    return [Row("any key to screen updated (`j`; while a filter runs)", f"{c.n:,}",
                f"{ms(median(alone))}; {ms(median(during))}", "", "", "≤ 50 ms",
                worst <= 0.050)]  # fmt: skip


# -- the table -----------------------------------------------------------------------------------


def compile_bytecode() -> None:
    """papertray's modules compiled to bytecode first, as pip's install does: a checkout run
    with PYTHONDONTWRITEBYTECODE set (or a module changed since its last run) compiles every
    changed module at each start, which is not what a user's start costs."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    folders = [str(REPO / "store"), str(REPO / "tui")]
    subprocess.run([PY, "-m", "compileall", "-q", *folders], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "papertray-bench"))
    parser.add_argument("--out")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    wanted = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = set(wanted) - set(ROWS)
    if unknown:
        parser.error(f"unknown rows {sorted(unknown)}; known: {', '.join(ROWS)}")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    rows: list[Row] = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    steps: dict[str, Callable[[Corpus], list[Row]]] = {
        "import": lambda c: bench_import(c, args.repeat),
        "day": lambda c: bench_day(c, args.repeat),
        "headless": lambda c: bench_headless(c, args.repeat),
        "email": lambda c: bench_email(c, max(1, args.repeat // 2)),
        "cold": lambda c: bench_cold(c, args.repeat),
        "filter": lambda c: bench_filter(c, args.repeat),
        "keys": lambda c: bench_keys(c, args.repeat),
        "memory": bench_memory,
    }
    for n in (int(s) for s in args.sizes.split(",")):
        corpus = Corpus(n, work)
        for name in wanted:
            if name in steps:
                got = steps[name](corpus)
                rows += got
                for row in got:
                    print(f"  {row.what} @ {row.size}: {row.ours} ({row.peer}) {verdict(row.ok)}",
                          file=sys.stderr, flush=True)  # fmt: skip
    if "star" in wanted:
        rows += bench_star(args.repeat)
    lines = [
        f"{len(os.sched_getaffinity(0))} cores, {started}, medians of {args.repeat}",
        "",
        "| what | size | papertray | peer, same run | ratio | budget | |",
        "|---|---|---|---|---|---|---|",
        *(f"| {r.what} | {r.size} | {r.ours} | {r.peer} | {r.ratio} | {r.budget} | "
          f"{verdict(r.ok)} |" for r in rows),
    ]  # fmt: skip
    table = "\n".join(lines)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
