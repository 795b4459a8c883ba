"""An export imported into a fresh library gives back the fields it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertray.store import Library, Paper
from papertray.store.ingest import ingest_text
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


def test_json_export_imports_with_its_arxiv_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = round_trip(tmp_path, capsys, "json")
    assert record["title"] == ARXIV.title
    assert record["categories"] == ["cs.CL", "cs.LG"]
    assert record["remarks"] == "NeurIPS 2025, 12 pages"
    assert record["arxiv_version"] == 2


def test_bibtex_export_keeps_an_escaped_brace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = round_trip(tmp_path, capsys, "bibtex")
    assert record["title"] == "Unbalanced { brace and a } one"
    assert record["authors"] == ["A. One"]


def test_a_json_record_names_its_arxiv_version_in_the_field_or_the_id() -> None:
    text = json.dumps(
        [
            {"title": "From the field", "arxiv_id": "2401.00001v1", "arxiv_version": 4},
            {"title": "From the id", "arxiv_id": "2401.00002v3"},
            {"title": "Out of range", "arxiv_id": "2401.00003", "arxiv_version": 10**30},
        ]
    )
    papers = ingest_text(text, fmt="json").papers
    assert [p.arxiv_version for p in papers] == [4, 3, None]
