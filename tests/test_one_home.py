"""One home per rule: the CLI and the reader store the same tags and notes for the same input,
and a bare arXiv id finds every paper that has one (issue 8, item 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers.sql_index import SqlIndex

from papertray.store import Library, State, parse_query
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.store.query_tree import Words
from papertray.store.sorting import SORT_ORDERS
from papertray.tui.app import PapertrayApp
from papertray.tui.cli import run
from papertray.tui.screens.tags import TagsScreen

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = ingest_file(sample_digest()).papers
FIRST = SEED[0].id

# (what the CLI is given after `papertray tag ID`, what is typed into the reader's tags editor)
TAG_INPUTS = [
    (["+#llm"], "#llm"),
    (["+a,b"], "a, b"),
    (["+" + "x" * 60], "x" * 60),
    (["+Machine-Learning", "+LLM"], "Machine-Learning llm"),
    (["+to-read,#to-read"], "to-read #to-read"),
]


@pytest.fixture
def seeded(data_dir: Path) -> Path:
    Library.open(data_dir).add(SEED)
    return data_dir


async def _tags_through_the_reader(data_dir: Path, typed: str) -> tuple[str, ...]:
    app = PapertrayApp(Library.open(data_dir), State.open(data_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        assert isinstance(app.screen, TagsScreen)
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert not isinstance(app.screen, TagsScreen)
    return State.open(data_dir).get(FIRST).tags


@pytest.mark.parametrize(("cli", "typed"), TAG_INPUTS)
async def test_cli_and_reader_store_the_same_tags(
    seeded: Path, cli: list[str], typed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["tag", FIRST, *cli]) == 0
    capsys.readouterr()
    by_cli = State.open(seeded).get(FIRST).tags
    State.open(seeded).set_tags(FIRST, [])
    by_reader = await _tags_through_the_reader(seeded, typed)
    assert by_cli == by_reader
    assert all(len(tag) <= 40 and not tag.startswith("#") for tag in by_cli)


def test_tag_rule_examples(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["tag", FIRST, "+#llm", "+a,b", "+" + "y" * 60]) == 0
    assert capsys.readouterr().out.split() == ["llm", "a", "b", "y" * 40]
    assert run(["tag", FIRST, "-#a,b"]) == 0
    assert State.open(seeded).get(FIRST).tags == ("llm", "y" * 40)


NOTE_INPUTS = ["a\x0bb", "line one\r\nline two\rthree", "  padded\t note  ", "bidi \u202eevil"]


@pytest.mark.parametrize("text", NOTE_INPUTS)
def test_cli_and_reader_store_the_same_note(
    seeded: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["note", FIRST, text]) == 0
    by_cli = State.open(seeded).get(FIRST).note
    # The reader's note editor hands its text to exactly this call (see tui/app.py).
    State.open(seeded).set_note(SEED[1].id, text)
    assert State.open(seeded).get(SEED[1].id).note == by_cli
    assert "\x0b" not in by_cli and "\r" not in by_cli and "\u202e" not in by_cli


def test_a_note_with_a_vertical_tab_keeps_the_words_apart(seeded: Path) -> None:
    assert run(["note", FIRST, "a\x0bb"]) == 0
    assert State.open(seeded).get(FIRST).note == "a b"  # as ingest cleans text


def test_a_note_with_a_lone_surrogate_is_saved(seeded: Path) -> None:
    """`papertray note ID $'\\xed\\xa0\\x80'`: the shell hands over bytes that are no UTF-8."""
    proc = subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()"]
        + ["note", FIRST, "x\udced\udca0\udc80y"],  # surrogateescape: the raw bytes
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "unexpected error" not in proc.stderr
    assert State.open(seeded).get(FIRST).note == "x\ufffd\ufffd\ufffdy"


def test_one_sort_registry_for_cli_and_reader() -> None:
    from papertray.tui.cli import build_parser
    from papertray.tui.live_query import SORTS

    sub = build_parser()._subparsers._group_actions[0].choices["list"]  # type: ignore[union-attr]
    sort = next(a for a in sub._actions if a.dest == "sort")
    assert list(sort.choices) == list(SORTS) == list(SORT_ORDERS)


# -- issue 8, item 4: a bare arXiv id for every paper that has one ---------------------------------

FLOW = "Flow Matching in Latent Space"
FLOW_ARXIV = "2403.12015"


@pytest.fixture
def two_sources(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The sample page copy, then the API JSON: the paper keeps its `t:` id, gains an arXiv id."""
    assert run(["import", str(sample_digest())]) == 0
    assert run(["import", str(FIXTURES / "hf_daily_papers.json")]) == 0
    capsys.readouterr()
    flow = next(p for p in Library.open(data_dir).papers() if p.title == FLOW)
    assert flow.id.startswith("t:") and flow.arxiv_id == FLOW_ARXIV
    return flow.id


def test_star_by_bare_arxiv_id_of_a_title_id_paper(
    two_sources: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["star", FLOW_ARXIV]) == 0, capsys.readouterr().err
    assert State.open(data_dir).get(two_sources).starred
    assert run(["unstar", f"arxiv:{FLOW_ARXIV}"]) == 0
    assert not State.open(data_dir).get(two_sources).starred


@pytest.mark.parametrize("query", [f"id:{FLOW_ARXIV}", FLOW_ARXIV, f"{FLOW_ARXIV}v2"])
def test_list_query_by_arxiv_id_of_a_title_id_paper(
    two_sources: str, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["list", "-q", query, "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and f'"id":"{two_sources}"' in lines[0]


@pytest.mark.parametrize("query", [f"id:{FLOW_ARXIV}", FLOW_ARXIV])
def test_reader_filter_by_arxiv_id_of_a_title_id_paper(
    two_sources: str, data_dir: Path, query: str
) -> None:
    library = Library.open(data_dir)
    parsed = parse_query(query)
    hits = library.rows(library.select(parsed, {}).rowids)
    assert [p.id for p in hits] == [two_sources]
    assert [p.id for p in library.papers() if parsed.matches(p)] == [two_sources]


def test_bare_arxiv_id_still_finds_arxiv_papers_and_text(data_dir: Path) -> None:
    papers = Library.open(data_dir).papers() or SEED
    query = parse_query("2403.12015")
    # highlighted where the text names it: the id's two words in a row
    assert query.terms == [Words("any", ("2403", "12015"), "exact")]
    index = SqlIndex(papers)
    assert index.search(query, {}) == [i for i, p in enumerate(papers) if query.matches(p)]
