"""Pilot tests for "for you" (the `S` cycle) and "more like this" (`m`, `escape` back)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers.reader import move_to, pane_text, settle, shown_ids, status_text
from textual.widgets import Static

from papertray.store import Library, SimilarityIndex, State
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp
from papertray.tui.live_query import SORTS

sys.path.insert(0, str(Path(__file__).resolve().parent / "eval"))
import quality  # noqa: E402

SIZE = (120, 40)
SEED = ingest_file(sample_digest()).papers
TOPICS = quality.labels()
PRUNING = [p.id for p in SEED if "pruning" in TOPICS[p.id]]
T_MAC = next(p for p in SEED if p.title.startswith("T-MAC"))


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    library = Library.open(data_dir)
    library.add(SEED)
    return library, State.open(data_dir)


async def test_S_reaches_for_you_which_ranks_unread_by_the_starred(store, screen_text) -> None:
    _library, state = store
    for pid in PRUNING[:3]:
        state.toggle_star(pid)
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"S" * SORTS.index("foryou"))
        ranking = app.main.ranking
        assert ranking.pending or ranking.for_you is not None  # the key did not wait
        await settle(pilot, app)
        assert "sort: for you" in screen_text(app)
        shown = shown_ids(app)
        assert len(shown) == 101
        top = shown[:10]
        assert not set(top) & set(PRUNING[:3])  # the starred are the seeds, not the results
        assert sum(pid in PRUNING for pid in top) >= 4  # of the 7 other pruning papers
        assert shown[-3:] == PRUNING[:3]  # seeds after, in digest order
        # The cursor stayed on its paper as the list was ranked (issue 23); the ranked paper
        # on top says why, and its shared words are highlighted.
        assert app.main.paper_list.highlighted.id == SEED[0].id  # type: ignore[union-attr]
        await pilot.press("g")
        assert app.main.paper_list.highlighted.id == top[0]  # type: ignore[union-attr]
        text = pane_text(app)
        assert "shares: " in text
        shares_line = next(line for line in text.splitlines() if line.startswith("shares: "))
        words = shares_line.removeprefix("shares: ").split(", ")
        assert 1 <= len(words) <= 3
        view = app.main.query_one("#paper-view", Static).content
        after = view.plain.index(shares_line) + len(shares_line)  # the abstract, not the line
        highlighted = {
            view.plain[span.start : span.end].casefold()
            for span in view.spans
            if "warning" in str(span.style) and span.start > after
        }
        assert {w.casefold() for w in words} <= highlighted
        # S again: newest added (here digest order); the pane no longer explains
        await pilot.press("S")
        await settle(pilot, app)
        assert shown_ids(app)[:3] == [p.id for p in SEED[:3]]
        assert "shares: " not in pane_text(app)


async def test_for_you_with_nothing_starred_says_so_and_keeps_the_order(store, screen_text) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"model", "enter")
        await pilot.press(*"S" * SORTS.index("relevance"))
        await settle(pilot, app)
        before = shown_ids(app)
        assert before != sorted(before, key=[p.id for p in SEED].index)  # not digest order
        await pilot.press("down", "down")
        cursor = app.main.paper_list.highlighted_rowid
        await pilot.press("S")
        await settle(pilot, app)
        assert shown_ids(app) == before
        assert app.main.paper_list.highlighted_rowid == cursor
        assert "for you: no starred papers yet, relevance" in status_text(app)
        assert "Keeping the relevance order." in " ".join(n.message for n in app._notifications)
        assert app.main.ranking.index is None  # nothing was loaded for nothing


async def test_for_you_with_a_tag_filter_ranks_by_that_tags_papers(store) -> None:
    _library, state = store
    state.add_tags(T_MAC.id, ["lowbit"])
    for pid in PRUNING[:3]:
        state.toggle_star(pid)
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"S" * SORTS.index("foryou"))
        await settle(pilot, app)
        await pilot.press("slash", *"tag:lowbit OR quantization", "enter")
        await settle(pilot, app)
        assert app.main.ranking.for_you is not None
        assert app.main.ranking.for_you.seeds == [T_MAC.id]
        top = shown_ids(app)[:3]
        assert sum("quantization" in TOPICS[pid] for pid in top) >= 2


async def test_m_shows_more_like_this_and_escape_returns_to_the_list_as_it_was(
    store, screen_text
) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=(120, 16)) as pilot:
        await pilot.press("slash", *"efficient", "enter")
        await settle(pilot, app)
        rows_before = list(shown_ids(app))
        target = next(i for i, pid in enumerate(rows_before) if pid == T_MAC.id)
        move_to(app, T_MAC.id)
        await pilot.press(*["down"] * 5, *["up"] * 5)  # T-MAC mid-page, not at its bottom
        await pilot.pause()
        scroll_before = app.main.paper_list.scroll_y
        assert app.main.paper_list.cursor == target and scroll_before > 0
        await pilot.press("m")
        await settle(pilot, app)
        like = shown_ids(app)
        assert len(like) == 20 and T_MAC.id not in like
        assert app.main.ranking.like is not None
        scores = [m.score for m in app.main.ranking.like.matches]
        assert scores == sorted(scores, reverse=True)
        text = screen_text(app)
        assert "like “T-MAC" in text
        assert "shares: " in pane_text(app)
        # triage works in the view, and is on disk
        await pilot.press("s")
        await settle(pilot, app)
        assert State.open(app.library.path.parent).get(like[0]).starred
        # escape: the filtered list, the same paper highlighted, the same scroll
        await pilot.press("escape")
        await pilot.pause()
        assert app.main.ranking.like is None
        assert shown_ids(app) == rows_before
        assert app.main.paper_list.highlighted.id == T_MAC.id  # type: ignore[union-attr]
        assert app.main.paper_list.scroll_y == scroll_before
        assert "query: efficient" in screen_text(app)
        assert "shares: " not in pane_text(app)
        # a second escape clears the filter, as before
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 101


async def test_more_like_this_names_a_long_title_cut_with_an_ellipsis(store, screen_text) -> None:
    mesa = next(p for p in SEED if p.title.startswith("Mesa: A Memory-saving"))
    app = PapertrayApp(*store)
    async with app.run_test(size=(220, 40)) as pilot:
        move_to(app, mesa.id)
        await pilot.press("m")
        await settle(pilot, app)
        assert app.main.ranking.like is not None
        like = "like “Mesa: A Memory-saving Training Framework for Tran…” (escape: back)"
        assert like in status_text(app) and like in screen_text(app)


async def test_escape_while_more_like_this_is_computing_drops_the_result(store) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m", "escape")
        await settle(pilot, app)
        assert app.main.ranking.like is None
        assert app.main.paper_list.row_count == 101
        assert not app.main.ranking.pending


async def test_more_like_this_in_a_reader_opened_on_a_file_stays_in_that_file(
    data_dir: Path, store
) -> None:
    library, state = store
    subset = [p.id for p in SEED[:40]]
    app = PapertrayApp(library, state, paper_ids=subset)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await settle(pilot, app)
        shown = shown_ids(app)
        assert shown and set(shown) <= set(subset)


async def test_more_like_this_leaves_muted_papers_out_unless_the_filter_asks(
    store, screen_text
) -> None:
    _library, state = store
    state.toggle_star(T_MAC.id)
    plain = SimilarityIndex.build(SEED).similar(T_MAC.id, 21)
    neighbour = next(p for p in SEED if p.id == plain[0].id)
    words = " ".join(neighbour.title.split()[:4])  # a phrase of whole words (word search)
    state.add_mute(f'title:"{words}"', "seen it")
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        move_to(app, T_MAC.id)
        await pilot.press("m")
        await settle(pilot, app)
        like = shown_ids(app)
        assert like == [m.id for m in plain[1:]]  # 20 still: the next took its place
        assert neighbour.id not in like
        assert neighbour.title[:30] not in screen_text(app)
        await pilot.press("escape")
        # asked for: `is:muted OR ...` lists muted papers, so more like this does too
        await pilot.press("slash", *"is:muted OR efficient", "enter")
        await settle(pilot, app)
        move_to(app, T_MAC.id)
        await pilot.press("m")
        await settle(pilot, app)
        assert shown_ids(app)[0] == neighbour.id
        assert neighbour.title[:30] in screen_text(app)
