"""`papertray enrich` against a loopback HF search that knows 95 of the sample's 101 titles:
those 95 get their right arXiv ids, the 6 others are reported, and no near miss is ever taken."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papertray.store import Library, State
from papertray.store import net as net_module
from papertray.store.models import title_key
from papertray.tui.cli import run

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fetch"
EMPTY_ATOM = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
    b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
    b"<title>arXiv Query: search_query=ti</title>"
    b"<opensearch:totalResults>0</opensearch:totalResults></feed>"
)
UNKNOWN = 6


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(
        net_module, "default_settings", lambda: net_module.Settings(sleep=waits.append)
    )
    return waits


def search_item(arxiv_id: str, title: str) -> dict[str, Any]:
    """One `/api/papers/search` result, shaped like the real one (realdata a5)."""
    item = copy.deepcopy(json.loads((FIXTURES / "hf_daily_2026-12-01.json").read_text())[0])
    item["paper"].update(
        id=arxiv_id,
        title=title,
        githubRepo=f"https://github.com/example/{arxiv_id}",
        githubStars=7,
        upvotes=11,
        authors=[{"_id": "x", "name": f"Author of {arxiv_id}", "hidden": False}],
        publishedAt="2024-03-15T00:00:00.000Z",
    )
    item["title"] = title
    item["publishedAt"] = "2024-03-18T00:00:00.000Z"
    return item


class FakeSearch:
    """Knows all but `UNKNOWN` of the titles. For some it answers decoys first, or the title in
    other case and punctuation; for the unknown ones, a near miss or nothing."""

    def __init__(self, titles: list[str]) -> None:
        self.known: dict[str, list[dict[str, Any]]] = {}
        self.expected: dict[str, str] = {}
        self.unknown = titles[-UNKNOWN:]
        for n, title in enumerate(titles[:-UNKNOWN]):
            aid = f"2403.{10000 + n}"
            self.expected[title] = aid
            shown = title.upper() if n % 10 == 3 else title
            if n % 10 == 5:
                shown = title + "."
            results = [search_item(aid, shown)]
            if n % 7 == 0:  # a near-miss decoy listed first must not win
                results.insert(0, search_item(f"2402.{20000 + n}", title + " Revisited"))
            self.known[" ".join(title.split())] = results
        for n, title in enumerate(self.unknown):
            decoys = []
            if n % 2 == 0:  # near misses: reported, never taken
                decoys = [search_item(f"2401.{30000 + n}", title + " Revisited")]
            self.known[" ".join(title.split())] = decoys
        self.queries: list[str] = []

    def __call__(self, request: Request) -> Response:
        query = request.args["q"]
        self.queries.append(query)
        return Response(orjson.dumps(self.known.get(query, [])), content_type="application/json")


@pytest.fixture
def sample(data_dir: Path, seed_path: Path, capsys) -> list[str]:
    assert run(["import", str(seed_path)]) == 0
    capsys.readouterr()
    return [p.title for p in Library.open(data_dir).papers()]


@pytest.fixture
def served(httpserver: HTTPServer, monkeypatch, sleeps) -> HTTPServer:
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("HF_ENDPOINT", base)
    monkeypatch.setenv("PAPERTRAY_ARXIV_API", f"{base}/api/query")
    httpserver.expect_request("/api/query").respond_with_data(
        EMPTY_ATOM, content_type="application/atom+xml"
    )
    return httpserver


def test_enrich_links_the_95_it_knows_and_reports_the_6(
    sample: list[str], served: HTTPServer, data_dir: Path, capsys, sleeps
) -> None:
    assert len(sample) == 101
    search = FakeSearch(sample)
    served.expect_request("/api/papers/search").respond_with_handler(search)
    state = State.open(data_dir)
    before = {p.id: p for p in Library.open(data_dir).papers()}
    starred = next(iter(before))
    state.set_starred(starred, True)
    state.add_tags(starred, ["keep"])

    assert run(["enrich"]) == 0
    err = capsys.readouterr().err
    assert "enrich: linked 95 of 101 papers to arXiv; 6 not found" in err
    for title in search.unknown:
        assert f"not found: {title}" in err
    assert err.count("near miss, not taken") == 3

    papers = {p.id: p for p in Library.open(data_dir).papers()}
    assert set(papers) == set(before)  # every paper kept its id: nothing lost, nothing doubled
    for pid, paper in papers.items():
        wanted = search.expected.get(before[pid].title)
        assert paper.arxiv_id == wanted, paper.title  # right id, or none: never a wrong one
        if wanted:
            assert paper.title == before[pid].title
            assert paper.authors == (f"Author of {wanted}",)
            assert paper.published == "2024-03-15" and paper.upvotes == 11
            assert f"https://arxiv.org/abs/{wanted}" in paper.links
            assert f"https://huggingface.co/papers/{wanted}" in paper.links
            assert paper.source == "sample_digest.txt"
    kept = State.open(data_dir).get(starred)
    assert kept.starred and kept.tags == ("keep",)
    # The unknown titles were asked of arXiv too, 3 s apart.
    asked = [r for r, _ in served.log if r.path == "/api/query"]
    assert len(asked) == UNKNOWN
    assert asked[0].args["search_query"] == f'ti:"{title_key(search.unknown[0])}"'
    assert len(sleeps) == UNKNOWN - 1 and all(2.0 < s <= 3.0 for s in sleeps)

    # Run again: only the 6 are looked up.
    search.queries.clear()
    assert run(["enrich"]) == 0
    assert sorted(search.queries) == sorted(" ".join(t.split()) for t in search.unknown)


def test_enrich_query_limits_the_papers(sample, served, data_dir, capsys) -> None:
    search = FakeSearch(sample)
    served.expect_request("/api/papers/search").respond_with_handler(search)
    assert run(["enrich", "-q", "title:mesa"]) == 0
    assert search.queries == ["Mesa: A Memory-saving Training Framework for Transformers"]
    assert "linked 1 of 1 paper" in capsys.readouterr().err


def test_enrich_folds_a_paper_into_the_same_arxiv_id_already_here(
    served: HTTPServer, data_dir: Path, tmp_path: Path, capsys
) -> None:
    """The arXiv paper is here under its old title; the page copy has the new one: one paper
    afterwards, with the marks of both."""
    library = Library.open(data_dir)
    old = tmp_path / "old.json"
    old.write_bytes(orjson.dumps([search_item("2403.55555", "Old Title of the Paper")]))
    page = tmp_path / "page.txt"
    page.write_text("A New Title for the Paper\n\nThe abstract of the paper, pasted.\n")
    assert run(["import", str(old), str(page)]) == 0
    ids = [p.id for p in library.papers()]
    assert ids[0] == "arxiv:2403.55555" and ids[1].startswith("t:")
    state = State.open(data_dir)
    state.set_starred(ids[1], True)
    state.set_note(ids[0], "from the HF copy")
    served.expect_request("/api/papers/search").respond_with_json(
        [search_item("2403.55555", "A New Title for the Paper")]
    )
    assert run(["enrich"]) == 0
    assert "linked 1 of 1 paper" in capsys.readouterr().err
    library = Library.open(data_dir)
    assert [p.id for p in library.papers()] == ["arxiv:2403.55555"]
    mark = State.open(data_dir).get("arxiv:2403.55555")
    assert mark.starred and mark.note == "from the HF copy"
    assert State.open(data_dir).get(ids[1]).untouched
    # Importing the page copy again lands on the folded paper, not a new one.
    assert run(["import", str(page)]) == 0
    assert [p.id for p in Library.open(data_dir).papers()] == ["arxiv:2403.55555"]


def test_enrich_behind_a_captive_portal_is_one_line(sample, served, data_dir, capsys) -> None:
    served.expect_request("/api/papers/search").respond_with_data(
        "<html>hotel wifi</html>", content_type="text/html"
    )
    before = Library.open(data_dir).version()
    assert run(["enrich"]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "papertray: 127.0.0.1 sent a web page instead of search results (a captive portal or a "
        "login page? check the network)"
    ]
    assert "Traceback" not in err
    assert Library.open(data_dir).version() == before  # nothing written


REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"


@pytest.mark.skipif(not REALDATA.exists(), reason="../shared/realdata is absent")
def test_a_real_search_response_places_the_right_paper(served: HTTPServer) -> None:
    """The real `/api/papers/search` answer (three diffusion papers): only the one whose title
    is the paper's is taken, whatever its rank."""
    from papertray.store.enrichment import lookup

    body = (REALDATA / "a5_hfsearchapi_fastpaper-cli_huggingface_search.json").read_bytes()
    served.expect_request("/api/papers/search").respond_with_data(
        body, content_type="application/json"
    )
    titles = {item["paper"]["title"]: item["paper"]["id"] for item in orjson.loads(body)}
    with net_module.Client(None) as client:
        for title, arxiv_id in titles.items():
            found, near = lookup(client, title.upper(), arxiv=False)
            assert found is not None and found.arxiv_id == arxiv_id and near is None
        found, near = lookup(client, "Denoising Diffusion Probabilistic Model", arxiv=False)
        assert found is None
        assert near is not None and near.arxiv_id == "2006.11239" and near.score >= 85
