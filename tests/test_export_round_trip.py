"""An export imported into a fresh library gives back the fields it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertray.store import Library, Paper
from papertray.tui.cli import run

ARXIV = Paper(
    "arxiv:2401.01234",
    "Unbalanced { brace and a } one",
    "An abstract.",
    ("A. One",),
    arxiv_id="2401.01234",
    categories=("cs.CL", "cs.LG"),
    remarks="NeurIPS 2025, 12 pages",
    arxiv_version=2,
)


def round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> dict[str, object]:
    """The one paper of a library exported as `fmt`, imported into another, as JSON."""
    first, second = tmp_path / "first", tmp_path / "second"
    library = Library.open(first)
    library.add([ARXIV])
    library.close()
    assert run(["--data-dir", str(first), "list", "--format", fmt]) == 0
    exported = tmp_path / f"export.{fmt}"
    exported.write_text(capsys.readouterr().out, encoding="utf-8")
    assert run(["--data-dir", str(second), "import", str(exported)]) == 0
    capsys.readouterr()
    assert run(["--data-dir", str(second), "list", "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    return dict(record)


def test_bibtex_export_keeps_an_escaped_brace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = round_trip(tmp_path, capsys, "bibtex")
    assert record["title"] == "Unbalanced { brace and a } one"
    assert record["authors"] == ["A. One"]
