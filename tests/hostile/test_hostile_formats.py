"""Files whose fields have the wrong type or size for what papertray makes of them: each is read
like other damage in its format (the field left out, the entry skipped, or the file refused in
one line), never exit 70, under `import` and `list FILE` alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertray.store import Library, limits
from papertray.store.ingest import ingest_text
from papertray.tui.cli import run


def _both(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Import `path` and list it: both succeed; the import's stderr is returned."""
    assert run(["import", str(path)]) == 0
    err = capsys.readouterr().err
    assert run(["list", str(path)]) == 0
    assert "unexpected error" not in capsys.readouterr().err
    return err


def _hf(item: dict[str, object] | None = None, **paper: object) -> str:
    """A daily-papers item (json: orjson writes no integer past 64 bits)."""
    fields = {"id": "2606.00467", "title": "t", "summary": "s", **paper}
    return json.dumps([{"paper": fields, **(item or {})}])


def test_a_count_past_64_bits_is_left_out(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hf.json"
    path.write_text(_hf({"numComments": 1e300}, upvotes=10**20, githubStars=-(10**20)))
    _both(path, capsys)
    (paper,) = Library.open(data_dir).papers()
    assert (paper.id, paper.upvotes, paper.stars, paper.comments) == (
        "arxiv:2606.00467", None, None, None
    )


def test_max_count() -> None:
    at = ingest_text(_hf(upvotes=limits.MAX_COUNT, githubStars=0)).papers
    assert [(p.upvotes, p.stars) for p in at] == [(limits.MAX_COUNT, 0)]
    past = ingest_text(_hf(upvotes=limits.MAX_COUNT + 1, githubStars=-1)).papers
    assert [(p.upvotes, p.stars) for p in past] == [(None, None)]
