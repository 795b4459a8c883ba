"""Crash safety and concurrency with real processes: SIGKILL at random moments during saves, and
several processes marking papers at once. Nothing may be lost, torn or left behind."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from papertray.store.state import State

WORKER = Path(__file__).resolve().parent / "helpers" / "state_worker.py"
PID = "arxiv:counter"


def leftovers(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if n.endswith(".tmp") or ".damaged-" in n]


def padded_state(folder: Path, n: int = 3000) -> None:
    # Enough other papers that a save takes a few milliseconds, so kills land mid-write.
    State.open(folder).set_read_many([f"arxiv:pad{i}" for i in range(n)], True)


def check_after_kill(folder: Path, confirmed: int, previous: int) -> int:
    """The file parses and holds the last confirmed value or the one being written."""
    raw = (folder / "state.json").read_bytes()
    orjson.loads(raw)  # parses: never torn
    state = State.open(folder)  # reopening cleans the killed writer's temp file
    assert state.warnings == []
    value = int(state.get(PID).note or 0)
    assert value in (confirmed, confirmed + 1), (value, confirmed)
    assert value >= previous
    assert len(state.all()) == 3001 or value == 0
    assert leftovers(folder) == []
    return value


def test_sigkill_a_writer_process_at_random_moments(tmp_path: Path) -> None:
    padded_state(tmp_path)
    rng = random.Random(20240318)
    value = 0
    for turn in range(50):
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(tmp_path), "counter", PID],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        # Every other round waits for a first save, so kills land among saves however slow
        # the machine is; the others may land before any.
        first = [proc.stdout.readline()] if turn % 2 else []
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        lines = [*first, *proc.stdout.read().split()]
        proc.wait()
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        confirmed = int(lines[-1]) if lines else value
        value = check_after_kill(tmp_path, confirmed, value)
    assert value > 0


def test_sigkill_forked_writers_150_times(tmp_path: Path) -> None:
    """Cheaper kills (fork, no interpreter start) so the suite reaches 200 kills in seconds."""
    padded_state(tmp_path)
    rng = random.Random(7)
    value = 0
    for turn in range(150):
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            try:
                os.close(read_end)
                state = State.open(tmp_path)
                n = int(state.get(PID).note or 0)
                os.write(write_end, b"ready\n")
                while True:
                    n += 1
                    state.set_note(PID, str(n))
                    os.write(write_end, f"{n}\n".encode())
            finally:
                os._exit(1)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as reader:
            assert reader.readline() == b"ready\n"
            # Every other kill after a save is confirmed: a slow disk may take longer than the
            # random wait for the first save, and the test must see some saves survive.
            first = reader.readline().split() if turn % 2 else []
            time.sleep(rng.uniform(0, 0.03))
            os.kill(child, signal.SIGKILL)
            lines = [*first, *reader.read().split()]
        os.waitpid(child, 0)
        confirmed = int(lines[-1]) if lines else value
        value = check_after_kill(tmp_path, confirmed, value)
    assert value > 0


def run_workers(folder: Path, commands: list[list[str]]) -> None:
    go = folder.parent / "go"
    procs = [
        subprocess.Popen([sys.executable, str(WORKER), str(folder), *cmd, str(go)])
        for cmd in commands
    ]
    time.sleep(0.3)  # let every interpreter start, then release them together
    go.touch()
    for proc in procs:
        assert proc.wait(timeout=120) == 0


def test_two_processes_toggling_different_papers(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    run_workers(folder, [["star", "a", "150"], ["star", "b", "150"]])
    state = State.open(folder)
    starred = {pid for pid, s in state.all().items() if s.starred}
    assert starred == {f"{p}:{i}" for p in "ab" for i in range(150)}
    assert leftovers(folder) == []


@pytest.mark.slow
def test_four_processes_tagging_the_same_papers(tmp_path: Path) -> None:
    """1,000 read-modify-writes in all, on the same five papers: every tag survives."""
    folder = tmp_path / "data"
    run_workers(folder, [["tags", f"w{w}", "250", "5"] for w in range(4)])
    state = State.open(folder)
    tags = {t for s in state.all().values() for t in s.tags}
    assert tags == {f"w{w}-{i}" for w in range(4) for i in range(250)}
    assert leftovers(folder) == []
