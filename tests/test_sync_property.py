"""Issue 25's property: any interleaving of changes on 2-4 machines, with their logs delivered in
any order, twice, late, cut short or as conflict copies, ends with every machine holding the
same marks and rules; and every change that no later change overrode is there."""

from __future__ import annotations

import tempfile
from pathlib import Path

from helpers.sync_sim import World
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Few papers, tags and texts, so that changes meet on one field often.
PAPERS = ["arxiv:p0", "t:p1"]
TAGS = ["llm", "todo"]
NOTES = ["", "first", "second", "third"]
QUERIES = ["survey", "benchmark"]
# One machine's clock a day ahead, one an hour behind: neither may win for good.
SKEWS = [0.0, 86_400.0, -3_600.0, 0.5]

change = st.one_of(
    st.tuples(
        st.just("act"),
        st.integers(0, 3),
        st.sampled_from(["star", "unstar", "read", "unread"]),
        st.sampled_from(PAPERS),
        st.just(""),
    ),
    st.tuples(
        st.just("act"),
        st.integers(0, 3),
        st.sampled_from(["tag", "untag"]),
        st.sampled_from(PAPERS),
        st.sampled_from(TAGS),
    ),
    st.tuples(
        st.just("act"),
        st.integers(0, 3),
        st.just("note"),
        st.sampled_from(PAPERS),
        st.sampled_from(NOTES),
    ),
    st.tuples(
        st.just("act"),
        st.integers(0, 3),
        st.sampled_from(["mute", "unmute"]),
        st.just(""),
        st.sampled_from(QUERIES),
    ),
)
step = st.one_of(
    change,
    change,
    change,
    st.tuples(st.just("run"), st.integers(0, 3), st.just(""), st.just(""), st.just("")),
    st.tuples(
        st.just("deliver"),
        st.integers(0, 3),
        st.sampled_from(["whole", "whole", "lines", "torn", "copy"]),
        st.integers(0, 8),
        st.integers(0, 3).map(str),
    ),
    st.tuples(
        st.just("forget"), st.integers(0, 3), st.just(""), st.just(""), st.integers(0, 3).map(str)
    ),
    st.tuples(st.just("settle"), st.just(0), st.just(""), st.just(""), st.just("")),
)


def _field(op: str, paper: str, arg: str) -> tuple[str, ...]:
    """What a change sets: (the field it is about, the value it gives it)."""
    if op in ("star", "unstar"):
        return ("starred", paper, str(op == "star"))
    if op in ("read", "unread"):
        return ("read", paper, str(op == "read"))
    if op in ("tag", "untag"):
        return ("tag", paper, arg, str(op == "tag"))
    if op == "note":
        return ("note", paper, arg)
    return ("mute", arg, str(op == "mute"))


def _value_now(world: World, target: tuple[str, ...]) -> str:
    """The value `target`'s field has on machine 0 at the end."""
    kind = target[0]
    if kind == "mute":
        return str(target[1] in {q for q, _w, _c in world.rules()[0]})
    state = world.states()[0].get(target[1])
    if kind == "starred":
        return str(bool(state and state.starred))
    if kind == "read":
        return str(bool(state and state.read))
    if kind == "tag":
        return str(bool(state and target[2] in state.tags))
    return state.note if state else ""


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(machines=st.integers(2, 4), steps=st.lists(step, min_size=10, max_size=60))
def test_any_interleaving_converges_and_keeps_every_change_not_overridden(
    machines: int, steps: list[tuple]
) -> None:
    with tempfile.TemporaryDirectory() as root:
        world = World(Path(root), SKEWS[:machines])
        # Per field: the changes made (value set, and whether every change before it had
        # settled everywhere first: then nothing can override it but a later change).
        history: dict[tuple[str, ...], list[tuple[str, bool]]] = {}
        since_settle: set[tuple[str, ...]] = set()
        for kind, who, a, b, c in steps:
            who %= machines
            if kind == "act":
                world.act(who, a, b, c)
                field = _field(a, b, c)
                where, value = field[:-1], field[-1]
                settled = where not in since_settle
                history.setdefault(where, []).append((value, settled))
                since_settle.add(where)
            elif kind == "run":
                world.run(who)
            elif kind == "deliver":
                world.deliver(who, int(c) % machines, b, a)
            elif kind == "forget":
                world.forget(who, int(c) % machines)
            else:
                world.settle()
                since_settle.clear()
        world.settle()

        states = world.states()
        for other in states[1:]:
            assert other == states[0]
        rules = world.rules()
        for other in rules[1:]:
            assert other == rules[0]

        for where, changes in history.items():
            final = _value_now(world, where)
            values = {value for value, _settled in changes}
            last, settled = changes[-1]
            if settled:
                # Made after every other change of its field had reached every machine: it
                # is the latest, whatever the clocks say.
                assert final == last, (where, changes)
            elif len(values) == 1:
                # Every change of the field set the same value: nothing overrode it.
                assert final == last, (where, changes)
            else:
                assert final in values, (where, changes)
        for pid, state in states[0].items():
            notes = [ch for w, ch in history.items() if w[:2] == ("note", pid)]
            written = {value for changes in notes for value, _settled in changes}
            if state.conflicting_note:
                assert set(state.conflicting_note.split("\n\n")) <= written
            if notes and notes[0][-1][1]:
                assert state.conflicting_note == ""  # seen every other version: no conflict
