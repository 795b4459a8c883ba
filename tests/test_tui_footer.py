"""The footer of keys (`tui/widgets/key_footer.py`): built once for a burst of binding changes,
and not again when the keys it shows are the same. Textual's own footer was built nine times
at the reader's start and twice at each change of focus, 30-40 ms each on the UI thread."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.reader import footer_line, settle
from textual.widgets import Footer

from papertray.store import Library, State
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp

SEED = ingest_file(sample_digest()).papers


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    library = Library.open(data_dir)
    library.add(SEED)
    return library, State.open(data_dir)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The screen of each footer built with its keys, in order."""
    built: list[str] = []
    compose = Footer.compose

    def counted(self: Footer):  # type: ignore[no-untyped-def]
        if self._bindings_ready:
            built.append(type(self.screen).__name__)
        return compose(self)

    monkeypatch.setattr(Footer, "compose", counted)
    return built


async def test_the_footer_is_built_once_at_the_start_and_once_a_change_of_focus(
    store, builds
) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        line = await footer_line(pilot, app, shows="q Quit")
        assert "/ Filter" in line
        assert builds == ["MainScreen"]

        await pilot.press("/")  # the filter has the focus: its keys
        line = await footer_line(pilot, app, lacks="q Quit")
        await settle(pilot, app)
        assert "q Quit" not in line
        assert builds == ["MainScreen"] * 2

        await pilot.press("escape")  # back to the list: its keys again
        assert "q Quit" in await footer_line(pilot, app, shows="q Quit")
        await settle(pilot, app)
        assert builds == ["MainScreen"] * 3


async def test_binding_changes_that_show_the_same_keys_do_not_build_the_footer(
    store, builds
) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        before = await footer_line(pilot, app, shows="q Quit")
        count = len(builds)
        for _ in range(5):
            app.screen.refresh_bindings()
        await pilot.press("j", "k")  # the cursor moves; the keys shown stay
        await settle(pilot, app)
        await pilot.pause(0.1)
        assert len(builds) == count
        assert await footer_line(pilot, app) == before
