"""The reader's network keys, with Pilot against a loopback server: F fetches the configured
sources with progress in the status line and adds the papers without a restart, the cursor kept;
papers another process imported appear by themselves; O opens the paper's arXiv page; y / Y copy
its citation; E links the papers shown to arXiv."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import orjson
import pytest
from helpers.reader import highlighted, pane_text, settle, shown_ids
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papertray.store import Library, State
from papertray.store import net as net_module
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.tui import clipboard
from papertray.tui.app import PapertrayApp

SIZE = (120, 40)
DAY = Path(__file__).resolve().parent / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"
SEED = ingest_file(sample_digest()).papers


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    library = Library.open(data_dir)
    library.add(SEED)
    return library, State.open(data_dir)


@pytest.fixture
def served(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("HF_ENDPOINT", base)
    monkeypatch.setenv("PAPERTRAY_ARXIV_API", f"{base}/api/query")
    Path(os.environ["PAPERTRAY_CONFIG"]).write_text("[fetch]\nhf = true\n")
    monkeypatch.setattr(
        net_module, "default_settings", lambda: net_module.Settings(sleep=lambda s: None)
    )
    return httpserver


def toasts(app: PapertrayApp) -> str:
    """Every notification shown so far, as one text (a toast wraps on screen)."""
    return "\n".join(n.message for n in app._notifications)


async def test_fetch_key_shows_progress_and_adds_the_papers_keeping_the_cursor(
    store, served: HTTPServer, screen_text, data_dir: Path
) -> None:
    release = threading.Event()

    def slow(_request: Request) -> Response:
        release.wait(5)  # hold the answer until the test has seen the progress
        return Response(DAY.read_bytes(), content_type="application/json")

    served.expect_request("/api/daily_papers").respond_with_handler(slow)
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j")
        here = highlighted(app).id
        await pilot.press("F")
        for _ in range(50):
            await pilot.pause(0.05)
            if "fetching hf latest: page 1" in screen_text(app):
                break
        assert "fetching hf latest: page 1…" in screen_text(app)
        release.set()
        await settle(pilot, app)
        text = " ".join(screen_text(app).split())
        assert "104 shown · 104 unread · 104 in the library" in text
        assert highlighted(app).id == here  # the cursor stayed on its paper
        assert "hf latest: 3 papers: 3 new, 0 merged, 0 unchanged" in toasts(app)
        assert "arxiv:2612.00101" in shown_ids(app)
        await pilot.press("G")
        assert highlighted(app).id == "arxiv:2612.00103"
    assert len(Library.open(data_dir).papers()) == 104


async def test_escape_cancels_a_fetch_and_nothing_is_imported(
    store, served: HTTPServer, screen_text, data_dir: Path
) -> None:
    release = threading.Event()

    def slow(_request: Request) -> Response:
        release.wait(5)
        return Response(DAY.read_bytes(), content_type="application/json")

    served.expect_request("/api/daily_papers").respond_with_handler(slow)
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        for _ in range(50):
            await pilot.pause(0.05)
            if "fetching hf latest: page 1" in screen_text(app):
                break
        await pilot.press("escape")
        await settle(pilot, app)  # the server still holds its answer: the connection was shut
        assert "hf latest: cancelled" in toasts(app)
        release.set()
        assert [n.title for n in app._notifications][-1] == "Fetch stopped"
        assert "stopping" not in screen_text(app)
        assert "101 shown · 101 unread · 101 in the library" in " ".join(screen_text(app).split())
        await pilot.press("F")  # and a new fetch may start
        await settle(pilot, app)
        assert "hf latest: 3 papers: 3 new" in toasts(app)
    assert len(Library.open(data_dir).papers()) == 104


async def test_a_failed_fetch_says_so_and_changes_nothing(store, served, screen_text) -> None:
    served.expect_request("/api/daily_papers").respond_with_data(
        "<html>portal</html>", content_type="text/html"
    )
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await settle(pilot, app)
        assert "sent a web page instead of JSON (a captive portal" in toasts(app)
        assert "101 shown · 101 unread · 101 in the library" in " ".join(screen_text(app).split())


async def test_papers_another_process_imported_appear(store, data_dir: Path, screen_text) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        here = highlighted(app).id
        await pilot.press("slash", *"memory", "enter")
        await pilot.pause()
        await settle(pilot, app)
        shown_before = app.main.paper_list.row_count
        assert "12 new" not in screen_text(app)
        # Another process: `papertray fetch` from cron.
        other = Library.open(data_dir)
        fetched = ingest_file(DAY).papers
        started = time.monotonic()
        await asyncio.to_thread(other.add, fetched)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "104 in the library" not in screen_text(app):
            await pilot.pause(0.05)
        assert time.monotonic() - started < 5  # within a second or so (a busy machine: more)
        await settle(pilot, app)
        # The filter still applies: one fetched abstract says "memory", so one more is shown.
        assert app.main.paper_list.row_count == shown_before + 1
        text = " ".join(screen_text(app).split())
        assert "104 in the library" in text and "3 new" in text  # is:new follows too
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.main.paper_list.row_count == 104
        assert here in shown_ids(app)
        await pilot.press("slash", *"is:new", "enter")
        await settle(pilot, app)
        assert sorted(shown_ids(app)) == sorted(p.id for p in fetched)


async def test_open_paper_key_opens_the_arxiv_page_of_an_enriched_paper(
    store, served: HTTPServer, data_dir: Path, monkeypatch
) -> None:
    mesa = next(p for p in SEED if p.title.startswith("Mesa:"))
    item = orjson.loads(DAY.read_bytes())[0]
    item["paper"].update(id="2107.11817", title=mesa.title)
    item["title"] = mesa.title

    def search(request: Request) -> Response:
        found = [item] if request.args["q"] == mesa.title else []
        return Response(orjson.dumps(found), content_type="application/json")

    served.expect_request("/api/papers/search").respond_with_handler(search)
    served.expect_request("/api/query").respond_with_data(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>',
        content_type="application/atom+xml",
    )
    opened: list[str] = []
    copied: list[str] = []
    monkeypatch.setattr(clipboard, "open_url", lambda url: opened.append(url) or "firefox")
    monkeypatch.setattr(clipboard, "system_copy", lambda text: copied.append(text) or "xclip")
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        assert highlighted(app).id == mesa.id
        await pilot.press("O")  # not linked yet: says how to link it
        await pilot.pause()
        assert opened == []
        assert "This paper has no arXiv id yet: E (or papertray enrich)" in toasts(app)
        await pilot.press("slash", *"mesa", "enter", "E")
        await settle(pilot, app)
        assert highlighted(app).arxiv_id == "2107.11817"
        assert highlighted(app).id == mesa.id
        assert "arXiv page" not in pane_text(app) and "arxiv.org/abs/2107.11817" in pane_text(app)
        await pilot.press("O")
        await settle(pilot, app)
        assert opened == ["https://arxiv.org/abs/2107.11817"]
        await pilot.press("o")  # o still opens the code repo
        await settle(pilot, app)
        assert opened[-1] == "https://github.com/ziplab/Mesa"
        await pilot.press("y")
        await settle(pilot, app)
        await pilot.press("Y")
        await settle(pilot, app)
    assert copied[0] == "2107.11817"  # the bare id: the config's [reader] copy_id says so
    enriched = Library.open(data_dir).get(mesa.id)
    # keyed lastnameYEARfirstword (store/citation.py, issue 23): the year arXiv gave the paper
    year = (enriched.published or "")[:4]
    assert year.isdigit()
    assert copied[1].startswith(f"@misc{{lovelace{year}mesa,\n"), copied[1]
    assert "eprint = {2107.11817}" in copied[1] and "archivePrefix = {arXiv}" in copied[1]
    assert enriched.arxiv_id == "2107.11817"


async def test_papers_opened_from_a_page_copy_are_linked_in_the_background(
    store, served: HTTPServer, data_dir: Path
) -> None:
    """`papertray page.txt`: the reader links the pasted papers to arXiv by itself."""
    mesa = next(p for p in SEED if p.title.startswith("Mesa:"))
    item = orjson.loads(DAY.read_bytes())[0]
    item["paper"].update(id="2107.11817", title=mesa.title)
    item["title"] = mesa.title
    served.expect_request("/api/papers/search").respond_with_handler(
        lambda r: Response(
            orjson.dumps([item] if r.args["q"] == mesa.title else []),
            content_type="application/json",
        )
    )
    served.expect_request("/api/query").respond_with_data(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>',
        content_type="application/atom+xml",
    )
    scope = [p.id for p in SEED[:5]]
    app = PapertrayApp(*store, paper_ids=scope, link_new=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert "enrich: linked 1 of 5 papers to arXiv; 4 not found" in toasts(app)
        assert shown_ids(app) == scope
        assert Library.open(data_dir).get(mesa.id).arxiv_id == "2107.11817"
    searched = [r.args["q"] for r, _ in served.log if r.path == "/api/papers/search"]
    assert sorted(searched) == sorted(p.title for p in SEED[:5])


@pytest.mark.timeout(120)
def test_quitting_while_a_lookup_hangs_exits_at_once(tmp_path: Path) -> None:
    """A server that takes the request and never answers (read timeout 20 s): `q` still quits
    the reader at once, and nothing of the library is lost."""
    import socket

    from helpers.ptyrun import PtyApp

    digest = tmp_path / "page.txt"
    digest.write_text("Alpha paper about cats\n\nAbstract one about cats and dogs.\n")
    data = tmp_path / "data"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections complete in the kernel; nobody ever answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        env = {"PAPERTRAY_DATA_DIR": str(data), "HOME": str(tmp_path), "HF_ENDPOINT": url}
        with PtyApp([str(digest)], env) as app:
            assert app.wait_for("Alpha paper about cats"), app.text[-2000:]
            assert app.wait_for("linking to arXiv 1 of 1"), app.text[-2000:]
            app.send("q")
            status = app.wait(timeout=10)  # the read timeout is 20 s
    assert status == 0, "the reader waited for the hung request"
    assert [p.title for p in Library.open(data).papers()] == ["Alpha paper about cats"]
