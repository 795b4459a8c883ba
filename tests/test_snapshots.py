"""Snapshot tests of the main views (pytest-textual-snapshot). Update with --snapshot-update
after a deliberate change, and look at the report before committing the new SVGs."""

from __future__ import annotations

from helpers.reader import settle

from papertray.store import Library, State
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp

SEED = ingest_file(sample_digest()).papers
FIRST_SEEN = 1_733_054_400.0  # 2024-12-01 12:00 UTC


def sample_app() -> PapertrayApp:
    library = Library.in_memory()
    library.add(SEED, batch=FIRST_SEEN)  # the pane's "first seen": the same day on every run
    state = State.in_memory()
    for paper in SEED[:4]:
        state.set_read(paper.id, True)
    state.toggle_star(SEED[2].id)
    state.set_tags(SEED[2].id, ["memory", "training"])
    state.set_note(SEED[2].id, "Try the head-wise quantization on our ViT runs.")
    return PapertrayApp(library, state)


def pressing(*keys: str):  # type: ignore[no-untyped-def]
    """Press `keys`, then wait until what they asked for (a search, a write) is on screen."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()  # the main screen mounted: a key now reaches it
        await pilot.press(*keys)
        await settle(pilot, pilot.app)
        await steady(pilot)

    return run_before


async def steady(pilot) -> None:  # type: ignore[no-untyped-def]
    """The text fields' cursors steady (a blink is half a second: a loaded machine took the
    picture in either half), and a few frames more for what they lay out."""
    from textual.widgets import Input

    for field in pilot.app.screen.query(Input):  # its cursor shown, never half a blink
        field.cursor_blink = False
    for _ in range(2):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()


def test_main_view(snap_compare) -> None:
    assert snap_compare(sample_app(), run_before=pressing("j", "j"), terminal_size=(120, 36))


def test_live_filter_with_highlights(snap_compare) -> None:
    filtering = pressing("slash", *"memory efficient")
    assert snap_compare(sample_app(), run_before=filtering, terminal_size=(120, 36))


def test_bad_query_error(snap_compare) -> None:
    filtering = pressing("slash", *'has:repo "low')
    assert snap_compare(sample_app(), run_before=filtering, terminal_size=(120, 36))


def test_tags_modal(snap_compare) -> None:
    assert snap_compare(sample_app(), run_before=pressing("j", "j", "t"), terminal_size=(120, 36))


def test_help_screen(snap_compare) -> None:
    assert snap_compare(sample_app(), run_before=pressing("question_mark"), terminal_size=(120, 40))


def test_narrow_terminal(snap_compare) -> None:
    assert snap_compare(sample_app(), run_before=pressing("j", "j"), terminal_size=(70, 36))


def test_no_match(snap_compare) -> None:
    filtering = pressing("slash", *"zzzqqq")
    assert snap_compare(sample_app(), run_before=filtering, terminal_size=(120, 24))


# -- the reading view of issue 23: the pane with every field, at 120x40 and 40x15, full screen --


def rich_app() -> PapertrayApp:
    """The sample, and a paper with every field the pane shows (tests/test_tui_reading.py's),
    first seen at a fixed time; tagged, noted, starred and queued to read later."""
    from test_tui_reading import ADDED, RICH

    library = Library.in_memory()
    library.add(SEED, batch=FIRST_SEEN)
    library.add([RICH], batch=ADDED)
    state = State.in_memory()
    state.set_tags(RICH.id, ["attention"])
    state.set_note(RICH.id, "Compare with our sparse runs.")
    state.toggle_star(RICH.id)
    state.set_later(RICH.id, True)
    return PapertrayApp(library, state)


def on_rich(*keys: str):  # type: ignore[no-untyped-def]
    """Move to the rich paper, then press `keys`."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        from helpers.reader import move_to
        from test_tui_reading import RICH

        await pilot.pause()
        move_to(pilot.app, RICH.id)
        await settle(pilot, pilot.app)
        await pilot.press(*keys)
        await settle(pilot, pilot.app)
        await steady(pilot)

    return run_before


def test_reading_pane_120x40(snap_compare) -> None:
    assert snap_compare(rich_app(), run_before=on_rich(), terminal_size=(120, 40))


def test_reading_pane_40x15(snap_compare) -> None:
    assert snap_compare(rich_app(), run_before=on_rich(), terminal_size=(40, 15))


def test_full_screen_reading(snap_compare) -> None:
    assert snap_compare(rich_app(), run_before=on_rich("z"), terminal_size=(120, 40))


def test_full_screen_reading_40x15(snap_compare) -> None:
    assert snap_compare(rich_app(), run_before=on_rich("z"), terminal_size=(40, 15))
