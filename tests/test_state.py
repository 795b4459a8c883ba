"""The State facade, on an in-memory storage and on the file storage."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from papertray.store.models import UNTOUCHED, PaperState
from papertray.store.state import State
from papertray.store.tags import normalize_tags


@pytest.fixture(params=["memory", "file"])
def make_state(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], State]:
    """A factory: every call on the file variant opens the same file again (a restart)."""
    if request.param == "memory":
        state = State.in_memory()
        return lambda: state
    return lambda: State.open(tmp_path)


@pytest.fixture
def state(make_state: Callable[[], State]) -> State:
    return make_state()


def test_untouched_by_default(state: State) -> None:
    assert state.get("arxiv:1") == UNTOUCHED
    assert state.all() == {} and state.all_tags() == []
    assert state.warnings == [] and state.read_only is False


def test_read_marks_and_timestamps(state: State, make_state: Callable[[], State]) -> None:
    before = time.time()
    new = state.set_read("p", True)
    assert new.read and new.read_at is not None and new.read_at >= before
    assert new.updated_at == new.read_at
    assert state.set_read("p", True) == new  # no change, same timestamps
    assert make_state().get("p") == new
    assert state.set_read("p", False).read is False
    assert state.get("p").read_at is None
    assert state.set_read("p", True).read is True
    assert state.set_read("p", False).read is False
    assert state.set_read("p", True).read is True
    assert make_state().get("p").read


def test_star(state: State, make_state: Callable[[], State]) -> None:
    starred = state.toggle_star("p")
    assert starred.starred and starred.starred_at is not None
    assert make_state().get("p").starred
    assert state.toggle_star("p").starred is False
    assert state.set_starred("p", True).starred
    assert state.set_starred("p", False).starred_at is None


def test_tags_are_normalised(state: State, make_state: Callable[[], State]) -> None:
    assert state.set_tags("p", [" ML ", "ml", "", "  ", "Deep  Learning", "ai"]).tags == (
        "ml",
        "deep-learning",
        "ai",
    )
    assert state.add_tags("p", ["AI", "new", "x\x1b[2J"]).tags == (
        "ml",
        "deep-learning",
        "ai",
        "new",
        "x[2j",
    )
    assert state.remove_tags("p", ["ML", "absent"]).tags == ("deep-learning", "ai", "new", "x[2j")
    assert make_state().get("p").tags == ("deep-learning", "ai", "new", "x[2j")
    assert normalize_tags(["\u202eevil", "B"]) == ("evil", "b")


def test_note(state: State, make_state: Callable[[], State]) -> None:
    note = state.set_note("p", "  first line\r\nsecond \x1b]52;c;x\x07line  ")
    assert note.note == "first line\nsecond ]52;c;xline"
    assert make_state().get("p").note == note.note
    assert state.set_note("p", "   ").untouched


def test_untouched_papers_are_removed(state: State, make_state: Callable[[], State]) -> None:
    state.set_read("a", True)
    state.set_tags("b", ["x"])
    state.set_read("a", False)
    state.set_tags("b", [])
    assert state.all() == {}
    assert make_state().all() == {}


def test_all_and_all_tags(state: State) -> None:
    state.set_tags("a", ["x", "y"])
    state.set_tags("b", ["y"])
    state.set_tags("c", ["z", "y", "x"])
    state.set_read("d", True)
    assert set(state.all()) == {"a", "b", "c", "d"}
    assert all(isinstance(s, PaperState) for s in state.all().values())
    assert state.all_tags() == [("y", 3), ("x", 2), ("z", 1)]
    snapshot = state.all()
    snapshot.clear()  # a copy: the caller may change it
    assert len(state.all()) == 4


def test_set_read_many_and_restore(state: State, make_state: Callable[[], State]) -> None:
    state.set_read("a", True)
    state.set_tags("b", ["keep"])
    before = {pid: state.get(pid) for pid in ("a", "b", "c")}
    previous = state.set_read_many(["a", "b", "c", "b"], True)
    assert previous == before
    assert all(make_state().get(pid).read for pid in ("a", "b", "c"))
    assert make_state().get("a").read_at == before["a"].read_at  # already read: untouched
    state.restore(previous)
    reopened = make_state()
    assert {pid: reopened.get(pid) for pid in ("a", "b", "c")} == before
    assert set(reopened.all()) == {"a", "b"}


def test_set_read_many_is_one_write(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    start = state._storage.version
    state.set_read_many([f"p{i}" for i in range(500)], True)
    assert state._storage.version == start + 1
    previous = state.set_read_many([f"p{i}" for i in range(500)], False)
    state.restore(previous)
    assert state._storage.version == start + 3
    assert len(State.open(tmp_path).all()) == 500


def test_no_write_when_nothing_changes(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    state.set_read("p", True)
    mtime = (tmp_path / "state.json").stat().st_mtime_ns
    inode = (tmp_path / "state.json").stat().st_ino
    state.set_read("p", True)
    state.set_tags("q", [])
    state.set_read_many(["p"], True)
    assert (tmp_path / "state.json").stat().st_ino == inode
    assert (tmp_path / "state.json").stat().st_mtime_ns == mtime


def test_two_instances_interleaving_lose_nothing(tmp_path: Path) -> None:
    one, two = State.open(tmp_path), State.open(tmp_path)
    one.set_read("a", True)
    two.toggle_star("b")  # two has not refreshed: it must re-read before writing
    one.set_note("c", "hello")
    two.add_tags("a", ["t"])
    one.set_read_many(["d", "e"], True)
    two.remove_tags("a", ["nothing"])
    for state in (one, two, State.open(tmp_path)):
        assert state.get("a").read and state.get("a").tags == ("t",)
        assert state.get("b").starred
        assert state.get("c").note == "hello"
        assert state.get("d").read and state.get("e").read


def test_refresh_notices_another_instance(tmp_path: Path) -> None:
    tui, cli = State.open(tmp_path), State.open(tmp_path)
    assert tui.refresh() is False
    cli.toggle_star("p")
    assert tui.refresh() is True
    assert tui.get("p").starred
    assert tui.refresh() is False
    assert tui.all().keys() == {"p"}


def test_revert_puts_back_only_the_marks_the_step_set(state: State) -> None:
    before = state.get("p")
    after = state.set_tags("p", ["a"])
    state.toggle_star("p")  # a later change, e.g. from another instance
    new = state.revert({"p": (before, after)})
    assert new["p"].tags == () and new["p"].starred
    assert state.get("p").tags == () and state.get("p").starred
    # A mark changed again since the step is left as it is now.
    before, after = state.get("p"), state.set_note("p", "mine")
    state.set_note("p", "theirs")
    state.revert({"p": (before, after)})
    assert state.get("p").note == "theirs"


def test_saving_a_note_settles_a_conflicting_note(state: State) -> None:
    from dataclasses import replace

    state.restore({"p": PaperState(note="mine", conflicting_note="theirs")})
    assert not PaperState(conflicting_note="x").untouched
    before = state.get("p")
    after = state.set_note("p", "mine")  # the same text: kept, the other dropped
    assert (after.note, after.conflicting_note) == ("mine", "")
    state.revert({"p": (before, after)})  # undo brings the other text back
    assert state.get("p").conflicting_note == "theirs"
    state.restore({"q": replace(state.get("p"), note="")})
    merged = state.merge_marks("q", "p")
    assert (merged.note, merged.conflicting_note) == ("mine", "theirs")


def test_mute_rules_merged_by_query_keep_their_numbers(state: State) -> None:
    from papertray.store.mutes import MuteRule

    first = state.add_mute("survey", "meh")
    second = state.add_mute("benchmark")
    state.merge_mutes(
        {
            "survey": MuteRule(0, "survey", "not my field", 5.0),
            "benchmark": None,
            "cats": MuteRule(0, "cats", "", 6.0),
            "gone already": None,
        }
    )
    rules = {r.query: r for r in state.mute_rules()}
    assert rules["survey"].number == first.number and rules["survey"].why == "not my field"
    assert "benchmark" not in rules
    assert rules["cats"].number == second.number + 1  # a removed rule's number is not reused
    assert state.add_mute("dogs").number == second.number + 2


def test_meta_values_live_beside_the_format(state: State, make_state) -> None:
    state.set_meta("machine", {"id": "0123456789ab"})
    state.add_mute("survey")  # stores the next rule number in the same document
    again = make_state()
    assert again.meta("machine") == {"id": "0123456789ab"} and again.meta("nothing") is None
