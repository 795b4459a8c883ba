"""Issue 5, case 3: two and four processes marking different papers at once, 1,000 operations in
all each time: every operation survives and nothing is corrupted.

test_crash.py already runs 2 processes x 150 star toggles and 4 processes x 250 tag additions on
the same five papers; this adds exactly the issue's shape: 1,000 mixed operations (read, star,
tag, note) spread over 2 and over 4 processes, each on its own papers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from papertray.store import State

WORKER = Path(__file__).resolve().parent / "helpers" / "mark_worker.py"
TOTAL = 1_000


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("processes", [2, 4])
def test_processes_marking_different_papers_lose_nothing(tmp_path: Path, processes: int) -> None:
    folder, go = tmp_path / "data", tmp_path / "go"
    per = TOTAL // processes
    prefixes = [f"w{w}" for w in range(processes)]
    procs = [
        subprocess.Popen([sys.executable, str(WORKER), str(folder), p, str(per), str(go)])
        for p in prefixes
    ]
    time.sleep(0.3)  # every interpreter started: release them together
    go.touch()
    assert [proc.wait(timeout=200) for proc in procs] == [0] * processes
    orjson.loads((folder / "state.json").read_bytes())  # parses: never torn
    state = State.open(folder)
    assert state.warnings == []
    states = state.all()
    assert len(states) == TOTAL
    for prefix in prefixes:
        for i in range(per):
            s = states[f"{prefix}:{i}"]
            expected = [
                s.read,
                s.starred,
                s.tags == (f"{prefix}-t{i}",),
                s.note == f"{prefix} note {i}",
            ]
            assert expected == [j == i % 4 for j in range(4)], (prefix, i, s)
    assert [n for n in os.listdir(folder) if n.endswith(".tmp") or ".damaged-" in n] == []
