"""Files from other parsers' own test suites (tests/corpus/SOURCES.tsv names each one's
repository and path) through the real `papertray list FILE`: no crash, no junk paper, and every
refusal one line with exit status 1 (issue 21)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from papertray.store.models import title_key

CORPUS = Path(__file__).resolve().parent / "corpus"
SOURCES = [
    line.split("\t")
    for line in (CORPUS / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
# What a title made of markup, a field label, a separator or a file's syntax starts with.
JUNK_STARTS = ("<", "|", "@", "[", "#", "{", "}", "-", "\\", "%", "TY  -", "Title:", "http")


def test_every_file_is_listed_with_its_source() -> None:
    listed = {row[0] for row in SOURCES}
    found = {
        str(path.relative_to(CORPUS))
        for path in CORPUS.rglob("*")
        if path.is_file() and path.name != "SOURCES.tsv"
    }
    assert found == listed
    assert all(len(row) == 4 and "/" in row[1] for row in SOURCES)


@pytest.mark.parametrize(("name", "outcome"), [(row[0], row[3]) for row in SOURCES])
def test_papertray_list(name: str, outcome: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()", "list",
         str(CORPUS / name), "--format", "json", "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in run.stderr and run.returncode != 70, run.stderr
    if outcome == "refused":
        assert run.returncode == 1, run.stderr
        assert len(run.stderr.splitlines()) == 1 and not run.stdout, run.stderr
        return
    assert run.returncode == 0, run.stderr
    papers = json.loads(run.stdout)
    assert len(papers) == int(outcome.split()[1])
    for paper in papers:
        title = paper["title"]
        assert title_key(title) and not title.startswith(JUNK_STARTS), title
        assert "\ufffd" not in title and "</" not in title, title
