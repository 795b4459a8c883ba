"""Pilot tests of the reading view of issue 23: what the pane shows of a paper, the split and
full-screen reading, read later, the PDF, saved searches, and the rough edges a new user hit
(each pressed as a reader would, then checked on screen and in the stored state)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.reader import footer_line, move_to, notes, pane_text, settle, shown_ids, status_text
from textual.widgets import Input

from papertray.store import Library, Paper, State
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.store.updates import Update, Version
from papertray.tui import clipboard
from papertray.tui.app import PapertrayApp
from papertray.tui.pane_text import Details, PaperChanges, paper_content

SIZE = (120, 40)
SEED = ingest_file(sample_digest()).papers
MESA = next(p for p in SEED if p.title.startswith("Mesa"))
ADDED = 1_735_732_800.0  # 2025-01-01 12:00 UTC: the "first seen" of the rich paper
RICH = Paper(
    id="arxiv:2401.01234",
    title="Sparse [bold]Attention[/bold] at Scale",
    abstract="We study sparse attention for long contexts, with [red]markup[/red] kept as text.",
    authors=tuple(f"Author{i} Lastname{i}" for i in range(12)),
    published="2024-01-03",
    links=(
        "https://github.com/org/sparse",
        "https://sparse-attn.github.io/",
        "https://doi.org/10.1000/xyz",
        "https://openreview.net/pdf?id=abc",
        "javascript:alert(1)",
    ),
    repo="https://github.com/org/sparse",
    source="digest-a.md",
    arxiv_id="2401.01234",
    arxiv_version=3,
    upvotes=42,
    digest_date="2024-01-05",
    categories=("cs.LG", "cs.CL"),
    remarks="NeurIPS 2025,\n12 pages",
)
NO_PDF = Paper(
    id="t:nopdf",
    title="A paper with only unsafe links",
    abstract="Nothing to open.",
    links=("javascript:alert('x.pdf')", "file:///etc/passwd.pdf"),
    source="digest-b.md",
)


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    library = Library.open(data_dir)
    library.add(SEED)
    library.add([RICH, NO_PDF], batch=ADDED)
    return library, State.open(data_dir)


def make_app(store: tuple[Library, State]) -> PapertrayApp:
    return PapertrayApp(*store)


def one_line(text: str) -> str:
    return " ".join(text.split())


# -- the pane: who and when, ids, comments, code, digests, marks, links ----------------------


async def test_the_pane_shows_who_when_ids_comments_code_digests_and_marks(store) -> None:
    library, state = store
    state.set_tags(RICH.id, ["attention"])
    state.set_note(RICH.id, "Compare with [b]ours[/b]")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        move_to(app, RICH.id)
        await settle(pilot, app)
        text = pane_text(app)
        assert text.startswith("Sparse [bold]Attention[/bold] at Scale")  # markup is text
        authors = ", ".join(RICH.authors[:6])
        assert f"{authors} and 6 more  (a: all)" in text
        assert "Lastname11" not in text
        assert "arXiv      2401.01234v3 · cs.LG · cs.CL" in text
        dates = "dates      arXiv 2024-01-03 · in the digest 2024-01-05 · first seen 2025-01-0"
        assert dates in text
        assert "comments   NeurIPS 2025, 12 pages" in text  # one line
        assert "code       GitHub  github.com/org/sparse" in text
        assert "from       digest-a.md" in text
        assert "▲ 42" in text and "#attention" in text
        assert "Note  Compare with [b]ours[/b]" in text
        lines = text.splitlines()
        assert "  1 GitHub        https://github.com/org/sparse" in lines
        assert "  2 project page  https://sparse-attn.github.io/" in lines
        assert "  3 DOI           https://doi.org/10.1000/xyz" in lines
        assert "  4 PDF           https://openreview.net/pdf?id=abc" in lines
        assert "javascript:" not in text  # an unsafe link is never shown as one
        assert "[red]markup[/red]" in text

        await pilot.press("a")  # the whole author list
        await pilot.pause()
        text = pane_text(app)
        assert "Lastname11" in text and "(a: fewer)" in text
        await pilot.press("a")
        await pilot.pause()
        assert "Lastname11" not in pane_text(app)


async def test_the_pane_shows_a_note_from_another_machine(store, data_dir, tmp_path) -> None:
    """Two machines write the paper's note at once; after a real sync through a shared
    folder, the pane shows the note that won and, below it, the one from the other machine."""
    from papertray.store import Sync

    library, state = store
    shared, laptop = tmp_path / "shared", tmp_path / "laptop"
    shared.mkdir()
    there = State.open(laptop)
    state.set_note(RICH.id, "mine")
    there.set_note(RICH.id, "theirs")
    here_sync, there_sync = Sync(state, shared), Sync(there, shared)
    for sync in (here_sync, there_sync, here_sync):
        assert sync.run().error is None
    marks = State.open(data_dir).get(RICH.id)
    assert {marks.note, marks.conflicting_note} == {"mine", "theirs"}
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        move_to(app, RICH.id)
        await settle(pilot, app)
        text = pane_text(app)
        assert f"Note  {marks.note}" in text
        other = text.split("Note from another machine", 1)[1]
        assert other.splitlines()[1] == marks.conflicting_note  # under its heading


def test_the_pane_says_what_changed_and_the_versions() -> None:
    from papertray.store import PaperState

    details = Details(sources=("digest-a.md", "digest-c.md"))
    changed = PaperChanges(
        updates=(Update(1, RICH.id, "version", "v3 on arXiv: new title", ADDED, False),),
        versions=(Version(1, "2024-01-03", "t"), Version(3, "2024-06-01", "t")),
    )
    text = paper_content(RICH, PaperState(), [], details=details, changed=changed).plain
    assert "What changed" in text and "● new version v3 on arXiv: new title" in text
    assert "versions  v1 2024-01-03 · v3 2024-06-01" in text
    assert "from       digest-a.md · digest-c.md" in text


def test_a_long_field_wraps_under_its_value_not_under_its_label() -> None:
    """In a narrow pane a field's value goes on under itself (a hanging indent), as wide as
    the pane is when drawn; the abstract wraps to the left edge as text does."""
    from papertray.store import PaperState

    details = Details(sources=tuple(f"digest-{n}.md" for n in range(5)))
    text = paper_content(RICH, PaperState(), [], details=details)
    lines = text.laid_out(40).plain.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("from       "))
    assert lines[start : start + 3] == [
        "from       digest-0.md · digest-1.md ·",
        "           digest-2.md · digest-3.md ·",
        "           digest-4.md",
    ]
    # As written (and where the pane is too narrow for a column of values): one line a field.
    assert "from       digest-0.md · digest-1.md · digest-2.md" in text.plain
    whole = "from       " + " · ".join(f"digest-{n}.md" for n in range(5))
    assert whole in text.laid_out(20).plain.splitlines()
    # A word longer than the room beside the label (a link) is not cut: the field wraps as
    # text does, to the left edge.
    code = "code       GitHub  github.com/org/sparse"
    assert code in text.laid_out(30).plain.splitlines()


# -- the split, full-screen reading -------------------------------------------------------


async def test_brackets_move_the_split_and_the_next_run_keeps_it(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        before = app.main.pane.region.width
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot, app)
        wider = app.main.pane.region.width
        assert wider >= before + 10  # 40% -> 50% of 120 columns
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert app.main.pane.region.width < wider
    assert State.open(data_dir).meta("reader.pane") == 45
    app = PapertrayApp(Library.open(data_dir), State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert abs(app.main.pane.region.width - 120 * 45 // 100) <= 1


async def test_enter_and_z_read_full_screen_and_come_back(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("j", "j", "enter")
        await settle(pilot, app)
        assert app.main.has_class("-reading")
        assert not app.main.paper_list.display or app.main.paper_list.region.width == 0
        assert app.main.pane.region.width == 120 and app.focused is app.main.pane
        assert State.open(data_dir).get(MESA.id).read  # opening marks it read
        await pilot.press("z")
        await pilot.pause()
        assert not app.main.has_class("-reading") and app.focused is app.main.paper_list
        await pilot.press("z")
        await pilot.pause()
        assert app.main.has_class("-reading")
        await pilot.press("escape")
        await pilot.pause()
        assert not app.main.has_class("-reading")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # the pane's enter: back to the list
        await pilot.pause()
        assert not app.main.has_class("-reading") and app.focused is app.main.paper_list


async def test_the_footer_names_escape_back_only_while_reading(store, screen_text) -> None:
    """Reading full screen, the footer says `esc Back to the list`; in the split, with the
    pane focused by a click, escape is the screen's again (it clears the filter)."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "esc Back to the list" in await footer_line(pilot, app, shows="esc Back")
        await pilot.press("escape")
        await settle(pilot, app)
        assert not app.main.has_class("-reading")
        await pilot.press("slash", *"sparse", "enter")
        await settle(pilot, app)
        await pilot.click("#pane")
        await settle(pilot, app)
        assert app.focused is app.main.pane and not app.main.has_class("-reading")
        assert "Back to the list" not in await footer_line(pilot, app, lacks="Back to the")
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.main.filter_input.value == "" and app.main.paper_list.row_count > 1


async def test_text_selected_in_the_pane_is_copied_as_drawn(store) -> None:
    """The mouse's selection in the pane reads the lines as drawn, a field's wrapped value
    among them (Textual reads only a Content's text itself)."""
    from textual.geometry import Offset
    from textual.selection import Selection

    app = make_app(store)
    async with app.run_test(size=(70, 30)) as pilot:
        await settle(pilot, app)
        move_to(app, RICH.id)
        await settle(pilot, app)
        view = app.main.query_one("#paper-view")
        drawn = view.visual.laid_out(view.content_size.width).plain.splitlines()
        at = next(i for i, line in enumerate(drawn) if line.startswith("dates"))
        assert drawn[at + 1].startswith("           ")  # the value wraps under itself
        app.screen.selections = {view: Selection(Offset(0, at), Offset(len(drawn[at + 1]), at + 1))}
        assert app.screen.get_selected_text() == f"{drawn[at]}\n{drawn[at + 1]}"
        app.screen.selections = {view: Selection(None, None)}
        assert app.screen.get_selected_text() == "\n".join(drawn).rstrip("\n")


async def test_the_new_dialogs_fit_at_40x15(store) -> None:
    from textual.widgets import OptionList

    def on_screen(widget) -> bool:  # type: ignore[no-untyped-def]
        region = widget.region
        return region.width > 0 and region.height > 0 and app.screen.region.contains_region(region)

    app = make_app(store)
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot, app)
        move_to(app, RICH.id)
        await settle(pilot, app)
        await pilot.press("L")
        await pilot.pause()
        for part in ("#heading", "#hint"):
            assert on_screen(app.screen.query_one(part)), part
        assert on_screen(app.screen.query_one(OptionList))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash", *"has:repo", "ctrl+s")
        await pilot.pause()
        for part in ("#heading", "#name", "#hint"):
            assert on_screen(app.screen.query_one(part)), part
        await pilot.press("escape", "enter")  # the dialog cancelled, the filter left
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        assert app.main.has_class("-reading") and app.main.pane.region.width == 40


# -- read later, the PDF ----------------------------------------------------------------------


async def test_l_queues_to_read_later_with_is_later_and_a_count(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("j", "j", "l")
        await settle(pilot, app)
        assert State.open(data_dir).get(MESA.id).later
        assert "1 later" in one_line(status_text(app))
        await pilot.press("g", "l")  # the first paper, queued after Mesa
        await settle(pilot, app)
        await pilot.press("slash", *"is:later", "enter")
        await settle(pilot, app)
        assert shown_ids(app) == [MESA.id, SEED[0].id]  # the queue, oldest first
        assert "read later first" in one_line(status_text(app))
        assert "2 later" in one_line(status_text(app))
        assert app.main.paper_list.highlighted.id == SEED[0].id  # type: ignore[union-attr]
        await pilot.press("l")  # the cursor stayed on the first paper: out of the queue
        await settle(pilot, app)
        assert not State.open(data_dir).get(SEED[0].id).later
    app = PapertrayApp(Library.open(data_dir), State.open(data_dir))  # it survives a restart
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "1 later" in one_line(status_text(app))
        await pilot.press("j", "j", "l")
        await settle(pilot, app)
        assert not State.open(data_dir).get(MESA.id).later
        assert "later" not in one_line(status_text(app))


async def test_P_opens_the_pdf_and_only_an_http_link(store, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(clipboard, "open_url", lambda url: opened.append(url) or "firefox")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        move_to(app, RICH.id)
        await settle(pilot, app)
        await pilot.press("P")
        await settle(pilot, app)
        assert opened == ["https://arxiv.org/pdf/2401.01234"]
        move_to(app, NO_PDF.id)
        await settle(pilot, app)
        await pilot.press("P")
        await settle(pilot, app)
        assert opened == ["https://arxiv.org/pdf/2401.01234"]
        assert any("no PDF link" in n for n in notes(app))


# -- saved searches ---------------------------------------------------------------------------


async def test_a_saved_search_on_a_key_and_in_the_palette_with_its_unread(
    store, data_dir, screen_text
) -> None:
    repos = sum(1 for p in (*SEED, RICH) if p.repo)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"has:repo", "ctrl+s")
        await pilot.pause()
        await pilot.press(*"code", "enter")
        await settle(pilot, app)
        (search,) = State.open(data_dir).searches()
        assert (search.name, search.query, search.slot) == ("code", "has:repo", 1)
        await pilot.press("escape")  # the filter cleared
        await settle(pilot, app)
        assert app.main.filter_input.value == ""
        await pilot.press("1")
        await settle(pilot, app)
        assert app.main.filter_input.value == "has:repo"
        assert len(shown_ids(app)) == repos
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"Search: code")
        await settle(pilot, app)
        await settle(pilot, app)
        assert f"Search: code ({repos:,} unread)" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"Remove saved search: code")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert State.open(data_dir).searches() == []
        await pilot.press("u")  # undone: back on its key
        await settle(pilot, app)
        assert [(s.name, s.slot) for s in State.open(data_dir).searches()] == [("code", 1)]


# -- rough edges ------------------------------------------------------------------------------


async def test_the_status_line_ends_in_an_ellipsis_when_cut(store, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot, app)
        status = screen_text(app).splitlines()[-2]
        assert status.rstrip().endswith("…"), status


async def test_toasts_never_cover_each_other(store) -> None:
    from textual.widgets._toast import Toast

    app = make_app(store)
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        await settle(pilot, app)
        for n in range(8):
            app.notify(f"message {n} " + "long words " * 6, timeout=30)
        for _ in range(12):
            await pilot.pause()
        toasts = [t.region for t in app.screen.query(Toast)]
        assert toasts
        for i, one in enumerate(toasts):
            assert app.screen.region.contains_region(one)
            assert all(not one.overlaps(other) for other in toasts[i + 1 :])
        shown = [n.message for n in app._notifications]
        assert shown[-1].startswith("message 7")  # the newest stay
    app = make_app(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # room for all three
        await settle(pilot, app)
        app.clear_notifications()
        for n in range(3):
            app.notify(f"message {n}", timeout=30)
        for _ in range(12):
            await pilot.pause()
        toasts = sorted(app.screen.query(Toast), key=lambda t: t.region.y)
        assert [str(t._notification.message) for t in toasts] == [f"message {n}" for n in range(3)]
        assert all(a.region.bottom <= b.region.y for a, b in zip(toasts, toasts[1:], strict=False))


async def test_the_cursor_stays_on_its_paper_when_the_filter_shrinks(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("j", "j")
        assert app.main.paper_list.highlighted.id == MESA.id  # type: ignore[union-attr]
        await pilot.press("slash", *"has:repo")
        await settle(pilot, app)
        assert app.main.paper_list.highlighted.id == MESA.id  # type: ignore[union-attr]
        assert app.main.paper_list.cursor > 0


async def test_the_footer_follows_focus(store, screen_text) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "r Read" in await footer_line(pilot, app, shows="r Read")
        await pilot.press("slash")
        footer = await footer_line(pilot, app, shows="esc Clear filter", lacks="r Read")
        assert "r Read" not in footer and "esc Clear filter" in footer
        await pilot.press("enter")
        assert "r Read" in await footer_line(pilot, app, shows="r Read")


async def test_a_key_after_enter_in_the_filter_goes_to_the_list(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"has:repo", "enter", "j")  # no pause between
        await settle(pilot, app)
        assert app.main.filter_input.value == "has:repo"
        assert app.main.paper_list.cursor == 1
        assert not isinstance(app.focused, Input)


async def test_sorting_by_upvotes_no_paper_has_says_so(data_dir) -> None:
    library = Library.open(data_dir)
    library.add(SEED)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for _ in range(9):  # digest -> ... -> upvotes
            await pilot.press("S")
            await settle(pilot, app)
        assert "upvotes" in one_line(status_text(app))
        said = one_line(status_text(app)) + " ".join(notes(app))
        assert "no paper has upvotes" in said


async def test_the_theme_is_remembered(store, data_dir) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.theme = "nord"
        await settle(pilot, app)
    assert State.open(data_dir).meta("reader.theme") == "nord"
    app = PapertrayApp(Library.open(data_dir), State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "nord"


async def test_the_list_columns_are_chosen_in_the_palette_and_kept(store, data_dir, screen_text):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"sparse", "enter")
        await settle(pilot, app)
        assert "Lastname0" not in screen_text(app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"List columns")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        row = next(line for line in screen_text(app).splitlines() if "Sparse [bold]" in line)
        assert "Lastname0 +" in row and "2024-01-03" in row and "▲42" in row
        assert app.main.paper_list.columns
    assert State.open(data_dir).meta("reader.columns") is True
    app = PapertrayApp(Library.open(data_dir), State.open(data_dir))
    async with app.run_test(size=(50, 20)) as pilot:  # narrow: the title keeps the room
        await settle(pilot, app)
        plist = app.main.paper_list
        assert plist.columns
        wide = "".join(s.text for s in plist._render_row(RICH, 80, 0))
        narrow = "".join(s.text for s in plist._render_row(RICH, 50, 0))
        assert "2024-01-03" in wide and "2024-01-03" not in narrow


async def test_two_lines_a_paper_are_chosen_in_the_palette_and_kept(
    store, data_dir, screen_text
) -> None:
    """Under each title its authors, date and upvotes; the cursor, j, a page down and a click
    move by papers, not lines; the next run opens so."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"two lines a paper")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        plist = app.main.paper_list
        assert plist.two_lines and plist.virtual_size.height == 2 * plist.row_count
        lines = screen_text(app).splitlines()
        first = SEED[0]
        at = next(i for i, line in enumerate(lines) if first.title[:30] in line)
        byline = lines[at + 1].split("│")[0]  # the sample names no author: its abstract
        assert " ".join(first.abstract.split()[:4]) in byline and first.title[:30] not in byline
        rich = "".join(s.text for s in plist._render_second_line(RICH, 100, 0)).strip()
        assert rich.startswith("Author0 Lastname0, Author1 Lastname1 and 10 more · 2024-01-03")
        assert "· ▲ 42 — We study sparse att…" in rich
        await pilot.press("j")
        await settle(pilot, app)
        assert plist.cursor == 1 and app.main.pane.paper.id == SEED[1].id
        await pilot.press("pagedown")
        await settle(pilot, app)
        rows_on_screen = plist.scrollable_content_region.height // 2
        assert plist.cursor == 1 + rows_on_screen - 1
        await pilot.click("#papers", offset=(10, 5))  # the byline of the third paper shown
        await settle(pilot, app)
        top = round(plist.scroll_offset.y)
        assert top % 2 == 0 and plist.cursor == top // 2 + 2  # a title on the top line
        # The columns and the two lines are one choice or the other.
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"List columns")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert plist.columns and not plist.two_lines
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"two lines a paper")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert plist.two_lines and not plist.columns
    kept = State.open(data_dir)
    assert (kept.meta("reader.two_lines"), kept.meta("reader.columns")) == (True, False)
    app = PapertrayApp(Library.open(data_dir), State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.main.paper_list.two_lines


async def test_y_copies_the_bare_id_or_as_the_config_says(
    store, monkeypatch, tmp_path: Path
) -> None:
    copied: list[str] = []
    monkeypatch.setattr(clipboard, "system_copy", lambda text: copied.append(text) or "xclip")
    config = tmp_path / "config.toml"
    monkeypatch.setenv("PAPERTRAY_CONFIG", str(config))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        move_to(app, RICH.id)
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        config.write_text('[reader]\ncopy_id = "arxiv"\n', encoding="utf-8")
        await pilot.press("y")
        await settle(pilot, app)
    assert copied == ["2401.01234", "arXiv:2401.01234"]


async def test_the_mute_dialogs_fit_at_40x15(store) -> None:
    library, state = store
    for query in ("diffusion", "quantization", "pruning", "survey", "mamba"):
        state.add_mute(query, "not now")
    app = make_app(store)

    def whole(widget) -> bool:  # type: ignore[no-untyped-def]
        region = widget.region
        return region.width > 0 and region.height > 0 and app.screen.region.contains_region(region)

    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"llm", "enter")
        await settle(pilot, app)
        await app.main.run_action("mute_filter")
        await pilot.pause()
        for part in ("#heading", "#why", "#hint"):
            assert whole(app.screen.query_one(part)), part
        await pilot.press("escape")
        await pilot.pause()
        await app.main.run_action("show_mutes")
        await settle(pilot, app)
        for part in ("#heading", "#rules", "#hint"):
            assert whole(app.screen.query_one(part)), part


async def test_on_a_narrow_terminal_the_brackets_move_the_split_up_and_down(store, data_dir):
    app = make_app(store)
    async with app.run_test(size=(70, 30)) as pilot:
        await settle(pilot, app)
        assert app.main.has_class("-narrow")
        before = app.main.pane.region.height
        await pilot.press("left_square_bracket", "left_square_bracket")  # 60% -> 70%
        await settle(pilot, app)
        assert app.main.pane.region.height > before  # the pane under the list, taller
        assert app.main.pane.region.width == 70
    assert State.open(data_dir).meta("reader.pane") == 70
