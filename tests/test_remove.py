"""Letting junk out: `papertray remove ID...`, `remove --source NAME`, `papertray sources`, and
marks that survive a remove and a re-import."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from papertray.store import Library, State
from papertray.tui.cli import run

FORMATS_DIR = Path(__file__).resolve().parent / "fixtures" / "formats"
EMAIL = FORMATS_DIR / "arxiv_email.txt"
ATOM = FORMATS_DIR / "arxiv_atom.xml"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = run(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    status, out, _ = cli(capsys, "list", "--format", "json", *args)
    assert status == 0
    return [p["id"] for p in json.loads(out)]


def test_sources_lists_each_digest_with_its_count(
    capsys: pytest.CaptureFixture[str], seed_path: Path
) -> None:
    status, out, err = cli(capsys, "sources")
    assert (status, out) == (0, "") and "the library is empty" in err
    for path in (seed_path, EMAIL, ATOM):
        assert cli(capsys, "import", str(path))[0] == 0
    status, out, _ = cli(capsys, "sources")
    assert status == 0
    assert out.splitlines() == [
        "   101  sample_digest.txt",
        "     2  arxiv_email.txt",
        "     2  arxiv_atom.xml",
    ]


def test_remove_by_id_prefix_and_arxiv_id(capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "import", str(EMAIL), str(ATOM))
    status, _, err = cli(capsys, "remove", "2403.00001", "arxiv:hep-th/9901001")
    assert status == 0
    assert "removed 2 papers" in err
    assert listed(capsys) == ["arxiv:2403.00002", "arxiv:2606.00001"]
    status, _, err = cli(capsys, "remove", "arxiv:2403.00001")
    assert status == 1 and "no paper with id" in err
    assert cli(capsys, "remove")[0] == 2


def test_remove_source_takes_only_what_came_from_it_alone(
    capsys: pytest.CaptureFixture[str], seed_path: Path, tmp_path: Path
) -> None:
    cli(capsys, "import", str(seed_path))
    # A second digest that repeats one paper of the first and adds its own.
    other = tmp_path / "other.txt"
    blocks = seed_path.read_text(encoding="utf-8").split("\n\n")[5:7]
    other.write_text("\n\n".join([*blocks, "A Paper Only Here", "Its own abstract, a long one."]))
    cli(capsys, "import", str(other))
    status, out, _ = cli(capsys, "sources")
    assert out.splitlines() == [
        "   101  sample_digest.txt  (1 also from other digests)",
        "     2  other.txt  (1 also from other digests)",
    ]
    status, _, err = cli(capsys, "remove", "--source", "sample_digest.txt")
    assert status == 0
    assert "removed 100 papers" in err and "1 of the papers from sample_digest.txt" in err
    ids = listed(capsys)
    assert len(ids) == 2  # the shared paper stays: it came from other.txt too
    status, out, _ = cli(capsys, "sources")
    assert out.splitlines() == [
        "     1  sample_digest.txt  (1 also from other digests)",
        "     2  other.txt  (1 also from other digests)",
    ]
    status, _, err = cli(capsys, "remove", "--source", "nope.txt")
    assert status == 1 and "no digest named 'nope.txt'" in err


def test_the_bundled_sample_can_be_removed_after_the_first_run(
    capsys: pytest.CaptureFixture[str], seed_path: Path, data_dir: Path
) -> None:
    cli(capsys, "import", str(seed_path))  # what the first run of the reader does
    assert cli(capsys, "remove", "--source", "sample_digest.txt")[0] == 0
    assert listed(capsys) == []
    assert cli(capsys, "sources")[1] == ""


def test_marks_survive_remove_and_reimport(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "digest.txt"
    shutil.copy(EMAIL, copy)
    cli(capsys, "import", str(copy))
    cli(capsys, "star", "2403.00001")
    cli(capsys, "tag", "2403.00002", "+keep")
    assert cli(capsys, "remove", "--source", "digest.txt")[0] == 0
    assert listed(capsys) == []
    assert listed(capsys, "-q", "is:starred") == []
    status, _, err = cli(capsys, "import", str(copy))
    assert status == 0 and "2 new" in err  # parsed again, not recalled as "nothing to do"
    assert listed(capsys, "-q", "is:starred") == ["arxiv:2403.00001"]
    assert listed(capsys, "-q", "tag:keep") == ["arxiv:2403.00002"]
    state = State.open(data_dir)
    assert state.get("arxiv:2403.00001").starred


def test_replacements_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = cli(capsys, "import", str(EMAIL))
    assert status == 0
    assert err.strip().endswith(
        "2 papers (arxiv-email): 2 new, 0 merged, 0 skipped; "
        "1 replacement(s): 0 updated, 1 not in the library (skipped)"
    )


def test_library_remove_keeps_the_index_and_sources_consistent() -> None:
    from papertray.store.ingest import ingest_file

    library = Library.in_memory()
    result = ingest_file(EMAIL)
    library.add(result.papers)
    assert library.remove(["arxiv:2403.00001", "missing"]) == ["arxiv:2403.00001"]
    assert library.remove(["arxiv:2403.00001"]) == []
    assert [p.id for p in library.papers()] == ["arxiv:2403.00002"]
    assert library.sources() == [("arxiv_email.txt", 1, 1)]
    report = library.add(result.papers)  # the same title comes back under its id
    assert (report.new, report.skipped) == (1, 1)
    assert library.ids_only_from("arxiv_email.txt") == ["arxiv:2403.00002", "arxiv:2403.00001"]
