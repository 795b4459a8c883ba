"""The reader's remove keys: x takes the highlighted paper out of the library, X every paper
shown; both ask first, keep the marks, and u puts the papers back."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.reader import current, notes, settle, shown_ids, shown_titles

from papertray.store import Library, State
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp
from papertray.tui.screens.confirm import ConfirmScreen

SIZE = (120, 40)
SEED = ingest_file(sample_digest()).papers
FIRST = "Flow Matching in Latent Space"
MESA = "Mesa: A Memory-saving Training Framework for Transformers"


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    library = Library.open(data_dir)
    library.add(SEED)
    return library, State.open(data_dir)


def on_disk(data_dir: Path) -> list[str]:
    """The library's titles as a fresh process reads them."""
    return [p.title for p in Library.open(data_dir).papers()]


async def test_x_asks_then_removes_the_highlighted_paper_and_u_undoes(
    store, data_dir: Path, screen_text
) -> None:
    library, state = store
    mesa_id = next(p.id for p in SEED if p.title == MESA)
    state.set_starred(mesa_id, True)
    app = PapertrayApp(library, state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "x")
        assert isinstance(app.screen, ConfirmScreen)
        assert 'Remove "Mesa: A Memory-saving' in screen_text(app)
        await pilot.press("n")  # no: nothing happens
        await settle(pilot, app)
        assert len(on_disk(data_dir)) == 101
        await pilot.press("x", "y")
        await settle(pilot, app)
        assert MESA not in on_disk(data_dir) and len(on_disk(data_dir)) == 100
        assert app.main.paper_list.row_count == 100
        assert "100 shown" in screen_text(app) and "100 in the library" in screen_text(app)
        assert current(app) == SEED[3].title  # the next one
        assert State.open(data_dir).get(mesa_id).starred  # the marks stay
        assert "Removed 1 from the library (u undoes it)." in notes(app)
        await pilot.press("u")
        await settle(pilot, app)
        assert len(on_disk(data_dir)) == 101
        assert app.main.paper_list.row_count == 101
        assert shown_titles(app) == [p.title for p in SEED]  # back in its place
        assert current(app) == MESA
        assert "Undone: remove 1 paper" in notes(app)
        # Not new again: undo puts it back with its first added date.
        assert Library.open(data_dir).get(mesa_id).added_at == library.get(SEED[0].id).added_at


async def test_X_removes_every_paper_shown(store, data_dir: Path, screen_text) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"quantization", "enter")
        await settle(pilot, app)
        shown = app.main.paper_list.row_count
        assert 0 < shown < 101
        gone = set(shown_ids(app))
        await pilot.press("X")
        assert f"Remove {shown:,} papers shown" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, app)
        assert len(on_disk(data_dir)) == 101 - shown
        assert app.main.paper_list.row_count == 0  # the filter still applies: nothing left matches
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 101 - shown
        assert not gone & set(shown_ids(app))
        await pilot.press("u")
        await settle(pilot, app)
        assert len(on_disk(data_dir)) == 101
        assert shown_ids(app) == [p.id for p in SEED]


async def test_nothing_to_remove_in_an_empty_library(data_dir: Path, screen_text) -> None:
    app = PapertrayApp(Library.open(data_dir), State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "X")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert [n.message for n in app._notifications] == ["No paper to remove."] * 2
