"""Snapshot tests of the main views (pytest-textual-snapshot). Update with --snapshot-update
after a deliberate change, and look at the report before committing the new SVGs."""

from __future__ import annotations

from helpers.reader import settle

from papertray.store import Library, State, ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp

SEED = ingest_file(sample_digest()).papers


def sample_app() -> PapertrayApp:
    library = Library.in_memory()
    library.add(SEED)
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

    return run_before


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
