"""Snapshot tests of the main views (pytest-textual-snapshot). Update with --snapshot-update
after a deliberate change, and look at the report before committing the new SVGs."""

from __future__ import annotations

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


def test_main_view(snap_compare) -> None:
    assert snap_compare(sample_app(), press=["j", "j"], terminal_size=(120, 36))


def test_live_filter_with_highlights(snap_compare) -> None:
    assert snap_compare(sample_app(), press=["slash", *"memory efficient"], terminal_size=(120, 36))


def test_bad_query_error(snap_compare) -> None:
    assert snap_compare(sample_app(), press=["slash", *'has:repo "low'], terminal_size=(120, 36))


def test_tags_modal(snap_compare) -> None:
    assert snap_compare(sample_app(), press=["j", "j", "t"], terminal_size=(120, 36))


def test_help_screen(snap_compare) -> None:
    assert snap_compare(sample_app(), press=["question_mark"], terminal_size=(120, 40))


def test_narrow_terminal(snap_compare) -> None:
    assert snap_compare(sample_app(), press=["j", "j"], terminal_size=(70, 36))


def test_no_match(snap_compare) -> None:
    assert snap_compare(sample_app(), press=["slash", *"zzzqqq"], terminal_size=(120, 24))
