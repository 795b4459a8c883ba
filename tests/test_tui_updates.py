"""The reader's Updates list and its watch (issue 24, points 2 and 3), with Pilot: `U` lists what
changed of the starred and read-later papers, unseen first, and marks them seen; enter goes to
the paper; the status line counts them. After `F`, the watch checks the watched papers against
a loopback fake of the arXiv API (the data folder's run lock held: a scheduled run holding it
is one quiet line), and the desktop is told when the config asks."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.fake_sources import FakeArxiv, FakeHF, Version, drain
from helpers.reader import highlighted, move_to, notes, pane_text, settle, shown_ids, status_text
from pytest_httpserver import HTTPServer
from werkzeug import Response

from papertray.store import Library, Paper, PaperState, State, run_lock
from papertray.store import net as net_module
from papertray.store.updates import Answer
from papertray.tui.app import PapertrayApp
from papertray.tui.screens.updates import UpdatesScreen

SIZE = (120, 40)
DAY = Path(__file__).resolve().parent / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"


def watched(aid: str, title: str, **more: object) -> Paper:
    return Paper(f"arxiv:{aid}", title, arxiv_id=aid, arxiv_version=1, **more)  # type: ignore[arg-type]


PAPERS = [
    watched("2612.00201", "Tokenizers That Read Numbers"),
    watched("2612.00202", "Sparse Experts at Scale", upvotes=20),
    watched("2612.00203", "Old news about kernels"),
    Paper("t:other", "A paper nobody watches"),
]


def star(data_dir: Path, *ids: str) -> None:
    State.open(data_dir).restore({pid: PaperState(starred=True, starred_at=1.0) for pid in ids})


@pytest.fixture
def store(data_dir: Path) -> tuple[Library, State]:
    """Three starred papers, each with an update: one seen already (the oldest), a new version
    and code not seen yet."""
    library = Library.open(data_dir)
    library.add(PAPERS)
    star(data_dir, *(p.id for p in PAPERS[:3]))
    kernels, tokens, experts = PAPERS[2], PAPERS[0], PAPERS[1]
    (old,) = library.apply_watch(
        [Answer(kernels.id, "hf", kernels._replace(repo="https://github.com/old/kernels"))],
        at=1_779_969_600.0,  # 2026-05-28, noon UTC
    )
    library.mark_updates_seen([old.id])
    library.apply_watch(
        [
            Answer(tokens.id, "arxiv", tokens._replace(arxiv_version=3)),
            Answer(experts.id, "hf", experts._replace(repo="https://github.com/ex/perts")),
        ],
        at=1_780_056_000.0,  # 2026-05-29, noon UTC
    )
    return library, State.open(data_dir)


def rows(app: PapertrayApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, UpdatesScreen)
    options = screen.query_one("#updates").options  # type: ignore[attr-defined]
    return [" ".join(str(o.prompt).split()) for o in options]


async def test_the_updates_list_unseen_first_marks_them_seen_and_goes_to_the_paper(
    store, data_dir: Path, screen_text
) -> None:
    library, _state = store
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "2 news" in status_text(app)
        await pilot.press("slash", *"kernels", "enter")  # a filter that hides the others
        await settle(pilot, app)
        await pilot.press("U")
        await settle(pilot, app)
        assert rows(app) == [
            "● Sparse Experts at Scale code: github.com/ex/perts · 2026-05-29",
            "● Tokenizers That Read Numbers new version v1 → v3 · 2026-05-29",
            "Old news about kernels code: github.com/old/kernels · 2026-05-28",
        ]
        assert "2 not seen before" in screen_text(app)
        # Opening it marked them seen, as stored.
        assert Library.open(data_dir).updates(unseen_only=True) == []
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, UpdatesScreen)
        # The paper is highlighted: the filter that hid it is cleared.
        assert highlighted(app).id == "arxiv:2612.00201"
        assert app.main.filter_input.value == "" and len(shown_ids(app)) == len(PAPERS)
        assert "news" not in status_text(app)
        # Opened again: nothing unseen, the same entries.
        await pilot.press("U")
        await settle(pilot, app)
        assert [row.startswith("●") for row in rows(app)] == [False, False, False]
        assert "not seen before" not in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert highlighted(app).id == "arxiv:2612.00201"


async def test_no_updates_says_how_they_come(data_dir: Path) -> None:
    library = Library.open(data_dir)
    library.add(PAPERS)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"updates: starred")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        (row,) = rows(app)
        assert row.startswith("No updates yet. After a fetch (F) the reader checks")


async def test_an_update_is_text_never_markup(data_dir: Path, screen_text) -> None:
    library = Library.open(data_dir)
    nasty = watched("2612.00209", "[bold]Loud[/] title \x1b]52;c;AAAA\x07 [/")
    library.add([nasty])
    star(data_dir, nasty.id)
    library.apply_watch([Answer(nasty.id, "hf", nasty._replace(repo="https://github.com/a/[b]"))])
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("U")
        await settle(pilot, app)
        (row,) = rows(app)
        assert "\x1b" not in row and "\x07" not in row
        assert "[bold]Loud[/] title" in screen_text(app) and "github.com/a/[b]" in row


# -- the watch after a fetch ----------------------------------------------------------------------


@pytest.fixture
def sources(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArxiv]:
    """The HF daily papers (what F fetches) and the arXiv API (what the watch asks), on
    loopback; no waits between requests."""
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("HF_ENDPOINT", base)
    monkeypatch.setenv("PAPERTRAY_ARXIV_API", f"{base}/api/query")
    monkeypatch.setattr(
        net_module, "default_settings", lambda: net_module.Settings(sleep=lambda s: None)
    )
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        DAY.read_bytes(), content_type="application/json"
    )
    arxiv = FakeArxiv()
    httpserver.expect_request("/api/query").respond_with_handler(arxiv.handler)
    arxiv.papers["2612.00201"] = [
        Version("Tokenizers That Read Numbers", "2026-11-02T10:00:00Z"),
        Version("Tokenizers That Read Numbers Well", "2026-11-20T09:00:00Z"),
    ]
    yield arxiv
    arxiv.pace.release()  # a delay a test set ends with it (the server is the session's)
    drain(httpserver)


def config(text: str) -> None:
    Path(os.environ["PAPERTRAY_CONFIG"]).write_text("[fetch]\nhf = true\n" + text)


@pytest.fixture
def notifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A `notify-send` on PATH that writes what it was asked to show to a file."""
    if not sys.platform.startswith("linux"):
        pytest.skip("notify-send is the Linux notifier")
    folder = tmp_path / "bin"
    folder.mkdir()
    shown = tmp_path / "notified.txt"
    script = folder / "notify-send"
    part = f"{shown}.part"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{part}" && mv "{part}" "{shown}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    yield shown


async def test_after_a_fetch_the_watch_finds_a_new_version(
    sources: FakeArxiv, data_dir: Path, notifier: Path
) -> None:
    config("[notify]\ndesktop = true\n")
    library = Library.open(data_dir)
    library.add(PAPERS[:1])
    star(data_dir, PAPERS[0].id)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "news" not in status_text(app)
        await pilot.press("F")
        await settle(pilot, app)
        assert sources.asked == [["2612.00201"]]  # the watch asked arXiv about the starred one
        (update,) = Library.open(data_dir).updates()
        assert (update.paper, update.detail, update.seen) == ("arxiv:2612.00201", "v1 → v2", False)
        assert any(n.startswith("watch: 1 of 1 watched paper checked") for n in notes(app))
        assert "(U lists them)" in notes(app)[-1]
        assert "1 news" in status_text(app)
        # The paper was revised in the list too.
        titles = [p.title for p in Library.open(data_dir).papers()]
        assert "Tokenizers That Read Numbers Well" in titles
        assert "Tokenizers That Read Numbers Well" in [
            app.main.paper_list.paper(r).title  # type: ignore[union-attr]
            for r in app.main.paper_list.rowids
        ]
    for _ in range(200):  # the notifier runs on its own; wait for its file
        if notifier.exists():
            break
        await _sleep(0.05)
    assert notifier.read_text().splitlines()[-2:] == ["papertray", "1 update"]


async def test_no_notification_unless_asked_and_nothing_watched_asks_nobody(
    sources: FakeArxiv, data_dir: Path, notifier: Path
) -> None:
    config("")
    library = Library.open(data_dir)
    library.add(PAPERS[:1])
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await settle(pilot, app)
        assert sources.asked == []  # nothing starred: no watch request
        star(data_dir, PAPERS[0].id)
        await pilot.press("F")
        await settle(pilot, app)
        assert sources.asked == [["2612.00201"]]
        assert "1 news" in status_text(app)
    await _sleep(0.3)
    assert not notifier.exists()


async def test_a_scheduled_run_holding_the_lock_is_one_quiet_line(
    sources: FakeArxiv, data_dir: Path
) -> None:
    config("")
    library = Library.open(data_dir)
    library.add(PAPERS[:1])
    star(data_dir, PAPERS[0].id)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        with run_lock(data_dir):
            await pilot.press("F")
            await settle(pilot, app)
        assert sources.asked == []
        busy = [n for n in app._notifications if "another papertray fetch or watch" in n.message]
        assert len(busy) == 1 and busy[0].severity == "information"
        assert "\n" not in busy[0].message
        assert busy[0].message.endswith("the reader's watch stops here")


async def test_a_failing_arxiv_is_one_line_and_the_reader_goes_on(
    sources: FakeArxiv, data_dir: Path
) -> None:
    config("")
    sources.faults = [Response("down", status=503)] * 10
    library = Library.open(data_dir)
    library.add(PAPERS[:1])
    star(data_dir, PAPERS[0].id)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await settle(pilot, app)
        failed = [n for n in app._notifications if n.title == "Watch failed"]
        assert len(failed) == 1 and "503" in failed[0].message
        assert "watching" not in status_text(app)
        await pilot.press("j")  # still going
        assert Library.open(data_dir).updates() == []


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def test_the_pane_shows_what_changed_and_the_versions(store, data_dir: Path) -> None:
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        move_to(app, "arxiv:2612.00201")
        await settle(pilot, app)
        text = pane_text(app)
        assert "What changed" in text and "● new version v1 → v3  ·  2026-05-29" in text
        assert "versions  v1 · v3" in text
        move_to(app, "arxiv:2612.00203")  # seen already: no dot
        await settle(pilot, app)
        assert "   code: github.com/old/kernels  ·  2026-05-28" in pane_text(app)
        move_to(app, "t:other")
        await settle(pilot, app)
        assert "What changed" not in pane_text(app)
        # Seen in the Updates list: the pane's dot goes.
        await pilot.press("U")
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        move_to(app, "arxiv:2612.00201")
        await settle(pilot, app)
        assert "● new version" not in pane_text(app) and "new version v1 → v3" in pane_text(app)


# -- the watch's sources: code appears, rate limits, offline, escape ------------------------------


@pytest.fixture
def hf_papers(httpserver: HTTPServer, sources: FakeArxiv) -> FakeHF:
    """The HF paper API beside the daily papers (the same loopback server)."""
    fake = FakeHF()
    httpserver.expect_request(re.compile(r"^/api/papers/.+$")).respond_with_handler(fake.handler)
    return fake


async def test_after_a_fetch_code_that_appeared_is_an_update_and_the_pane_shows_it(
    sources: FakeArxiv, hf_papers: FakeHF, data_dir: Path
) -> None:
    config("")
    experts = PAPERS[1]  # came with HF upvotes: it has a page there
    sources.papers["2612.00202"] = [Version(experts.title, "2026-11-02T10:00:00Z")]
    hf_papers.papers["2612.00202"] = {"githubRepo": "https://github.com/ex/perts"}
    library = Library.open(data_dir)
    library.add([experts])
    star(data_dir, experts.id)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await settle(pilot, app)
        assert hf_papers.asked == ["2612.00202"]
        (update,) = Library.open(data_dir).updates()
        assert (update.kind, update.detail) == ("code", "code: github.com/ex/perts")
        assert "1 news" in status_text(app)
        move_to(app, experts.id)
        await settle(pilot, app)
        assert "● code: github.com/ex/perts" in pane_text(app)
        await pilot.press("U")
        await settle(pilot, app)
        assert rows(app)[0].startswith("● Sparse Experts at Scale code: github.com/ex/perts")


async def test_a_rate_limited_source_is_waited_for_as_it_asks(
    sources: FakeArxiv, hf_papers: FakeHF, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config("")
    waits: list[float] = []
    monkeypatch.setattr(
        net_module, "default_settings", lambda: net_module.Settings(sleep=waits.append)
    )
    sources.faults.append(Response("slow down", status=429, headers={"Retry-After": "5"}))
    library = Library.open(data_dir)
    library.add(PAPERS[:1])
    star(data_dir, PAPERS[0].id)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await settle(pilot, app)
        assert 5.0 in waits  # Retry-After honoured, then asked again
        (update,) = Library.open(data_dir).updates()
        assert update.detail == "v1 → v2"
        assert not [n for n in app._notifications if n.title == "Watch failed"]


async def test_a_source_busy_for_an_hour_is_one_line_and_the_rest_goes_on(
    sources: FakeArxiv, hf_papers: FakeHF, data_dir: Path
) -> None:
    config("")
    experts = PAPERS[1]
    sources.papers["2612.00202"] = [
        Version(experts.title, "2026-11-02T10:00:00Z"),
        Version(experts.title, "2026-11-22T10:00:00Z"),
    ]
    hf_papers.faults.append(Response("busy", status=429, headers={"Retry-After": "3600"}))
    library = Library.open(data_dir)
    library.add([experts])
    star(data_dir, experts.id)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await settle(pilot, app)
        (failed,) = [n for n in app._notifications if n.title == "Watch failed"]
        lines = failed.message.split("\n")
        assert lines[-1] == (
            "127.0.0.1 is busy (429) and asks to retry after 3600 s; try again later"
        )
        assert [u.detail for u in Library.open(data_dir).updates()] == ["v1 → v2"]  # arXiv's kept
        await pilot.press("j")
        assert "watching" not in status_text(app)


async def test_offline_the_watch_is_one_line_and_the_news_still_counts(
    sources: FakeArxiv, store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetch's source answers, arXiv's API cannot be reached (nothing listens there)."""
    import socket

    config("")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("PAPERTRAY_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    app = PapertrayApp(*store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "2 news" in status_text(app)
        await pilot.press("F")
        await settle(pilot, app)
        (failed,) = [n for n in app._notifications if n.title == "Watch failed"]
        assert "cannot reach 127.0.0.1: connection refused" in failed.message.split("\n")
        assert all(len(line) < 200 for line in failed.message.split("\n"))
        assert "2 news" in status_text(app) and "watching" not in status_text(app)
        assert len(Library.open(data_dir).updates()) == 3  # nothing lost


async def test_escape_stops_the_watch(sources: FakeArxiv, data_dir: Path, screen_text) -> None:
    config("")
    sources.delay = 3.0
    library = Library.open(data_dir)
    library.add(PAPERS[:1])
    star(data_dir, PAPERS[0].id)
    app = PapertrayApp(library, State.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        for _ in range(100):
            await pilot.pause(0.05)
            if "watch" in status_text(app) and "esc stops it" in status_text(app):
                break
        assert "esc stops it" in status_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert [n.title for n in app._notifications][-1] == "Watch stopped"
        assert "watching" not in status_text(app) and "stopping" not in status_text(app)
        assert Library.open(data_dir).updates() == []
