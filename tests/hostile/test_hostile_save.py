"""Issue 20, point 5: `fetch --save FILE` never writes the user's own data. A path inside the
data folder is refused (even with --force), an existing file is refused unless --force, a
symlink is replaced, never written through, and the file is written whole or not at all.
Each refusal is one line, before anything is asked of the network."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from helpers.loopback import folder_bytes, the_line
from pytest_httpserver import HTTPServer

from papertray.tui.cli import run

DAY = Path(__file__).resolve().parents[1] / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"


@pytest.fixture
def day(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        DAY.read_bytes(), content_type="application/json"
    )
    return httpserver


def fetch_to(*save: str) -> list[str]:
    return ["fetch", "hf", "--date", "2026-12-01", "--save", *save]


@pytest.mark.parametrize("name", ["state.json", "library.json", "new-file.json", "."])
@pytest.mark.parametrize("force", [False, True])
def test_a_path_in_the_data_folder_is_refused(
    day, seeded, data_dir: Path, capsys, name: str, force: bool
) -> None:
    argv = fetch_to(str(data_dir / name)) + (["--force"] if force else [])
    assert run(argv) == 1
    line = the_line(capsys.readouterr().err)
    assert "data folder" in line or "that is a folder" in line, line
    assert str(data_dir / name).rstrip("/.") in line
    assert day.log == []  # refused before any request
    assert folder_bytes(data_dir) == seeded


def test_a_symlink_or_a_linked_folder_into_the_data_folder_is_refused(
    day, seeded, data_dir: Path, tmp_path: Path, capsys
) -> None:
    (tmp_path / "marks.json").symlink_to(data_dir / "state.json")
    (tmp_path / "linked").symlink_to(data_dir, target_is_directory=True)
    for target in (tmp_path / "marks.json", tmp_path / "linked" / "state.json"):
        for force in ([], ["--force"]):
            assert run(fetch_to(str(target)) + force) == 1
            assert "is in papertray's data folder" in the_line(capsys.readouterr().err)
    assert day.log == []
    assert folder_bytes(data_dir) == seeded


def test_an_existing_file_is_refused_unless_force(day, data_dir: Path, tmp_path: Path, capsys):
    mine = tmp_path / "mine.json"
    mine.write_text("my own notes")
    before = folder_bytes(data_dir)
    assert run(fetch_to(str(mine))) == 1
    assert the_line(capsys.readouterr().err) == (
        f"papertray: refusing to save to {mine}: it exists (--force replaces it)"
    )
    assert mine.read_text() == "my own notes" and day.log == []
    assert folder_bytes(data_dir) == before
    assert run(fetch_to(str(mine), "--force")) == 0
    assert mine.read_bytes() == DAY.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_a_symlink_is_replaced_never_written_through(
    day, data_dir: Path, tmp_path: Path, capsys
) -> None:
    victim = tmp_path / "elsewhere" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("not yours to write")
    link = tmp_path / "day.json"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "elsewhere" / "created-through-a-link.txt")
    for target in (link, dangling):
        assert run(fetch_to(str(target))) == 1  # it exists (a link is there)
        assert "it exists (--force replaces it)" in the_line(capsys.readouterr().err)
        assert run(fetch_to(str(target), "--force")) == 0
        capsys.readouterr()
        assert not target.is_symlink() and target.read_bytes() == DAY.read_bytes()
    assert victim.read_text() == "not yours to write"
    assert not (tmp_path / "elsewhere" / "created-through-a-link.txt").exists()


def test_no_such_folder_or_a_folder_is_one_line(day, tmp_path: Path, capsys) -> None:
    assert run(fetch_to(str(tmp_path / "missing" / "day.json"))) == 1
    assert "its folder does not exist" in the_line(capsys.readouterr().err)
    assert run(fetch_to(str(tmp_path))) == 1
    assert "that is a folder; name a file" in the_line(capsys.readouterr().err)
    assert run(["fetch", "hf", "--force"]) == 2
    assert "--force goes with --save FILE" in the_line(capsys.readouterr().err)


def test_pages_saved_beside_refuse_a_file_there(
    httpserver: HTTPServer, data_dir: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    """Two sources: each is saved beside FILE under its own name; an existing one is refused
    for that source, which is then not imported either (as any failed save)."""
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    monkeypatch.setenv("PAPERTRAY_ARXIV_RSS", httpserver.url_for("/rss").rstrip("/"))
    Path(os.environ["PAPERTRAY_CONFIG"]).write_text('[fetch]\nhf = true\narxiv = ["cs.CL"]\n')
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        DAY.read_bytes(), content_type="application/json"
    )
    httpserver.expect_request("/rss/cs.CL").respond_with_data(
        (DAY.parent / "arxiv_rss_cs_cl.xml").read_bytes(), content_type="application/rss+xml"
    )
    taken = tmp_path / "out-arxiv-cs.CL.json"
    taken.write_text("mine")
    assert run(["fetch", "--save", str(tmp_path / "out.json")]) == 1
    err = capsys.readouterr().err
    assert f"refusing to save to {taken}: it exists" in err
    assert "hf latest: 3 papers: 3 new" in err
    assert taken.read_text() == "mine"
    assert orjson.loads((tmp_path / "out-hf-latest.json").read_bytes()) == orjson.loads(
        DAY.read_bytes()
    )
