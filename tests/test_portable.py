"""The store runs where POSIX is not (issue 19, point 9): import, query, mark, remove and fetch
(from a loopback server) in a process where `fcntl`, `termios` and `resource` cannot be imported
and `os.fork` does not exist, as on Windows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

DAY = Path(__file__).resolve().parent / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"

SCRIPT = r"""
import importlib.abc, json, os, sys, warnings

BLOCKED = {"fcntl", "termios", "resource"}


class NotHere(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"no module named {name!r} on this platform")
        return None


for name in BLOCKED:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, NotHere())
del os.fork
warnings.simplefilter("ignore")  # filelock says it falls back to its soft lock here

from papertray.tui.cli import run  # noqa: E402

data, digest = sys.argv[1], sys.argv[2]
codes = [
    run(["--data-dir", data, "import", digest]),
    run(["--data-dir", data, "list", "-q", "memory efficient", "--format", "jsonl"]),
    run(["--data-dir", data, "star", "t:ba8ba4ceeb2031e1"]),
    run(["--data-dir", data, "remove", "t:243ff14e222536a8"]),
    run(["--data-dir", data, "fetch", "hf", "--date", "2026-12-01"]),
    run(["--data-dir", data, "list", "-q", "is:starred OR is:new", "--format", "jsonl"]),
]
loaded = sorted(BLOCKED & set(sys.modules))
print(json.dumps({"codes": codes, "loaded": loaded}), file=sys.stderr)
"""


def test_import_query_mark_remove_fetch_without_posix(
    httpserver: HTTPServer, tmp_path: Path, seed_path: Path
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        DAY.read_bytes(), content_type="application/json"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HF_ENDPOINT": httpserver.url_for("").rstrip("/"),
        "PAPERTRAY_CONFIG": str(tmp_path / "config.toml"),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "data"), str(seed_path)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report == {"codes": [0, 0, 0, 0, 0, 0], "loaded": []}, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    shown = [r["id"] for r in records if r.get("starred") or r["id"].startswith("arxiv:2612")]
    assert shown[-4:] == [
        "t:ba8ba4ceeb2031e1", "arxiv:2612.00101", "arxiv:2612.00102", "arxiv:2612.00103",
    ]  # fmt: skip
    assert any("memory" in (r["title"] + r["abstract"]).lower() for r in records)
