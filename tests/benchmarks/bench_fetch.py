"""Fetch benchmark (issue 11): what `papertray fetch hf` adds to the import of the same papers.

A loopback HTTP server (stdlib, in a thread, no artificial delay) serves a generated 50-paper
Hugging Face day and a month of 30 x 50 papers (15 pages of 100). Each row times, as commands
in fresh processes and in-process, `papertray fetch hf --date/--month` into an empty data folder
beside `papertray import` of the very same JSON into another: the difference is the fetch.

    python tests/benchmarks/bench_fetch.py [--repeat 5]

`rows(repeat)` gives the same rows to `bench.py`. Prints a markdown table; asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson

ROOT = Path(__file__).resolve().parents[2]
DAY_FIXTURE = ROOT / "tests" / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"
PAGE = 100


def make_items(n: int, day: str, start: int = 0) -> list[dict]:
    template = json.loads(DAY_FIXTURE.read_text())[0]
    abstract = template["paper"]["summary"] * 6  # ~1 KB, as real abstracts
    made = []
    for i in range(start, start + n):
        item = copy.deepcopy(template)
        item["paper"]["id"] = f"2612.{i:05d}"
        item["paper"]["title"] = item["title"] = f"Benchmark Paper {i}: Sparse Attention at Scale"
        item["paper"]["summary"] = abstract
        item["paper"]["submittedOnDailyAt"] = f"{day}T00:00:00.000Z"
        item["paper"]["githubRepo"] = f"https://github.com/example/repo{i}"
        made.append(item)
    return made


class _Handler(http.server.BaseHTTPRequestHandler):
    days: dict[str, list[dict]] = {}
    months: dict[str, list[dict]] = {}

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        if "date" in query:
            items = self.days.get(query["date"], [])
        else:
            items = self.months.get(query.get("month", ""), [])
        page = int(query.get("p", "0"))
        limit = int(query.get("limit", "50"))
        body = orjson.dumps(items[page * limit : (page + 1) * limit])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def serve(days: dict[str, list[dict]], months: dict[str, list[dict]]):  # type: ignore[no-untyped-def]
    _Handler.days, _Handler.months = days, months
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _papertray(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()", *args],
        env=env,
        check=True,
        capture_output=True,
    )


def rows(repeat: int = 5) -> list[tuple[str, str, str, str]]:
    """(what, fetch + import, import alone, difference) per row, medians of `repeat` runs."""
    day = make_items(50, "2026-12-01")
    month = [it for d in range(30) for it in make_items(50, f"2026-11-{d + 1:02d}", d * 50)]
    server = serve({"2026-12-01": day}, {"2026-11": month})
    base = f"http://127.0.0.1:{server.server_address[1]}"
    out: list[tuple[str, str, str, str]] = []
    try:
        with tempfile.TemporaryDirectory() as work:
            work_path = Path(work)
            files = {"day": work_path / "day.json", "month": work_path / "month.json"}
            files["day"].write_bytes(orjson.dumps(day))
            files["month"].write_bytes(orjson.dumps(month))
            env = dict(os.environ, HF_ENDPOINT=base, PAPERTRAY_CONFIG=str(work_path / "no.toml"))
            counter = iter(range(10_000))

            def fresh() -> dict[str, str]:
                return dict(env, PAPERTRAY_DATA_DIR=str(work_path / f"d{next(counter)}"))

            for name, argv in (
                ("a 50-paper day", ["--date", "2026-12-01"]),
                ("a month, 30 x 50 papers", ["--month", "2026-11"]),
            ):
                kind = "day" if "day" in name else "month"
                fetch = timed(lambda a=argv: _papertray(["fetch", "hf", *a], fresh()), repeat)
                alone = timed(lambda k=kind: _papertray(["import", str(files[k])], fresh()), repeat)
                out.append((f"`papertray fetch hf` {name}", _s(fetch), _s(alone),
                            _s(fetch - alone)))  # fmt: skip
                fetch_in, alone_in = _in_process(base, argv, files[kind], work_path, repeat)
                out.append((f"in-process fetch, {name}", _s(fetch_in), _s(alone_in),
                            _s(fetch_in - alone_in)))  # fmt: skip
    finally:
        server.shutdown()
    return out


def _in_process(
    base: str, argv: list[str], file: Path, work: Path, repeat: int
) -> tuple[float, float]:
    os.environ["HF_ENDPOINT"] = base
    from papertray.store import Client, Library, run_fetch
    from papertray.store.fetch import hf_source
    from papertray.store.ingest import ingest_file

    key, value = argv[0].removeprefix("--"), argv[1]
    counter = iter(range(10_000))

    def fetch() -> None:
        folder = work / f"in-f{next(counter)}"
        with Client(folder) as client:
            reports = run_fetch(Library.open(folder), [hf_source(**{key: value})], client)
        assert reports[0].ok, reports[0].line()

    def alone() -> None:
        folder = work / f"in-i{next(counter)}"
        Library.open(folder).add(ingest_file(file).papers)

    return timed(fetch, repeat), timed(alone, repeat)


def _s(seconds: float) -> str:
    return f"{seconds:+.3f} s" if seconds < 0 else f"{seconds:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| what | fetch + import | import alone | fetch adds |")
    print("|---|---|---|---|")
    for what, fetch, alone, diff in rows(args.repeat):
        print(f"| {what} | {fetch} | {alone} | **{diff}** |")
    print(f"\nmedians of {args.repeat} runs; budget: a day adds < 0.3 s, a month < 3 s")


if __name__ == "__main__":
    main()
