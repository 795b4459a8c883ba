"""Issue 20, point 4: pages no longer pile up. Each page is parsed as it arrives and its body
let go (spooled to disk only for --save); the pages of one fetch are capped together
(`limits.MAX_FETCH_BYTES`), and so is their number (`limits.MAX_PAGES`); a limit that stops a
fetch says so, and the whole pages before it are kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from helpers.cli import PEAK_KB
from helpers.loopback import RawServer, answer
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papertray.store import Library, limits
from papertray.tui.cli import run

DAY = Path(__file__).resolve().parents[1] / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"


def page_items(page: int, size: int = 100, abstract: int = 0) -> list[dict]:
    template = orjson.loads(DAY.read_bytes())[0]
    items = []
    for i in range(page * 1000, page * 1000 + size):
        paper = {**template["paper"], "id": f"2611.{i:05d}", "title": f"Paper {i} of the month"}
        if abstract:
            paper["summary"] = f"Abstract {i}. " + "word " * (abstract // 5)
        items.append({**template, "paper": paper, "title": paper["title"]})
    return items


@pytest.fixture
def endless(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """The daily papers of a month that never ends: every page is full (100 papers)."""
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))

    def answer_page(request: Request) -> Response:
        body = orjson.dumps(page_items(int(request.args["p"])))
        return Response(body, content_type="application/json")

    httpserver.expect_request("/api/daily_papers").respond_with_handler(answer_page)
    return httpserver


def test_the_page_limit_stops_the_fetch_and_says_so(endless, data_dir: Path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PAGES", 3)
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: hf 2026-11: stopped after 3 pages by the limit of 3 pages on one period (no "
        "short page came); the papers of those pages are kept"
    ) in err
    assert "hf 2026-11: 300 papers: 300 new" in err
    assert len(endless.log) == 3
    assert len(Library.open(data_dir).papers()) == 300


def test_the_bytes_of_a_fetch_are_capped_together(endless, data_dir: Path, capsys, monkeypatch):
    one_page = len(orjson.dumps(page_items(0)))
    monkeypatch.setattr(limits, "MAX_FETCH_BYTES", int(2.5 * one_page))
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    err = capsys.readouterr().err
    limit = f"{int(2.5 * one_page)} bytes"
    assert f"stopped after 2 pages by the {limit} limit on one fetch" in err
    assert "hf 2026-11: 200 papers: 200 new" in err
    assert len(Library.open(data_dir).papers()) == 200


def test_at_the_byte_cap_every_page_is_kept(
    httpserver: HTTPServer, data_dir: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    pages = [orjson.dumps(page_items(0)), orjson.dumps(page_items(1, size=10))]
    httpserver.expect_request("/api/daily_papers").respond_with_handler(
        lambda r: Response(pages[int(r.args["p"])], content_type="application/json")
    )
    monkeypatch.setattr(limits, "MAX_FETCH_BYTES", sum(map(len, pages)))
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    err = capsys.readouterr().err
    assert "stopped" not in err and "hf 2026-11: 110 papers: 110 new" in err


PEAK = PEAK_KB + """
import sys
from papertray.store import limits
limits.MAX_FETCH_BYTES = 20 * limits.MB
from papertray.tui.cli import run
status = run(["fetch", "hf", "--month", "2026-11"])
print(status, peak_kb())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="VmHWM is Linux's")
@pytest.mark.timeout(120)
def test_many_big_pages_cost_the_cap_not_their_sum(data_dir: Path) -> None:
    """40 pages of 5 MB (200 MB of papers): the fetch stops at its 20 MB cap, and the process
    peaks near that, not near the 200 MB (several times the sum before issue 20)."""

    def handler(conn, head):  # type: ignore[no-untyped-def]
        page = int(head.split(b"p=", 1)[1].split(b"&", 1)[0].split(b" ", 1)[0])
        body = orjson.dumps(page_items(page, abstract=50_000)) if page < 40 else b"[]"
        conn.sendall(answer("200 OK", {"Content-Type": "application/json"}, body))

    server = RawServer(handler)
    env = dict(os.environ, HF_ENDPOINT=server.url, PAPERTRAY_DATA_DIR=str(data_dir))
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PEAK], env=env, capture_output=True, text=True, timeout=100
        )
    finally:
        server.stop()
    status, peak = (int(x) for x in proc.stdout.split())
    assert status == 0, proc.stderr
    assert "by the 20 MB limit on one fetch" in proc.stderr
    assert len(server.requests) <= 5
    print(f"peak {peak / 1024:.0f} MB")
    assert peak / 1024 < 250, f"peak {peak / 1024:.0f} MB"
