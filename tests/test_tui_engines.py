"""The reader's engines without a screen: the live query and its search, the marks the reader
counts with, every change with its undo, link picking."""

from __future__ import annotations

import threading
from array import array
from pathlib import Path

import pytest

from papertray.store import Library, Paper, State, parse_query
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.changes import UNDO_DEPTH, Changes
from papertray.tui.links import NoLink, citation, paper_page, pick_link
from papertray.tui.live_query import FOR_YOU, SORTS, LiveQuery
from papertray.tui.marks import Marks

SEED = ingest_file(sample_digest()).papers


@pytest.fixture
def library() -> Library:
    library = Library.in_memory()
    library.add(SEED)
    return library


def ids(library: Library, rowids: object) -> list[str]:
    found = library.ids_of_rows(rowids)  # type: ignore[arg-type]
    return [found[r] for r in rowids]  # type: ignore[attr-defined]


def test_a_search_sends_the_first_screenful_then_the_whole_result(library: Library) -> None:
    live = LiveQuery()
    live.type("model")
    parts = list(live.search({}, None, first_page=10).run(library))
    assert [p.complete for p in parts] == [False, True]
    first, whole = parts
    query = parse_query("model")
    expected = [p.id for p in SEED if query.matches(p)]
    assert len(first.rowids) == 10 and ids(library, first.rowids) == expected[:10]
    assert ids(library, whole.rowids) == expected
    # Fewer matches than a screenful: that was all of it, one part.
    live.type("zzzqqq")
    (only,) = live.search({}, None, first_page=10).run(library)
    assert only.complete and not only.rowids


def test_a_query_that_does_not_parse_falls_back_to_its_complete_words(library: Library) -> None:
    live = LiveQuery()
    live.type("memory has:pdf")
    assert live.error and "pdf" in live.error and live.fallback == "memory"
    assert live.query == parse_query("memory")
    live.type("has:")
    assert live.fallback == "" and live.query.is_empty
    (result,) = live.search({}, None).run(library)
    assert len(result.rowids) == len(SEED)


def test_a_short_word_being_typed_shows_the_words_before_it() -> None:
    """`memory ef`, finding nothing, asks `memory`; `m` asks nothing (all papers); a filter kept
    (mute, save, follow) waits for the word, and the refusal says what the list shows."""
    live = LiveQuery()
    live.type("memory ef")
    assert live.ask_word_start() and live.query == parse_query("memory")
    assert live.incomplete and live.fallback == "memory"
    said = live.not_kept("mute") or ""
    assert "the list shows “memory”" in said and "finish “ef”, then mute" in said
    assert "ef*" not in said  # two letters are not asked as the start of a word
    live.type("m")
    assert live.ask_word_start() and live.query.is_empty
    said = live.not_kept("save it") or ""
    assert "the list shows all papers" in said and "“”" not in said
    live.type("memor")
    assert live.ask_word_start() and live.query == parse_query("memor*")
    assert "finish “memor” or type memor*, then follow" in (live.not_kept("follow") or "")
    for typed in ("memory ef ", "memory -ef", "memory title:ef"):  # ended, or not a plain word
        live.type(typed)
        assert not live.ask_word_start() and not live.incomplete, typed


def test_the_order_cycles_and_for_you_keeps_the_one_before(library: Library) -> None:
    live = LiveQuery()
    while not live.for_you_shown:
        live.cycle()
    assert SORTS[live.sort] == "foryou" and live.sort == FOR_YOU
    assert SORTS[live.sort_before] == "relevance"
    # Not ranked yet: the order before it is asked for.
    assert live.search({}, None).order.name == "relevance"
    ranks = array("q", [0] * (len(SEED) + 1))
    ranks[5] = -1  # rowid 5 first, the rest by rowid
    (result,) = live.search({}, None, ranks=ranks).run(library)
    assert list(result.rowids[:2]) == [5, 1]


def test_mute_rules_leave_their_papers_out(library: Library) -> None:
    state = State.in_memory()
    state.add_mute("survey")
    live = LiveQuery()
    assert live.set_rules(state.mute_rules()) and not live.set_rules(state.mute_rules())
    parts = list(live.search({}, None, first_page=5).run(library))
    whole = parts[-1]
    surveys = {p.id for p in SEED if parse_query("survey").matches(p)}
    assert surveys and not surveys & set(ids(library, whole.rowids))
    assert whole.muted == len(surveys)
    assert all(not surveys & set(ids(library, part.rowids)) for part in parts)


def test_marks_count_and_find_unread_among_the_rows(library: Library, data_dir: Path) -> None:
    state = State.open(data_dir)
    for paper in SEED[:10]:
        state.set_read(paper.id, True)
    state.toggle_star(SEED[3].id)
    state.toggle_star(SEED[50].id)
    marks = Marks(state, library)
    rowids = library.rowids_of(p.id for p in SEED)
    every = [rowids[p.id] for p in SEED]
    assert marks.counts(every) == (10, 2)
    assert marks.counts([every[i] for i in (1, 3, 7, 49, 51)]) == (3, 1)
    assert marks.counts([]) == (0, 0)
    assert marks.unread_from(every, 0, +1) == 10
    assert marks.unread_from(every, 10, -1) is None
    # Shown before it is written, then as the file has it.
    before = marks.version
    marks.assume({SEED[20].id: (every[20], state.get(SEED[20].id).__class__(read=True))})
    assert marks.version != before and marks.counts(every) == (11, 2)
    marks.reload([SEED[20].id])
    assert marks.counts(every) == (10, 2)
    # Another process marks: `poll` sees it, even once this one's file was read meanwhile.
    assert not marks.poll()
    State.open(data_dir).set_read(SEED[30].id, True)
    state.get(SEED[0].id)
    assert marks.poll() and marks.is_read(every[30])


def test_changes_undo_two_hundred_steps_and_name_the_paper(library: Library) -> None:
    state = State.in_memory()
    changes = Changes(library, state)
    for _ in range(UNDO_DEPTH + 5):
        assert changes.toggle_star(SEED[0].id, "A title").message == ""
    assert changes.depth == UNDO_DEPTH
    undone = changes.undo()
    assert undone.message == 'Undone: star on "A title"' and undone.marked == [SEED[0].id]
    assert not state.get(SEED[0].id).starred  # 205 toggles, the last (a star) undone
    state.set_starred(SEED[0].id, True)  # starred elsewhere: the next step's unstar is gone
    assert changes.undo().message.startswith('Nothing to undo for unstar on "A title"')
    assert Changes(library, State.in_memory()).undo().message == "Nothing to undo."


def test_a_removal_is_undone_in_place_and_keeps_the_marks(library: Library) -> None:
    state = State.in_memory()
    state.toggle_star(SEED[2].id)
    changes = Changes(library, state)
    rowid = library.rowids_of([SEED[2].id])[SEED[2].id]
    removed = changes.remove([rowid])
    assert removed.removed == [SEED[2].id] and SEED[2].id not in library
    assert removed.message == "Removed 1 from the library (u undoes it)."
    back = changes.undo()
    assert back.restored == [SEED[2].id] and back.move_to == SEED[2].id
    assert library.rowids_of([SEED[2].id])[SEED[2].id] == rowid  # back in its place
    assert state.get(SEED[2].id).starred


def test_mute_rules_are_undone_too(library: Library) -> None:
    state = State.in_memory()
    changes = Changes(library, state)
    assert changes.add_mute("survey", "not my field", 3).rules
    assert [r.query for r in state.mute_rules()] == ["survey"]
    assert changes.undo().message == "Undone: mute survey" and state.mute_rules() == []
    assert changes.add_mute("survey OR", "", 0).message.startswith("Not muted: bad query")


def test_changes_are_written_one_at_a_time_in_order(library: Library) -> None:
    changes = Changes(library, State.in_memory())
    done: list[int] = []
    assert changes.submit(lambda: done.append(1))  # type: ignore[arg-type, func-returns-value]
    assert not changes.submit(lambda: done.append(2))  # type: ignore[arg-type, func-returns-value]
    written = threading.Event()

    def writer() -> None:  # what the screen's worker does
        while (change := changes.next()) is not None:
            change()
        written.set()

    threading.Thread(target=writer).start()
    assert written.wait(5) and done == [1, 2]
    assert changes.submit(lambda: done.append(3))  # type: ignore[arg-type, func-returns-value]


def test_link_picking_offers_only_safe_links() -> None:
    paper = Paper("x", "t", links=("javascript:alert(1)", "https://a.example/1"), repo=None)
    assert pick_link(paper, 0) == "https://a.example/1"
    assert pick_link(paper, 1) == "https://a.example/1"
    with pytest.raises(NoLink, match=r"^This paper has 1 link\.$"):
        pick_link(paper, 2)
    assert paper_page(paper) == "https://a.example/1"
    with pytest.raises(NoLink, match="enrich"):
        citation(paper, bibtex=False)


def test_the_engines_and_the_palette_do_not_import_textual_screens_or_the_app() -> None:
    """No import cycle: the palette reaches the main screen through a Protocol; the engines are
    plain classes, importable without Textual's app."""
    import subprocess
    import sys

    engines = ["live_query", "marks", "changes", "ranking", "links", "keys"]
    code = (
        "import sys\n"
        + "".join(f"import papertray.tui.{name}\n" for name in engines)
        + "assert 'textual.app' not in sys.modules, 'an engine imports Textual'\n"
        + "import papertray.tui.commands\n"
        + "assert 'papertray.tui.app' not in sys.modules, 'the palette imports the app'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
