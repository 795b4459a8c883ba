"""A data folder written by papertray 0.1 (`tests/fixtures/data-0.1`, made by that release: see
its HOW.md) opens in this one with nothing lost: every paper in its place, every mark, tag and
note, every mute rule under its number, the import batches; the old files kept beside the new
ones, the step said in one line, and done once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from helpers.cli import FIXTURES, copied_fixture, papertray

from papertray.store import Library, PaperState, State
from papertray.store.models import Paper

OLD = FIXTURES / "data-0.1"


@pytest.fixture
def old_folder(tmp_path: Path) -> Path:
    return copied_fixture("data-0.1", tmp_path)


def old_papers() -> list[Paper]:
    tables = orjson.loads((OLD / "library.json").read_bytes())
    return [Paper.from_dict({**doc, "id": pid}) for pid, doc in tables["papers"].items()]


def old_marks() -> dict[str, PaperState]:
    tables = orjson.loads((OLD / "state.json").read_bytes())
    return {pid: PaperState.from_dict(doc) for pid, doc in tables["states"].items()}


def test_the_old_folder_is_what_the_fixture_says() -> None:
    # The fixture itself: 109 papers, 7 marked (one of them removed), 2 rules.
    assert len(old_papers()) == 109
    assert len(old_marks()) == 7
    assert "t:c1d2792e618f1d8a" in old_marks()
    assert "t:c1d2792e618f1d8a" not in {p.id for p in old_papers()}


def test_every_paper_mark_rule_and_batch_comes_over(old_folder: Path) -> None:
    run = papertray(old_folder, "list", "--format", "jsonl")
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 2, lines  # the upgrade in one line, then the muted papers' count
    assert lines[0].startswith("papertray: data folder upgraded: the library moved to ")
    assert "(109 papers, 3 import batches;" in lines[0]
    assert "state.json moved to the new layout (7 papers marked, 2 mute rules;" in lines[0]
    assert "muted" in lines[1]

    library, state = Library.open(old_folder), State.open(old_folder)
    # Papers: the same ids, in the same order, with every field.
    assert library.papers() == old_papers()
    # Marks: the same, under the same ids (the removed paper's included).
    assert state.all() == old_marks()
    # Mute rules: the same numbers, queries, whys and times; the next number is still 3.
    rules = state.mute_rules()
    assert [(r.number, r.query, r.why) for r in rules] == [
        (1, "survey", "not reviews"),
        (2, "title:benchmark OR tag:skip", ""),
    ]
    assert rules[0].created == 1795421100.0
    state.remove_mute(2)
    assert state.add_mute("diffusion").number == 3  # a removed number is never given again
    # Import batches: the latest is the fetched day, three papers new.
    latest = library.latest_import()
    assert latest is not None and latest.new == 3
    assert {p.id for p in library.papers() if p.added_at == latest.at} == {
        "arxiv:2612.00101", "arxiv:2612.00102", "arxiv:2612.00103",
    }  # fmt: skip
    assert [name for name, _count, _only in library.sources()] == [
        "sample_digest.txt", "arxiv_atom.xml", "refs.bib", "hf 2026-12-01",
    ]  # fmt: skip
    # The old files are kept, renamed; nothing of the old layout is left in use.
    names = sorted(p.name for p in old_folder.iterdir())
    for kept in ("library.json.pre-0.2", "state.json.pre-0.2", "library.preview.json.pre-0.2",
                 "library.search.json.pre-0.2", "http-cache.json.pre-0.2"):  # fmt: skip
        assert kept in names
    assert "library.json" not in names and "library.db" in names
    assert (old_folder / "library.json.pre-0.2").read_bytes() == (OLD / "library.json").read_bytes()
    assert (old_folder / "state.json.pre-0.2").read_bytes() == (OLD / "state.json").read_bytes()


def test_the_upgrade_is_done_once(old_folder: Path) -> None:
    assert papertray(old_folder, "sources").returncode == 0
    again = papertray(old_folder, "sources")
    assert again.returncode == 0 and "upgraded" not in again.stderr and again.stderr == ""
    assert len(Library.open(old_folder)) == 109


def test_queries_and_counts_after_the_upgrade(old_folder: Path) -> None:
    starred = papertray(old_folder, "list", "-q", "is:starred", "--format", "jsonl")
    ids = [orjson.loads(line)["id"] for line in starred.stdout.splitlines()]
    assert ids == ["t:243ff14e222536a8", "arxiv:1706.03762", "arxiv:2612.00101"]
    # The removed paper's tag is not counted: no paper in the library carries it.
    tags = papertray(old_folder, "tags").stdout.split()
    assert "removed-later" not in tags and "diffusion" in tags
    note = papertray(old_folder, "list", "-q", "has:note", "--format", "json").stdout
    assert "Re-read §3.2" in note and "ablations [table 4]" in note


def test_a_paper_removed_before_the_upgrade_comes_back_with_its_marks(old_folder: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "store" / "data" / "sample_digest.txt"
    assert papertray(old_folder, "import", str(sample)).returncode == 0
    back = papertray(old_folder, "list", "-q", "tag:removed-later", "--format", "jsonl")
    (line,) = back.stdout.splitlines()
    record = orjson.loads(line)
    assert record["id"] == "t:c1d2792e618f1d8a" and record["starred"] is True


def test_two_processes_upgrading_at_once(old_folder: Path) -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", "from papertray.tui.cli import main; main()",
             "--data-dir", str(old_folder), "list", "--format", "jsonl"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    outs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outs
    # Each step done once, by one of the two (which one did which is a race).
    assert sum(err.count("the library moved to") for _out, err in outs) == 1
    assert sum(err.count("state.json moved to the new layout") for _out, err in outs) == 1
    assert outs[0][0] == outs[1][0]
    muted = papertray(old_folder, "list", "-q", "is:muted", "--format", "jsonl")
    assert len(outs[0][0].splitlines()) + len(muted.stdout.splitlines()) == 109
    assert len(Library.open(old_folder)) == 109
