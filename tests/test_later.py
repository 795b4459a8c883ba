"""Read later (issue 23, point 3): a third mark beside read and starred, kept in state.json,
found by `is:later` (the SQL and the Python matcher agreeing), read oldest first with
`--sort later`, set by `papertray later` / `unlater`, carried by the JSON records."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from papertray.store import Library, State, parse_query
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.tui.cli import run

PAPERS = [
    Paper(id=f"arxiv:2401.0000{n}", title=f"Paper number {n}", abstract="about queues")
    for n in range(1, 6)
]


@pytest.fixture(params=["memory", "file"])
def make_state(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], State]:
    """A factory: every call on the file variant opens the same file again (a restart)."""
    if request.param == "memory":
        state = State.in_memory()
        return lambda: state
    return lambda: State.open(tmp_path)


def test_later_is_a_mark_with_its_time(
    make_state: Callable[[], State], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = make_state()
    monkeypatch.setenv("PAPERTRAY_NOW", "2026-03-01T10:00:00+00:00")
    queued = state.set_later("p", True)
    assert queued.later and queued.later_at is not None
    assert not queued.untouched and not queued.read and not queued.starred
    assert make_state().get("p") == queued  # survives a restart
    monkeypatch.setenv("PAPERTRAY_NOW", "2026-03-02T10:00:00+00:00")
    assert state.set_later("p", True) == queued  # already queued: the time stays
    assert state.set_later("p", False).later is False
    assert make_state().get("p") == UNTOUCHED  # nothing else was marked: the record goes
    assert state.all() == {}


def test_undo_puts_the_queue_back_and_leaves_a_later_change_alone(
    make_state: Callable[[], State],
) -> None:
    state = make_state()
    before = state.get("p")
    after = state.set_later("p", True)
    assert state.revert({"p": (before, after)})["p"].untouched
    assert not make_state().get("p").later
    # Queued here, then taken out elsewhere: undoing the queueing changes nothing.
    after = state.set_later("q", True)
    make_state().set_later("q", False)
    state.set_starred("q", True)
    assert state.revert({"q": (UNTOUCHED, after)})["q"].starred


def test_merging_two_records_keeps_the_queue_and_its_first_time(
    make_state: Callable[[], State], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = make_state()
    monkeypatch.setenv("PAPERTRAY_NOW", "2026-03-01T10:00:00+00:00")
    first = state.set_later("old", True).later_at
    monkeypatch.setenv("PAPERTRAY_NOW", "2026-03-05T10:00:00+00:00")
    state.set_later("new", True)
    merged = state.merge_marks("old", "new")
    assert merged.later and merged.later_at == first
    assert make_state().get("new").later_at == first


def test_is_later_in_sql_and_python_agree() -> None:
    library = Library.in_memory()
    library.add(PAPERS)
    states = {
        PAPERS[1].id: PaperState(later=True, later_at=1.0),
        PAPERS[3].id: PaperState(later=True, later_at=2.0, read=True, read_at=3.0),
        PAPERS[4].id: PaperState(starred=True),
    }
    rowids = library.rowids_of(p.id for p in PAPERS)
    for text, want in (
        ("is:later", [1, 3]),
        ("-is:later", [0, 2, 4]),
        ("is:later is:unread", [1]),
        ("is:later OR is:starred", [1, 3, 4]),
    ):
        query = parse_query(text)
        python = [i for i, p in enumerate(PAPERS) if query.matches(p, states.get(p.id, UNTOUCHED))]
        found = set(library.select(query, states).rowids)
        sql = [i for i, p in enumerate(PAPERS) if rowids[p.id] in found]
        assert python == sql == want, text


def test_sort_later_reads_the_queue_oldest_first() -> None:
    from papertray.store.sorting import SORT_ORDERS

    library = Library.in_memory()
    library.add(PAPERS)
    states = {
        PAPERS[4].id: PaperState(later=True, later_at=10.0),
        PAPERS[1].id: PaperState(later=True, later_at=30.0),
        PAPERS[2].id: PaperState(later=True, later_at=20.0),
        PAPERS[0].id: PaperState(starred=True),
    }
    rows = library.select(
        parse_query(""), states, order_by=SORT_ORDERS["later"].sql, papers=True
    ).rows
    assert [p.id for p in rows] == [PAPERS[i].id for i in (4, 2, 1, 0, 3)]


def test_cli_later_and_unlater(
    seed_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    assert run(["import", str(seed_path)]) == 0
    ids = [p.id for p in Library.open(data_dir).papers()]
    capsys.readouterr()
    monkeypatch.setenv("PAPERTRAY_NOW", "2026-03-01T10:00:00+00:00")
    assert run(["later", ids[5]]) == 0
    monkeypatch.setenv("PAPERTRAY_NOW", "2026-03-02T10:00:00+00:00")
    assert run(["later", ids[2], ids[9]]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "papertray: queued 1 paper to read later",
        "papertray: queued 2 papers to read later",
    ]
    stored = State.open(data_dir).all()
    assert {pid for pid, s in stored.items() if s.later} == {ids[5], ids[2], ids[9]}
    assert stored[ids[5]].later_at < stored[ids[2]].later_at

    assert run(["list", "-q", "is:later", "--sort", "later", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in records] == [ids[5], ids[2], ids[9]]
    assert all(r["later"] is True and "later_at" in r for r in records)

    assert run(["unlater", ids[2]]) == 0
    assert capsys.readouterr().err == "papertray: took 1 paper out of the read-later queue\n"
    assert not State.open(data_dir).get(ids[2]).later
    assert run(["list", "-q", "-is:later", "-n", "1", "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["later"] is False and "later_at" not in record
