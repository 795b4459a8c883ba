"""The reader's follows (issue 24, point 1), with Pilot: the news count on the status line, `f`
lists the follows with their new papers, enter shows those (and marks the follow seen), `+`
follows the filter, `@` the highlighted paper's first author, `d` unfollows and `u` undoes it;
the palette has them too; a search's text is shown as text, never markup."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers.reader import move_to, notes, settle, shown_ids, status_text

from papertray.store import Clock, Library, Paper, State
from papertray.store.follows import follow_query
from papertray.tui.app import PapertrayApp
from papertray.tui.screens.follows import FollowsScreen

SIZE = (120, 40)
HOUR = 3600.0


def paper(pid: str, title: str, *authors: str) -> Paper:
    return Paper(pid, title, authors=authors, abstract=f"About {title.lower()}.")


OLD = [
    paper("t:old-1", "Memory for transformers, before", "Ada Lovelace"),
    paper("t:old-2", "Graph search", "Grace Hopper"),
    paper("t:old-3", "Quantization of weights", "Alan Turing"),
]
NEW = [
    paper("t:new-1", "Memory-efficient attention", "Tri Dao", "Ada Lovelace"),
    paper("t:new-2", "Long memory for agents", "Bo Peng"),
    paper("t:new-3", "State space models", "Albert Gu", "Tri Dao"),
    paper("t:new-4", "Memory in the loop", "Cy Twombly"),
    paper("t:new-5", "Vision tokens", "Di Wu"),
]


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    """Two follows made two hours ago; papers before them, and five since (three of them about
    memory, one by Tri Dao... and one by both)."""
    now = time.time()
    library, state = Library.open(data_dir), State.open(data_dir)
    library.add(OLD, batch=now - 3 * HOUR)
    follow_query(state, "memory", clock=Clock(now - 2 * HOUR))
    follow_query(state, 'author:"Tri Dao"', name="Tri Dao", clock=Clock(now - 2 * HOUR))
    library.add(NEW, batch=now - HOUR)
    return library, state


def seen(data_dir: Path) -> dict[str, float]:
    """Each follow's last-seen time, by its search's name, as stored."""
    state = State.open(data_dir)
    names = {s.id: s.name for s in state.searches()}
    return {names[f.search]: f.seen for f in state.follows.all()}


def rows(app: PapertrayApp) -> list[str]:
    """What the follows screen lists, one line a follow."""
    screen = app.screen
    assert isinstance(screen, FollowsScreen)
    options = screen.query_one("#follows")
    return [" ".join(str(o.prompt).split()) for o in options.options]  # type: ignore[attr-defined]


async def open_follows(pilot, app: PapertrayApp) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f")
    await settle(pilot, app)
    assert isinstance(app.screen, FollowsScreen)


async def test_the_status_line_counts_and_a_follow_opens_on_its_new_papers(
    store, data_dir: Path
) -> None:
    before = seen(data_dir)
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "5 news" in status_text(app)  # 3 about memory, 2 by Tri Dao
        await open_follows(pilot, app)
        assert sorted(rows(app)) == ['2 Tri Dao author:"Tri Dao"', "3 memory"]
        position = next(i for i, line in enumerate(rows(app)) if line.endswith("memory"))
        for _ in range(position):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, FollowsScreen)
        # Its new papers only: the one about memory from before it was followed is not there.
        assert shown_ids(app) == ["t:new-1", "t:new-2", "t:new-4"]
        assert app.main.filter_input.value == "memory"
        assert "query: memory (new since you last looked)" in status_text(app)
        # Seen now, as stored; the count follows.
        after = seen(data_dir)
        assert after["memory"] > before["memory"] and after["Tri Dao"] == before["Tri Dao"]
        assert "2 news" in status_text(app)
        # Typed again, the filter is the search itself: every paper about memory.
        await pilot.press("slash", "end", "space", "backspace", "enter")
        await settle(pilot, app)
        assert shown_ids(app) == ["t:old-1", "t:new-1", "t:new-2", "t:new-4"]
        assert "new since" not in status_text(app)
        # Opened again, with nothing new: all its papers, and it says so.
        await open_follows(pilot, app)
        position = next(i for i, line in enumerate(rows(app)) if line.endswith("memory"))
        assert rows(app)[position] == "0 memory"
        for _ in range(position):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Nothing new since you last looked: all its papers." in notes(app)
        assert len(shown_ids(app)) == 4


async def test_follow_the_filter_and_an_author_then_unfollow_and_undo(
    store, data_dir: Path
) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("plus")  # no filter: nothing to follow
        await settle(pilot, app)
        assert "Filter first (/): then + follows that search." in notes(app)
        await pilot.press("slash", *"quantization", "enter")
        await settle(pilot, app)
        await pilot.press("plus")
        await settle(pilot, app)
        assert "quantization" in seen(data_dir)
        assert State.open(data_dir).search("quantization") is not None  # saved to be followed
        assert notes(app)[-1].startswith("Following quantization (saved as a search)")
        await pilot.press("u")  # undone: not followed, and the search it saved is gone
        await settle(pilot, app)
        assert "quantization" not in seen(data_dir)
        assert State.open(data_dir).search("quantization") is None
        # The first author of the highlighted paper.
        await pilot.press("escape")
        await settle(pilot, app)
        move_to(app, "t:old-2")
        await pilot.press("at")
        await settle(pilot, app)
        hopper = State.open(data_dir).search("Grace Hopper")
        assert hopper is not None and hopper.query == 'author:"Grace Hopper"'
        assert "Grace Hopper" in seen(data_dir)
        await pilot.press("at")  # again: already
        await settle(pilot, app)
        assert notes(app)[-1].startswith('Already following Grace Hopper (author:"Grace Hopper")')
        # Unfollowed from the list, then back with its times as they were.
        times = seen(data_dir)
        await open_follows(pilot, app)
        position = next(i for i, line in enumerate(rows(app)) if "Grace Hopper" in line)
        for _ in range(position):
            await pilot.press("down")
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, FollowsScreen)  # listed again, without it
        assert not [line for line in rows(app) if "Grace Hopper" in line]
        assert "Grace Hopper" not in seen(data_dir)
        assert State.open(data_dir).search("Grace Hopper") is not None  # still saved
        await pilot.press("escape", "u")
        await settle(pilot, app)
        assert seen(data_dir) == times


async def test_the_palette_lists_follows_and_updates(store, data_dir: Path) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"follows: list")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, FollowsScreen)
        await pilot.press("escape")
        await pilot.press("slash", *"vision", "enter")
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"follow the current filter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "vision" in seen(data_dir)


async def test_a_follow_is_text_never_markup(data_dir: Path, screen_text) -> None:
    library, state = Library.open(data_dir), State.open(data_dir)
    library.add(OLD)
    follow_query(state, '"[bold red]x[/" OR memory', name="[b]boom[/b] \x1b[31mred\x07")
    app = PapertrayApp(library, state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await open_follows(pilot, app)
        text = screen_text(app)
        # The escape character goes (the rest of its sequence is text); the brackets stay text.
        assert "[b]boom[/b] [31mred" in text and '"[bold red]x[/" OR memory' in text
        assert "\x1b" not in "".join(rows(app)) and "\x07" not in "".join(rows(app))


async def test_an_import_while_the_reader_is_open_counts_in_the_status_line(
    store, data_dir: Path
) -> None:
    """`papertray import` (or a scheduled fetch) adds papers about memory: the status line's
    count grows at the reader's next look at the library, and the follow lists them."""
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "5 news" in status_text(app)
        Library.open(data_dir).add(
            [paper("t:new-6", "Memory tricks", "Eve Ng"), paper("t:new-7", "Other", "Eve Ng")]
        )
        for _ in range(200):  # up to 10 s on a slow machine
            await pilot.pause(0.05)
            if "6 news" in status_text(app):
                break
        assert "6 news" in status_text(app)
        await open_follows(pilot, app)
        assert "4 memory" in rows(app)
