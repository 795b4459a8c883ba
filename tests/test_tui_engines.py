"""The reader's engines without a screen: the live filter, the papers' preview swap, triage
with undo, unread navigation and link picking."""

from __future__ import annotations

from papertray.store import UNTOUCHED, Paper, PaperState, State, ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.filtering import FILTER_CHUNK, LiveFilter
from papertray.tui.link_actions import NoLink, pick_link
from papertray.tui.marks import Marks
from papertray.tui.navigation import unread_from
from papertray.tui.papers import ShownPapers
from papertray.tui.triage import UNDO_DEPTH, Triage

SEED = ingest_file(sample_digest()).papers


def test_live_filter_answers_inline_and_drops_stale_results() -> None:
    live = LiveFilter(SEED)
    run = live.start("memory", {})
    assert run is not None and run.candidates is None
    memory = live.search(run)
    assert live.finish(run.generation, run.query, memory)
    narrower = live.start("memory efficient", {})
    assert narrower is not None and narrower.candidates == memory  # narrows from the last result
    newer = live.start("llm", {})
    assert newer is not None
    # The `memory efficient` result arrives after a newer keystroke: dropped.
    assert not live.finish(narrower.generation, narrower.query, live.search(narrower))
    assert live.search_chunks(narrower, 10, None) is None
    assert live.matches == memory


def test_live_filter_shows_the_first_page_while_counting() -> None:
    papers = [
        Paper(f"p{i}", f"paper {i} about {'cats' if i % 2 else 'dogs'}")
        for i in range(3 * FILTER_CHUNK)
    ]
    live = LiveFilter(papers)
    run = live.start("cats", {})
    assert run is not None
    pages: list[list[int]] = []
    matches = live.search_chunks(run, 100, pages.append)
    assert matches is not None and len(matches) == 3 * FILTER_CHUNK // 2
    assert len(pages) == 1 and pages[0] == matches[: len(pages[0])] and len(pages[0]) >= 100


def test_a_query_that_does_not_parse_falls_back_to_its_complete_words() -> None:
    live = LiveFilter(SEED)
    run = live.start("memory has:pdf", {})
    assert live.error and "pdf" in live.error and live.fallback == "memory"
    assert run is not None and run.query.terms == ["memory"]
    assert live.start("has:", {}) is None  # nothing complete: every paper
    assert live.fallback == "" and live.matches == list(range(len(SEED)))


def test_the_swap_drops_the_index_with_the_preview() -> None:
    preview = [Paper(p.id, p.title) for p in SEED]  # no abstracts
    shown = ShownPapers(preview, loading=True)
    live = LiveFilter(preview)
    live.build_index()
    assert shown.swap(list(SEED)) and not shown.loading
    live.reset(shown.papers)
    run = live.start("explosion of interest", {})  # words only the abstracts hold
    assert run is not None and live.search(run)
    assert shown.get(SEED[2].id) is SEED[2]


def test_sorts_and_unread_navigation() -> None:
    shown = ShownPapers(SEED[:5])
    states = {SEED[3].id: PaperState(starred=True), SEED[1].id: PaperState(read=True)}
    assert shown.sorted([0, 1, 2, 3, 4], "starred", states)[0] == 3
    assert shown.sorted([0, 1, 2, 3, 4], "unread", states)[-1] == 1
    titles = [SEED[i].title.casefold() for i in shown.sorted([0, 1, 2, 3, 4], "title", {})]
    assert titles == sorted(titles)
    ids = [p.id for p in SEED[:5]]
    assert unread_from(ids, 0, +1, states) == SEED[2].id
    assert unread_from(ids, 2, -1, states) == SEED[0].id
    assert unread_from(ids, 0, -1, states) is None


def test_triage_undoes_two_hundred_steps_and_names_the_paper() -> None:
    marks = Marks(State.in_memory())
    triage = Triage(marks)
    for _ in range(UNDO_DEPTH + 5):
        assert triage.toggle_star(SEED[0].id, "A title") is None
    assert triage.depth == UNDO_DEPTH
    result = triage.undo()
    assert result.message == 'Undone: star on "A title"' and result.paper_ids == [SEED[0].id]
    assert not marks.get(SEED[0].id).starred  # 205 toggles, the last (a star) undone
    marks.state.set_starred(SEED[0].id, True)  # starred elsewhere: the next step's unstar is gone
    assert triage.undo().message.startswith('Nothing to undo for unstar on "A title"')
    assert marks.state.get(SEED[0].id) == marks.get(SEED[0].id)
    empty = Triage(Marks(State.in_memory()))
    assert empty.undo().message == "Nothing to undo."
    assert UNTOUCHED == empty.marks.get("x")


def test_link_picking_offers_only_safe_links() -> None:
    paper = Paper("x", "t", links=["javascript:alert(1)", "https://a.example/1"], repo=None)
    assert pick_link(paper, 0) == "https://a.example/1"
    assert pick_link(paper, 1) == "https://a.example/1"
    try:
        pick_link(paper, 2)
    except NoLink as why:
        assert str(why) == "This paper has 1 link."
    else:
        raise AssertionError("no link 2")


def test_the_palette_and_engines_do_not_import_the_app() -> None:
    """No import cycle: the palette reaches the app through a Protocol, the engines not at all."""
    import subprocess
    import sys

    modules = ["commands", "filtering", "papers", "marks", "triage", "navigation", "keys"]
    code = (
        "import sys\n"
        + "".join(f"import papertray.tui.{name}\n" for name in modules)
        + "assert 'papertray.tui.app' not in sys.modules, 'imports the app'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_marks_count_read_and_starred_among_the_rows_shown() -> None:
    state = State.in_memory()
    for paper in SEED[:10]:
        state.set_read(paper.id, True)
    state.toggle_star(SEED[3].id)
    state.toggle_star(SEED[50].id)
    marks = Marks(state)
    index_of = {p.id: i for i, p in enumerate(SEED)}
    assert marks.count_among(index_of, range(len(SEED))) == (10, 2)
    assert marks.count_among(index_of, [1, 3, 7, 49, 51]) == (3, 1)
    assert marks.count_among(index_of, []) == (0, 0)
