"""The rough edges a new user hit (issue 23): a mistyped command, an unknown arXiv category,
enrich saying what it did not try, `similar -n 0`, one renderer of a row's id and marks,
`fetch --dry-run` listing only what it would change, and a sort by a value no paper has."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from helpers.snapshot import snapshot
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papertray.store import ConfigError, Library, Paper, PaperState, State, load_config
from papertray.store import net as net_module
from papertray.store.arxiv_taxonomy import ARCHIVES, CATEGORIES, category_problem
from papertray.store.enrichment import EnrichReport
from papertray.store.markers import ASCII, UNICODE, row_marks, shown_id
from papertray.store.sorting import no_value_note
from papertray.tui.cli import _neither_file_nor_command, run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DAY = FIXTURES / "fetch" / "hf_daily_2026-12-01.json"


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    base = httpserver.url_for("").rstrip("/")
    for name, url in (
        ("HF_ENDPOINT", base),
        ("PAPERTRAY_ARXIV_API", f"{base}/api/query"),
        ("PAPERTRAY_ARXIV_RSS", f"{base}/rss"),
    ):
        monkeypatch.setenv(name, url)
    waits: list[float] = []
    monkeypatch.setattr(
        net_module, "default_settings", lambda: net_module.Settings(sleep=waits.append)
    )
    return httpserver


# -- papertray WORD --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "said"),
    [
        ("bogus", "no such command or file: bogus; did you mean tags?"),
        ("lst", "no such command or file: lst; did you mean list?"),
        ("serch", "no such command or file: serch; did you mean search?"),
        ("lates", "no such command or file: lates; did you mean later?"),
        ("xyz", "no such command or file: xyz; papertray --help lists the commands"),
    ],
)
def test_a_word_that_is_no_file_and_no_command(
    word: str, said: str, data_dir: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run([word]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"papertray: {said}\n")
    assert not data_dir.exists()  # nothing opened, nothing made


def test_paths_are_still_digests_to_open(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "digest").write_text("A Title\n\nAn abstract.\n")
    assert _neither_file_nor_command("digest") is None  # a file of that name: opened
    for name in ("missing.txt", "./lst", "papers/day", "-"):
        assert _neither_file_nor_command(name) is None  # a path: "no such file" when opened


# -- arXiv categories ------------------------------------------------------------------------------


def test_the_taxonomy_is_arxivs() -> None:
    assert len(CATEGORIES) == len(set(CATEGORIES)) == 155
    assert {"cs.CL", "cs.LG", "math.AG", "hep-th", "astro-ph.CO", "q-fin.TR", "eess.SY"} <= set(
        CATEGORIES
    )
    assert "cs" in ARCHIVES and "hep-th" in ARCHIVES and "cmp-lg" not in ARCHIVES  # defunct
    for name in (*CATEGORIES, *ARCHIVES):
        assert category_problem(name) is None, name


@pytest.mark.parametrize(
    ("category", "nearest"),
    [
        ("cs.XX", "cs.AI"),
        ("cs.cl", "cs.CL"),
        ("cs.CLL", "cs.CL"),
        ("physics.optic", "physics.optics"),
    ],
)
def test_an_unknown_category_is_refused_with_the_nearest(
    category: str, nearest: str, server: HTTPServer, data_dir: Path, capsys
) -> None:
    assert run(["fetch", "arxiv", "cs.LG", category]) == 2
    assert capsys.readouterr().err == (
        f"papertray: '{category}': not an arXiv category (did you mean {nearest}?) "
        "(arxiv.org/category_taxonomy lists them)\n"
    )
    assert server.log == []  # arXiv was never asked
    assert not data_dir.exists()


def test_the_config_file_is_checked_against_the_taxonomy_too(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("PAPERTRAY_CONFIG", str(config))
    config.write_text('[fetch]\narxiv = ["cs.CL", "cs.XX"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert "fetch.arxiv: 'cs.XX' is not an arXiv category (did you mean cs.AI?) (line 2)" in str(
        caught.value
    )


# -- enrich: what was not tried is not "not found" ------------------------------------------


def search_item(arxiv_id: str, title: str) -> dict[str, Any]:
    item = copy.deepcopy(json.loads(DAY.read_text())[0])
    item["paper"].update(id=arxiv_id, title=title)
    item["title"] = title
    return item


@pytest.fixture
def sample(data_dir: Path, seed_path: Path, capsys) -> list[str]:
    assert run(["import", str(seed_path)]) == 0
    capsys.readouterr()
    return [p.title for p in Library.open(data_dir).papers()]


def test_enrich_stopped_by_an_error_says_the_rest_were_not_tried(
    sample: list[str], server: HTTPServer, data_dir: Path, capsys
) -> None:
    asked: list[str] = []

    def answer(request: Request) -> Response:
        asked.append(request.args["q"])
        if len(asked) <= 3:
            n = len(asked)
            return Response(orjson.dumps([search_item(f"2403.{10000 + n}", request.args["q"])]))
        return Response("<html>hotel wifi</html>", content_type="text/html")

    server.expect_request("/api/papers/search").respond_with_handler(answer)
    assert run(["enrich"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"papertray: enrich: linked 3 of 3 papers to arXiv; {len(sample) - 3} not tried "
        "(stopped at the error)",
        "papertray: 127.0.0.1 sent a web page instead of search results (a captive portal or a "
        "login page? check the network)",
    ]
    linked = [p for p in Library.open(data_dir).papers() if p.arxiv_id]
    assert len(linked) == 3  # what was found before the error is kept


def test_enrich_without_arxiv_says_arxiv_was_not_asked(
    sample: list[str], server: HTTPServer, capsys
) -> None:
    server.expect_request("/api/papers/search").respond_with_data(
        "[]", content_type="application/json"
    )
    assert run(["enrich", "--no-arxiv", "-q", "title:mesa"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "papertray: not found on Hugging Face (arXiv not asked): "
        "Mesa: A Memory-saving Training Framework for Transformers",
        "papertray: enrich: linked 0 of 1 paper to arXiv; 1 not found on Hugging Face "
        "(arXiv not asked)",
    ]
    assert [r.path for r, _ in server.log] == ["/api/papers/search"]


def test_enrich_report_lines() -> None:
    stopped = EnrichReport(to_look_up=101, error="cannot reach huggingface.co")
    assert stopped.line() == "enrich: none of the 101 papers tried (stopped at the error)"
    done = EnrichReport(to_look_up=5, looked_up=5, linked={"a": "1"}, unplaced=[("b", "B")])
    assert done.line() == "enrich: linked 1 of 5 papers to arXiv; 1 not found"


# -- similar -n 0 --------------------------------------------------------------------------------


def test_similar_n_0_is_refused_as_a_bad_count(sample: list[str], capsys) -> None:
    assert run(["similar", "t:ba8ba4ceeb2031e1", "-n", "0"]) == 2
    assert capsys.readouterr().err == (
        "papertray: invalid --limit: must be 1 or more, not 0; see papertray similar --help\n"
    )


# -- one renderer of a row's id and marks ---------------------------------------------------

LINKED = Paper(
    id="t:ba8ba4ceeb2031e1",
    title="Mesa",
    arxiv_id="2403.12015",
    repo="https://github.com/ziplab/Mesa",
)


def test_shown_id_is_the_arxiv_id_when_known() -> None:
    assert shown_id(LINKED) == "2403.12015"
    assert shown_id(LINKED._replace(arxiv_id=None)) == "t:ba8ba4ceeb2031e1"
    assert shown_id(Paper(id="arxiv:2401.00001", title="x", arxiv_id="2401.00001")) == "2401.00001"
    assert shown_id(Paper(id="t:x\x1b[2J", title="x")) == "t:x\\x1b[2J"


def test_the_later_mark_is_one_cell_in_dejavu_sans_mono() -> None:
    """As the other marks (tests/test_markers.py): ⏲ and ⌛ are not in the font or two cells."""
    from rich.cells import cell_len

    assert cell_len(UNICODE.later) == 1 and ASCII.later.isascii()
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
    if not font.exists():
        pytest.skip("DejaVu Sans Mono is not installed (apt-get install fonts-dejavu-core)")
    ttlib = pytest.importorskip("fontTools.ttLib")
    assert ord(UNICODE.later) in ttlib.TTFont(font).getBestCmap()


def test_row_marks() -> None:
    state = PaperState(starred=True, later=True, note="  ")
    assert row_marks(LINKED, state, UNICODE).joined() == "●★◷⌥ "
    assert row_marks(LINKED, PaperState(read=True, note="x"), ASCII).joined(" ") == "      @ n"
    unsafe = LINKED._replace(repo="javascript:alert(1)")
    assert row_marks(unsafe, state, UNICODE).repo == " "


def test_the_cli_table_uses_the_one_renderer(
    data_dir: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    assert run(["import", str(FIXTURES / "hf_daily_papers.json")]) == 0
    paper = Library.open(data_dir).papers()[0]
    assert run(["star", paper.id]) == 0 and run(["later", paper.id]) == 0
    capsys.readouterr()
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_CTYPE", raising=False)
    assert run(["list", "-n", "1"]) == 0
    line = capsys.readouterr().out
    marks = row_marks(paper, State.open(data_dir).get(paper.id), UNICODE).joined()
    assert line == f"{marks} {paper.arxiv_id:<18} {paper.title}\n"
    assert line.startswith("●★◷⌥ ") and "⎇" not in line and "arxiv:" not in line
    monkeypatch.setenv("LANG", "C")
    assert run(["list", "-n", "1"]) == 0
    assert capsys.readouterr().out.startswith("o*L@  ")


def test_a_t_paper_linked_to_arxiv_is_listed_by_its_arxiv_id(data_dir: Path, seed_path, capsys):
    assert run(["import", str(seed_path)]) == 0
    assert run(["import", str(FIXTURES / "hf_daily_papers.json")]) == 0
    capsys.readouterr()
    assert run(["list", "-q", "title:flow title:matching title:latent"]) == 0
    out = capsys.readouterr().out
    assert " 2403.12015 " in out and "t:" not in out
    assert run(["star", "2403.12015"]) == 0  # what the table shows, the commands take


# -- fetch --dry-run -------------------------------------------------------------------------------


def test_dry_run_lists_only_what_it_would_change(
    server: HTTPServer, data_dir: Path, capsys
) -> None:
    day = json.loads(DAY.read_text())
    server.expect_oneshot_request("/api/daily_papers").respond_with_json(day)
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    changed = copy.deepcopy(day)
    changed[1]["paper"]["upvotes"] = 99  # gains a newer count: would be updated
    changed[2] = search_item("2612.00199", "A Paper New on the Second Fetch")
    before = snapshot(data_dir)
    capsys.readouterr()
    server.expect_oneshot_request("/api/daily_papers").respond_with_json(changed)
    assert run(["fetch", "hf", "--date", "2026-12-01", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert (
        "hf 2026-12-01: 3 papers: 1 new, 1 would be updated, 1 unchanged "
        "(dry run: nothing imported)"
    ) in err
    listed = [line[6:24].strip() for line in out.splitlines()]  # after the 5 marks
    assert listed == ["2612.00102", "2612.00199"]
    assert snapshot(data_dir) == before


# -- a sort by a value no paper has -----------------------------------------------------------


def test_sorting_by_a_value_no_paper_has_says_so(data_dir: Path, tmp_path: Path, capsys) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{a, title = {First Paper}, author = {Ann Author}, year = {2020}}\n"
        "@article{b, title = {Second Paper}, author = {Bob Author}, year = {2021}}\n"
    )
    assert run(["import", str(bib)]) == 0
    capsys.readouterr()
    assert run(["list", "--sort", "upvotes", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    assert err == "papertray: no paper has upvotes: digest order\n"
    assert [json.loads(line)["title"] for line in out.splitlines()] == [
        "First Paper",
        "Second Paper",
    ]
    assert run(["list", "--sort", "stars"]) == 0
    assert capsys.readouterr().err == "papertray: no paper has GitHub stars: digest order\n"
    assert run(["list", "--sort", "published"]) == 0  # a year is not a day to sort by
    assert capsys.readouterr().err == "papertray: no paper has a publication day: digest order\n"
    # One paper with upvotes is enough to sort by them: no note.
    assert run(["import", str(FIXTURES / "hf_daily_papers.json")]) == 0
    capsys.readouterr()
    assert run(["list", "--sort", "upvotes", "-n", "1"]) == 0
    assert capsys.readouterr().err == ""
    # ... unless the query leaves none of them.
    assert run(["list", "--sort", "upvotes", "-q", "author:author"]) == 0
    assert capsys.readouterr().err == "papertray: no paper has upvotes: digest order\n"


def test_no_value_note_for_the_reader() -> None:
    bare = [Paper(id="t:1", title="a"), Paper(id="t:2", title="b", published="Dec 2023")]
    assert no_value_note("upvotes", bare) == "no paper has upvotes: digest order"
    assert no_value_note("published", bare) == "no paper has a publication day: digest order"
    assert no_value_note("added", bare) == "no paper has an import time: digest order"
    assert no_value_note("upvotes", [*bare, bare[0]._replace(upvotes=0)]) is None  # 0 is a value
    assert no_value_note("upvotes", []) is None
    assert no_value_note("title", bare) is None and no_value_note("digest", bare) is None
