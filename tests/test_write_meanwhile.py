"""Work done while a big library file is being written (`AtomicJSONStorage.write`'s `meanwhile`,
used for the preview and search marks): its value comes back, a failure in it loses nothing, and
the derived files it makes are the ones made after the write."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from test_search_text import PAPERS

from papertray.store import Library, bigjson
from papertray.store.derived_files import DerivedFiles
from papertray.store.preview import PREVIEW_FILE
from papertray.store.search_text import SEARCH_FILE
from papertray.store.storage import AtomicJSONStorage


@pytest.fixture
def big_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bigjson, "PIPELINE_DOCS", 1)


TABLES = {"papers": {f"p{i}": {"id": f"p{i}", "title": f"T {i}"} for i in range(50)}}


def test_meanwhile_runs_during_the_write_and_its_value_comes_back(
    tmp_path: Path, big_writes: None
) -> None:
    storage = AtomicJSONStorage(tmp_path / "library.json", indent=True)
    seen: list[bool] = []

    def meanwhile() -> str:
        seen.append((tmp_path / "library.json").exists())  # not renamed into place yet
        return "done"

    assert storage.write(TABLES, meanwhile) == "done"
    assert seen == [False]
    assert orjson.loads((tmp_path / "library.json").read_bytes()) == TABLES


def test_a_failing_meanwhile_loses_nothing(tmp_path: Path, big_writes: None) -> None:
    storage = AtomicJSONStorage(tmp_path / "library.json", indent=True)

    def meanwhile() -> None:
        raise RuntimeError("boom")

    assert storage.write(TABLES, meanwhile) is None
    assert orjson.loads((tmp_path / "library.json").read_bytes()) == TABLES


def test_a_small_write_does_not_run_it(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "library.json", indent=True)
    assert storage.write(TABLES, lambda: "done") is None  # the caller makes it afterwards


def derived(folder: Path) -> tuple[dict[str, object], dict[str, object]]:
    """The preview and the search marks, without the library file's stamp."""
    preview = orjson.loads((folder / PREVIEW_FILE).read_bytes())
    marks = orjson.loads((folder / SEARCH_FILE).read_bytes())
    preview.pop("stamp"), marks.pop("stamp")
    return preview, marks


@pytest.mark.parametrize("fails", [False, True])
def test_derived_files_made_during_the_write_are_the_same(
    tmp_path: Path, big_writes: None, monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    real = DerivedFiles.prepare
    prepared: list[bool] = []

    def spying(self, table):  # type: ignore[no-untyped-def]
        prepared.append(True)
        if fails:
            raise MemoryError("no room")
        return real(self, table)

    monkeypatch.setattr(DerivedFiles, "prepare", spying)
    Library.open(tmp_path / "a").add(PAPERS, batch=1.0)
    assert prepared == [True]
    monkeypatch.setattr(DerivedFiles, "prepare", lambda self, table: None)  # made afterwards
    Library.open(tmp_path / "b").add(PAPERS, batch=1.0)
    mine, theirs = derived(tmp_path / "a"), derived(tmp_path / "b")
    assert mine == theirs
    preview, marks = mine
    assert preview["ids"] == "\n".join(p.id for p in PAPERS)
    assert len(marks["folds"]) >= 3  # the papers whose text folds beyond bytes.lower
