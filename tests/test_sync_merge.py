"""The merge rules of sync (store/sync_merge.py) on entries alone: the same records from any
order, any duplication; the clock of a change here; a text's versions."""

from __future__ import annotations

import random

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from papertray.store.sync_merge import Entry, Records, conflict_text, read_entry, stamp

MACHINES = ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]

clocks = st.tuples(st.integers(0, 5), st.integers(0, 2), st.sampled_from(MACHINES))
registers = st.builds(
    lambda key, field, value, clock: Entry("marks", key, field, value, clock),
    st.sampled_from(["p1", "p2"]),
    st.sampled_from(["read", "starred"]),
    st.one_of(st.booleans(), st.floats(0, 10)),
    clocks,
)
elements = st.builds(
    lambda key, tag, present, clock: Entry("marks", key, "tags", present, clock, tag),
    st.sampled_from(["p1", "p2"]),
    st.sampled_from(["llm", "rl", "todo"]),
    st.booleans(),
    clocks,
)


@st.composite
def texts(draw: st.DrawFn) -> list[Entry]:
    """The versions of notes as machines write them: each machine's clock goes up, and each
    version has seen its machine's earlier ones and some of the others'."""
    written: list[Entry] = []
    walls = {m: 0 for m in MACHINES}
    for _ in range(draw(st.integers(0, 6))):
        machine = draw(st.sampled_from(MACHINES))
        key = draw(st.sampled_from(["p1", "p2"]))
        walls[machine] += draw(st.integers(0, 2))
        clock = (walls[machine], len(written), machine)
        seen: dict[str, tuple[int, int]] = {}
        for old in written:
            if old.key == key and (old.clock[2] == machine or draw(st.booleans())):
                for m, pair in (old.seen or {}).items():
                    seen[m] = max(seen.get(m, pair), pair)
        seen[machine] = clock[:2]
        value = draw(st.sampled_from(["", "a", "b"]))
        written.append(Entry("marks", key, "note", value, clock, None, seen))
    return written


def _merged(entries: list[Entry]) -> dict:
    records = Records()
    records.merge_all(entries)
    return records.to_json()


@settings(max_examples=300)
@given(
    plain=st.lists(st.one_of(registers, elements), max_size=20),
    notes=texts(),
    seed=st.integers(0, 2**32),
)
def test_any_order_and_any_repetition_give_the_same_records(
    plain: list[Entry], notes: list[Entry], seed: int
) -> None:
    rng = random.Random(seed)
    entries = plain + notes
    shuffled = entries + rng.sample(entries, k=len(entries) // 2)  # some delivered twice
    rng.shuffle(shuffled)
    assert _merged(shuffled) == _merged(entries)
    # Merging in two halves (two machines each merging part, then each other's records).
    half = len(shuffled) // 2
    left, right = Records(), Records()
    left.merge_all(shuffled[:half])
    right.merge_all(shuffled[half:])
    left.merge_all(list(right.snapshot()))
    assert left.to_json() == _merged(entries)


@given(plain=st.lists(st.one_of(registers, elements), max_size=20), notes=texts())
def test_a_snapshot_gives_the_records_again(plain: list[Entry], notes: list[Entry]) -> None:
    entries = plain + notes
    records = Records()
    records.merge_all(entries)
    again = Records()
    again.merge_all(list(records.snapshot()))
    assert again.to_json() == records.to_json()
    as_file = orjson.loads(orjson.dumps(records.to_json()))
    assert Records.from_json(as_file).to_json() == records.to_json()
    for entry in records.snapshot():  # what the log holds reads back as the same entry
        assert read_entry(orjson.loads(orjson.dumps(entry.to_json()))) == entry


def test_the_highest_clock_wins_a_register() -> None:
    records = Records()
    records.merge(Entry("marks", "p", "read", True, (5, 0, MACHINES[0])))
    records.merge(Entry("marks", "p", "read", False, (4, 9, MACHINES[1])))
    assert records.fields("marks", "p")["read"][1] is True
    records.merge(Entry("marks", "p", "read", False, (5, 0, MACHINES[1])))  # same time: by id
    assert records.fields("marks", "p")["read"][1] is False


def test_a_tag_added_here_and_another_removed_there_both_hold() -> None:
    records = Records()
    start = [Entry("marks", "p", "tags", True, (1, 0, MACHINES[0]), t) for t in ("a", "b")]
    records.merge_all(start)
    records.merge(Entry("marks", "p", "tags", True, (2, 0, MACHINES[0]), "c"))
    records.merge(Entry("marks", "p", "tags", False, (2, 0, MACHINES[1]), "a"))
    tags = records.fields("marks", "p")["tags"]
    assert {t for t, (_c, present) in tags.items() if present} == {"b", "c"}


def test_a_change_here_is_stamped_past_what_it_replaced() -> None:
    me = MACHINES[0]
    assert stamp(None, 1000, me) == (1000, 0, me)
    assert stamp((900, 3), 1000, me) == (1000, 0, me)
    # A machine whose clock is behind still passes what it replaced, by the counter.
    assert stamp((5000, 3), 1000, me) == (5000, 4, me)
    assert stamp((1000, 0), 1000, me) == (1000, 1, me)
    assert stamp((5000, 3), 1000, me) > (5000, 3, MACHINES[2])


def test_concurrent_texts_are_both_kept_until_one_sees_the_other() -> None:
    a, b = MACHINES[0], MACHINES[1]
    records = Records()
    records.merge(Entry("marks", "p", "note", "from a", (10, 0, a), None, {a: (10, 0)}))
    records.merge(Entry("marks", "p", "note", "from b", (12, 0, b), None, {b: (12, 0)}))
    versions = records.fields("marks", "p")["note"]
    assert [v[1] for v in versions] == ["from b", "from a"]
    assert conflict_text(versions) == "from a"
    # a, having seen both, writes again: one version, no conflict.
    seen = {a: (13, 0), b: (12, 0)}
    records.merge(Entry("marks", "p", "note", "both", (13, 0, a), None, seen))
    versions = records.fields("marks", "p")["note"]
    assert [v[1] for v in versions] == ["both"] and conflict_text(versions) == ""
    # The older versions arriving late change nothing.
    assert not records.merge(Entry("marks", "p", "note", "from a", (10, 0, a), None, {a: (10, 0)}))


def test_an_entry_of_a_table_this_version_does_not_know_is_kept() -> None:
    raw = ["follows", "author:x", "on", True, [1, 0, MACHINES[0]]]
    entry = read_entry(raw)
    assert isinstance(entry, Entry)
    records = Records()
    records.merge(entry)
    assert list(records.snapshot()) == [entry]


def test_what_is_no_entry_says_why() -> None:
    good = ["marks", "p", "read", True, [1, 0, MACHINES[0]]]
    assert isinstance(read_entry(good), Entry)
    assert read_entry({"t": "marks"}) == "not an entry (an array)"
    assert read_entry([1]) == "not an entry (5 to 7 items)"
    assert read_entry([*good[:4], [1, 0, "x"]]) == "no clock"
    assert read_entry([*good[:4], [-1, 0, MACHINES[0]]]) == "no clock"
    assert read_entry([*good[:4], [True, 0, MACHINES[0]]]) == "no clock"
    assert read_entry([1, *good[1:]]) == "no table, key or field"
    assert read_entry(["", *good[1:]]) == "an empty table, key or field"
    assert (
        read_entry([*good[:3], 1, good[4], "llm"]) == "a set element's value is not true or false"
    )
    assert read_entry([*good, None, {"x": [1, 0]}]).startswith("a text version's seen")
    assert read_entry([*good[:3], 1, good[4], None, {}]) == "a text version's value is not text"
