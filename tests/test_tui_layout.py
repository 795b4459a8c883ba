"""Pilot tests of the layout: resizes, small terminals, modals, footer and help (issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertray.store import Library, State, ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp

SEED = ingest_file(sample_digest()).papers


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    library = Library.open(data_dir)
    library.add(SEED)
    return library, State.open(data_dir)


async def test_layout_follows_every_resize_at_once(store) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for width, narrow in ((60, True), (250, False), (80, True)):
            await pilot.resize_terminal(width, 40)
            await pilot.pause()
            assert app.screen.has_class("-narrow") is narrow, width
            papers, pane = app.paper_list.region, app.pane.region
            if narrow:  # stacked: the list over the pane, both the whole width
                assert pane.y > papers.y and papers.width >= width - 1
            else:  # side by side: the list takes 3/5 of the width
                assert pane.x > papers.x and pane.y == papers.y
                assert papers.width >= width * 3 // 5 - 2
