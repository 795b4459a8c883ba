"""Sync with real processes (issue 25): a syncing process killed (SIGKILL) at random moments
while it appends to its log or writes a new generation of it loses nothing it had written and
never damages another machine's log; two processes marking papers and syncing through one
folder at once, 1,000 changes each, end with the same marks."""

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
from helpers.sync_sim import bare, logs

from papertray.store import State, Sync
from papertray.store.sync_merge import Entry, read_entry

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL here")

WORKER = Path(__file__).resolve().parent / "helpers" / "sync_worker.py"
PID = "arxiv:counter"


def whole(path: Path, torn_ok: bool) -> None:
    """Every line of a log parses: its header, then entries; a torn last line only where a
    writer was killed."""
    raw = path.read_bytes()
    *lines, last = raw.split(b"\n")
    assert last == b"" or torn_ok, (path.name, last[:80])
    assert lines, path.name
    assert orjson.loads(lines[0])["papertray"] == "sync"
    for line in lines[1:]:
        assert isinstance(read_entry(orjson.loads(line)), Entry), line[:80]


def kill_at_random(tmp_path: Path, compact_after: int, kills: int, seed: int) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    writer = tmp_path / "writer"
    # Enough other marks that a snapshot (every record) takes a few milliseconds to write.
    State.open(writer).set_read_many([f"arxiv:pad{i}" for i in range(3000)], True)
    other = State.open(tmp_path / "other")
    other.set_starred("arxiv:other", True)
    Sync(other, shared, name="other").run()
    (other_log,) = logs(shared)
    other_bytes = (shared / other_log).read_bytes()
    reader = State.open(tmp_path / "reader")
    reader_sync = Sync(reader, shared, name="reader")
    rng = random.Random(seed)
    confirmed = seen = 0
    reader_log: tuple[str, bytes] | None = None
    for turn in range(kills):
        proc = subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                str(writer),
                str(shared),
                "counter",
                PID,
                str(compact_after),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        # Every other kill after a change is confirmed: on a slow disk the random wait may end
        # before the first, and the test must see some changes survive.
        first = proc.stdout.readline().split() if turn % 2 else []
        time.sleep(rng.uniform(0, 0.25))
        proc.send_signal(signal.SIGKILL)
        out = [*first, *proc.stdout.read().split()]
        proc.wait()
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        assert not any(word == "error" for word in out), out
        confirmed = int(out[-1]) if out else confirmed
        # The other machines' logs are as they wrote them.
        assert (shared / other_log).read_bytes() == other_bytes
        if reader_log is not None:
            assert (shared / reader_log[0]).read_bytes() == reader_log[1]
        writer_id = (State.open(writer).meta("machine") or {}).get("id", "?")
        for name in logs(shared):
            whole(shared / name, torn_ok=writer_id in name)
        # Nothing the killed process had written is lost: another machine reads it all.
        report = reader_sync.run()
        assert report.ok and report.refused == [], report
        now = int(reader.get(PID).note or 0)
        assert now >= confirmed and now >= seen, (now, confirmed, seen)
        seen = now
        reader_id = reader.meta("machine")["id"]
        name = next(n for n in logs(shared) if reader_id in n)
        reader_log = (name, (shared / name).read_bytes())
    assert confirmed > 0
    # The killed machine starts again: its torn tail cut, its leftovers gone, all in step.
    state = State.open(writer)
    assert Sync(state, shared, name="writer", compact_after=compact_after).run().ok
    assert reader_sync.run().ok
    assert reader.get(PID).note == state.get(PID).note
    assert len([k for k in reader.all() if k.startswith("arxiv:pad")]) == 3000
    for name in logs(shared):
        whole(shared / name, torn_ok=False)
    assert [n for n in os.listdir(shared) if n.endswith(".tmp")] == []


def test_sigkill_while_appending_to_the_log(tmp_path: Path) -> None:
    kill_at_random(tmp_path, compact_after=100_000, kills=40, seed=25)


@pytest.mark.slow
def test_sigkill_while_writing_a_snapshot(tmp_path: Path) -> None:
    """Every run starts a new generation (a snapshot of 3,000 records): the kills land there."""
    kill_at_random(tmp_path, compact_after=1, kills=40, seed=2025)


@pytest.mark.slow
def test_two_processes_syncing_through_one_folder_1000_changes_each(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                str(tmp_path / f"m{i}"),
                str(shared),
                "marks",
                str(i + 1),
                "1000",
                str(go),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    time.sleep(0.3)  # both interpreters started: release them together
    go.touch()
    for proc in procs:
        out, _err = proc.communicate(timeout=280)
        assert proc.returncode == 0 and out.strip() == "done"
    states = [State.open(tmp_path / f"m{i}") for i in range(2)]
    syncs = [Sync(s, shared) for s in states]
    for _ in range(2):
        for sync in syncs:
            report = sync.run()
            assert report.ok and report.refused == []
    assert bare(states[0]) == bare(states[1])
    rules = [{(r.query, r.why, r.created) for r in s.mute_rules()} for s in states]
    assert rules[0] == rules[1]
    marked = bare(states[0])
    assert len(marked) > 20 and any(s.tags for s in marked.values())
    assert any(s.note for s in marked.values())


# -- a kill at each step of writing a log and a snapshot, made to happen ---------------------------
# A random kill rarely lands inside a write of a few hundred bytes, or between a snapshot's rename
# and the removal of the generation it replaces: here a forked process dies (os._exit: no
# cleanup, no finally) at each such point.

POINTS = [
    "append: inside a line",
    "snapshot: inside a line, beside",
    "snapshot: written beside, not renamed",
    "snapshot: renamed, the older generation not removed",
    "snapshot: the older generation removed, sync.json not written",
    "sync.json written, state.json not",
]


def _die_at(point: str, shared: Path) -> None:
    """In the forked child: make the process die at `point` of the run to come."""
    from papertray.store.sync_book import BookFile
    from papertray.store.sync_files import Folder

    real_write, real_replace, real_remove = os.write, os.replace, Folder.remove
    real_save = BookFile.save

    def write(fd: int, data) -> int:  # type: ignore[no-untyped-def]
        where = os.readlink(f"/proc/self/fd/{fd}")
        if point.endswith("inside a line") or point.endswith("inside a line, beside"):
            if where.startswith(str(shared)):
                real_write(fd, bytes(data[: len(data) // 2 + 5]))
                os._exit(137)
        return real_write(fd, data)

    def replace(src, dst) -> None:  # type: ignore[no-untyped-def]
        if str(src).startswith(str(shared)) and point.endswith("not renamed"):
            os._exit(137)
        real_replace(src, dst)
        if str(dst).startswith(str(shared)) and point.endswith("not removed"):
            os._exit(137)

    def remove(self, name):  # type: ignore[no-untyped-def]
        why = real_remove(self, name)
        if point.endswith("sync.json not written"):
            os._exit(137)
        return why

    def save(self, book, folder):  # type: ignore[no-untyped-def]
        real_save(self, book, folder)
        if point.endswith("state.json not"):
            os._exit(137)

    os.write = write  # type: ignore[assignment]
    os.replace = replace  # type: ignore[assignment]
    Folder.remove = remove  # type: ignore[method-assign]
    BookFile.save = save  # type: ignore[method-assign]


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to see a write's file")
@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_each_step_loses_nothing_written(tmp_path: Path, point: str) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    other = State.open(tmp_path / "other")
    other.set_starred("arxiv:other", True)
    Sync(other, shared, name="other").run()
    (other_log,) = logs(shared)
    other_bytes = (shared / other_log).read_bytes()
    writer = State.open(tmp_path / "writer")
    for i in range(20):
        writer.set_note(f"arxiv:{i}", f"first {i}")
    compact = 1 if point.startswith("snapshot") else 100_000
    Sync(writer, shared, name="writer", compact_after=compact).run()  # all confirmed
    for i in range(20):
        writer.set_note(f"arxiv:{i}", f"second {i}")  # being written when killed
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            _die_at(point, shared)
            Sync(
                State.open(tmp_path / "writer"), shared, name="writer", compact_after=compact
            ).run()
        finally:
            os._exit(0)  # not killed where it should have been: the parent fails
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 137, point

    assert (shared / other_log).read_bytes() == other_bytes  # another machine's log untouched
    for name in logs(shared):
        whole(shared / name, torn_ok=True)
    reader = State.open(tmp_path / "reader")
    report = Sync(reader, shared, name="reader").run()
    assert report.ok and report.refused == []
    for i in range(20):  # what was written before the kill is all there
        assert reader.get(f"arxiv:{i}").note in (f"first {i}", f"second {i}")
    # The writer starts again: nothing lost, nothing damaged, its leftovers gone.
    writer = State.open(tmp_path / "writer")
    assert Sync(writer, shared, name="writer", compact_after=compact).run().ok
    report = Sync(reader, shared, name="reader").run()
    assert report.ok and report.refused == []
    assert all(reader.get(f"arxiv:{i}").note == f"second {i}" for i in range(20))
    for name in logs(shared):
        whole(shared / name, torn_ok=False)
    assert [n for n in os.listdir(shared) if n.endswith(".tmp")] == []
