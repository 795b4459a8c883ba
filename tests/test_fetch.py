"""`papertray fetch` against a real HTTP server on loopback (pytest-httpserver): the served
papers are imported exactly, an unchanged day costs one 304, and every network fault is one line
on stderr with the library left byte for byte as it was."""

from __future__ import annotations

import copy
import json
import socket
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest
from helpers.fake_sources import drain
from helpers.snapshot import snapshot
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papertray.store import FORMATS, Library, State
from papertray.store import net as net_module
from papertray.tui.cli import run

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fetch"
DAY = FIXTURES / "hf_daily_2026-12-01.json"
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
needs_arxiv = pytest.mark.skipif(
    "arxiv-rss" not in FORMATS or "arxiv-atom" not in FORMATS,
    reason="the arxiv-rss / arxiv-atom parsers (issue 10) are not in this tree yet",
)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the client asks for, recorded instead of slept; short timeouts."""
    waits: list[float] = []

    def settings() -> net_module.Settings:
        return net_module.Settings(
            connect_timeout=2.0, read_timeout=2.0, sleep=waits.append, max_bytes=1024 * 1024
        )

    monkeypatch.setattr(net_module, "default_settings", settings)
    return waits


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, sleeps) -> HTTPServer:
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("HF_ENDPOINT", base)
    monkeypatch.setenv("PAPERTRAY_ARXIV_API", f"{base}/api/query")
    monkeypatch.setenv("PAPERTRAY_ARXIV_RSS", f"{base}/rss")
    return httpserver


def items(n: int, *, start: int = 1, day: str = "2026-12-01") -> list[dict[str, Any]]:
    """`n` daily-papers items shaped like the real API's, ids 2612.<start...>."""
    template = json.loads(DAY.read_text())[0]
    made = []
    for i in range(start, start + n):
        item = copy.deepcopy(template)
        item["paper"]["id"] = f"2612.{i:05d}"
        item["paper"]["title"] = item["title"] = f"Generated Paper Number {i} on {day}"
        item["paper"]["submittedOnDailyAt"] = f"{day}T00:00:00.000Z"
        item["paper"]["githubRepo"] = f"https://github.com/example/repo{i}"
        made.append(item)
    return made


def daily(server: HTTPServer, body: Any, **query: str) -> None:
    params = {**query}
    params.setdefault("p", "0")
    params.setdefault("limit", "100")
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    server.expect_request("/api/daily_papers", query_string=params).respond_with_data(
        data, content_type="application/json"
    )


def ids_in(folder: Path) -> list[str]:
    return [p.id for p in Library.open(folder).papers()]


@pytest.fixture
def seeded(data_dir: Path, seed_path: Path, capsys) -> dict[str, object]:
    """A library holding the sample digest, one paper starred: what a fault must not touch."""
    assert run(["import", str(seed_path)]) == 0
    assert run(["star", "t:ba8ba4ceeb2031e1"]) == 0
    capsys.readouterr()
    return snapshot(data_dir)


# -- Hugging Face daily papers ------------------------------------------------------------------


def test_fetch_hf_date_imports_exactly_the_served_papers(server, data_dir, capsys) -> None:
    daily(server, DAY.read_bytes(), date="2026-12-01")
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    err = capsys.readouterr().err
    assert "hf 2026-12-01: 3 papers: 3 new, 0 merged, 0 unchanged" in err
    papers = {p.id: p for p in Library.open(data_dir).papers()}
    assert list(papers) == ["arxiv:2612.00101", "arxiv:2612.00102", "arxiv:2612.00103"]
    first = papers["arxiv:2612.00101"]
    assert first.title == "Sparse Attention for Long-Context Reasoning"
    assert first.authors == ("Ada Lovelace", "Alan Turing")
    assert (first.upvotes, first.stars, first.comments) == (42, 1234, 3)
    assert first.repo == "https://github.com/example/sparse-attn"
    assert first.links == (
        "https://github.com/example/sparse-attn",
        "https://example.org/sparse-attn",
        "https://arxiv.org/abs/2612.00101",
        "https://arxiv.org/pdf/2612.00101",
        "https://huggingface.co/papers/2612.00101",
    )
    third = papers["arxiv:2612.00103"]
    assert "https://huggingface.co/papers/2612.00103" in third.links
    request = server.log[0][0]
    assert request.headers["User-Agent"].startswith("papertray/")


def test_second_run_of_the_same_day_is_one_304_and_imports_nothing(
    server: HTTPServer, data_dir: Path, capsys
) -> None:
    body = DAY.read_bytes()

    def answer(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"day-1"':
            return Response(status=304, headers={"ETag": '"day-1"'})
        return Response(body, content_type="application/json", headers={"ETag": '"day-1"'})

    server.expect_request("/api/daily_papers").respond_with_handler(answer)
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    before = snapshot(data_dir)
    capsys.readouterr()
    sent = len(server.log)
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    err = capsys.readouterr().err
    assert len(server.log) == sent + 1
    assert server.log[-1][1].status_code == 304
    assert "hf 2026-12-01: 3 papers: 0 new, 0 merged, 3 unchanged (not modified" in err
    assert snapshot(data_dir) == before


def test_a_failed_import_is_not_remembered_as_seen(server: HTTPServer, data_dir, capsys) -> None:
    """The ETag of a response whose import failed must not make the next run a 304."""
    good = DAY.read_bytes()
    answers = [b'[{"paper": {"id": "2612.00101", "title": "cut', good]

    def answer(request: Request) -> Response:
        assert request.headers.get("If-None-Match") is None
        return Response(answers.pop(0), content_type="application/json", headers={"ETag": '"x"'})

    server.expect_request("/api/daily_papers").respond_with_handler(answer)
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 1
    assert snapshot(data_dir) == {}
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    assert len(ids_in(data_dir)) == 3


def test_fetch_hf_week_and_month_page_until_a_short_page(server, data_dir, capsys) -> None:
    daily(server, items(5), week="2026-W49")
    assert run(["fetch", "hf", "--week", "2026-W49"]) == 0
    assert "hf 2026-W49: 5 papers: 5 new" in capsys.readouterr().err
    month = items(130, start=101)
    daily(server, month[:100], month="2026-11")
    daily(server, month[100:], month="2026-11", p="1")
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    assert "hf 2026-11: 130 papers: 130 new, 0 merged, 0 unchanged" in capsys.readouterr().err
    got = ids_in(data_dir)
    assert got == [f"arxiv:2612.{i:05d}" for i in [*range(1, 6), *range(101, 231)]]
    pages = [r.args.get("p") for r, _ in server.log if r.args.get("month")]
    assert pages == ["0", "1"]


def test_fetch_hf_days_skips_days_without_papers(server, data_dir, capsys, monkeypatch) -> None:
    import datetime as dt

    class Today(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def,override]
            return dt.datetime(2026, 12, 3, 12, tzinfo=tz)

    monkeypatch.setattr("papertray.store.fetch_hf.dt.datetime", Today)
    daily(server, items(2, day="2026-12-01"), date="2026-12-01")
    server.expect_request(
        "/api/daily_papers", query_string={"date": "2026-12-02", "p": "0", "limit": "100"}
    ).respond_with_data("Not Found", status=404)
    daily(server, items(3, start=50, day="2026-12-03"), date="2026-12-03")
    assert run(["fetch", "hf", "--days", "3"]) == 0
    assert "hf 2026-12-01..2026-12-03: 5 papers: 5 new" in capsys.readouterr().err
    assert len(ids_in(data_dir)) == 5


def test_trending_says_the_date_is_ignored(server, data_dir, capsys) -> None:
    daily(server, items(2), sort="trending")
    assert run(["fetch", "hf", "--sort", "trending"]) == 0
    err = capsys.readouterr().err
    assert "ignores the date" in err
    assert "hf trending: 2 papers: 2 new" in err


def test_dry_run_lists_and_imports_nothing(server, seeded, data_dir, capsys) -> None:
    daily(server, DAY.read_bytes(), date="2026-12-01")
    assert run(["fetch", "hf", "--date", "2026-12-01", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "Sparse Attention for Long-Context Reasoning" in out
    assert "[BOLD]" in out
    assert "3 papers: 3 new, 0 would be updated, 0 unchanged (dry run: nothing imported)" in err
    assert snapshot(data_dir) == seeded


def test_save_keeps_the_raw_response(server, data_dir, tmp_path, capsys) -> None:
    body = DAY.read_bytes()
    daily(server, body, date="2026-12-01")
    target = tmp_path / "day.json"
    assert run(["fetch", "hf", "--date", "2026-12-01", "--save", str(target)]) == 0
    assert target.read_bytes() == body
    assert len(ids_in(data_dir)) == 3


def test_a_fetched_paper_merges_with_the_pasted_copy_keeping_its_marks(
    server, data_dir, tmp_path, capsys
) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "Sparse Attention for Long-Context Reasoning\n\nWe study sparse attention patterns that "
        "keep long-context reasoning accurate while cutting memory by half.\n"
    )
    assert run(["import", str(page)]) == 0
    (pid,) = ids_in(data_dir)
    assert run(["star", pid]) == 0
    daily(server, DAY.read_bytes(), date="2026-12-01")
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    assert "3 papers: 2 new, 1 merged, 0 unchanged" in capsys.readouterr().err
    merged = Library.open(data_dir).get(pid)
    assert merged is not None and merged.arxiv_id == "2612.00101"
    assert State.open(data_dir).get(pid).starred


# -- faults: one line, exit status, the library byte-identical ----------------------------------


def _fault(argv: list[str], capsys) -> tuple[int, str]:
    status = run(argv)
    err = capsys.readouterr().err.strip()
    return status, err


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_404_for_a_day_without_papers(server, seeded, data_dir, capsys) -> None:
    server.expect_request("/api/daily_papers").respond_with_data("Not Found", status=404)
    status, err = _fault(["fetch", "hf", "--date", "2026-12-06"], capsys)
    assert status == 0
    assert _one_line(err) == "papertray: no papers on 2026-12-06"
    assert snapshot(data_dir) == seeded


def test_an_empty_list_is_no_papers_too(server, seeded, data_dir, capsys) -> None:
    daily(server, [], date="2026-12-06")
    status, err = _fault(["fetch", "hf", "--date", "2026-12-06"], capsys)
    assert (status, _one_line(err)) == (0, "papertray: no papers on 2026-12-06")


def test_connection_refused(seeded, data_dir, monkeypatch, capsys, sleeps) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1
    assert _one_line(err) == "papertray: cannot reach 127.0.0.1: connection refused"
    assert snapshot(data_dir) == seeded


def test_dns_failure(seeded, data_dir, monkeypatch, capsys, sleeps) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://papertray-test.invalid")
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1
    line = _one_line(err)
    assert line.startswith("papertray: cannot reach papertray-test.invalid: "), line
    assert snapshot(data_dir) == seeded


def test_timeout(server, seeded, data_dir, monkeypatch, capsys) -> None:
    monkeypatch.setattr(
        net_module, "default_settings", lambda: net_module.Settings(read_timeout=0.2)
    )

    released = threading.Event()

    def slow(_request: Request) -> Response:
        released.wait(30)  # far past the client's 0.2 s; let go when the test is done
        return Response(DAY.read_bytes(), content_type="application/json")

    server.expect_request("/api/daily_papers").respond_with_handler(slow)
    try:
        status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    finally:
        released.set()
        drain(server)  # the answers it held are given and logged before the next test
    assert status == 1
    assert _one_line(err) == "papertray: 127.0.0.1 timed out: no answer within 0.2 s"
    assert snapshot(data_dir) == seeded


def test_html_instead_of_json_is_a_captive_portal(server, seeded, data_dir, capsys) -> None:
    server.expect_request("/api/daily_papers").respond_with_data(
        "<!DOCTYPE html><html><body>Log in to the hotel Wi-Fi</body></html>",
        content_type="text/html",
    )
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1
    assert "sent a web page instead of JSON (a captive portal" in _one_line(err)
    assert snapshot(data_dir) == seeded


@pytest.mark.parametrize(
    "body",
    [
        b'[{"paper": {"id": "2612.00101", "title": "Cut off here',
        b"{not json at all",
        b'{"error": "Invalid date"}',
    ],
    ids=["truncated", "malformed", "not-a-list"],
)
def test_malformed_or_truncated_json(server, seeded, data_dir, capsys, body) -> None:
    daily(server, body, date="2026-12-01")
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1
    assert _one_line(err).startswith("papertray: 127.0.0.1: the daily papers are not")
    assert snapshot(data_dir) == seeded


def test_a_body_cut_off_mid_transfer(server, seeded, data_dir, capsys) -> None:
    body = DAY.read_bytes()

    def cut(_request: Request) -> Response:
        response = Response(body[:500], content_type="application/json")
        response.headers["Content-Length"] = str(len(body))
        return response

    server.expect_request("/api/daily_papers").respond_with_handler(cut)
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1
    line = _one_line(err)
    assert "127.0.0.1" in line and ("cut off" in line or "not valid JSON" in line), line
    assert snapshot(data_dir) == seeded


def test_a_failure_on_a_later_page_imports_nothing(server, seeded, data_dir, capsys) -> None:
    daily(server, items(100), month="2026-11")
    server.expect_request(
        "/api/daily_papers", query_string={"month": "2026-11", "p": "1", "limit": "100"}
    ).respond_with_data("<html>portal</html>", content_type="text/html")
    status, err = _fault(["fetch", "hf", "--month", "2026-11"], capsys)
    assert status == 1
    assert "captive portal" in _one_line(err)
    assert snapshot(data_dir) == seeded


def test_429_honours_retry_after(server, data_dir, capsys, sleeps) -> None:
    answers = [
        Response("slow down", status=429, headers={"Retry-After": "7"}),
        Response(DAY.read_bytes(), content_type="application/json"),
    ]
    server.expect_request("/api/daily_papers").respond_with_handler(lambda _r: answers.pop(0))
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    assert sleeps == [7.0]
    assert len(server.log) == 2
    assert len(ids_in(data_dir)) == 3


def test_5xx_then_success_backs_off(server, data_dir, capsys, sleeps) -> None:
    answers = [Response("oops", status=503), Response("oops", status=502)]
    answers.append(Response(DAY.read_bytes(), content_type="application/json"))
    server.expect_request("/api/daily_papers").respond_with_handler(lambda _r: answers.pop(0))
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    assert sleeps == [1.0, 2.0]
    assert len(ids_in(data_dir)) == 3


def test_5xx_every_time_gives_up_after_3_retries(server, seeded, data_dir, capsys, sleeps) -> None:
    server.expect_request("/api/daily_papers").respond_with_data("down", status=500)
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1
    assert _one_line(err) == (
        "papertray: 127.0.0.1 answered 500 Internal Server Error (gave up after 4 tries)"
    )
    assert len(server.log) == 4 and sleeps == [1.0, 2.0, 4.0]
    assert snapshot(data_dir) == seeded


def test_a_long_retry_after_is_reported_not_waited(server, seeded, data_dir, capsys, sleeps):
    server.expect_request("/api/daily_papers").respond_with_data(
        "busy", status=429, headers={"Retry-After": "3600"}
    )
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1 and sleeps == []
    assert "asks to retry after 3600 s" in _one_line(err)


def test_a_response_over_the_cap_is_refused(server, seeded, data_dir, capsys, monkeypatch):
    monkeypatch.setattr(
        net_module, "default_settings", lambda: net_module.Settings(max_bytes=10_000)
    )
    big = orjson.dumps(items(60))
    assert len(big) > 10_000

    def chunked(_request: Request) -> Response:
        # No Content-Length: the cap must hold while the body streams in.
        return Response(iter([big[i : i + 4096] for i in range(0, len(big), 4096)]),
                        content_type="application/json")  # fmt: skip

    server.expect_request("/api/daily_papers").respond_with_handler(chunked)
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1
    assert "sent more than 10000 bytes: refused" in _one_line(err)
    assert snapshot(data_dir) == seeded


def test_a_redirect_to_plain_http_is_refused(server, seeded, data_dir, capsys) -> None:
    server.expect_request("/api/daily_papers").respond_with_data(
        "", status=302, headers={"Location": "http://example.com/api/daily_papers"}
    )
    status, err = _fault(["fetch", "hf", "--date", "2026-12-01"], capsys)
    assert status == 1
    assert "redirected to plain http (http://example.com/api/daily_papers): refused" in (
        _one_line(err)
    )
    assert len(server.log) == 1
    assert snapshot(data_dir) == seeded


def test_a_redirect_on_the_same_loopback_server_is_followed(server, data_dir, capsys) -> None:
    server.expect_request("/api/daily_papers").respond_with_data(
        "", status=301, headers={"Location": "/mirror/daily_papers?date=2026-12-01"}
    )
    server.expect_request("/mirror/daily_papers").respond_with_data(
        DAY.read_bytes(), content_type="application/json"
    )
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    assert len(ids_in(data_dir)) == 3


def test_plain_http_to_another_host_is_refused(seeded, data_dir, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://huggingface.co")
    status, err = _fault(["fetch", "hf"], capsys)
    assert status == 1
    assert _one_line(err).startswith("papertray: refusing plain http to huggingface.co")


def test_bad_dates_are_usage_errors(capsys) -> None:
    for argv in (["--date", "2026-13-01"], ["--week", "2026-W60"], ["--month", "26-1"]):
        status, err = _fault(["fetch", "hf", *argv], capsys)
        assert status == 2 and "wants" in _one_line(err)


# -- arXiv ---------------------------------------------------------------------------------------


@needs_arxiv
def test_fetch_arxiv_imports_the_announcement(server, data_dir, capsys) -> None:
    server.expect_request("/rss/cs.CL").respond_with_data(
        (FIXTURES / "arxiv_rss_cs_cl.xml").read_bytes(), content_type="application/rss+xml"
    )
    assert run(["fetch", "arxiv", "cs.CL"]) == 0
    assert "arxiv cs.CL: 2 papers: 2 new, 0 merged, 0 unchanged" in capsys.readouterr().err
    papers = Library.open(data_dir).papers()
    # New and cross-listed papers; the replacements update only papers already here.
    assert [p.id for p in papers] == ["arxiv:2612.00201", "arxiv:2612.00202"]
    assert papers[0].authors == ("Ada Lovelace", "Alan Turing")
    assert "https://arxiv.org/abs/2612.00201" in papers[0].links


@needs_arxiv
def test_arxiv_replacements_update_papers_already_here(server, data_dir, capsys) -> None:
    daily(server, [{"paper": {"id": "2401.00301", "title": "An Old Paper, Revised"}}],
          date="2026-12-01")  # fmt: skip
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    server.expect_request("/rss/cs.CL+cs.LG").respond_with_data(
        (FIXTURES / "arxiv_rss_cs_cl.xml").read_bytes(), content_type="application/rss+xml"
    )
    assert run(["fetch", "arxiv", "cs.CL", "cs.LG"]) == 0
    assert "3 papers: 2 new, 1 merged" in capsys.readouterr().err
    old = Library.open(data_dir).get("arxiv:2401.00301")
    assert old is not None and old.authors == ("Edsger Dijkstra",)


@needs_arxiv
def test_arxiv_weekend_feed_is_no_announcement(server, data_dir, capsys) -> None:
    server.expect_request("/rss/cs.CL").respond_with_data(
        (FIXTURES / "arxiv_rss_weekend.xml").read_bytes(), content_type="application/rss+xml"
    )
    status, err = _fault(["fetch", "arxiv", "cs.CL"], capsys)
    assert status == 0
    assert _one_line(err).startswith("papertray: no announcement for cs.CL today")
    assert snapshot(data_dir) == {}


@needs_arxiv
def test_truncated_arxiv_feed_imports_nothing(server, seeded, data_dir, capsys) -> None:
    body = (FIXTURES / "arxiv_rss_cs_cl.xml").read_bytes()
    server.expect_request("/rss/cs.CL").respond_with_data(
        body[: len(body) // 2], content_type="application/rss+xml"
    )
    status, err = _fault(["fetch", "arxiv", "cs.CL"], capsys)
    assert status == 1
    assert "malformed XML (cut off?)" in _one_line(err)
    assert snapshot(data_dir) == seeded


@needs_arxiv
def test_arxiv_query_pages_and_keeps_3_s_between_requests(server, data_dir, capsys, sleeps):
    body = (FIXTURES / "arxiv_api_query.xml").read_bytes()
    server.expect_request("/api/query").respond_with_data(body, content_type="application/atom+xml")
    assert run(["fetch", "arxiv", "--query", "ti:tokenizer", "--max", "2"]) == 0
    assert "2 papers: 2 new" in capsys.readouterr().err
    request = server.log[0][0]
    assert request.args["search_query"] == "ti:tokenizer"
    assert (request.args["start"], request.args["max_results"]) == ("0", "2")
    assert ids_in(data_dir) == ["arxiv:2612.00201", "arxiv:2611.09999"]


def test_arxiv_pacing_waits_3_s_between_requests(server, sleeps) -> None:
    server.expect_request("/api/query").respond_with_data("<feed/>", content_type="text/xml")
    with net_module.Client(None) as client:
        for _ in range(3):
            client.get(server.url_for("/api/query"), min_interval=3.0)
    assert len(sleeps) == 2 and all(2.5 < s <= 3.0 for s in sleeps)


@pytest.mark.skipif(not REALDATA.exists(), reason="../shared/realdata is absent")
def test_real_daily_papers_response_served_and_imported(server, data_dir, capsys) -> None:
    body = (REALDATA / "a1_hfapi_sotawhat_hf_daily_papers.json").read_bytes()
    daily(server, body, date="2026-06-12")
    assert run(["fetch", "hf", "--date", "2026-06-12"]) == 0
    assert "hf 2026-06-12: 30 papers: 30 new" in capsys.readouterr().err
    papers = Library.open(data_dir).papers()
    assert all(p.id == f"arxiv:{p.arxiv_id}" for p in papers)
    assert all(f"https://arxiv.org/abs/{p.arxiv_id}" in p.links for p in papers)


def test_fetch_without_a_source_runs_the_configured_ones(server, data_dir, capsys) -> None:
    import os

    Path(os.environ["PAPERTRAY_CONFIG"]).write_text("[fetch]\nhf = true\n")
    daily(server, DAY.read_bytes())
    assert run(["fetch"]) == 0
    assert "hf latest: 3 papers: 3 new, 0 merged, 0 unchanged" in capsys.readouterr().err
    assert "date" not in server.log[0][0].args


def test_the_network_libraries_load_only_when_asked() -> None:
    import subprocess
    import sys

    code = (
        "import sys, papertray.store, papertray.tui.cli as c; c.build_parser(); "
        "print(sorted(m for m in ('httpx', 'rapidfuzz', 'feedparser') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unchanged_first_page_and_a_changed_second_import_only_the_change(
    server: HTTPServer, data_dir: Path, capsys
) -> None:
    month = items(131, start=1)
    pages = {"0": [month[:100]], "1": [month[100:130], month[100:131]]}

    def answer(request: Request) -> Response:
        page = request.args["p"]
        body = orjson.dumps(pages[page][0])
        etag = f'"p{page}-{len(pages[page][0])}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        if len(pages[page]) > 1:
            pages[page].pop(0)  # the next answer for this page is the changed one
        return Response(body, content_type="application/json", headers={"ETag": etag})

    server.expect_request("/api/daily_papers").respond_with_handler(answer)
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    assert "130 papers: 130 new" in capsys.readouterr().err
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    err = capsys.readouterr().err
    assert "hf 2026-11: 131 papers: 1 new, 0 merged, 130 unchanged" in err
    assert [r.status_code for _, r in server.log[2:]] == [304, 200]
    assert len(ids_in(data_dir)) == 131
    # And the third run: both pages unchanged, each known to hold what it held.
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    err = capsys.readouterr().err
    assert "hf 2026-11: 131 papers: 0 new, 0 merged, 131 unchanged (not modified" in err
    assert [r.status_code for _, r in server.log[4:]] == [304, 304]


def test_the_reader_starts_without_the_network_side_of_the_store() -> None:
    import subprocess
    import sys

    code = (
        "import sys, papertray.tui.app; "
        "print(sorted(m for m in ('httpx', 'rapidfuzz', 'papertray.store.fetch', "
        "'papertray.store.fetch_common', 'papertray.store.fetch_hf', "
        "'papertray.store.fetch_arxiv', 'papertray.store.net', 'papertray.store.enrichment', "
        "'papertray.store.config') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_fetch_interrupted_part_way_imports_nothing(server, seeded, data_dir) -> None:
    """ctrl+c while the second page of a month is on its way: exit 130, no traceback, and the
    library as it was (the first page is not imported on its own)."""
    import os
    import signal
    import subprocess
    import sys
    import threading

    asked, release = threading.Event(), threading.Event()

    def second_page(_request: Request) -> Response:
        asked.set()
        release.wait(20)
        return Response(orjson.dumps(items(10, start=300)), content_type="application/json")

    daily(server, items(100), month="2026-11")
    server.expect_request(
        "/api/daily_papers", query_string={"month": "2026-11", "p": "1", "limit": "100"}
    ).respond_with_handler(second_page)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()",
         "fetch", "hf", "--month", "2026-11"],
        env=dict(os.environ),
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert asked.wait(60), "the second page was never asked for"
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert snapshot(data_dir) == seeded


def test_save_of_several_pages_is_one_importable_list(server, data_dir, tmp_path, capsys):
    month = items(130, start=1)
    daily(server, month[:100], month="2026-11")
    daily(server, month[100:], month="2026-11", p="1")
    target = tmp_path / "month.json"
    assert run(["fetch", "hf", "--month", "2026-11", "--save", str(target), "--dry-run"]) == 0
    assert snapshot(data_dir) == {}  # a dry run imports nothing, even with --save
    assert orjson.loads(target.read_bytes()) == month
    assert run(["import", str(target)]) == 0
    assert "130 papers (hf-api): 130 new" in capsys.readouterr().err
