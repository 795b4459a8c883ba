"""The row markers: in DejaVu Sans Mono, one cell wide, ASCII when the locale is not UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from papertray.store import Library, State
from papertray.store.ingest import ingest_file
from papertray.store.markers import ASCII, UNICODE, markers_for
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
SEED = ingest_file(sample_digest()).papers


def test_markers_are_in_dejavu_sans_mono_and_one_cell_wide() -> None:
    for mark in (UNICODE.unread, UNICODE.starred, UNICODE.repo, UNICODE.note):
        assert cell_len(mark) == 1, mark
    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans Mono is not installed (apt-get install fonts-dejavu-core)")
    ttlib = pytest.importorskip("fontTools.ttLib")
    cmap = ttlib.TTFont(DEJAVU).getBestCmap()
    for mark in (UNICODE.unread, UNICODE.starred, UNICODE.repo, UNICODE.note):
        assert ord(mark) in cmap, f"{mark} (U+{ord(mark):04X}) is not in DejaVu Sans Mono"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "en_US.UTF-8"}, UNICODE),
        ({"LANG": "C"}, ASCII),
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, ASCII),  # Python's own coercion of LANG=C
        ({"LANG": "POSIX"}, ASCII),
        ({"LANG": "C", "LC_ALL": "de_DE.utf8"}, UNICODE),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, ASCII),
        ({"LANG": "en_US.ISO-8859-1"}, ASCII),
        ({}, UNICODE),
    ],
)
def test_markers_follow_the_locale(env: dict[str, str], expected: object) -> None:
    assert markers_for(env) == expected


@pytest.mark.parametrize("lang", ["C", "en_US.UTF-8"])
async def test_the_list_shows_the_markers_the_locale_can(
    lang: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch, screen_text
) -> None:
    monkeypatch.setenv("LANG", lang)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LC_CTYPE", "C.UTF-8")
    library, state = Library.open(data_dir), State.open(data_dir)
    library.add(SEED)
    state.toggle_star(SEED[0].id)  # Flow Matching: unread, starred, with a code repo
    app = PapertrayApp(library, state)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        marks = ASCII if lang == "C" else UNICODE
        row = next(line for line in screen_text(app).splitlines() if "Flow Matching" in line)
        # One cell a mark, side by side as the CLI's table has them (`row_marks`): unread,
        # starred, read later, repo, note.
        assert row.startswith(f" {marks.unread}{marks.starred} {marks.repo}   Flow Matching")
        assert "⎇" not in screen_text(app)
