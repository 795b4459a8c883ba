"""The headless CLI: what scripts and pipes see on stdout, stderr and in the exit status."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from papertray.store import State
from papertray.tui.cli import run

SEED_COUNT = 101
MESA_ID = "t:ba8ba4ceeb2031e1"


def papertray(*args: str) -> tuple[int, str, str]:
    """Run the real command in a fresh process, as a script would."""
    proc = subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def imported(seed_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run(["import", str(seed_path)]) == 0
    capsys.readouterr()
    return seed_path


def test_import_reports_new_merged_skipped(seed_path: Path, capsys) -> None:
    assert run(["import", str(seed_path)]) == 0
    first = capsys.readouterr().err.strip()
    assert first.endswith("101 papers (page): 101 new, 0 merged, 0 skipped")
    assert run(["import", str(seed_path)]) == 0
    again = capsys.readouterr().err.strip()
    assert again.endswith("101 papers (page): 0 new, 0 merged, 101 skipped")


def test_list_json_records(imported: Path, capsys) -> None:
    assert run(["list", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == SEED_COUNT
    mesa = next(r for r in records if r["id"] == MESA_ID)
    for key in (
        "id",
        "title",
        "abstract",
        "authors",
        "published",
        "links",
        "repo",
        "read",
        "starred",
        "tags",
        "note",
        "source",
    ):
        assert key in mesa
    assert mesa["title"] == "Mesa: A Memory-saving Training Framework for Transformers"
    assert mesa["repo"] == "https://github.com/ziplab/Mesa"
    assert mesa["links"] == ["https://github.com/ziplab/Mesa"]
    assert (mesa["read"], mesa["starred"], mesa["tags"], mesa["note"]) == (False, False, [], "")
    assert mesa["source"] == "sample_digest.txt"


def test_list_files_shows_them_without_importing(seed_path: Path, data_dir: Path, capsys) -> None:
    assert run(["list", str(seed_path), "-q", "mesa", "--format", "jsonl"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["id"] == MESA_ID
    assert not (data_dir / "library.db").exists()  # a view: nothing imported
    assert run(["list", "--format", "jsonl"]) == 0
    assert capsys.readouterr().out == ""


def test_list_files_shows_the_marks_of_papers_in_the_library(seed_path: Path, capsys) -> None:
    assert run(["import", str(seed_path)]) == 0
    assert run(["star", MESA_ID]) == 0
    assert run(["tag", MESA_ID, "+llm", "+memory"]) == 0
    assert run(["note", MESA_ID, "try", "it"]) == 0
    capsys.readouterr()
    assert run(["list", str(seed_path), "-q", "tag:llm", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["starred"] is True
    assert record["tags"] == ["llm", "memory"] and record["note"] == "try it"


def test_query_filters_and_bad_query_is_one_line(imported: Path, capsys) -> None:
    assert run(["list", "-q", 'has:repo "memory" -survey', "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records and all(r["repo"] for r in records)
    assert all("memory" in (r["title"] + r["abstract"]).lower() for r in records)
    assert all("survey" not in (r["title"] + r["abstract"]).lower() for r in records)
    assert run(["list", "-q", "colour:red"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown field 'colour:'" in err


def test_marks_by_id_prefix_and_arxiv_forms(imported: Path, data_dir: Path, capsys) -> None:
    assert run(["read", "t:ba8b"]) == 0
    assert run(["star", "ba8ba4"]) == 0
    state = State.open(data_dir)
    assert state.get(MESA_ID).read and state.get(MESA_ID).starred
    assert run(["unread", MESA_ID]) == 0 and run(["unstar", MESA_ID]) == 0
    state = State.open(data_dir)
    assert not state.get(MESA_ID).read and not state.get(MESA_ID).starred
    assert run(["tag", MESA_ID, "+a", "+b"]) == 0 and run(["tag", MESA_ID, "-a"]) == 0
    assert State.open(data_dir).get(MESA_ID).tags == ("b",)
    capsys.readouterr()
    assert run(["tags"]) == 0
    assert capsys.readouterr().out.split() == ["1", "b"]


def test_unknown_and_ambiguous_ids(imported: Path, capsys) -> None:
    assert run(["star", "nope"]) == 1
    assert "no paper with id 'nope'" in capsys.readouterr().err
    assert run(["star", "t:"]) == 1
    assert "ambiguous" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "bibtex"])
def test_other_formats(imported: Path, data_dir: Path, fmt: str, capsys) -> None:
    run(["star", MESA_ID])
    run(["tag", MESA_ID, "+llm"])
    capsys.readouterr()
    assert run(["list", "-q", "mesa", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "table":
        # The reader's glyphs (store/markers.py): unread, starred, later, repo, note.
        assert out.startswith("●★ ⌥  t:ba8ba4ceeb2031e1") and out.rstrip().endswith("#llm")
    elif fmt == "md":
        title = "Mesa: A Memory-saving Training Framework for Transformers"
        assert out.startswith(f"- [ ] ⭐ **{title}**")
        assert "([GitHub](https://github.com/ziplab/Mesa))" in out and "`llm`" in out
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["id"] for r in rows] == [MESA_ID]
        assert rows[0]["starred"] == "1" and rows[0]["tags"] == "llm"
    else:
        assert out.startswith("@misc{mesa,\n")  # no author, no year: the title's word
        assert "title = {{Mesa: A Memory-saving Training Framework for Transformers}}" in out
        assert "howpublished" not in out and "ziplab" not in out  # the code is not the paper


def test_bad_files_get_one_line_and_nonzero_exit(tmp_path: Path) -> None:
    binary = tmp_path / "x.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    cases = {
        str(tmp_path / "missing.txt"): "no such file",
        str(tmp_path): "directory",
        str(binary): "",
    }
    for path, expected in cases.items():
        code, out, err = papertray("import", path)
        assert code != 0, path
        assert out == ""
        assert err.count("\n") == 1 and err.startswith("papertray: "), err
        assert "Traceback" not in err
        assert expected in err


def test_list_of_a_bad_file_imports_nothing(seed_path: Path, tmp_path: Path, capsys) -> None:
    missing = tmp_path / "missing.txt"
    assert run(["list", str(seed_path), str(missing)]) == 1
    capsys.readouterr()
    assert run(["list", "--format", "jsonl"]) == 0
    assert capsys.readouterr().out == ""  # the good file was not half-imported either


def test_stdin_and_pipes(seed_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from papertray.tui.cli import main; main()",
            "list",
            "-",
            "--format",
            "jsonl",
            "-q",
            "has:repo",
        ],
        input=seed_path.read_bytes(),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 28


def test_help_lists_every_subcommand() -> None:
    code, out, _ = papertray("--help")
    assert code == 0
    for sub in ("import", "list", "read", "unread", "star", "unstar", "tag", "note"):
        assert sub in out


def test_list_query_equals_the_matcher_also_through_tags(imported: Path, capsys) -> None:
    """The pre-filter of `list -q` on the stored text must agree with Query.matches exactly,
    including a bare word that only a tag holds and a capitalised word in the text."""
    from papertray.store import Library, parse_query
    from papertray.store.paths import data_dir

    run(["tag", MESA_ID, "+zebrafish"])
    capsys.readouterr()
    papers = Library.open(data_dir()).papers()
    state = State.open(data_dir())
    for text in (
        "zebrafish",
        "memory efficient",
        "Mesa",
        '"low-bit"',
        "memory -survey",
        "llm OR vlm",
    ):
        assert run(["list", "-q", text, "--format", "jsonl"]) == 0
        got = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
        query = parse_query(text)
        assert got == [p.id for p in papers if query.matches(p, state.get(p.id))], text
    assert run(["list", "-q", "zebrafish", "--format", "jsonl"]) == 0
    assert [json.loads(x)["id"] for x in capsys.readouterr().out.splitlines()] == [MESA_ID]


def test_review_fixes_limit_dash_query_and_comma_tags(
    imported: Path, data_dir: Path, capsys
) -> None:
    code, _out, err = papertray("--data-dir", str(data_dir), "list", "-n", "-1")
    assert code == 2 and "must be 0 or more" in err
    capsys.readouterr()
    assert run(["list", "-q", "-survey", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert 0 < len(lines) < SEED_COUNT
    assert all(
        "survey" not in (json.loads(x)["title"] + json.loads(x)["abstract"]).lower() for x in lines
    )
    assert run(["tag", MESA_ID, "+a,b", "-q"]) == 0
    assert State.open(data_dir).get(MESA_ID).tags == ("a", "b")
    capsys.readouterr()


def test_empty_messages(capsys) -> None:
    assert run(["tags"]) == 0
    assert "no tags yet" in capsys.readouterr().err
    assert run(["list"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "library is empty" in captured.err
