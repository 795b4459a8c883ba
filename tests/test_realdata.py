"""Every real file in ../shared/realdata gives what its expect.json entry says, through the real
`papertray import` and `papertray list FILE --format json`, and none gives a paper whose title is
markup, a field label or a separator. Skipped when the folder is absent."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
EXPECT: dict[str, dict[str, Any]] = (
    json.loads((REALDATA / "expect.json").read_text(encoding="utf-8"))
    if (REALDATA / "expect.json").is_file()
    else {}
)
BAD_STARTS = ("<", "|", "@", "[", "#", "{", "}", "-", "Title:", "Date:", "arXiv:", "http")
SUMMARY = re.compile(r": (\d+) papers \(([\w-]+)\): (\d+) new, (\d+) merged, (\d+) skipped")

pytestmark = pytest.mark.skipif(not EXPECT, reason=f"no real data at {REALDATA}")


def papertray(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _refused(run: subprocess.CompletedProcess[str]) -> bool:
    """A refusal: non-zero exit, one line that says what the file is and that papertray does
    not read it, nothing on stdout."""
    lines = run.stderr.splitlines()
    return (
        run.returncode == 1
        and len(lines) == 1
        and "not a digest papertray reads" in lines[0]
        and "looks like" in lines[0]
        and not run.stdout.strip()
    )


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_real_file(name: str, tmp_path: Path) -> None:
    expect = EXPECT[name]
    path = REALDATA / name
    data = ["--data-dir", str(tmp_path / "data")]
    imported = papertray("import", str(path), *data)
    listed = papertray(
        "list", str(path), "--format", "json", *(["--data-dir", str(tmp_path / "list")])
    )
    for run in (imported, listed):
        assert "Traceback" not in run.stderr and "unexpected error" not in run.stderr, run.stderr

    if listed.returncode != 0:
        assert "parse_or_refuse" in expect or "refuse_or_clean" in expect, listed.stderr
        assert _refused(listed), listed.stderr
        assert _refused(imported), imported.stderr
        assert not (tmp_path / "data" / "library.db").exists()  # nothing imported
        return

    assert imported.returncode == 0, imported.stderr
    papers = json.loads(listed.stdout)
    found = SUMMARY.search(imported.stderr)
    assert found, imported.stderr
    read = int(found.group(1))  # what the file gives, duplicates within it included
    ids = [p["id"] for p in papers]

    # The global rules.
    assert len(ids) == len(set(ids))
    for paper in papers:
        assert paper["title"].strip() and not paper["title"].startswith(BAD_STARTS), paper["title"]
    by_title: dict[str, str] = {}
    for paper in papers:  # two different papers never share an id, nor one paper two titles
        assert by_title.setdefault(paper["id"], paper["title"]) == paper["title"]

    if "count" in expect:
        assert len(papers) == expect["count"]
        assert read == len(papers)
    if "count_min" in expect:
        # Papers, not entries: a .bib that holds the same paper twice (same DOI or arXiv id)
        # gives it once, and `import` says how many entries it read, duplicates included.
        assert expect["count_min"] <= len(papers) <= expect["count_max"], imported.stderr
        assert len(papers) <= read
    if "parse_or_refuse" in expect:
        assert len(papers) == expect["parse_or_refuse"]
    if "refuse_or_clean" in expect:
        assert papers
    if expect.get("ids") == "arxiv":
        assert all(pid.startswith("arxiv:") for pid in ids)
    if "with_abstract" in expect:
        assert sum(1 for p in papers if p["abstract"]) >= expect["with_abstract"]
    if expect.get("authors"):
        assert all(p["authors"] for p in papers)
    if "digest_date" in expect:
        assert {p.get("digest_date") for p in papers} == {expect["digest_date"]}
    for fragment in expect.get("repo_never", []):
        assert not any(fragment in (p.get("repo") or "") for p in papers)
