"""Sync through a shared folder (issue 25): what is exchanged and how it merges, conflict
copies, compaction, the status, recovery from a lost or half-written sync state, the CLI."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from helpers.sync_sim import bare, clock, logs

from papertray.store import Library, PaperState, State, Sync, import_files
from papertray.store import sync as sync_module
from papertray.store.storage import StoreError
from papertray.store.sync_merge import ELEMENTS, REGISTER
from papertray.store.sync_tables import SYNCED, Field, Synced, register

T0 = 1_800_000_000.0


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


def machine(tmp_path: Path, shared: Path, name: str, **options) -> tuple[State, Sync]:
    state = State.open(tmp_path / name)
    return state, Sync(state, shared, name=name, **options)


def entries(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()[1:]]


def test_every_kind_of_mark_goes_both_ways(tmp_path: Path, shared: Path) -> None:
    a, sa = machine(tmp_path, shared, "laptop")
    b, sb = machine(tmp_path, shared, "desk")
    a.set_starred("arxiv:1", True)
    a.add_tags("arxiv:1", ["llm", "todo"])
    a.set_note("arxiv:1", "read §3 again")
    b.set_read("arxiv:2", True)
    rule = b.add_mute("survey", "not my field")
    for s in (sa, sb, sa):
        report = s.run()
        assert report.ok and report.refused == []
    assert bare(a) == bare(b)
    assert a.get("arxiv:1").tags == ("llm", "todo") and a.get("arxiv:1").note == "read §3 again"
    assert a.get("arxiv:2").read and a.get("arxiv:2").read_at == b.get("arxiv:2").read_at
    assert [(r.query, r.why, r.created) for r in a.mute_rules()] == [
        (rule.query, rule.why, rule.created)
    ]
    b.remove_mute(rule.number)
    b.set_starred("arxiv:1", False)
    sb.run()
    sa.run()
    assert a.mute_rules() == [] and not a.get("arxiv:1").starred
    assert len(logs(shared)) == 2  # one file per machine


def test_read_later_goes_both_ways_with_its_time(tmp_path: Path, shared: Path) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        a.set_later("arxiv:1", True)
    sa.run(), sb.run()
    assert b.get("arxiv:1").later and b.get("arxiv:1").later_at == T0
    b.set_later("arxiv:1", False)
    sb.run(), sa.run()
    assert not a.get("arxiv:1").later and bare(a) == bare(b)


def test_saved_searches_and_their_follows_go_both_ways_by_name(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        saved = a.save_search("LLM", "tag:llm OR quantization", slot=3)
        a.follows.follow(saved.id)
    sa.run(), sb.run()
    [there] = b.searches()
    assert (there.name, there.query, there.slot, there.created) == ("LLM", saved.query, 3, T0)
    [follow] = b.follows.all()
    assert (follow.search, follow.followed, follow.seen) == (there.id, T0, T0)
    # Seen on b: a's new-paper count starts from there too; the query changed on a.
    with clock(T0 + 60):
        b.follows.mark_seen()
    with clock(T0 + 120):
        a.save_search("llm", "tag:llm", slot=3)  # the same search, case aside
    sb.run(), sa.run(), sb.run()
    assert [f.seen for f in a.follows.all()] == [T0 + 60]
    assert [(s.name, s.query) for s in b.searches()] == [("llm", "tag:llm")]
    assert b.searches()[0].id == there.id  # each folder keeps its own id
    # Unfollowed on b, removed on a afterwards: gone on both, follow and all.
    b.follows.unfollow(there.id)
    sb.run(), sa.run()
    assert a.follows.all() == [] and len(a.searches()) == 1
    a.remove_search("llm")
    sa.run(), sb.run()
    assert b.searches() == [] and b.follows.all() == []


def test_one_name_saved_on_two_machines_is_one_search(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        a.save_search("rl", "reinforcement")
    with clock(T0 + 5):
        b.save_search("RL", "reinforcement learning", slot=1)
    sa.run(), sb.run(), sa.run()
    assert [(s.name, s.query, s.slot) for s in a.searches()] == [
        ("RL", "reinforcement learning", 1)
    ]
    assert [(s.name, s.query, s.slot) for s in b.searches()] == [
        ("RL", "reinforcement learning", 1)
    ]


def test_a_tag_added_here_and_another_removed_there_both_hold(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    a.add_tags("arxiv:1", ["llm", "todo"])
    sa.run()
    sb.run()
    a.add_tags("arxiv:1", ["rl"])
    b.remove_tags("arxiv:1", ["todo"])
    sa.run(), sb.run(), sa.run()
    assert a.get("arxiv:1").tags == b.get("arxiv:1").tags == ("llm", "rl")


def test_tags_come_in_the_same_order_everywhere(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        a.set_tags("arxiv:1", ["todo", "llm"])  # one change: by name then
        sa.run()
    assert a.get("arxiv:1").tags == ("llm", "todo")
    with clock(T0 + 1):
        a.add_tags("arxiv:1", ["cv"])  # a later one comes after
        a.set_tags("arxiv:2", ["rl", "cv"])
        sa.run(), sb.run()
    assert a.get("arxiv:1").tags == b.get("arxiv:1").tags == ("llm", "todo", "cv")
    assert a.get("arxiv:2").tags == b.get("arxiv:2").tags == ("cv", "rl")


def test_notes_written_at_once_keep_the_losing_text(tmp_path, shared, capsys) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        a.set_note("arxiv:1", "from the laptop")
    with clock(T0 + 60):
        b.set_note("arxiv:1", "from the desk")
    sa.run(), sb.run(), sa.run()
    for s in (a, b):
        state = s.get("arxiv:1")
        assert (state.note, state.conflicting_note) == ("from the desk", "from the laptop")
    # Saving the note, even unchanged, settles it here and, once synced, there.
    a.set_note("arxiv:1", "from the desk")
    assert a.get("arxiv:1").conflicting_note == ""
    sa.run(), sb.run()
    assert b.get("arxiv:1") == PaperState(
        note="from the desk", updated_at=b.get("arxiv:1").updated_at
    )


def test_a_machine_whose_clock_runs_ahead_does_not_win_for_good(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0 + 365 * 86400):  # b thinks it is next year
        b.set_starred("arxiv:1", True)
        sb.run()
    with clock(T0):
        sa.run()
        assert a.get("arxiv:1").starred
        a.set_starred("arxiv:1", False)  # after seeing b's star: this change is later
        sa.run()
    with clock(T0 + 365 * 86400):
        sb.run()
    assert not a.get("arxiv:1").starred and not b.get("arxiv:1").starred


def test_the_latest_change_wins_when_neither_had_seen_the_other(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0 + 10):
        a.set_read("arxiv:1", True)
    with clock(T0 + 5):
        b.set_read("arxiv:1", False)
        b.set_starred("arxiv:1", True)
    sb.run(), sa.run(), sb.run()
    assert a.get("arxiv:1").read and b.get("arxiv:1").read
    assert a.get("arxiv:1").starred and b.get("arxiv:1").starred


def test_older_marks_of_a_machine_joining_late_lose_to_later_changes(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        a.set_starred("arxiv:1", True)  # before a ever synced
    with clock(T0 + 10):
        b.set_starred("arxiv:1", True)
        sb.run()
    with clock(T0 + 20):
        b.set_starred("arxiv:1", False)
        sb.run()
    with clock(T0 + 30):
        sa.run()
        assert not a.get("arxiv:1").starred
        sa.run(), sb.run()
    assert not a.get("arxiv:1").starred and not b.get("arxiv:1").starred


def test_a_state_file_restored_from_a_backup_meets_the_folder_by_the_clock(
    tmp_path, shared
) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        a.set_starred("arxiv:1", True)
        a.set_note("arxiv:2", "old")
        sa.run()
    backup = (tmp_path / "a" / "state.json").read_bytes()
    with clock(T0 + 10):
        sb.run()
        b.set_starred("arxiv:1", False)  # later than the backup: it wins
        sb.run()
        sa.run()
    (tmp_path / "a" / "state.json").write_bytes(backup)
    with clock(T0 + 20):
        a = State.open(tmp_path / "a")
        sa = Sync(a, shared, name="a")
        sa.run()
        assert not a.get("arxiv:1").starred and a.get("arxiv:2").note == "old"
        sa.run(), sb.run()
    assert not a.get("arxiv:1").starred and not b.get("arxiv:1").starred
    assert bare(a) == bare(b)


def test_a_mark_waits_for_its_paper(tmp_path, shared, seed_path) -> None:
    a, sa = machine(tmp_path, shared, "a")
    library_a = Library.open(tmp_path / "a")
    import_files(library_a, [str(seed_path)])
    pid = library_a.papers()[0].id
    a.set_starred(pid, True)
    sa.run()
    b, sb = machine(tmp_path, shared, "b")
    library_b = Library.open(tmp_path / "b")
    sb.run()
    assert b.get(pid).starred and library_b.get(pid) is None  # kept, the paper not here yet
    import_files(library_b, [str(seed_path)])
    assert library_b.get(pid) is not None and b.get(pid).starred


def test_conflict_copies_are_read_carried_over_and_removed(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    a.set_starred("arxiv:1", True)
    sa.run()
    sb.run()  # b's log is there before the copies: their entries are appended to it
    own = next(n for n in logs(shared) if a.meta("machine")["id"] in n)
    stem = own.removesuffix(".jsonl")
    # The sync tool kept two versions of a's log: ones with entries the original lacks.
    header, *_lines = (shared / own).read_bytes().splitlines(keepends=True)
    machine_id = orjson.loads(header)["machine"]
    syncthing = shared / f"{stem}.sync-conflict-20260101-120000-ABCDEF7.jsonl"
    dropbox = shared / f"{stem} (desk's conflicted copy 2026-01-01).jsonl"
    for copy, pid in ((syncthing, "arxiv:9"), (dropbox, "arxiv:8")):
        copy.write_bytes(header + orjson.dumps(["marks", pid, "read", True, [1, 0, machine_id]]))
        copy.write_bytes(copy.read_bytes() + b"\n")
    report = sb.run()
    assert report.removed_copies == 2 and not syncthing.exists() and not dropbox.exists()
    assert b.get("arxiv:9").read and b.get("arxiv:8").read
    # A third machine that never saw the copies gets their entries from b's log.
    c, sc = machine(tmp_path, shared, "c")
    sc.run()
    assert c.get("arxiv:9").read and c.get("arxiv:8").read and c.get("arxiv:1").starred


def test_a_log_that_grows_gets_a_new_generation_with_a_snapshot(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a", compact_after=10)
    b, sb = machine(tmp_path, shared, "b")
    for i in range(6):
        a.set_starred(f"arxiv:{i}", True)
        sa.run()
    sb.run()  # b has read part of a's first generation
    for i in range(6, 30):
        a.add_tags(f"arxiv:{i % 6}", [f"t{i}"])
        report = sa.run()
    assert report.ok
    a_id = a.meta("machine")["id"]
    a_logs = [n for n in logs(shared) if a_id in n]
    assert len(a_logs) == 1 and not a_logs[0].endswith(".1.jsonl")  # the older ones gone
    header = orjson.loads((shared / a_logs[0]).read_bytes().splitlines()[0])
    assert header["snapshot"] > 0
    sb.run()
    assert bare(a) == bare(b)
    c, sc = machine(tmp_path, shared, "c")  # joins after: the snapshot is enough
    sc.run()
    assert bare(c) == bare(a)


def test_status_says_who_is_there_and_what_waits(tmp_path, shared, capsys) -> None:
    a, sa = machine(tmp_path, shared, "laptop")
    b, sb = machine(tmp_path, shared, "desk")
    assert sa.status().machine == ""  # not synced yet: nothing written
    with clock(T0):
        a.set_starred("arxiv:1", True)
        sa.run()
        b.set_read("arxiv:1", True)
        b.set_read("arxiv:2", True)
        sb.run()
        a.set_note("arxiv:1", "x")
        status = sa.status()
    # desk's first log: its own two changes (what it read of laptop's is in laptop's log).
    assert status.to_write == 1 and status.to_merge == 2
    assert [(m.name, m.this) for m in status.machines] == [("laptop", True), ("desk", False)]
    desk = status.machines[1]
    assert desk.last == pytest.approx(T0, abs=1) and desk.entries == 0
    assert not (tmp_path / "laptop" / "sync.json").read_bytes().count(b"arxiv:2")  # read only
    sa.run()
    status = sa.status()
    assert (status.to_write, status.to_merge) == (0, 0) and status.machines[1].entries == 2


def test_a_lost_sync_state_is_made_again_from_the_logs(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        a.set_starred("arxiv:1", True)
        a.add_tags("arxiv:1", ["llm"])
        sa.run()
        sb.run()
    (tmp_path / "a" / "sync.json").unlink()
    with clock(T0 + 100):
        b.set_starred("arxiv:1", False)  # later than a's star: it must win
        b.remove_tags("arxiv:1", ["llm"])
        sb.run()
    with clock(T0 + 200):
        sa = Sync(a, shared, name="a")
        assert sa.run().ok
        sb.run()
    assert bare(a) == bare(b)
    assert not a.get("arxiv:1").starred and a.get("arxiv:1").tags == ()


def test_a_run_killed_between_its_two_files_loses_nothing(tmp_path, shared, monkeypatch) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    with clock(T0):
        a.set_read("arxiv:4", True)
        sa.run()
        b.set_starred("arxiv:1", True)
        b.set_note("arxiv:2", "b's")
        sb.run()
        a.add_tags("arxiv:3", ["mine"])
    # sync.json is written, then state.json fails (as if the process died in between).
    real = a._storage._write_now  # type: ignore[attr-defined]

    def fail(data):  # type: ignore[no-untyped-def]
        raise StoreError("the disk is full")

    monkeypatch.setattr(a._storage, "_write_now", fail)  # type: ignore[attr-defined]
    with clock(T0 + 10), pytest.raises(StoreError):
        sa.run()
    monkeypatch.setattr(a._storage, "_write_now", real)  # type: ignore[attr-defined]
    a = State.open(tmp_path / "a")
    assert not a.get("arxiv:1").starred  # the merge never reached state.json
    with clock(T0 + 20):
        a.set_note("arxiv:1", "a's, after")  # a change here meanwhile
        sa = Sync(a, shared, name="a")
        sa.run()
        sb.run()
    for s in (a, b):
        assert s.get("arxiv:1").starred and s.get("arxiv:1").note == "a's, after"
        assert s.get("arxiv:2").note == "b's" and s.get("arxiv:3").tags == ("mine",)
    # Nothing was taken for a change here: a's log holds its own changes, each once (the
    # tag written out by the run that failed, before it failed).
    a_id = a.meta("machine")["id"]
    a_log = next(n for n in logs(shared) if a_id in n)
    written = sorted((e[1], e[2]) for e in entries(shared / a_log) if e[4][2] == a_id)
    assert written == [("arxiv:1", "note"), ("arxiv:3", "tags"), ("arxiv:4", "read")]


def test_a_copied_data_folder_is_a_new_machine(tmp_path, shared) -> None:
    import shutil

    a, sa = machine(tmp_path, shared, "a")
    a.set_starred("arxiv:1", True)
    sa.run()
    shutil.copytree(tmp_path / "a", tmp_path / "copy")
    copy, sc = machine(tmp_path, shared, "copy")
    report = sc.run()
    assert any("copied or moved" in w for w in report.warnings)
    assert copy.meta("machine")["id"] != a.meta("machine")["id"]
    assert len(logs(shared)) == 2 and copy.get("arxiv:1").starred


def test_changes_wait_when_this_machines_log_cannot_be_written(
    tmp_path, shared, monkeypatch
) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    sa.run()
    b.set_read("arxiv:2", True)
    sb.run()
    a.set_starred("arxiv:1", True)

    def full(*_args):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sync_module, "append", full)
    report = sa.run()
    assert not report.ok and "the disk is full" in report.error and "1 change wait" in report.error
    assert a.get("arxiv:2").read  # what others wrote is merged all the same
    assert sa.status().to_write == 1
    monkeypatch.undo()
    assert sa.run().written == 1
    sb.run()
    assert b.get("arxiv:1").starred


def test_a_missing_folder_is_one_line_and_nothing_changes(tmp_path) -> None:
    a, sa = machine(tmp_path, tmp_path / "not-there", "a")
    a.set_starred("arxiv:1", True)
    report = sa.run()
    assert not report.ok and "no folder" in report.error and "\n" not in report.error
    assert not (tmp_path / "a" / "sync.json").exists()


def test_in_memory_states_sync_too(tmp_path, shared) -> None:
    a, b = State.in_memory(), State.in_memory()
    sa, sb = Sync(a, shared, name="a"), Sync(b, shared, name="b")
    a.set_starred("arxiv:1", True)
    sa.run(), sb.run()
    assert b.get("arxiv:1").starred


def test_a_new_kind_of_state_plugs_in_with_one_registration(tmp_path, shared, monkeypatch) -> None:
    """Followed authors with topics (made up for the test), held here in a dict per state."""
    every: dict[int, dict[str, dict[str, object]]] = {}

    def held(state: State) -> dict:
        return dict(every.get(id(state), {}))

    def view(fields: dict) -> dict:
        return {f: (v, None) for f, v in fields.items()}

    def write(state: State, values: dict) -> int:
        every.setdefault(id(state), {}).update(values)
        return len(values)

    monkeypatch.setitem(SYNCED, "authors", SYNCED.get("authors"))
    register(
        Synced(
            "authors",
            {
                "on": Field(REGISTER, False, lambda v: isinstance(v, bool)),
                "topics": Field(ELEMENTS, frozenset(), lambda e: isinstance(e, str)),
            },
            valid_key=lambda k: k.startswith("author:"),
            held=held,
            view=view,
            write=write,
        )
    )
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    every[id(a)] = {"author:hinton": {"on": True, "topics": frozenset({"rbm"})}}
    sa.run(), sb.run()
    assert every[id(b)]["author:hinton"] == {"on": True, "topics": ("rbm",)}
    del SYNCED["authors"]


def test_a_table_this_version_does_not_know_is_kept_and_passed_on(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a", compact_after=1)
    sa.run()
    newer = shared / "papertray.0123456789ab.1.jsonl"
    header = {"papertray": "sync", "format": 1, "machine": "0123456789ab", "gen": 1, "name": "new"}
    entry = ["follows", "author:x", "on", True, [1, 0, "0123456789ab"]]
    newer.write_bytes(orjson.dumps(header) + b"\n" + orjson.dumps(entry) + b"\n")
    a.set_starred("arxiv:1", True)
    assert sa.run().refused == []
    a.set_starred("arxiv:2", True)
    sa.run()  # a new generation: its snapshot carries the follow on
    a_id = a.meta("machine")["id"]
    a_log = next(n for n in logs(shared) if a_id in n)
    assert entry in entries(shared / a_log)


def test_the_machine_record_stays_in_the_state_file(tmp_path, shared) -> None:
    a, sa = machine(tmp_path, shared, "a")
    sa.run()
    doc = orjson.loads((tmp_path / "a" / "state.json").read_bytes())["papertray"]["1"]
    assert set(doc["machine"]) == {"id", "origin", "name"} and doc["format"] == 2


def test_compact_after_has_a_default() -> None:
    assert sync_module.COMPACT_AFTER >= 1000


def test_a_log_line_arriving_during_a_run_is_taken_by_the_next_poll(
    tmp_path, shared, monkeypatch
) -> None:
    a, sa = machine(tmp_path, shared, "a")
    b, sb = machine(tmp_path, shared, "b")
    sb.run()
    assert sa.poll() is not None  # the first poll runs
    real = sync_module.Sync._write_out

    def arrival_then_write_out(self, *args):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(sync_module.Sync, "_write_out", real)
        b.set_starred("arxiv:late", True)
        sb.run()  # b's line lands after a read the folder
        return real(self, *args)

    a.set_read("arxiv:1", True)
    monkeypatch.setattr(sync_module.Sync, "_write_out", arrival_then_write_out)
    assert sa.poll() is not None and not a.get("arxiv:late").starred
    assert sa.poll() is not None  # the folder changed since that run began
    assert a.get("arxiv:late").starred
    assert sa.poll() is not None and sa.poll() is None  # its own writes: once more, then quiet
