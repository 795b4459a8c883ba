"""Similar papers at scale (issue 12): building the index, "more like this", "for you". A script,
not a test (pytest never collects it; nothing here asserts a time). Prints one table.

    python tests/benchmarks/bench_similar.py                 # 1k, 10k, 100k papers
    python tests/benchmarks/bench_similar.py --sizes 10000   # one size

The corpus is made here, self-contained: papers recombined from the sentences and title words
of the bundled sample digest with a fixed seed (no outside generator). Budgets at 100k: build
<= 20 s (in the background after an import), more like this < 150 ms, for you < 1 s, and the
import itself unchanged (< 3 s: starting the background build costs milliseconds).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "store" / "data" / "sample_digest.txt"
PY = sys.executable
BUILD = r"""
import json, resource, sys, time
t = time.perf_counter()
import numpy, scipy.sparse, sklearn.feature_extraction.text
imports = time.perf_counter() - t
from papertray.store.similar import _main
_main(sys.argv[1:])  # what `papertray import` starts in the background
print(json.dumps([imports, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))
"""
CHILD = r"""
import json, resource, statistics, sys, time
from pathlib import Path
from papertray.store import Library, SimilarityIndex, State
folder = Path(sys.argv[1])
t = time.perf_counter()
library = Library.open(folder)
index = SimilarityIndex.open(library)  # loads the index the background build saved
load = time.perf_counter() - t
ids = index.ids
step = max(1, len(ids) // 50)
times = []
for pid in ids[::step][:50]:
    t = time.perf_counter()
    index.similar(pid, 20)
    times.append(time.perf_counter() - t)
papers = library.papers()
states = {pid: s for pid, s in State.open(folder).all().items()}
seeds = ids[::max(1, len(ids) // 20)][:20]
from papertray.store import PaperState
states.update({pid: PaperState(starred=True) for pid in seeds})
t = time.perf_counter()
order = index.for_you(papers, states, seeds)
for_you = time.perf_counter() - t
print(json.dumps({
    "load": load,
    "like_median": statistics.median(times),
    "like_max": max(times),
    "for_you": for_you,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def corpus(n: int, seed: int = 12) -> list[dict[str, str]]:
    text = SEED.read_text(encoding="utf-8")
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    while blocks and len(blocks[0].splitlines()) == 1 and len(blocks[0]) < 60:
        blocks.pop(0)  # the page header
    pairs = [(blocks[i], blocks[i + 1]) for i in range(0, len(blocks) - 1, 2)]
    sentences = [s for _t, a in pairs for s in re.split(r"(?<=[.!?])\s+", a) if s]
    words = [w for t, _a in pairs for w in t.split()]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        title = " ".join(rng.choice(words) for _ in range(rng.randint(6, 12)))
        abstract = " ".join(rng.choice(sentences) for _ in range(rng.randint(5, 9)))
        out.append({"title": f"{title} {i}", "abstract": abstract})
    return out


def run(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess[str]]:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, **kw)
    return time.perf_counter() - t, done


def bench(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="papertray-similar-") as tmp:
        folder = Path(tmp) / "data"
        digest = Path(tmp) / "digest.jsonl"
        digest.write_text("\n".join(json.dumps(p) for p in corpus(n)) + "\n", encoding="utf-8")
        cli = [PY, "-c", "import sys; from papertray.tui.cli import main; main()"]
        env_dir = ["--data-dir", str(folder)]
        imp, _ = run([*cli, "import", str(digest), *env_dir])
        # The import may have started the background build: let it finish, then time our own.
        index = folder / "library.similar.npz"
        deadline = time.monotonic() + (120 if n >= 5_000 else 0)
        while not index.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        index.unlink(missing_ok=True)
        build, done = run([PY, "-c", BUILD, str(folder)])
        imports, build_rss = json.loads(done.stdout.strip().splitlines()[-1])
        size = (folder / "library.similar.npz").stat().st_size / 1e6
        _t, child = run([PY, "-c", CHILD, str(folder)])
        stats = json.loads(child.stdout.strip().splitlines()[-1])
        listed = run([*cli, "list", "-n", "1", "--format", "json", *env_dir])[1].stdout
        pid = json.loads(listed)[0]["id"]
        cli_like, _ = run([*cli, "similar", pid, "-n", "10", *env_dir])
        return {
            "import": imp,
            "build": build,
            "imports": imports,
            "build_rss": build_rss,
            "size": size,
            "cli_like": cli_like,
            **stats,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    rows = [
        ("`papertray import` (starts the background build)", "import", "s", "< 3 s at 100k"),
        ("building the index (background process)", "build", "s", "<= 20 s at 100k"),
        ("  of which importing numpy, scipy, sklearn", "imports", "s", ""),
        ("peak RSS of the build", "build_rss", "MB", ""),
        ("index file beside the library", "size", "MB", ""),
        ("loading the index", "load", "s", ""),
        ("more like this, median of 50", "like_median", "ms", "< 150 ms at 100k"),
        ("more like this, slowest of 50", "like_max", "ms", ""),
        ("for you: rank every paper by 20 stars", "for_you", "ms", "< 1 s at 100k"),
        ("`papertray similar ID` wall time", "cli_like", "s", ""),
        ("peak RSS, index loaded and asked", "rss_mb", "MB", ""),
    ]
    results = {n: bench(n) for n in args.sizes}
    head = "| what | budget | " + " | ".join(f"{n:,} papers" for n in args.sizes) + " |"
    print(head)
    print("|---|---|" + "---|" * len(args.sizes))
    for label, key, unit, budget in rows:
        cells = []
        for n in args.sizes:
            v = results[n][key]
            v = v * 1000 if unit == "ms" else v
            cells.append(f"{v:,.1f} {unit}" if unit != "s" else f"{v:.2f} s")
        print(f"| {label} | {budget} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
