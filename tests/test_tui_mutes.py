"""Pilot tests for mute rules, date fields, the sorts, the note mark and "N new" in the reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from papertray.store import Library, Paper, State, ingest_file, parse_query
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp
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


def pane_text(app: PapertrayApp) -> str:
    return str(app.query_one("#paper-view", Static).content)


def shown_ids(app: PapertrayApp) -> list[str]:
    return app.paper_list.shown_ids


async def palette(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


async def filter_by(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *text, "enter")
    await pilot.pause()


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
        await pilot.pause()
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
        await pilot.pause()
        assert not set(shown_ids(app)) & set(SURVEYS)
        visited = set()
        for _ in range(len(SEED)):
            await pilot.press("n")
            visited.add(app.paper_list.highlighted_id)
        assert len(visited) > 50 and not visited & set(SURVEYS)
        # Undo removes the rule: the surveys are back, marks untouched.
        await pilot.press("u")
        await pilot.pause()
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
        await pilot.pause()
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
        await pilot.pause()
        assert MESA not in [app.paper(i).title for i in shown_ids(app)]  # type: ignore[union-attr]
        await palette(pilot, "mute rules")
        assert isinstance(app.screen, MutesScreen)
        text = screen_text(app)
        assert f"{len(SURVEYS)}  survey — not my field" in text
        assert "1  title:mesa" in text
        await pilot.press("down", "d")  # unmute rule 2 (title:mesa)
        await pilot.pause()
        assert [r.number for r in State.open(data_dir).mute_rules()] == [1]
        assert "title:mesa" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert MESA in [app.paper(i).title for i in shown_ids(app)]  # type: ignore[union-attr]
        await pilot.press("u")  # the unmute is undone: rule 2 is back under its number
        await pilot.pause()
        assert [(r.number, r.query) for r in State.open(data_dir).mute_rules()] == [
            (1, "survey"),
            (2, "title:mesa"),
        ]
        assert MESA not in [app.paper(i).title for i in shown_ids(app)]  # type: ignore[union-attr]
        # Enter on a rule shows the papers it mutes.
        await palette(pilot, "mute rules")
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#filter").value == "is:muted (survey)"
        assert sorted(shown_ids(app)) == sorted(SURVEYS)


async def test_a_rule_added_elsewhere_applies_within_a_poll(store, data_dir) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        assert len(shown_ids(app)) == len(SEED)
        State.open(data_dir).add_mute("survey")  # the CLI, meanwhile
        app.poll_other_instances()
        await pilot.pause()
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
        await pilot.pause()
        error = str(app.query_one("#filter-error", Static).content)
        assert error.startswith("bad date '2024-13-01' in read:…")
        # Meanwhile the list shows what the complete words before it match: here, nothing.
        assert len(shown_ids(app)) == len(SEED)


async def test_status_says_how_many_the_last_import_added(store, screen_text) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
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
        for _ in range(9):
            label = app.query_one("#status", Static).content
            name = str(label).split("sort: ")[1].split("  ")[0]
            titles[name] = [app.paper(i).title for i in shown_ids(app)]  # type: ignore[union-attr]
            await pilot.press("S")
            await pilot.pause()
    assert titles["digest"] == ["Few votes", "No votes", "Many votes"]
    assert titles["newest added"] == ["No votes", "Many votes", "Few votes"]
    assert titles["newest published"] == ["No votes", "Few votes", "Many votes"]
    assert titles["most upvoted"] == ["Many votes", "Few votes", "No votes"]
    assert titles["most GitHub stars"] == ["No votes", "Many votes", "Few votes"]
    assert titles["title"] == ["Few votes", "Many votes", "No votes"]
    assert len(titles) == 9


# -- the first frame: drawn before the library loads, never with a muted paper ------------------


def _record_rows(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every set of rows handed to the list (what any frame can draw), as paper ids."""
    from papertray.tui.widgets.paper_list import PaperList

    drawn: list[list[str]] = []
    set_rows = PaperList.set_rows

    def recording(self, papers, rows, *args, **kwargs):  # type: ignore[no-untyped-def]
        drawn.append([papers[i].id for i in rows])
        set_rows(self, papers, rows, *args, **kwargs)

    monkeypatch.setattr(PaperList, "set_rows", recording)
    return drawn


@pytest.mark.parametrize("big", [False, True], ids=["loaded-first", "rows-after-loading"])
async def test_the_first_frame_never_shows_a_muted_paper(
    store, data_dir, monkeypatch, screen_text, big: bool
) -> None:
    """The preview has no abstracts to apply the rules to: a small library is loaded before the
    first frame, which has its rows without the muted; a big one shows no row until loaded."""
    from papertray.tui import app as app_module
    from papertray.tui.loading import Loader

    library, state = store
    state.add_mute("survey", "not my field")  # the word is in some abstracts only
    muted = set(SURVEYS)
    library = Library.open(data_dir)
    preview = library.preview()
    assert preview is not None and muted <= set(preview.ids)
    if big:
        monkeypatch.setattr(app_module, "LOAD_AT_ONCE_LIMIT", 0, raising=False)
    paused: list = []
    monkeypatch.setattr(Loader, "load", lambda self, loaded: paused.append(loaded))
    drawn = _record_rows(monkeypatch)
    app = PapertrayApp(library, State.open(data_dir), preview=preview)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        titles = {p.id: p.title for p in SEED}
        assert not any(titles[pid][:30] in text for pid in muted)
        assert "No paper matches" not in text
        if big:  # the load waits: no row at all meanwhile
            assert app.loading and app.paper_list.row_count == 0 and len(paused) == 1
            paused[0](Library.open(data_dir).papers())
            await pilot.pause()
            text = screen_text(app)
        else:
            assert not paused and not app.loading
        assert app.paper_list.row_count == 101 - len(muted)
        assert SEED[0].title[:30] in text
        assert not any(titles[pid][:30] in text for pid in muted)
        assert drawn and all(not muted & set(rows) for rows in drawn)
