"""Pilot tests for mute rules, date fields, the sorts, the note mark and "N new" in the reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.reader import notes, pane_text, settle, shown_ids, shown_titles
from textual.widgets import Static

from papertray.store import Library, Paper, State, parse_query
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp
from papertray.tui.live_query import SORTS
from papertray.tui.screens.mute import MuteScreen
from papertray.tui.screens.mutes import MutesScreen

SIZE = (120, 40)
SEED = ingest_file(sample_digest()).papers
MESA = "Mesa: A Memory-saving Training Framework for Transformers"
SURVEYS = [p.id for p in SEED if parse_query("survey").matches(p)]


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    library = Library.open(data_dir)
    library.add(SEED[:90], batch=1000.0)
    library.add(SEED[90:], batch=2000.0)  # the latest import: 11 new papers
    return library, State.open(data_dir)


async def palette(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await settle(pilot, pilot.app)
    await pilot.press(*text)
    await settle(pilot, pilot.app)
    await pilot.press("enter")
    await settle(pilot, pilot.app)


async def filter_by(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *text, "enter")
    await settle(pilot, pilot.app)


async def test_mute_from_the_palette_then_is_muted_then_undo(store, data_dir, screen_text) -> None:
    library, state = store
    state.set_starred(SURVEYS[0], True)
    state.set_tags(SURVEYS[1], ["later"])
    marks = State.open(data_dir).all()
    app = PapertrayApp(library, state)
    assert len(SURVEYS) >= 3
    async with app.run_test(size=SIZE) as pilot:
        await filter_by(pilot, "survey")
        assert sorted(shown_ids(app)) == sorted(SURVEYS)
        await palette(pilot, "mute papers like")
        assert isinstance(app.screen, MuteScreen)
        assert f"{len(SURVEYS)} papers shown now leave the default view" in screen_text(app)
        await pilot.press(*"not my field", "enter")
        await settle(pilot, app)
        # The rule is stored; the filter is cleared; the surveys are gone from the list.
        (rule,) = State.open(data_dir).mute_rules()
        assert (rule.query, rule.why) == ("survey", "not my field")
        assert app.query_one("#filter").value == ""
        assert len(shown_ids(app)) == len(SEED) - len(SURVEYS)
        assert not set(shown_ids(app)) & set(SURVEYS)
        assert f"{len(SURVEYS)} muted" in screen_text(app)
        # Muting is not marking: every mark is as it was.
        assert State.open(data_dir).all() == marks
        # is:muted shows them, and the pane says which rule muted each.
        await filter_by(pilot, "is:muted")
        assert sorted(shown_ids(app)) == sorted(SURVEYS)
        assert "muted: survey — not my field" in pane_text(app)
        # Back in the default view, next-unread (n) never lands on a muted paper.
        await pilot.press("escape")
        await settle(pilot, app)
        assert not set(shown_ids(app)) & set(SURVEYS)
        visited = set()
        for _ in range(len(SEED)):
            await pilot.press("n")
            visited.add(app.main.paper_list.highlighted.id)  # type: ignore[union-attr]
        assert len(visited) > 50 and not visited & set(SURVEYS)
        assert "No unread paper below this one." in notes(app)
        # Undo removes the rule: the surveys are back, marks untouched.
        await pilot.press("u")
        await settle(pilot, app)
        assert State.open(data_dir).mute_rules() == []
        assert len(shown_ids(app)) == len(SEED)
        assert State.open(data_dir).all() == marks
        assert "muted:" not in pane_text(app)


async def test_muting_needs_a_filter_and_escape_cancels(store, data_dir) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "mute papers like")
        assert not isinstance(app.screen, MuteScreen)
        assert any("Filter first" in n.message for n in app._notifications)
        await filter_by(pilot, "diffusion")
        await palette(pilot, "mute papers like")
        assert isinstance(app.screen, MuteScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert State.open(data_dir).mute_rules() == []
        assert app.query_one("#filter").value == "diffusion"


async def test_rules_modal_lists_counts_unmutes_and_undo_restores(
    store, data_dir, screen_text
) -> None:
    library, state = store
    state.add_mute("survey", "not my field")
    state.add_mute("title:mesa")
    app = PapertrayApp(library, state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert MESA not in shown_titles(app)
        await palette(pilot, "mute rules")
        assert isinstance(app.screen, MutesScreen)
        text = screen_text(app)
        assert f"{len(SURVEYS)}  survey — not my field" in text
        assert "1  title:mesa" in text
        await pilot.press("down", "d")  # unmute rule 2 (title:mesa)
        await settle(pilot, app)
        assert [r.number for r in State.open(data_dir).mute_rules()] == [1]
        assert "title:mesa" not in screen_text(app)
        assert f"{len(SURVEYS)}  survey — not my field" in screen_text(app)  # counted again
        await pilot.press("escape")
        await settle(pilot, app)
        assert MESA in shown_titles(app)
        await pilot.press("u")  # the unmute is undone: rule 2 is back under its number
        await settle(pilot, app)
        assert [(r.number, r.query) for r in State.open(data_dir).mute_rules()] == [
            (1, "survey"),
            (2, "title:mesa"),
        ]
        assert MESA not in shown_titles(app)
        # Enter on a rule shows the papers it mutes.
        await palette(pilot, "mute rules")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.query_one("#filter").value == "is:muted (survey)"
        assert sorted(shown_ids(app)) == sorted(SURVEYS)


async def test_a_rule_added_elsewhere_applies_within_a_poll(store, data_dir) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        assert len(shown_ids(app)) == len(SEED)
        State.open(data_dir).add_mute("survey")  # the CLI, meanwhile
        for _ in range(200):  # the screen looks twice a second: up to 10 s on a slow machine
            await pilot.pause(0.05)
            await settle(pilot, app)
            if len(shown_ids(app)) == len(SEED) - len(SURVEYS):
                break
        assert len(shown_ids(app)) == len(SEED) - len(SURVEYS)


async def test_date_fields_and_is_new_in_the_filter(store, data_dir, monkeypatch) -> None:
    library, state = store
    monkeypatch.setenv("PAPERTRAY_NOW", "2024-03-20T12:00:00+00:00")
    state.set_starred(SEED[0].id, True)  # stamped 20 March, by the fixed clock
    app = PapertrayApp(library, state)
    async with app.run_test(size=SIZE) as pilot:
        await filter_by(pilot, "starred:<7d")
        assert shown_ids(app) == [SEED[0].id]
        await pilot.press("escape")
        await filter_by(pilot, "starred:2024-03-19")
        assert shown_ids(app) == []
        await pilot.press("escape")
        await filter_by(pilot, "is:new")
        assert shown_ids(app) == [p.id for p in SEED[90:]]
        app.query_one("#filter").value = "read:2024-13-01"  # pasted in one go
        await settle(pilot, app)
        error = str(app.query_one("#filter-error", Static).content)
        assert error.startswith("bad date '2024-13-01' in read:…")
        # Meanwhile the list shows what the complete words before it match: here, nothing.
        assert len(shown_ids(app)) == len(SEED)


async def test_status_says_how_many_the_last_import_added(store, screen_text) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "11 new" in screen_text(app)


async def test_a_row_shows_the_note_mark(store, screen_text) -> None:
    library, state = store
    state.set_note(SEED[2].id, "read the appendix")
    app = PapertrayApp(library, state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = [line for line in screen_text(app).splitlines() if "Mesa:" in line]
        assert rows and "✎" in rows[0]
        other = [line for line in screen_text(app).splitlines() if "Flow Matching" in line]
        assert other and "✎" not in other[0]


async def test_S_cycles_through_every_sort(data_dir, screen_text) -> None:
    library = Library.open(data_dir)
    papers = [
        Paper("arxiv:1", "Few votes", upvotes=2, published="2024-03-01"),
        Paper("arxiv:2", "No votes", published="2024-03-10", stars=50),
        Paper("arxiv:3", "Many votes", upvotes=90, stars=5),
    ]
    library.add(papers[:1], batch=1.0)
    library.add(papers[1:], batch=2.0)
    app = PapertrayApp(library, State.open(data_dir))
    titles = {}
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(len(SORTS)):
            await settle(pilot, app)
            label = app.main.query_one("#status", Static).content
            name = str(label).split("sort: ")[1].split("  ")[0].split(" (")[0].split(":")[0]
            titles[name] = shown_titles(app)
            await pilot.press("S")
    assert titles["digest"] == ["Few votes", "No votes", "Many votes"]
    assert titles["newest added"] == ["No votes", "Many votes", "Few votes"]
    assert titles["newest published"] == ["No votes", "Few votes", "Many votes"]
    assert titles["most upvoted"] == ["Many votes", "Few votes", "No votes"]
    assert titles["most GitHub stars"] == ["No votes", "Many votes", "Few votes"]
    assert titles["title"] == ["Few votes", "Many votes", "No votes"]
    assert titles["relevance"] == titles["for you"] == titles["digest"]  # nothing to rank by
    assert titles["read later first"] == titles["digest"]  # nothing queued
    assert len(titles) == len(SORTS)


# -- the first frame: never with a muted paper ---------------------------------------------------


def _record_rows(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> list[list[str]]:
    """Every set of rows handed to the list (what any frame can draw), as paper ids."""
    from papertray.tui.widgets.paper_list import PaperList

    drawn: list[list[str]] = []
    set_rows = PaperList.set_rows
    library = Library.open(data_dir)

    def recording(self, rowids, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = library.ids_of_rows(rowids)
        drawn.append([found[r] for r in rowids])
        set_rows(self, rowids, *args, **kwargs)

    monkeypatch.setattr(PaperList, "set_rows", recording)
    return drawn


@pytest.mark.parametrize("big", [False, True], ids=["whole-result-first", "first-screenful"])
async def test_the_first_frame_never_shows_a_muted_paper(
    store, data_dir, monkeypatch, screen_text, big: bool
) -> None:
    """The rules apply in the library's own query: the first frame (the whole result of a small
    library, the first screenful of a big one) and every result after it leave muted papers
    out."""
    from papertray.tui.screens import main

    library, state = store
    state.add_mute("survey", "not my field")  # the word is in some abstracts only
    muted = set(SURVEYS)
    if big:
        monkeypatch.setattr(main, "SMALL_LIBRARY", 0)
    drawn = _record_rows(monkeypatch, data_dir)
    app = PapertrayApp(Library.open(data_dir, check=False), State.open(data_dir))
    async with app.run_test(size=(120, 20)) as pilot:
        first = drawn[0]
        assert first and not muted & set(first)
        assert len(first) == (60 if big else 101 - len(muted))  # a screenful, or all of them
        await settle(pilot, app)
        text = screen_text(app)
        titles = {p.id: p.title for p in SEED}
        assert app.main.paper_list.row_count == 101 - len(muted)
        assert SEED[0].title[:30] in text
        assert not any(titles[pid][:30] in text for pid in muted)
        assert f"{len(muted)} muted" in text
        assert all(not muted & set(rows) for rows in drawn)
