"""Mute rules: stored in the state file, applied at query time, never touching a paper's marks;
and the query language's date fields, `is:new` and `is:muted` in the library's SQL agreeing with
Query.matches."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest
from helpers.deep_query import nested
from helpers.sql_index import SqlIndex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertray.store import (
    UNTOUCHED,
    Clock,
    Library,
    MuteError,
    MuteSet,
    Paper,
    PaperState,
    State,
    limits,
    parse_query,
)
from papertray.store.library import ImportBatch
from papertray.store.mutes import MuteRule
from papertray.store.query import QueryContext

NOW = datetime(2024, 3, 20, 12, tzinfo=timezone.utc).timestamp()
CLOCK = Clock(NOW, timezone.utc)
DAY = 86400.0
BATCH = NOW - DAY

PAPERS = [
    Paper("arxiv:1", "A survey of memory", "we review memory", published="2024-03-18",
          digest_date="2024-03-19", added_at=BATCH, upvotes=5),
    Paper("arxiv:2", "Benchmark for LoRA", "a benchmark", authors=["Jane Doe"],
          published="2024-02-01", added_at=NOW - 40 * DAY, repo="https://github.com/a/b",
          links=["https://github.com/a/b"]),
    Paper("arxiv:3", "Diffusion models", "diffusion", published="Mar 18", added_at=BATCH),
    Paper("t:4", "Efficient memory", "low bit memory", authors=["John Smith"]),
    Paper("t:5", "Survey of diffusion", "review", digest_date="2024-03-20", added_at=NOW - DAY / 2),
]  # fmt: skip
STATES = {
    "arxiv:1": PaperState(read=True, read_at=NOW - 2 * DAY, tags=("todo",)),
    "arxiv:2": PaperState(starred=True, starred_at=NOW - 3 * DAY, note="check"),
    "t:4": PaperState(read=True, read_at=NOW - 30 * DAY, starred=True, starred_at=NOW - DAY),
}


def ids(papers: list[Paper], rows: list[int]) -> list[str]:
    return [papers[i].id for i in rows]


def brute(text: str, context: QueryContext, papers: list[Paper] = PAPERS) -> list[int]:
    q = parse_query(text, CLOCK)
    return [i for i, p in enumerate(papers) if q.matches(p, STATES.get(p.id, UNTOUCHED), context)]


@pytest.fixture(params=["memory", "file"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> State:
    return State.in_memory() if request.param == "memory" else State.open(tmp_path)


# -- rules in the state file -----------------------------------------------------------------


def test_rules_are_stored_numbered_and_removed(state: State, tmp_path: Path) -> None:
    first = state.add_mute("survey OR benchmark", "not my field", CLOCK)
    second = state.add_mute('author:"Doe"')
    assert (first.number, first.query, first.why, first.created) == (
        1, "survey OR benchmark", "not my field", NOW
    )  # fmt: skip
    assert first.label == "survey OR benchmark — not my field"
    assert second.number == 2 and second.label == 'author:"Doe"'
    assert state.mute_rules() == [first, second]
    assert state.remove_mute(1) == first
    # Numbers are stable and never reused: the next rule is 3, rule 2 stays 2.
    third = state.add_mute("diffusion")
    assert [r.number for r in state.mute_rules()] == [2, 3] and third.number == 3
    state.restore_mute(first)
    assert [r.number for r in state.mute_rules()] == [1, 2, 3]
    if state.path is not None:
        assert [r.query for r in State.open(tmp_path).mute_rules()] == [
            "survey OR benchmark", 'author:"Doe"', "diffusion"
        ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "needs a query"),
        ("   ", "needs a query"),
        ("colour:red", "bad query: unknown field 'colour:'"),
        ("read:2024-13-01", "bad query: bad date '2024-13-01' in read:…"),
        ("is:muted survey", "cannot use is:muted"),
        ('"unclosed', "bad query: unclosed quote"),
    ],
)
def test_bad_rules_are_refused_in_one_line(state: State, query: str, message: str) -> None:
    with pytest.raises(MuteError, match=message.replace("(", r"\(")) as caught:
        state.add_mute(query)
    assert "\n" not in str(caught.value)
    assert state.mute_rules() == []


def test_a_duplicate_rule_and_an_unknown_number_are_refused(state: State) -> None:
    state.add_mute("survey")
    with pytest.raises(MuteError, match="rule 1 already mutes survey"):
        state.add_mute("  survey ")
    with pytest.raises(MuteError, match="no mute rule 7"):
        state.remove_mute(7)


def test_rule_text_is_one_clean_line(state: State) -> None:
    rule = state.add_mute("survey\x1b[31m  \n OR  benchmark", "why\u202e not\x07")
    assert rule.query == "survey[31m OR benchmark" and rule.why == "why not"


def test_hand_edited_rules_are_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text(
        '{"states": {}, "mutes": {"1": {"query": "survey"}, "x": {"query": "a"},'
        ' "2": {"query": 5}, "3": {"query": "colour:red"}}}'
    )
    state = State.open(tmp_path)
    rules = state.mute_rules()
    assert [r.number for r in rules] == [1, 3]
    muteset = MuteSet(rules, CLOCK)
    assert [r.number for r in muteset.rules] == [1] and [r.number for r in muteset.broken] == [3]


def test_a_rule_and_a_query_at_the_nesting_limit_list_one_past_it_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the command: a rule and a query holding `is:muted` at the limit list; one more
    level is `bad query` in one line with exit 2 (it was a RecursionError, exit 70)."""
    from papertray.tui import cli

    Library.open(tmp_path).add(PAPERS)
    depth = limits.MAX_QUERY_DEPTH

    def papertray(*argv: str) -> tuple[int, str, str]:
        code = cli.run(["--data-dir", str(tmp_path), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    assert papertray("mute", nested(depth, "survey"))[0] == 0
    asked = nested(depth, "is:muted OR lora")
    code, out, _err = papertray("list", "-q", asked, "--format", "jsonl")
    assert code == 0
    assert [orjson.loads(line)["id"] for line in out.splitlines()] == ["arxiv:1", "arxiv:2", "t:5"]
    refused = "papertray: bad query: too deeply nested: at most 6 levels of parentheses\n"
    for deeper in (nested(depth + 1, "survey"), "(" * 300 + "a" + ")" * 300):
        assert papertray("list", "-q", deeper) == (2, "", refused)
        assert papertray("mute", deeper) == (2, "", refused)
    assert [r.number for r in State.open(tmp_path).mute_rules()] == [1]


def test_a_rule_too_deep_in_the_state_file_is_shown_broken_and_can_be_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-edited rule nested past the limit is a broken rule, as one that does not parse:
    the other rules apply, `mutes` shows it, `unmute` removes it (a RecursionError, exit 70,
    in every command before)."""
    from papertray.tui import cli

    Library.open(tmp_path).add(PAPERS)
    deep = "(" * 300 + "survey" + ")" * 300
    rules = {"1": {"query": deep}, "2": {"query": "lora"}}
    (tmp_path / "state.json").write_bytes(orjson.dumps({"mutes": rules}))

    def papertray(*argv: str) -> tuple[int, str]:
        code = cli.run(["--data-dir", str(tmp_path), *argv])
        return code, capsys.readouterr().out

    code, out = papertray("list", "--format", "jsonl")
    assert code == 0
    assert [orjson.loads(line)["id"] for line in out.splitlines()] == [
        "arxiv:1", "arxiv:3", "t:4", "t:5"
    ]  # fmt: skip
    code, out = papertray("mutes")
    assert code == 0 and "broken" in out.splitlines()[0] and "lora" in out.splitlines()[1]
    assert papertray("unmute", "1")[0] == 0
    assert [r.query for r in State.open(tmp_path).mute_rules()] == ["lora"]


def test_rules_leave_the_marks_file_alone(state: State) -> None:
    state.set_starred("arxiv:1", True)
    before = state.all()
    rule = state.add_mute("survey")
    state.remove_mute(rule.number)
    assert state.all() == before


# -- applying rules ---------------------------------------------------------------------------


def test_muted_papers_leave_every_query_but_is_muted() -> None:
    muteset = MuteSet([MuteRule(1, "survey", "not my field"), MuteRule(2, "author:doe")], CLOCK)
    context = muteset.context(BATCH)
    index = SqlIndex(PAPERS)
    cases = {
        "": ["arxiv:3", "t:4"],
        "memory": ["t:4"],
        "is:muted": ["arxiv:1", "arxiv:2", "t:5"],
        "is:muted memory": ["arxiv:1"],
        "-is:muted": ["arxiv:3", "t:4"],
        "is:muted OR is:new": ["arxiv:1", "arxiv:2", "arxiv:3", "t:5"],
    }
    for text, want in cases.items():
        q = parse_query(text, CLOCK)
        assert ids(PAPERS, index.search(q, STATES, None, context)) == want, text
        assert ids(PAPERS, brute(text, context)) == want, text
    assert muteset.rule_for(PAPERS[0], STATES["arxiv:1"]).number == 1  # type: ignore[union-attr]
    assert muteset.rule_for(PAPERS[1]).label == "author:doe"  # type: ignore[union-attr]
    assert muteset.rule_for(PAPERS[3]) is None
    assert muteset.counts(index.library, STATES) == {1: 2, 2: 1}
    # Without rules nothing is hidden and is:muted matches nothing.
    assert index.search(parse_query("is:muted"), STATES) == []
    assert len(index.search(parse_query(""), STATES, None, MuteSet([]).context())) == 5


def test_rules_over_marks_follow_the_marks() -> None:
    muteset = MuteSet([MuteRule(1, "is:read -is:starred")], CLOCK)
    index = SqlIndex(PAPERS)
    shown = index.search(parse_query(""), STATES, None, muteset.context())
    assert "arxiv:1" not in ids(PAPERS, shown)
    states = {**STATES, "arxiv:1": PaperState(tags=("todo",))}
    shown = index.search(parse_query(""), states, None, muteset.context())
    assert "arxiv:1" in ids(PAPERS, shown)


def test_is_new_is_the_latest_batch() -> None:
    index = SqlIndex(PAPERS)
    q = parse_query("is:new")
    assert ids(PAPERS, index.search(q, STATES, None, QueryContext(BATCH))) == ["arxiv:1", "arxiv:3"]
    assert index.search(q, STATES) == []  # no import recorded: nothing is new


def test_library_records_added_at_and_the_latest_batch(tmp_path: Path) -> None:
    library = Library.open(tmp_path)
    assert library.latest_import() is None
    library.add([Paper("arxiv:1", "One"), Paper("arxiv:2", "Two")], batch=100.0)
    library.add([Paper("arxiv:3", "Three")], batch=100.0)  # a second file of the same command
    batch = library.latest_import()
    assert batch is not None and (batch.at, batch.new) == (100.0, 3)
    # A re-import keeps the first import time; an import adding nothing keeps the batch.
    library.add([Paper("arxiv:1", "One", abstract="now with an abstract")], batch=200.0)
    reopened = Library.open(tmp_path)
    assert [p.added_at for p in reopened.papers()] == [100.0, 100.0, 100.0]
    assert reopened.latest_import() == batch
    reopened.add([Paper("arxiv:4", "Four"), Paper("arxiv:1", "One")], batch=300.0)
    latest = Library.open(tmp_path).latest_import()
    assert latest is not None and (latest.at, latest.new) == (300.0, 1)
    got = Library.open(tmp_path).get("arxiv:1")
    assert got is not None and got.added_at == 100.0 and got.abstract == "now with an abstract"


def test_the_latest_batch_survives_a_fold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`enrich` folds one paper into another: `is:new` still lists the latest import's papers,
    the folded one as the paper it became (new only if that paper is), and "N new" agrees."""
    from papertray.tui import cli

    library = Library.open(tmp_path)
    library.add([Paper("arxiv:a1", "Old one"), Paper("arxiv:a2", "Old two")], batch=100.0)
    library.add(
        [Paper("arxiv:b1", "New one"), Paper("t:b2", "New two"), Paper("t:b3", "New three")],
        batch=200.0,
    )

    def new_ids() -> list[str]:
        capsys.readouterr()
        code = cli.run(["--data-dir", str(tmp_path), "list", "-q", "is:new", "--format", "jsonl"])
        assert code == 0
        return [orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]

    assert new_ids() == ["arxiv:b1", "t:b2", "t:b3"]
    # an older paper folded into one of the batch: the batch keeps all three
    assert library.fold("arxiv:a2", "arxiv:b1")
    assert new_ids() == ["arxiv:b1", "t:b2", "t:b3"]
    assert Library.open(tmp_path).latest_import() == ImportBatch(200.0, 3)
    # a paper of the batch folded into an older one (it was in the library first): two left
    assert Library.open(tmp_path).fold("t:b2", "arxiv:a1")
    assert new_ids() == ["arxiv:b1", "t:b3"]
    assert Library.open(tmp_path).latest_import() == ImportBatch(200.0, 2)
    # two papers of the batch folded into one: one paper, still new
    assert Library.open(tmp_path).fold("t:b3", "arxiv:b1")
    assert new_ids() == ["arxiv:b1"]
    assert Library.open(tmp_path).latest_import() == ImportBatch(200.0, 1)


# -- property tests -----------------------------------------------------------------------------

ATOMS = [
    "memory", "survey", "diffusion", "e", "is:read", "is:starred", "is:unread", "tag:todo",
    "has:note", "has:repo", "author:doe", "starred:<7d", "read:<7d", "read:>7d",
    "read:2024-03-18", "added:<2d", "added:2024-03", "added:>=2024-03-19", "published:2024-03",
    "published:<7d", "digest:2024-03-19", "digest:>=yesterday", "is:new", "is:muted",
]  # fmt: skip
RULES = ["survey", "author:doe", "is:read", "-has:repo tag:todo", "added:<2d", "published:2024"]


@st.composite
def queries(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        atom = draw(st.sampled_from(ATOMS))
        parts.append(("-" if draw(st.booleans()) else "") + atom)
        if draw(st.integers(0, 3)) == 0:
            parts.append("OR")
    if parts[-1] == "OR":
        parts.pop()
    return " ".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(queries(), min_size=1, max_size=4), st.lists(st.sampled_from(RULES), max_size=3))
def test_index_agrees_with_matches_on_dates_new_and_muted(texts: list[str], rules: list[str]):
    corpus = PAPERS + [p._replace(id=f"{p.id}-2", title=f"{p.title} II") for p in PAPERS]
    index = SqlIndex(corpus)
    muteset = MuteSet([MuteRule(n, r) for n, r in enumerate(dict.fromkeys(rules), 1)], CLOCK)
    context = muteset.context(BATCH)
    for text in texts:
        want = brute(text, context, corpus)
        assert index.search(parse_query(text, CLOCK), STATES, None, context) == want, text
        half = want[::2]
        assert index.search(parse_query(text, CLOCK), STATES, half, context) == half, text


MARKS = st.builds(
    PaperState,
    read=st.booleans(),
    starred=st.booleans(),
    tags=st.lists(st.sampled_from(["todo", "llm", "x"]), max_size=2, unique=True).map(tuple),
    note=st.sampled_from(["", "a note"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from([p.id for p in PAPERS]), MARKS, max_size=5),
    st.lists(st.tuples(st.sampled_from(RULES), st.booleans()), min_size=1, max_size=6),
)
def test_a_mute_rule_never_changes_a_papers_marks(
    marks: dict[str, PaperState], steps: list[tuple[str, bool]]
) -> None:
    state = State.in_memory()
    for pid, mark in marks.items():
        state.restore({pid: mark})
    before = state.all()
    index = SqlIndex(PAPERS)
    plain = index.search(parse_query(""), before)
    for rule_text, remove in steps:
        try:
            rule = state.add_mute(rule_text, "why", CLOCK)
        except MuteError:  # already there
            rule = next(r for r in state.mute_rules() if r.query == rule_text)
        assert state.all() == before
        if remove:
            state.remove_mute(rule.number)
            assert state.all() == before
        shown = index.search(
            parse_query(""), state.all(), None, MuteSet(state.mute_rules()).context()
        )
        # Muting only hides: what is shown is the unmuted view minus the muted papers.
        assert set(shown) <= set(plain)
        for i in shown:
            assert state.get(PAPERS[i].id) == before.get(PAPERS[i].id, UNTOUCHED)
    for rule in state.mute_rules():
        state.remove_mute(rule.number)
    # Every rule gone: every paper is back, with the marks it had.
    assert index.search(parse_query(""), state.all(), None, MuteSet([]).context()) == plain
    assert state.all() == before
