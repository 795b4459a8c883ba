"""Issue 20, point 1: a redirect to a URL that is no http(s) URL, or an endpoint that is no URL
at all, is one line naming it with the network exit status (1), never httpx's InvalidURL out of
the CLI (exit 70); the reader's F says why and the reader stays up."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.loopback import answer, folder_bytes, sends, settle, the_line, toasts

from papertray.tui.cli import run

LOCATIONS = [
    "javascript:alert(1)",
    "mailto:someone@example.org",
    "data:text/html,<b>hi</b>",
    "about:blank",
    "file:///etc/passwd",
    "ftp://example.org/papers.json",
    "http://[::1",
    "https://",
]


@pytest.mark.parametrize("location", LOCATIONS)
def test_a_redirect_to_no_http_url_is_one_line(
    serve, seeded, data_dir: Path, capsys, location: str
) -> None:
    server = serve(sends(answer("302 Found", {"Location": location})))
    status = run(["fetch", "hf", "--date", "2026-12-01"])
    line = the_line(capsys.readouterr().err)
    assert status == 1
    assert "127.0.0.1 redirected to" in line and location in line, line
    assert "follows redirects only to https" in line
    assert len(server.requests) == 1
    assert folder_bytes(data_dir) == seeded


@pytest.mark.parametrize(
    "endpoint", ["http://127.0.0.1:9\nX-Evil: 1", "http://127.0.0.1:9/\tx", "https://a b.org"]
)
def test_an_endpoint_that_is_no_url_is_one_line(
    seeded, data_dir: Path, monkeypatch, capsys, endpoint: str
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    status = run(["fetch", "hf", "--date", "2026-12-01"])
    line = the_line(capsys.readouterr().err)
    assert status == 1
    assert line.startswith("papertray: not a usable http(s) URL: "), line
    assert ("\\n" in line or "\\t" in line or " b.org" in line) and "\n" not in line.strip()
    assert folder_bytes(data_dir) == seeded


async def test_the_reader_says_why_and_stays_up(serve, reader, data_dir: Path) -> None:
    serve(sends(answer("301 Moved Permanently", {"Location": "javascript:alert(1)"})))
    app = reader()
    before = folder_bytes(data_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        await settle(app, pilot)
        assert app.is_running
        assert "redirected to javascript:alert(1): refused" in toasts(app)
        assert not app.main.network.busy
        await pilot.press("j")  # and it still reads keys
        await pilot.pause()
        assert app.is_running
    assert folder_bytes(data_dir) == before


async def test_the_reader_survives_an_endpoint_that_is_no_url(
    reader, data_dir: Path, monkeypatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9\n")
    app = reader()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        await settle(app, pilot)
        assert app.is_running
        assert "not a usable http(s) URL: http://127.0.0.1:9\\n" in toasts(app)
