"""The preview's columns are split, and the reader's id look-up built, only when something needs
them: the first frame of a big library needs neither, and what they give is unchanged."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from papertray.store import Library, State
from papertray.store.models import Paper
from papertray.store.preview import HEAD_ROWS, PREVIEW_FILE, id_positions
from papertray.tui.app import PapertrayApp
from papertray.tui.papers import ShownPapers

N = HEAD_ROWS + 57


def papers(n: int = N) -> list[Paper]:
    return [
        Paper(f"t:{i:016x}", f"Title number {i}", f"Abstract {i}.",
              repo=f"https://github.com/o/r{i}" if i % 3 == 0 else None,
              arxiv_id=f"2401.{i:05d}" if i % 4 == 0 else None)
        for i in range(n)
    ]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    Library.open(tmp_path).add(papers())
    return tmp_path


def test_rows_are_the_same_from_the_head_and_from_the_split(folder: Path) -> None:
    preview = Library.open(folder, check=False).preview()
    assert preview is not None and len(preview) == N
    first = [preview[i] for i in range(HEAD_ROWS)]
    assert preview._columns is None  # the first rows came from the front of the columns
    whole = Library.open(folder, check=False).preview()
    assert whole is not None
    assert whole.ids == [p.id for p in papers()]  # a whole column: split
    assert first == [whole[i] for i in range(HEAD_ROWS)]
    for i in (HEAD_ROWS, N - 1, -1, -N):
        p = papers()[i]
        assert preview[i] == Paper(p.id, p.title, repo=p.repo, arxiv_id=p.arxiv_id)
    assert preview.arxiv_ids() == [p.arxiv_id or "" for p in papers()]
    with pytest.raises(IndexError):
        preview[N]


def test_a_short_library_is_all_head(tmp_path: Path) -> None:
    Library.open(tmp_path).add(papers(3))
    preview = Library.open(tmp_path, check=False).preview()
    assert preview is not None and len(preview) == 3
    assert [preview[i].title for i in range(3)] == [p.title for p in papers(3)]
    with pytest.raises(IndexError):
        preview[3]
    assert preview._columns is None


@pytest.mark.parametrize("column", ["titles", "repos", "arxiv_ids"])
def test_a_column_with_a_row_too_many_or_too_few_is_no_preview(folder: Path, column: str) -> None:
    target = folder / PREVIEW_FILE
    data = orjson.loads(target.read_bytes())
    for changed in (data[column] + "\nextra", data[column].rsplit("\n", 1)[0]):
        target.write_bytes(orjson.dumps({**data, column: changed}))
        assert Library.open(folder, check=False).preview() is None


def test_positions_are_built_on_the_first_look_up() -> None:
    shown = ShownPapers([*papers(5), papers(5)[2]])  # an id twice: the first position wins
    positions = shown.index_of
    assert positions._built is None  # type: ignore[attr-defined]
    assert positions.get("t:0000000000000002") == 2 and positions["t:0000000000000004"] == 4
    assert dict(positions) == id_positions(shown.papers) and len(positions) == 5
    assert "nope" not in positions and positions.get("nope") is None


async def test_the_first_frame_of_a_preview_splits_nothing(folder: Path) -> None:
    library = Library.open(folder, check=False)
    preview = library.preview()
    assert preview is not None
    app = PapertrayApp(library, State.open(folder), preview=preview)
    app.loader.load = lambda *a, **k: None  # type: ignore[method-assign]  # stay on the preview
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.loading and app.paper_list.row_count == N
        assert app.paper_list.highlighted_paper == preview[0]
        assert preview._columns is None
        assert app.shown.index_of._built is None  # type: ignore[attr-defined]
        await pilot.press("j", "j")  # moving along the first screen needs no more
        assert preview._columns is None
        assert app.paper_list.highlighted_paper == preview[2]
