"""Pilot tests: press the keys a reader presses, then check the screen and what the store holds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers.reader import current, notes, pane_text, settle, shown_ids, shown_titles
from textual.widgets import Input

from papertray.store import Library, State, parse_query
from papertray.store.ingest import ingest_file, ingest_text
from papertray.store.models import title_key
from papertray.store.paths import sample_digest
from papertray.tui import clipboard
from papertray.tui.app import PapertrayApp
from papertray.tui.live_query import SORTS
from papertray.tui.screens.confirm import ConfirmScreen
from papertray.tui.screens.help import HelpScreen
from papertray.tui.screens.note import NoteScreen
from papertray.tui.screens.tags import TagsScreen

SIZE = (120, 40)
SEED = ingest_file(sample_digest()).papers
MESA = "Mesa: A Memory-saving Training Framework for Transformers"


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    library = Library.open(data_dir)
    library.add(SEED)
    return library, State.open(data_dir)


def reopen(data_dir: Path) -> State:
    """The state as a fresh process would read it from disk."""
    return State.open(data_dir)


@pytest.fixture
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """No display: pyperclip has nothing to talk to, as on a headless or SSH session."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


def make_app(store: tuple[Library, State], **kwargs) -> PapertrayApp:  # type: ignore[no-untyped-def]
    return PapertrayApp(*store, **kwargs)


async def test_opens_on_the_digest_with_list_pane_and_status(store, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Flow Matching in Latent Space" in text
        assert "101 shown · 101 unread · 101 in the library · 0 starred" in " ".join(text.split())
        assert "Flow matching is a recent framework" in text  # the abstract pane
        assert app.main.paper_list.row_count == 101
        assert app.focused is app.main.paper_list


async def test_moving_with_j_k_g_G_arrows_and_pages(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        assert current(app) == MESA
        await pilot.press("k")
        assert current(app).startswith("LD-Pruner")
        await pilot.press("G")
        assert current(app) == SEED[-1].title
        await pilot.press("g")
        assert current(app) == SEED[0].title
        await pilot.press("down", "down", "up")
        assert app.main.paper_list.cursor == 1
        await pilot.press("pagedown")
        assert app.main.paper_list.cursor > 20
        await pilot.press("pageup")
        assert app.main.paper_list.cursor == 1
        await pilot.press("end")
        assert app.main.paper_list.cursor == 100
        await pilot.press("home")
        assert app.main.paper_list.cursor == 0


async def test_pane_follows_the_cursor(store, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        await pilot.pause()
        text = screen_text(app)
        assert "There has been an explosion of interest" in text
        pane = pane_text(app)
        assert pane.startswith(MESA)
        assert "  1 GitHub  https://github.com/ziplab/Mesa" in pane


async def test_enter_opens_and_marks_read(store, data_dir, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert "100 unread" in screen_text(app)  # shown at once, written by a worker
        await settle(pilot, app)
    paper = SEED[2]
    assert reopen(data_dir).get(paper.id).read


async def test_r_toggles_read_and_s_toggles_star(store, data_dir, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "s")
        await pilot.pause()
        text = screen_text(app)
        assert "100 unread" in text and "1 starred" in text
        assert "★ starred" in text
        await settle(pilot, app)
        state = reopen(data_dir).get(SEED[0].id)
        assert state.read and state.starred
        await pilot.press("r", "s")
        await pilot.pause()
        assert "101 unread" in screen_text(app)
        await settle(pilot, app)
    state = reopen(data_dir).get(SEED[0].id)
    assert not state.read and not state.starred


async def test_t_edits_tags_with_completion(store, data_dir, screen_text) -> None:
    library, state = store
    state.set_tags(SEED[5].id, ["quantization"])
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "t")
        assert isinstance(app.screen, TagsScreen)
        await pilot.press(*"llm q")
        await pilot.pause()
        await pilot.press("right")  # accept the completion "quantization"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, TagsScreen)
        assert "#llm #quantization" in screen_text(app)
        await settle(pilot, app)
    assert reopen(data_dir).get(SEED[2].id).tags == ("llm", "quantization")


async def test_escape_cancels_the_tags_modal(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", *"draft", "escape")
        assert not isinstance(app.screen, TagsScreen)
        await settle(pilot, app)
    assert reopen(data_dir).get(SEED[0].id).tags == ()


async def test_N_edits_the_note(store, data_dir, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("N")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"read the appendix", "ctrl+s")
        await pilot.pause()
        assert "read the appendix" in screen_text(app)
        await settle(pilot, app)
    assert reopen(data_dir).get(SEED[0].id).note == "read the appendix"


async def test_n_and_p_jump_between_unread(store) -> None:
    library, state = store
    for paper in SEED[1:4]:
        state.set_read(paper.id, True)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert current(app) == SEED[4].title
        await pilot.press("n")
        assert current(app) == SEED[5].title
        await pilot.press("p", "p")
        assert current(app) == SEED[0].title


async def test_space_pages_then_opens_next_unread(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 14)) as pilot:
        for _ in range(30):
            if app.main.paper_list.cursor:
                break
            await pilot.press("space")
            await pilot.pause()
        assert app.main.pane.scroll_y == 0  # a new paper starts at its top
        assert current(app) == SEED[1].title
        await settle(pilot, app)
    assert reopen(data_dir).get(SEED[1].id).read


async def test_c_copies_the_repo_and_falls_back_to_osc52(store, no_system_clipboard) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "c")
        await settle(pilot, app)
        await pilot.pause()
        assert app.clipboard == "https://github.com/ziplab/Mesa"
        messages = [n.message for n in app._notifications]
        assert any("https://github.com/ziplab/Mesa" in m and "OSC 52" in m for m in messages)


async def test_the_link_chooser_opens_or_copies_link_n(store, no_system_clipboard, screen_text):
    """`L` lists the links as the pane numbers them, each named by its kind or host; a digit
    copies link n (what 1…9 did on the list before they became the saved searches)."""
    octo = next(i for i, p in enumerate(SEED) if p.title.startswith("Octo-planner"))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["j"] * octo)
        await pilot.press("L")
        await pilot.pause()
        text = screen_text(app)
        assert "1 HF" in text and "2 nexa4ai.com" in text and "https://www.nexa4ai.com" in text
        await pilot.press("2")
        await settle(pilot, app)
        assert app.clipboard == "https://www.nexa4ai.com/octo-planner"
        await pilot.press("L", "down", "up", "c")  # the highlighted one: link 1
        await settle(pilot, app)
        assert app.clipboard == "https://huggingface.co/NexaAIDev/octopus-planning"
        await pilot.press("L", "3")
        await pilot.pause()
        assert any("No link 3: the paper has 2." in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main
        await pilot.press("1")  # on the list, 1…9 are the saved searches: nothing is copied
        await settle(pilot, app)
        assert app.clipboard == "https://huggingface.co/NexaAIDev/octopus-planning"
        assert "No saved search on key 1" in list(app._notifications)[-1].message


async def test_copy_uses_pyperclip_when_it_works(store, monkeypatch) -> None:
    copied: list[str] = []
    monkeypatch.setattr(clipboard, "system_copy", lambda text: copied.append(text) or "xclip")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot, app)
        await pilot.pause()
        assert copied == ["https://github.com/VinAIResearch/LFM.git"]
        assert any("system clipboard: xclip" in n.message for n in app._notifications)


async def test_a_hanging_copy_program_does_not_block(store, monkeypatch) -> None:
    import threading

    release = threading.Event()

    def hang() -> tuple[object, object]:
        def copy(text: str) -> None:
            release.wait(60)

        return copy, None

    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("pyperclip.determine_clipboard", hang)
    monkeypatch.setattr(clipboard, "COPY_TIMEOUT", 0.2)
    monkeypatch.setattr(clipboard.system_copy, "__defaults__", (0.2,))
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("c")
            await pilot.press("j")  # the UI still answers while the copy hangs
            assert app.main.paper_list.cursor == 1
            await settle(pilot, app)
            await pilot.pause()
            assert app.clipboard == "https://github.com/VinAIResearch/LFM.git"
            assert any("did not answer" in n.message for n in app._notifications)
    finally:
        release.set()


async def test_o_opens_only_http_links(store, monkeypatch) -> None:
    opened: list[str] = []

    class FakeBrowser:
        name = "firefox"

        def open(self, url: str, new: int = 0) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr("webbrowser.get", lambda: FakeBrowser())
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "o")
        await settle(pilot, app)
        await pilot.pause()
        assert opened == ["https://github.com/ziplab/Mesa"]
        assert any("Opened https://github.com/ziplab/Mesa" in n.message for n in app._notifications)


async def test_o_without_a_browser_shows_the_url(store, monkeypatch) -> None:
    import webbrowser

    def no_browser() -> None:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr("webbrowser.get", no_browser)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(pilot, app)
        await pilot.pause()
        assert any(
            "https://github.com/VinAIResearch/LFM.git" in n.message
            and "no web browser" in n.message
            for n in app._notifications
        )


def test_unsafe_urls_are_never_opened(monkeypatch) -> None:
    monkeypatch.setattr("webbrowser.get", lambda: pytest.fail("a browser was asked"))
    for url in (
        "javascript:alert(1)",
        "file:///etc/passwd",
        "-new-window",
        "https://",
        "data:text/html,x",
        "ssh://host/x",
        "https://example.com/\nx",
    ):
        with pytest.raises(clipboard.BrowserError):
            clipboard.open_url(url)


async def test_A_marks_all_shown_read_after_asking_and_u_undoes(
    store, data_dir, screen_text
) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"has:repo", "enter")
        await settle(pilot, app)
        shown = list(shown_ids(app))
        assert len(shown) == 28
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark 28 papers shown as read?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot, app)
        assert all(not reopen(data_dir).get(pid).read for pid in shown)
        await pilot.press("A", "y")
        await settle(pilot, app)
        disk = reopen(data_dir)
        assert all(disk.get(pid).read for pid in shown)
        assert sum(disk.get(p.id).read for p in SEED) == 28
        assert "28 shown  ·  0 unread of them  ·  101 in the library" in screen_text(app)
        assert "Marked 28 papers read (u undoes it)." in notes(app)
        await pilot.press("u")
        await settle(pilot, app)
        assert "28 shown  ·  28 unread of them" in screen_text(app)
    assert all(not reopen(data_dir).get(pid).read for pid in shown)


async def test_u_undoes_several_levels(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "j", "r", "j", "s")
        await settle(pilot, app)
        disk = reopen(data_dir)
        assert (
            disk.get(SEED[0].id).starred
            and disk.get(SEED[1].id).read
            and disk.get(SEED[2].id).starred
        )
        await pilot.press("u", "u")
        await settle(pilot, app)
        disk = reopen(data_dir)
        assert disk.get(SEED[0].id).starred
        assert not disk.get(SEED[1].id).read and not disk.get(SEED[2].id).starred
        assert current(app) == SEED[1].title  # undo brings the cursor back to what it changed
        await pilot.press("u", "u")
        await settle(pilot, app)
        assert not reopen(data_dir).get(SEED[0].id).starred
        assert any("Nothing to undo" in n.message for n in app._notifications)


async def test_quick_keys_are_written_in_their_order(store, data_dir) -> None:
    """Star, unstar, star: written one at a time in that order, never overtaking each other."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "s", "r", "r")
        await settle(pilot, app)
        disk = reopen(data_dir).get(SEED[0].id)
        assert disk.starred and not disk.read
        assert app.main.changes.depth == 5


async def test_S_cycles_the_sort(store, screen_text) -> None:
    library, state = store
    state.toggle_star(SEED[50].id)
    state.set_read(SEED[0].id, True)
    state.set_later(SEED[70].id, True)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await settle(pilot, app)
        titles = shown_titles(app)
        assert len(titles) == 101 and titles == sorted(titles, key=title_key)
        assert "sort: title" in screen_text(app)
        await pilot.press("S")
        await settle(pilot, app)
        assert shown_ids(app)[0] == SEED[50].id
        await pilot.press("S")
        await settle(pilot, app)
        assert shown_ids(app)[-1] == SEED[0].id
        await pilot.press("S")  # the read-later queue first
        await settle(pilot, app)
        assert "sort: read later first" in screen_text(app)
        assert shown_ids(app)[:2] == [SEED[70].id, SEED[0].id]
        await pilot.press("S")  # relevance: without a word to rank by, digest order
        await settle(pilot, app)
        assert "sort: relevance (no words in the query" in " ".join(screen_text(app).split())
        assert shown_ids(app)[:3] == [p.id for p in SEED[:3]]
        await pilot.press("S")  # for you: see test_tui_similar.py
        await settle(pilot, app)
        assert "sort: for you" in screen_text(app)
        assert shown_ids(app)[-2:] == [SEED[0].id, SEED[50].id]  # read, starred
        for _ in range(len(SORTS) - SORTS.index("foryou")):  # newest added ... stars, digest
            await pilot.press("S")
        await settle(pilot, app)
        assert "sort: digest" in screen_text(app)
        assert shown_ids(app)[:3] == [p.id for p in SEED[:3]]


async def test_relevance_puts_the_best_match_first(store, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"quantization", "enter")
        await settle(pilot, app)
        digest = shown_ids(app)
        for _ in range(SORTS.index("relevance")):
            await pilot.press("S")
        await settle(pilot, app)
        assert "sort: relevance" in screen_text(app)
        ranked = shown_ids(app)
        assert sorted(ranked) == sorted(digest) and ranked != digest
        # The title counts most: the first paper has the word in its title.
        assert "quantization" in shown_titles(app)[0].lower()


async def test_filter_is_live_and_highlights(store, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"memory")
        await settle(pilot, app)
        count_memory = app.main.paper_list.row_count
        assert 0 < count_memory < 101
        await pilot.press(*" efficient")
        await settle(pilot, app)
        shown = app.main.paper_list.row_count
        assert 0 < shown < count_memory
        text = screen_text(app)
        assert f"{shown} shown" in text and "101 in the library" in text
        assert "query: memory efficient" in text
        query = parse_query("memory efficient")
        assert sorted(shown_ids(app)) == sorted(p.id for p in SEED if query.matches(p))
        # The words found are highlighted in the list and the pane.
        row = app.main.paper_list.render_line(0)
        matched = [seg.text for seg in row if seg.style and seg.style.underline]
        assert any(word.lower().startswith(("memory", "efficien")) for word in matched), matched
        view = app.main.query_one("#paper-view").content
        marked = {
            view.plain[span.start : span.end].lower()
            for span in view.spans
            if "warning" in str(span.style)
        }
        assert marked & {"memory", "efficient", "efficiently", "efficiency"}, marked


async def test_a_word_being_typed_finds_the_words_it_starts(store, data_dir) -> None:
    """No paper has the word `memor`: while it is typed, the list shows what `memor*` finds
    and the status line says so; a space ends the word, and the query is the words as typed
    again (`list -q memor` finds nothing either). A word of one or two letters is not looked
    up so: the list keeps what the words before it find, never blank between two letters."""
    from helpers.reader import status_text

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        everything = sorted(shown_ids(app))
        await pilot.press("slash", *"me")
        await settle(pilot, app)
        assert sorted(shown_ids(app)) == everything  # too short to be the start of a word
        assert "(incomplete: showing all papers)" in status_text(app)
        await pilot.press(*"mor")
        await settle(pilot, app)
        starts = parse_query("memor*")
        assert sorted(shown_ids(app)) == sorted(p.id for p in SEED if starts.matches(p))
        assert len(shown_ids(app)) > 0
        assert "(incomplete: showing “memor*”)" in status_text(app)
        await pilot.press(*"y ef")
        await settle(pilot, app)
        memory = parse_query("memory")
        assert not any(parse_query("memory ef").matches(p) for p in SEED)
        assert sorted(shown_ids(app)) == sorted(p.id for p in SEED if memory.matches(p))
        assert "(incomplete: showing “memory”)" in status_text(app)
        await pilot.press(*"fic")
        await settle(pilot, app)
        both = parse_query("memory effic*")
        assert sorted(shown_ids(app)) == sorted(p.id for p in SEED if both.matches(p))
        assert "(incomplete: showing “memory effic*”)" in status_text(app)
        # `effici` is a word papers have (efficient's stem): asked as typed, nothing more.
        await pilot.press("i")
        await settle(pilot, app)
        stem = parse_query("memory effici")
        assert sorted(shown_ids(app)) == sorted(p.id for p in SEED if stem.matches(p))
        assert "incomplete" not in status_text(app)
        await pilot.press("backspace", "backspace", "backspace", "space")
        await settle(pilot, app)  # a space ends the word: asked as typed, nothing has `eff`
        assert app.main.paper_list.row_count == 0
        assert "incomplete" not in status_text(app)
        await pilot.press("escape", "slash", *"zzqq")  # nothing starts so either
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 0
        assert "incomplete" not in status_text(app) and "query: zzqq" in status_text(app)
    assert not parse_query("memor").matches(next(p for p in SEED if starts.matches(p)))


async def test_a_word_being_typed_counts_all_it_starts_and_comes_back(data_dir) -> None:
    """More papers start so than a screenful: all are counted. `memoryl ` then backspace is
    the word being typed again. Mute, save and follow wait for the word to be finished."""
    from helpers.reader import status_text

    from papertray.store import Paper

    library, state = Library.open(data_dir), State.open(data_dir)
    library.add(
        [Paper(id=f"t:{n}", title=f"Memoryless channels {n}", abstract="") for n in range(300)]
    )
    app = PapertrayApp(library, state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"memoryl")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 300 and not app.main.live.counting
        assert "300 shown" in status_text(app) and "counting" not in status_text(app)
        # ctrl+s in the filter; + from the list (enter leaves the filter as it is).
        for keys, why in ((["ctrl+s"], "save it as a search"), (["enter", "plus"], "+ follows")):
            await pilot.press(*keys)
            await settle(pilot, app)
            said = notes(app)[-1]
            assert "last word is not finished" in said and "memoryl*" in said and why in said
        assert state.searches() == [] and state.follows.all() == []
        assert app.main.paper_list.row_count == 300  # the list kept what it showed
        await pilot.press("slash", "space")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 0
        await pilot.press("backspace")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 300
        assert "incomplete: showing “memoryl*”" in status_text(app)


async def test_a_filter_with_an_error_is_not_kept_and_the_refusal_names_it(
    store, data_dir
) -> None:
    """Save, follow and mute refuse a filter that does not parse by naming its error, not as
    if it were empty; the error quotes what was typed, shown as text."""
    app = make_app(store)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("slash", *"pruning )")
        await settle(pilot, app)
        error = "unbalanced parenthesis: ')' has no matching '('"
        for keys, verb in (
            (["ctrl+s"], "save it as a search"),
            (["enter", "plus"], "+ follows that search"),
            (["ctrl+p", *"mute papers like", "enter"], "mute the papers like it"),
        ):
            for key in keys:
                await pilot.press(key)
                await settle(pilot, app)
            assert notes(app)[-1] == f"The filter has an error ({error}): fix it, then {verb}."
            assert app.screen is app.main  # no modal asked for a name or a why
        await pilot.press("slash", "escape", "slash", *"has:[b]")
        for keys in (["ctrl+s"], ["enter", "plus"]):
            await pilot.press(*keys)
            await settle(pilot, app)
            said = list(app._notifications)[-1]
            assert said.message.startswith("The filter has an error (unknown value '[b]' for")
            assert not said.markup  # drawn as typed, never as markup
    disk = reopen(data_dir)
    assert disk.searches() == [] and disk.follows.all() == [] and disk.mute_rules() == []


async def test_bad_query_shows_error_and_keeps_result(store, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"has:repo")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 28
        await pilot.press("space", '"', *"low")
        await settle(pilot, app)
        assert "unclosed quote" in screen_text(app)
        assert app.main.paper_list.row_count == 28
        await pilot.press('"')
        await settle(pilot, app)
        assert "unclosed quote" not in screen_text(app)


async def test_escape_clears_the_filter(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"is:starred")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 0
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 101
        assert app.focused is app.main.paper_list
        await pilot.press("slash", *"llm", "enter")
        await settle(pilot, app)
        assert app.main.paper_list.row_count < 101
        await pilot.press("escape")  # escape from the list clears too
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 101


async def test_no_match_and_no_paper_empty_states(store, data_dir, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"zzzqqq")
        await settle(pilot, app)
        assert "No paper matches" in screen_text(app) and "zzzqqq" in screen_text(app)
    empty = PapertrayApp(Library.in_memory(), State.in_memory())
    async with empty.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "No papers yet" in screen_text(empty) and "papertray import FILE" in screen_text(
            empty
        )
        # Nothing to act on: every key says so or does nothing.
        await pilot.press("r", "s", "c", "o", "t", "N", "A", "n", "space", "u", "x", "X", "m")
        await settle(pilot, empty)
        assert empty.is_running
        assert "No paper to remove." in notes(empty) and "Nothing to undo." in notes(empty)


async def test_help_and_command_palette(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"toggle star")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
    assert reopen(data_dir).get(SEED[0].id).starred


@pytest.mark.parametrize("counting", ["slow", "failing"])
async def test_the_palette_finds_what_is_typed_however_its_searches_are_counted(
    store, data_dir, monkeypatch, counting: str
) -> None:
    """The palette counts the saved searches' unread papers in a thread as it opens. Keys
    typed at once, before that count is in, still find the commands (a key cancels the search
    before it, and Textual cancelled the provider's start with it: nothing found until the
    palette was opened again); a count that fails (the library busy or damaged) leaves the
    searches out and finds every other command."""
    from papertray.store import StoreError
    from papertray.tui.screens.main import MainScreen

    counted = MainScreen.saved_searches

    def count(self):  # type: ignore[no-untyped-def]
        if counting == "failing":
            raise StoreError("the library is busy")
        time.sleep(0.5)
        return counted(self)

    monkeypatch.setattr(MainScreen, "saved_searches", count)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p", *"toggle star")  # every key a new search, at once
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
    assert reopen(data_dir).get(SEED[0].id).starred


async def test_q_quits(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize("after", ["t", "N", "A", "x", "L", "question_mark"])
async def test_keys_in_the_same_burst_as_q_are_ignored(store, after) -> None:
    """`qt` sent at once (tmux send-keys -l): both keys are queued before q is handled, so the
    second reached its binding while the app closed, and a modal's on_mount found no widgets."""
    from textual import events

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for key in ("q", after):  # no pause between them, as a terminal delivers a burst
            app.post_message(events.Key(key, key if len(key) == 1 else "?"))
        for _ in range(200):
            if not app.is_running:
                break
            await pilot.pause(0.02)
    assert app.return_code == 0  # run_test raises what the app raised


async def test_narrow_terminal_stacks_the_pane(store, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=(70, 40)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        assert app.main.pane.region.y > app.main.paper_list.region.y
        assert app.main.pane.region.width >= 60
        await pilot.press("enter")
        assert app.focused is app.main.pane


async def test_opens_only_the_given_papers(store) -> None:
    library, state = store
    app = PapertrayApp(library, state, paper_ids=[SEED[7].id, SEED[3].id])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert shown_ids(app) == [SEED[3].id, SEED[7].id]  # in digest order
        await pilot.press("slash", *"model")  # the filter stays among them
        await settle(pilot, app)
        assert set(shown_ids(app)) <= {SEED[3].id, SEED[7].id}


async def test_another_instance_marks_show_up(store, data_dir, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        other = reopen(data_dir)
        other.toggle_star(SEED[0].id)
        for _ in range(200):  # the screen looks twice a second: up to 10 s on a slow machine
            await pilot.pause(0.05)
            if "1 starred" in screen_text(app) and "★ starred" in screen_text(app):
                break
        assert app.main.marks.get(SEED[0].id).starred
        assert "1 starred" in screen_text(app) and "★ starred" in screen_text(app)


HOSTILE = [
    "[/]",
    "x [/",
    "[bold red]x[/]",
    "[@click=app.quit]x[/]",
    "[@click=app.screenshot('x','/tmp')]y[/]",
    "[link=file:///etc/passwd]z[/]",
    "[BOLD] [$accent] b[i]",
]


async def test_hostile_titles_are_shown_literally(screen_text) -> None:
    text = "\n\n".join(
        f"{title}\n\nAbstract {n} with [red]markup[/red] and \x1b[2J escapes."
        for n, title in enumerate(HOSTILE)
    )
    papers = ingest_text(text, fmt="page").papers
    library = Library.in_memory()
    library.add(papers)
    app = PapertrayApp(library, State.in_memory())
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = screen_text(app)
        for title in HOSTILE:
            assert title in screen
        assert "with [red]markup[/red] and" in screen
        await pilot.click("#papers", offset=(10, 3))  # the [@click=app.quit] row
        await pilot.press("enter", "j", "enter")
        await pilot.pause()
        assert app.is_running


async def test_ctrl_c_quits_with_the_mark_on_disk(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "ctrl+c")  # quitting waits for the star being written
        await pilot.pause()
        assert not app.is_running
        assert reopen(data_dir).get(SEED[0].id).starred


async def test_palette_filter_command(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"papers with a code repo")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.query_one("#filter").value == "has:repo"
        assert app.main.paper_list.row_count == 28


async def test_the_first_frame_comes_from_the_database(data_dir, screen_text) -> None:
    """No preview file: the rows of the first frame are asked of the library as the screen
    mounts, a screenful of them, so they are on screen before any worker ran."""
    library = Library.open(data_dir)
    library.add(SEED)
    app = PapertrayApp(Library.open(data_dir, check=False), State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        # As the screen mounted: the rows are there, and no search ran in a worker.
        assert app.main.paper_list.row_count == 101
        assert not [w for w in app.workers if w.group == "filter"]
        assert "Flow matching is a recent framework" in pane_text(app)
        await pilot.pause()
        text = screen_text(app)
        assert SEED[0].title[:30] in text and SEED[1].title[:30] in text
        await pilot.press("slash", *"memory")
        await settle(pilot, app)
        memory = parse_query("memory")
        assert app.main.paper_list.row_count == sum(memory.matches(p) for p in SEED)
    assert not [p.name for p in data_dir.iterdir() if "preview" in p.name]


async def test_a_damaged_library_is_reported_and_set_aside(data_dir, screen_text) -> None:
    library = Library.open(data_dir)
    library.add(SEED)
    library.close()
    (data_dir / "library.db").write_bytes(b"this is not a database" * 100)
    for side in ("library.db-wal", "library.db-shm"):
        (data_dir / side).unlink(missing_ok=True)
    app = PapertrayApp(Library.open(data_dir, check=False), State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert any("damaged" in m and "moved aside" in m for m in notes(app)), notes(app)
        assert app.main.paper_list.row_count == 0
        assert "No papers yet" in screen_text(app)
    assert [p.name for p in data_dir.iterdir() if ".damaged-" in p.name]


async def test_undo_keeps_marks_made_meanwhile_by_another_instance(store, data_dir) -> None:
    app = make_app(store)
    paper = SEED[0].id
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")  # mark read here
        await settle(pilot, app)
        other = reopen(data_dir)  # the CLI or another window, meanwhile
        other.toggle_star(paper)
        other.set_tags(paper, ["important"])
        app.main.poll()
        await pilot.press("u")  # undoes the read mark only
        await settle(pilot, app)
        disk = reopen(data_dir).get(paper)
        assert not disk.read
        assert disk.starred and disk.tags == ("important",)
        await pilot.press("s", "s")  # star off, star on: undo twice gives the star back off->on
        await pilot.press("u")
        await settle(pilot, app)
        assert not reopen(data_dir).get(paper).starred
        await pilot.press("u")
        await settle(pilot, app)
        assert reopen(data_dir).get(paper).starred


async def test_undo_of_a_mark_changed_since_leaves_it(store, data_dir) -> None:
    app = make_app(store)
    paper = SEED[0].id
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")  # star here
        await settle(pilot, app)
        reopen(data_dir).set_starred(paper, False)  # unstarred elsewhere
        reopen(data_dir).set_note(paper, "theirs")
        app.main.poll()
        await pilot.press("u")  # the star this step set is gone already: nothing to put back
        await settle(pilot, app)
        disk = reopen(data_dir).get(paper)
        assert not disk.starred and disk.note == "theirs"


async def test_slash_is_text_inside_the_filter_and_the_editors(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"repo:ziplab/mesa")
        await settle(pilot, app)
        assert app.query_one("#filter", Input).value == "repo:ziplab/mesa"
        assert app.main.paper_list.row_count == 1
        await pilot.press("enter", "N", *"see a/b", "ctrl+s")
        await settle(pilot, app)
    assert reopen(data_dir).get(SEED[2].id).note == "see a/b"


async def test_j_and_k_scroll_the_focused_pane(store) -> None:
    app = make_app(store)
    async with app.run_test(size=(70, 30)) as pilot:
        await pilot.press("enter")  # narrow: focuses the pane
        assert app.focused is app.main.pane
        await pilot.press("j", "j")
        assert app.main.pane.scroll_y == 2 and app.main.paper_list.cursor == 0
        await pilot.press("k")
        assert app.main.pane.scroll_y == 1


async def test_status_names_the_digest_when_opened_on_files(store, screen_text) -> None:
    library, state = store
    app = PapertrayApp(library, state, paper_ids=[SEED[3].id], scope="hf-2024-03-18.txt")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 shown  ·  1 unread  ·  1 in hf-2024-03-18.txt" in screen_text(app)
