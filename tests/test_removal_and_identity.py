"""A paper's lasting identity and what removal means (issue 19, points 5 and 6): marks are kept
under the id a paper first came with, whatever name it returns under; a removed paper stays
removed when the same day is fetched again (a tombstone), comes back only through an explicit
import of a file that holds it or through undo, and undo puts it back where it was with its
first added time; a library that is missing or was moved aside is rebuilt by the next fetch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from helpers.snapshot import snapshot
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papertray.store import Library, Paper, State, parse_query
from papertray.tui.cli import run

DAY = Path(__file__).resolve().parent / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"
FIRST = "arxiv:2612.00101"  # the day's first paper


@pytest.fixture
def served(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """The HF day on loopback, with an ETag that changes every time (each fetch is a full
    download unless asked otherwise)."""
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    body = DAY.read_bytes()
    count = [0]

    def answer(_request: Request) -> Response:
        count[0] += 1
        return Response(body, content_type="application/json", headers={"ETag": f'"{count[0]}"'})

    httpserver.expect_request("/api/daily_papers").respond_with_handler(answer)
    return httpserver


def fetch_day(capsys: pytest.CaptureFixture[str]) -> str:
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    return capsys.readouterr().err


def listed(capsys: pytest.CaptureFixture[str], query: str = "") -> list[str]:
    assert run(["list", "-q", query, "--format", "jsonl"]) == 0
    return [orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]


# -- a removed paper stays removed ------------------------------------------------------------


def test_a_fetch_of_the_same_day_does_not_bring_a_removed_paper_back(
    served: HTTPServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_day(capsys)
    assert run(["remove", FIRST]) == 0
    capsys.readouterr()
    err = fetch_day(capsys)
    assert "1 removed earlier (left out)" in err
    assert FIRST not in listed(capsys)
    assert len(served.log) == 2 and served.log[-1][1].status_code == 200  # a full download


def test_an_explicit_import_brings_it_back_with_its_marks(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = tmp_path / "day.json"
    day.write_bytes(DAY.read_bytes())
    assert run(["import", str(day)]) == 0
    assert run(["star", FIRST]) == 0 and run(["tag", FIRST, "+sparse"]) == 0
    assert run(["note", FIRST, "read §2"]) == 0
    assert run(["remove", FIRST]) == 0
    capsys.readouterr()
    assert FIRST not in listed(capsys)
    assert run(["import", str(day)]) == 0
    capsys.readouterr()
    assert run(["list", "-q", "is:starred", "--format", "jsonl"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["id"] == FIRST and record["tags"] == ["sparse"] and record["note"] == "read §2"


def test_undo_puts_a_removed_paper_back_where_it_was_and_not_new(data_dir: Path) -> None:
    library = Library.open(data_dir)
    library.add([Paper("t:a", "Alpha paper"), Paper("t:b", "Beta paper")], batch=100.0)
    library.add([Paper("t:c", "Gamma paper")], batch=200.0)
    before = library.papers()
    assert library.remove(["t:a"]) == ["t:a"]
    assert [p.id for p in library.papers()] == ["t:b", "t:c"]
    assert library.restore(["t:a"]) == ["t:a"]
    assert library.papers() == before  # in its place, with its first added time
    latest = library.latest_import()
    assert latest is not None and latest.at == 200.0
    new = library.select(parse_query("is:new"), {}, context=_new(latest.at))
    assert [p.id for p in library.rows(new.rowids)] == ["t:c"]  # is:new has not changed
    assert library.restore(["t:a"]) == []  # once


def _new(at: float):  # type: ignore[no-untyped-def]
    from papertray.store.query import QueryContext

    return QueryContext(at)


def test_removal_and_restore_keep_the_word_index_in_step(data_dir: Path) -> None:
    library = Library.open(data_dir)
    library.add([Paper("t:a", "Quantum annealing", "qubits"), Paper("t:b", "Other", "words")])
    query = parse_query("qubit")
    assert len(library.select(query, {}).rowids) == 1
    library.remove(["t:a"])
    assert library.select(query, {}).rowids == []
    library.restore(["t:a"])
    assert [p.id for p in library.rows(library.select(query, {}).rowids)] == ["t:a"]


# -- a lasting identity -------------------------------------------------------------------------


def test_a_page_copy_paper_keeps_its_marks_when_it_returns_under_its_arxiv_id(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A paper first imported from a page copy (a title id), linked to arXiv (as `enrich`
    does), starred and tagged, removed: the HF day that holds it under its arXiv id leaves it
    out (removed), and an explicit import of that day brings it back, marks and all."""
    page = tmp_path / "page.txt"
    title = "Sparse Attention for Long-Context Reasoning"
    page.write_text(f"{title}\n\nWe study sparse attention over long contexts, at length.\n")
    assert run(["import", str(page)]) == 0
    (pid,) = listed(capsys)
    assert pid.startswith("t:")
    # The arXiv id learnt from a second source: the paper keeps its id, the arXiv id is a name.
    library = Library.open(data_dir)
    library.add([Paper("arxiv:2612.00101", title, arxiv_id="2612.00101")], kind="enrich")
    assert [p.id for p in library.papers()] == [pid]
    assert run(["star", "2612.00101"]) == 0 and run(["tag", pid, "+attention"]) == 0
    assert run(["remove", pid]) == 0
    day = tmp_path / "day.json"
    day.write_bytes(DAY.read_bytes())
    assert run(["import", str(day)]) == 0
    capsys.readouterr()
    assert run(["list", "-q", "is:starred", "--format", "jsonl"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["id"] == pid and record["arxiv_id"] == "2612.00101"
    assert record["tags"] == ["attention"] and record["upvotes"] is not None


def test_tags_counts_only_papers_in_the_library(
    data_dir: Path, seed_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["import", str(seed_path)]) == 0
    first, second = listed(capsys)[:2]
    assert run(["tag", first, "+gone", "+kept"]) == 0 and run(["tag", second, "+kept"]) == 0
    assert run(["remove", first]) == 0
    capsys.readouterr()
    assert run(["tags"]) == 0
    assert capsys.readouterr().out.split() == ["1", "kept"]
    assert State.open(data_dir).get(first).tags == ("gone", "kept")  # the marks stay


def test_distinct_works_of_one_title_are_kept_apart(data_dir: Path) -> None:
    library = Library.open(data_dir)
    library.add([Paper("t:1", "Introduction", authors=("Ada Lovelace",), published="2020")])
    report = library.add([
        # Nothing contradicts: one work (a page copy's title, and its arXiv record).
        Paper("arxiv:2001.1", "Introduction", arxiv_id="2001.1"),
        # Another arXiv id, another first author, another year: three other works.
        Paper("arxiv:2001.2", "Introduction", arxiv_id="2001.2", authors=("Grace Hopper",)),
        Paper("t:x", "Introduction", authors=("Alan Turing",), published="2020"),
        Paper("t:y", "Introduction", authors=("Ada Lovelace",), published="1843"),
    ])
    assert report.ids == ["t:1", "arxiv:2001.2", "t:x", "t:y"]
    assert len(library) == 4
    assert library.get("t:1").arxiv_id == "2001.1"  # type: ignore[union-attr]


# -- the library and the HTTP cache live and die together ----------------------------------------


@pytest.mark.parametrize("how", ["missing", "damaged"])
def test_a_library_moved_aside_is_rebuilt_by_the_next_fetch(
    how: str, httpserver: HTTPServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    body = DAY.read_bytes()

    def answer(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"day"':
            return Response(status=304, headers={"ETag": '"day"'})
        return Response(body, content_type="application/json", headers={"ETag": '"day"'})

    httpserver.expect_request("/api/daily_papers").respond_with_handler(answer)
    fetch_day(capsys)
    assert "0 new" in fetch_day(capsys)  # the same day again: a 304
    assert httpserver.log[-1][1].status_code == 304
    db = data_dir / "library.db"
    for side in ("library.db-wal", "library.db-shm"):
        (data_dir / side).unlink(missing_ok=True)
    if how == "missing":
        db.unlink()
    else:
        db.write_bytes(b"this is no database" * 100)
    err = fetch_day(capsys)
    assert httpserver.log[-1][1].status_code == 200  # asked for whole: no 304 for lost papers
    assert "3 new" in err
    assert len(listed(capsys)) == 3


# -- another process's import ----------------------------------------------------------------------


def test_another_process_import_is_seen_with_its_new_papers(data_dir: Path, tmp_path: Path) -> None:
    library = Library.open(data_dir)
    library.add([Paper("t:a", "Alpha paper")], batch=100.0)
    assert library.stale() is False
    day = tmp_path / "day.json"
    day.write_bytes(DAY.read_bytes())
    done = subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()", "import", str(day)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert library.stale() is True
    latest = library.latest_import()
    assert latest is not None and latest.new == 3 and latest.at != 100.0
    new = library.select(parse_query("is:new"), {}, context=_new(latest.at))
    assert {p.id for p in library.rows(new.rowids)} == {
        "arxiv:2612.00101", "arxiv:2612.00102", "arxiv:2612.00103",
    }  # fmt: skip
    assert library.refresh() is True and library.stale() is False


def test_a_refused_fetch_leaves_the_folder_as_it_was(
    httpserver: HTTPServer, data_dir: Path, seed_path: Path, monkeypatch, capsys
) -> None:
    assert run(["import", str(seed_path)]) == 0
    before = snapshot(data_dir)
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        b'[{"paper": {"id": "2612.00101", "title": "cut', content_type="application/json"
    )
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 1
    assert snapshot(data_dir) == before
