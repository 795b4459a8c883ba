"""Saved searches (issue 23, point 5): named queries in state.json (TinyDB table `searches`),
each with a stable id, an optional slot 1-9 and its count of unread papers; `papertray
searches`, `search save`, `search rm` and `list --search NAME`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from papertray.store import Library, SearchError, State
from papertray.store.dates import Clock
from papertray.store.searches import unread_counts
from papertray.tui.cli import run


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert run(["list", "--format", "json", *args]) == 0
    return [r["id"] for r in json.loads(capsys.readouterr().out)]


@pytest.fixture(params=["memory", "file"])
def make_state(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], State]:
    """A factory: every call on the file variant opens the same file again (a restart)."""
    if request.param == "memory":
        state = State.in_memory()
        return lambda: state
    return lambda: State.open(tmp_path)


def test_save_list_and_find(make_state: Callable[[], State]) -> None:
    state = make_state()
    assert state.searches() == []
    clock = Clock(1_772_359_200.0)
    llm = state.save_search("LLM  papers", "  tag:llm   -survey ", slot=2, clock=clock)
    assert (llm.name, llm.query, llm.slot, llm.created) == (
        "LLM papers",
        "tag:llm -survey",
        2,
        clock.now,
    )
    assert len(llm.id) == 32 and llm.updated == llm.created
    state.save_search("zeta", "diffusion")
    state.save_search("alpha", "is:later")
    state.save_search("first", "memory", slot=1)
    again = make_state()
    assert [s.name for s in again.searches()] == ["first", "LLM papers", "alpha", "zeta"]
    assert again.search("llm PAPERS") == llm
    assert [s for s in again.searches() if s.slot == 2] == [llm]


def test_saving_a_name_again_changes_it_and_keeps_its_id(make_state: Callable[[], State]) -> None:
    state = make_state()
    first = state.save_search("llm", "tag:llm", slot=1, clock=Clock(1_772_359_200.0))
    later = state.save_search("LLM", "tag:llm is:unread", clock=Clock(1_772_445_600.0))
    assert later.id == first.id and later.created == first.created
    assert (later.name, later.query, later.slot) == ("LLM", "tag:llm is:unread", None)
    assert later.updated > first.updated
    assert make_state().searches() == [later]


def test_a_slot_belongs_to_one_search(make_state: Callable[[], State]) -> None:
    state = make_state()
    state.save_search("a", "memory", slot=3)
    with pytest.raises(SearchError, match="slot 3 is taken by the search 'a'"):
        state.save_search("b", "lora", slot=3)
    assert state.search("b") is None
    state.save_search("a", "memory", slot=4)  # a moves; 3 is free
    assert state.save_search("b", "lora", slot=3).slot == 3


@pytest.mark.parametrize(
    ("name", "query", "slot", "message"),
    [
        ("", "memory", None, "needs a name"),
        ("x" * 81, "memory", None, "at most 80 characters"),
        ("n", "  ", None, "needs a query"),
        ("n", "memory (", None, "bad query: unbalanced parenthesis"),
        ("n", "is:maybe", None, "bad query: unknown value 'maybe' for is:"),
        ("n", "memory", 10, "slots are 1 to 9, not 10"),
        ("n", "memory", 0, "slots are 1 to 9, not 0"),
    ],
)
def test_refused_searches(
    make_state: Callable[[], State], name: str, query: str, slot: int | None, message: str
) -> None:
    state = make_state()
    with pytest.raises(SearchError) as caught:
        state.save_search(name, query, slot)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert make_state().searches() == []


def test_remove(make_state: Callable[[], State]) -> None:
    state = make_state()
    kept = state.save_search("keep", "memory", slot=1)
    gone = state.save_search("gone", "lora", slot=2)
    assert state.remove_search("GONE") == gone
    assert make_state().searches() == [kept]
    with pytest.raises(SearchError, match="no saved search named 'gone'"):
        state.remove_search("gone")


def test_a_field_of_a_later_release_survives_a_change(tmp_path: Path) -> None:
    """Issue 24 marks a search followed; a release that does not know the field keeps it."""
    state = State.open(tmp_path)
    saved = state.save_search("llm", "tag:llm")
    db = TinyDB(tmp_path / "state.json")
    db.table("searches").update({"followed": True, "seen_at": 12.5})
    db.close()
    state.save_search("llm", "tag:llm -survey", slot=5)
    doc = orjson.loads((tmp_path / "state.json").read_bytes())["searches"]
    (stored,) = doc.values()
    assert stored["followed"] is True and stored["seen_at"] == 12.5
    assert stored["id"] == saved.id and stored["query"] == "tag:llm -survey" and stored["slot"] == 5


def test_hand_edited_documents_are_left_out(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    state.save_search("good", "memory", slot=1)
    path = tmp_path / "state.json"
    data = orjson.loads(path.read_bytes())
    data["searches"].update(
        {
            "2": {"name": "no id", "query": "x"},
            "3": {"id": "abc", "name": "bad slot", "query": "lora", "slot": "7"},
            "5": {"id": "def", "name": "bad\x1b[2Jname", "query": "memory", "slot": 1},
        }
    )
    path.write_bytes(orjson.dumps(data))
    reopened = State.open(tmp_path)
    assert reopened.warnings == []
    names = [(s.name, s.slot) for s in reopened.searches()]
    assert names == [("bad[2Jname", 1), ("good", 1), ("bad slot", None)]


def test_unread_counts_follow_the_marks_and_the_mutes(
    seed_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["import", str(seed_path)]) == 0
    library, state = Library.open(data_dir), State.open(data_dir)
    quant = state.save_search("quant", "quantization")
    repo = state.save_search("repos", "has:repo")
    muted = state.save_search("muted", "is:muted")
    broken = state.save_search("broken", "memory")
    db = TinyDB(data_dir / "state.json")
    db.table("searches").update({"query": "memory ("}, lambda doc: doc["name"] == "broken")
    db.close()
    found = listed(capsys, "-q", "quantization")
    assert len(found) > 3
    counts = unread_counts(library, state)
    assert counts == {quant.id: len(found), repo.id: len(listed(capsys, "-q", "has:repo")),
                      muted.id: 0, broken.id: None}  # fmt: skip
    state.set_read(found[0], True)
    assert unread_counts(library, state)[quant.id] == len(found) - 1
    state.add_mute("has:repo")
    counts = unread_counts(library, state)
    assert counts[repo.id] == 0  # every paper it finds is muted
    assert counts[muted.id] == len(listed(capsys, "-q", "is:muted is:unread"))
    assert counts[quant.id] == len(listed(capsys, "-q", "quantization is:unread")) > 0


# -- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def imported(seed_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run(["import", str(seed_path)]) == 0
    capsys.readouterr()
    return seed_path


def test_cli_save_list_and_remove(imported: Path, data_dir: Path, capsys) -> None:
    quant = listed(capsys, "-q", "quantization -survey")
    assert run(["search", "save", "quant", "quantization", "-survey", "--slot", "1"]) == 0
    assert capsys.readouterr().err == (
        f"papertray: saved search 'quant' (key 1): quantization -survey; "
        f"{len(quant)} unread papers\n"
    )
    assert State.open(data_dir).search("quant").query == "quantization -survey"  # type: ignore[union-attr]
    assert run(["search", "save", "code", "has:repo"]) == 0
    repos = listed(capsys, "-q", "has:repo")
    assert run(["read", quant[0]]) == 0
    capsys.readouterr()

    assert run(["searches"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"   1  {len(quant) - 1:>7}  quant: quantization -survey",
        f"   -  {len(repos) - (quant[0] in repos):>7}  code: has:repo",
    ]
    assert listed(capsys, "--search", "QUANT") == quant
    assert listed(capsys, "--search", "quant", "-q", "is:unread") == quant[1:]

    assert run(["search", "rm", "quant"]) == 0
    assert capsys.readouterr().err == "papertray: removed search 'quant': quantization -survey\n"
    assert [s.name for s in State.open(data_dir).searches()] == ["code"]


def test_cli_refusals_are_one_line(imported: Path, data_dir: Path, capsys) -> None:
    assert run(["search", "save", "a", "memory", "--slot", "2"]) == 0
    capsys.readouterr()
    cases = [
        (["search", "save", "b", "lora", "--slot", "2"], 2, "slot 2 is taken by the search 'a'"),
        (["search", "save", "b", "lora", "--slot", "12"], 2, "invalid --slot: slots are 1 to 9"),
        (["search", "save", "b", "(lora"], 2, "bad query: unbalanced parenthesis"),
        (["search", "save", "b"], 2, "the following arguments are required: QUERY"),
        (["search", "rm", "zz"], 1, "no saved search named 'zz'"),
        (["search"], 2, "the following arguments are required: ACTION"),
        (["list", "--search", "zz"], 1, "no saved search named 'zz'"),
    ]
    for argv, status, message in cases:
        assert run(argv) == status, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, (argv, err)
    assert [s.name for s in State.open(data_dir).searches()] == ["a"]


def test_cli_no_searches_yet(imported: Path, capsys) -> None:
    assert run(["searches"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "papertray: no saved searches: papertray search save NAME QUERY [--slot N] adds one\n"
    )
