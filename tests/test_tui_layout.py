"""Pilot tests of the layout: resizes, small terminals, modals, footer and help (issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.reader import footer_line, settle, shown_ids

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


async def test_layout_follows_every_resize_at_once(store) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for width, narrow in ((60, True), (250, False), (80, True)):
            await pilot.resize_terminal(width, 40)
            await pilot.pause()
            assert app.screen.has_class("-narrow") is narrow, width
            papers, pane = app.main.paper_list.region, app.main.pane.region
            if narrow:  # stacked: the list over the pane, both the whole width
                assert pane.y > papers.y and papers.width >= width - 1
            else:  # side by side: the list takes 3/5 of the width
                assert pane.x > papers.x and pane.y == papers.y
                assert papers.width >= width * 3 // 5 - 2


def notes(app: PapertrayApp) -> list[str]:
    return [n.message for n in app._notifications]


def on_screen(app: PapertrayApp, widget) -> bool:  # type: ignore[no-untyped-def]
    """Whether the widget is drawn whole inside the terminal."""
    region = widget.region
    return region.width > 0 and region.height > 0 and app.screen.region.contains_region(region)


async def test_every_modal_is_usable_at_40x15(store, data_dir, screen_text) -> None:
    from textual.widgets import Button, Static, TextArea

    app = PapertrayApp(*store)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert on_screen(app, app.screen.query_one("#no", Button))
        assert on_screen(app, app.screen.query_one("#yes", Button))
        assert "y Yes" in screen_text(app) and "n No" in screen_text(app)
        await pilot.click("#no")
        await settle(pilot, app)
        assert not State.open(data_dir).get(SEED[0].id).read

        await pilot.press("N")
        await pilot.pause()
        for part in ("#heading", "#note", "#hint"):
            assert on_screen(app, app.screen.query_one(part)), part
        text = screen_text(app)
        assert "Note for Flow Matching" in text and "ctrl+s save" in text
        assert "^s Save" in await footer_line(pilot, app, shows="^s Save")  # the modal's keys
        await pilot.press(*"seen", "ctrl+s")
        await settle(pilot, app)
        assert State.open(data_dir).get(SEED[0].id).note == "seen"
        assert isinstance(app.screen.query_one("#papers"), object)

        await pilot.press("t")
        await pilot.pause()
        for part in ("#heading", "#tags", "#hint"):
            assert on_screen(app, app.screen.query_one(part)), part
        assert "enter save" in screen_text(app)
        assert "esc Cancel" in await footer_line(pilot, app, shows="esc Cancel")
        await pilot.press(*"llm", "enter")
        await settle(pilot, app)
        assert State.open(data_dir).get(SEED[0].id).tags == ("llm",)
        assert not isinstance(app.screen.query_one("#papers"), (Static, TextArea))


async def test_footer_fits_120_columns_and_a_modal_shows_its_own_keys(store, screen_text) -> None:
    app = PapertrayApp(*store)
    async def footer(key: str) -> str:
        """The bottom line once it shows `key` (a loaded machine paints the footer late)."""
        for _ in range(100):
            await pilot.pause(0.05)
            line = screen_text(app).splitlines()[-1]
            if key in line:
                break
        return line

    async with app.run_test(size=(120, 30)) as pilot:
        line = await footer("q Quit")
        assert "q Quit" in line and "? Help" in line and "^p palette" in line
        assert "r Read" in line and "/ Filter" in line
        await pilot.press("A")
        line = await footer("y Yes")
        assert "y Yes" in line and "n No" in line
        assert "r Read" not in line and "/ Filter" not in line


async def test_undo_names_the_paper_and_says_when_nothing_changed(store, data_dir) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("s", "u")
        await settle(pilot, app)
        assert 'Undone: star on "Flow Matching in Latent Space"' in notes(app)
        assert not State.open(data_dir).get(SEED[0].id).starred

        await pilot.press("j", "j", "s")  # Mesa: a long title, cut in the message
        await settle(pilot, app)
        State.open(data_dir).set_starred(SEED[2].id, False)  # unstarred elsewhere since
        State.open(data_dir).set_note(SEED[2].id, "theirs")
        await pilot.press("u")
        await settle(pilot, app)
        message = notes(app)[-1]
        assert message.startswith('Nothing to undo for star on "Mesa: A Memory-saving Training')
        assert "…" in message and "changed elsewhere since" in message
        disk = State.open(data_dir).get(SEED[2].id)
        assert not disk.starred and disk.note == "theirs"  # theirs stays
        await pilot.press("r", "u")  # a step that did change something says so
        await settle(pilot, app)
        assert notes(app)[-1].startswith('Undone: mark read on "Mesa: A Memory-saving')


async def test_a_bad_query_keeps_its_complete_part_and_shows_the_whole_query(
    store, screen_text
) -> None:
    from textual.widgets import Input

    app = PapertrayApp(*store)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("slash", *"memory has")
        await settle(pilot, app)
        with_has = app.main.paper_list.row_count
        await pilot.press("backspace", "backspace", "backspace")
        await settle(pilot, app)
        memory = app.main.paper_list.row_count
        assert with_has < memory
        await pilot.press(*"has:pdf")
        await settle(pilot, app)
        # Not the matches of the half-typed `has`: those of the complete words before it.
        assert app.main.paper_list.row_count == memory
        text = screen_text(app)
        assert "unknown value 'pdf'" in text
        assert text.splitlines()[0].startswith(" / memory has:pdf")  # the query stays in view
        assert app.query_one("#filter", Input).region.width >= 28
    app = PapertrayApp(*store)
    async with app.run_test(size=(160, 20)) as pilot:
        await pilot.press("slash", *"memory has:pdf")
        await settle(pilot, app)
        assert "query: memory has:pdf (incomplete: showing “memory”)" in screen_text(app)
        await pilot.press("ctrl+a", "delete")  # the first word wrong too: nothing complete
        await pilot.press(*"has:")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 101
        assert "(incomplete: showing all papers)" in screen_text(app)


async def test_status_counts_unread_among_the_papers_shown(store, screen_text) -> None:
    library, state = store
    for paper in SEED[:30]:
        state.set_read(paper.id, True)
    app = PapertrayApp(library, state)
    async with app.run_test(size=(160, 20)) as pilot:
        await pilot.press("slash", *"has:repo")
        await settle(pilot, app)
        shown = shown_ids(app)
        unread = sum(not state.get(pid).read for pid in shown)
        assert 0 < unread < len(shown)
        expected = f"{len(shown)} shown  ·  {unread} unread of them  ·  101 in the library"
        assert expected in screen_text(app)


async def test_help_aligns_wrapped_lines_and_has_a_marker_legend(store, screen_text) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=(80, 60)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "undo the last triage" in line)
        column = lines[first].index("undo the last triage")
        wrapped = lines[first + 1]
        assert wrapped[:column].strip("█▌▐ ") == ""  # nothing under the key column
        assert wrapped[column] != " "  # the description goes on under itself
        assert "esc Close" in lines[-1]
        seen = screen_text(app)
        for _ in range(10):  # the legend follows the keys, before the query language
            await pilot.press("pagedown")
            await pilot.pause()
            seen += screen_text(app)
        assert "Row markers" in seen and "has a code repo" in seen and "starred" in seen


def cursor_in_view(app: PapertrayApp) -> bool:
    """Whether the highlighted paper's row is among the rows the list shows."""
    plist = app.main.paper_list
    top = round(plist.scroll_offset.y)
    return top <= plist.cursor < top + plist.scrollable_content_region.height


@pytest.mark.parametrize(
    ("keys", "sizes"),
    [
        (["G"], [(120, 20)]),
        (["j"] * 30, [(120, 20)]),
        (["G"], [(300, 80), (120, 20)]),
    ],
)
async def test_a_resize_keeps_the_highlighted_paper_in_view(
    store, data_dir, screen_text, keys, sizes
) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press(*keys)
        await settle(pilot, app)
        chosen = app.main.paper_list.highlighted
        assert chosen is not None and cursor_in_view(app)
        for size in sizes:
            await pilot.resize_terminal(*size)
            await settle(pilot, app)
            assert cursor_in_view(app), size
        assert chosen.title[:30] in screen_text(app)  # the row and the pane both show it
        await pilot.press("s")
        await settle(pilot, app)
        assert State.open(data_dir).get(chosen.id).starred
