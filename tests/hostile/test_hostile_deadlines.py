"""Issue 20, point 3: a server that answers one byte a second never trips a read timeout. A
request has a deadline of its own and a fetch one for all its pages (both in the config file);
at either the fetch ends in one line, and in the reader Esc stops a fetch at once.

The servers are real sockets on 127.0.0.1 that drip their answer byte by byte. The only time
asserted is a generous bound: done within 10 s when the deadline is 2 s.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import orjson
from helpers.loopback import (
    answer,
    by_path,
    drips,
    folder_bytes,
    sends,
    settle,
    the_line,
    toasts,
)

from papertray.store import Library
from papertray.tui.cli import run

DAY = Path(__file__).resolve().parents[1] / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"


def config(text: str) -> None:
    Path(os.environ["PAPERTRAY_CONFIG"]).write_text(text)


def full_page(start: int) -> bytes:
    template = orjson.loads(DAY.read_bytes())[0]
    items = []
    for i in range(start, start + 100):
        item = {**template, "paper": {**template["paper"], "id": f"2611.{i:05d}"}}
        item["paper"]["title"] = item["title"] = f"Paper number {i} of the month"
        items.append(item)
    return answer("200 OK", {"Content-Type": "application/json"}, orjson.dumps(items))


def test_headers_one_byte_a_second_stop_at_the_request_deadline(
    serve, seeded, data_dir: Path, capsys
) -> None:
    config("[fetch]\nrequest_deadline = 2\n")
    serve(drips(full_page(1)))
    began = time.monotonic()
    status = run(["fetch", "hf", "--date", "2026-12-01"])
    took = time.monotonic() - began
    line = the_line(capsys.readouterr().err)
    assert status == 1
    assert line == (
        "papertray: 127.0.0.1 did not finish answering within 2 s: stopped (the limit on one "
        "request)"
    )
    assert took < 10
    assert folder_bytes(data_dir) == seeded


def test_a_body_one_byte_a_second_stops_too(serve, seeded, data_dir: Path, capsys) -> None:
    config("[fetch]\nrequest_deadline = 2\n")
    page = full_page(1)
    head, body = page.split(b"\r\n\r\n", 1)

    def handler(conn, _head):  # type: ignore[no-untyped-def]
        conn.sendall(head + b"\r\n\r\n")
        drips(body)(conn, _head)

    serve(handler)
    began = time.monotonic()
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 1
    assert "did not finish answering within 2 s" in the_line(capsys.readouterr().err)
    assert time.monotonic() - began < 10
    assert folder_bytes(data_dir) == seeded


def test_the_fetch_deadline_keeps_the_pages_before_it(serve, data_dir: Path, capsys) -> None:
    """A month whose second page drips: at the fetch's deadline the first page is imported
    and a warning says the fetch stopped, and why."""
    config("[fetch]\ndeadline = 2\n")
    serve(by_path({"p=0": sends(full_page(1)), "p=1": drips(full_page(101))}))
    began = time.monotonic()
    status = run(["fetch", "hf", "--month", "2026-11"])
    err = capsys.readouterr().err
    assert time.monotonic() - began < 10
    assert status == 0, err
    assert (
        "papertray: warning: hf 2026-11: stopped after 1 page by the 2 s limit on one fetch; "
        "the papers of those pages are kept"
    ) in err
    assert "hf 2026-11: 100 papers: 100 new" in err
    assert len(Library.open(data_dir).papers()) == 100


def test_the_fetch_deadline_before_any_page_is_one_line(
    serve, seeded, data_dir: Path, capsys
) -> None:
    config("[fetch]\ndeadline = 2\nrequest_deadline = 30\n")
    serve(drips(full_page(1)))
    began = time.monotonic()
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 1
    assert the_line(capsys.readouterr().err) == (
        "papertray: hf 2026-12-01: nothing came within the 2 s limit on one fetch"
    )
    assert time.monotonic() - began < 10
    assert folder_bytes(data_dir) == seeded


async def test_escape_stops_a_fetch_in_the_reader(serve, reader, data_dir: Path) -> None:
    server = serve(drips(full_page(1)))
    app = reader()
    before = folder_bytes(data_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        for _ in range(200):
            await pilot.pause(0.05)
            if server.requests and "page 1" in app.main.network.busy:
                break
        assert app.main.network.busy.startswith("fetching hf latest: page 1…")
        began = time.monotonic()
        await pilot.press("escape")
        await settle(app, pilot)
        assert time.monotonic() - began < 5
        assert app.is_running and not app.main.network.busy
        shown = toasts(app)
        assert "hf latest: cancelled" in shown
        assert app._notifications and list(app._notifications)[-1].title == "Fetch stopped"
    assert folder_bytes(data_dir) == before


async def test_the_reader_says_when_the_deadline_stopped_a_fetch(
    serve, reader, data_dir: Path
) -> None:
    serve(drips(full_page(1)))
    app = reader()
    config("[fetch]\nhf = true\nrequest_deadline = 1\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        await settle(app, pilot)
        assert app.is_running and not app.main.network.busy
        assert "did not finish answering within 1 s" in toasts(app)
