"""`papertray watch` (issue 24, point 2) against loopback fakes of the arXiv API (`id_list`,
Atom) and the Hugging Face paper API (`/api/papers/{id}`): a new version, code that appears,
upvotes past the threshold, rate limits, 304s, a source that fails, a run cut off, the lock,
and a desktop notification that never holds the command up."""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from helpers.fake_sources import FakeArxiv, FakeHF, Version, drain
from pytest_httpserver import HTTPServer
from werkzeug import Response

from papertray.store import Library, Paper, PaperState, State, run_lock
from papertray.store import net as net_module
from papertray.tui.cli import run

NOW = "2026-12-10T12:00:00+00:00"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERTRAY_NOW", NOW)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the client asks for (retries, arXiv's pacing), recorded instead of slept."""
    waits: list[float] = []

    def settings() -> net_module.Settings:
        return net_module.Settings(connect_timeout=2.0, read_timeout=5.0, sleep=waits.append)

    monkeypatch.setattr(net_module, "default_settings", settings)
    return waits


# -- the fakes (tests/helpers/fake_sources.py) -------------------------------------------


@pytest.fixture
def arxiv(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArxiv]:
    fake = FakeArxiv()
    httpserver.expect_request("/api/query").respond_with_handler(fake.handler)
    monkeypatch.setenv("PAPERTRAY_ARXIV_API", httpserver.url_for("/api/query"))
    yield fake
    fake.pace.release()  # a delay a test set ends with it (the server is the session's)
    drain(httpserver)


@pytest.fixture
def hf(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHF]:
    """On a server of its own, as Hugging Face is another server than arXiv (each keeps its
    own pace)."""
    fake = FakeHF()
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request(re.compile(r"^/api/papers/.+$")).respond_with_handler(fake.handler)
    monkeypatch.setenv("HF_ENDPOINT", server.url_for("").rstrip("/"))
    yield fake
    fake.pace.release()
    server.clear()
    server.stop()


def paper(aid: str, *, version: int | None = 1, upvotes: int | None = None, **more: Any) -> Paper:
    fields: dict[str, Any] = {"title": f"Paper {aid}", "published": "2026-11-02"}
    fields.update(more)
    return Paper(f"arxiv:{aid}", arxiv_id=aid, arxiv_version=version, upvotes=upvotes, **fields)


def watching(data_dir: Path, papers: list[Paper], *, later: tuple[str, ...] = ()) -> None:
    """These papers in the library, starred (those in `later` queued to read later instead),
    in one write of each file."""
    library = Library.open(data_dir)
    library.add(papers)
    library.close()
    at = 1_780_000_000.0
    State.open(data_dir).restore(
        {
            p.id: PaperState(later=True, later_at=at)
            if p.arxiv_id in later
            else PaperState(starred=True, starred_at=at)
            for p in papers
        }
    )


def watch(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], list[str]]:
    status = run(["watch"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out.splitlines(), err.splitlines()


def news_json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert run(["news", "--format", "json"]) == 0
    return orjson.loads(capsys.readouterr().out)


def config(tmp_path: Path, text: str) -> None:
    (tmp_path / "config.toml").write_text(text)


V1 = Version("Tokenizers That Read Numbers", "2026-11-02T10:00:00Z")


# -- a new version ------------------------------------------------------------------------------


def test_a_new_version_is_an_update_and_revises_the_paper(
    arxiv: FakeArxiv, hf: FakeHF, sleeps, data_dir: Path, capsys
) -> None:
    watching(data_dir, [paper("2612.00201", title=V1.title)])
    arxiv.papers["2612.00201"] = [
        V1,
        Version("Tokenizers That Read Numbers Well", "2026-11-20T09:00:00Z"),
        Version(
            "Tokenizers That Read Numbers, Revised",
            "2026-12-03T09:00:00Z",
            comment="v3: code at https://github.com/example/digits",
        ),
    ]
    status, out, err = watch(capsys)
    assert status == 0
    assert out == [
        "2612.00201    version  v1 → v3  Tokenizers That Read Numbers, Revised",
        "2612.00201    code     code: github.com/example/digits  Tokenizers That Read Numbers, "
        "Revised",
    ]
    assert err == [
        "papertray: watch: 1 of 1 watched paper checked (1 arXiv request): 1 new version, "
        "1 with new code"
    ]
    assert arxiv.asked == [["2612.00201"]]
    assert hf.asked == []  # no upvotes: no Hugging Face page to ask
    library = Library.open(data_dir)
    revised = library.get("arxiv:2612.00201")
    assert revised is not None
    assert (revised.title, revised.arxiv_version) == ("Tokenizers That Read Numbers, Revised", 3)
    assert revised.repo == "https://github.com/example/digits"
    assert not [u for u in revised.links if "2612.00201v" in u]  # its own pages, no copies
    assert [(v.version, v.date, v.title) for v in library.versions("arxiv:2612.00201")] == [
        (1, "2026-11-02", "Tokenizers That Read Numbers"),
        (3, "2026-12-03", "Tokenizers That Read Numbers, Revised"),
    ]
    updates = news_json(capsys)["updates"]  # newest first
    assert [(u["paper"], u["kind"], u["detail"]) for u in updates] == [
        ("arxiv:2612.00201", "code", "code: github.com/example/digits"),
        ("arxiv:2612.00201", "version", "v1 → v3"),
    ]
    assert run(["news"]) == 0
    out_news, err_news = capsys.readouterr()
    assert out_news.splitlines() == [
        "updates: starred and read-later papers that changed (not seen yet)",
        "2612.00201    code     code: github.com/example/digits  Tokenizers That Read Numbers, "
        "Revised",
        "2612.00201    version  v1 → v3  Tokenizers That Read Numbers, Revised",
    ]
    assert err_news == "papertray: no follows: papertray follow QUERY (or --author NAME) adds one\n"
    assert run(["news", "--seen"]) == 0
    assert capsys.readouterr().err.endswith("marked seen: 0 follows, 2 updates\n")
    assert news_json(capsys)["updates"] == []
    assert library.unseen_updates() == 0 and len(library.updates()) == 2
    # Asked again: nothing moved, nothing new.
    status, out, err = watch(capsys)
    assert (status, out) == (0, [])
    assert err[-1].endswith("(1 arXiv request): no changes")
    assert len(library.updates()) == 2


def test_a_version_a_fetch_brought_in_between_is_still_news(
    arxiv: FakeArxiv, sleeps, data_dir: Path, capsys
) -> None:
    """The baseline is what watch saw last: a replacement the day's announcement brought
    (the library's copy says v2 already) is still "v1 → v2"."""
    watching(data_dir, [paper("2612.00202", title="Old")])
    arxiv.papers["2612.00202"] = [Version("Old", "2026-11-02T10:00:00Z")]
    assert watch(capsys)[0] == 0
    Library.open(data_dir).update([paper("2612.00202", version=2, title="New")])
    arxiv.papers["2612.00202"].append(Version("New", "2026-12-05T10:00:00Z"))
    status, out, _err = watch(capsys)
    assert status == 0
    assert out == ["2612.00202    version  v1 → v2  New"]


def test_a_version_never_known_is_news_only_when_it_came_after_the_paper(
    arxiv: FakeArxiv, sleeps, data_dir: Path, capsys
) -> None:
    """HF's daily papers name no version: v3 out before the paper came in is not news; v2 out
    after it is ("now v2")."""
    watching(data_dir, [paper("2612.00203", version=None), paper("2612.00204", version=None)])
    arxiv.papers["2612.00203"] = [V1, V1, Version("Before", "2026-12-01T00:00:00Z")]
    arxiv.papers["2612.00204"] = [V1, Version("After", "2026-12-11T00:00:00Z")]
    status, out, _err = watch(capsys)
    assert status == 0
    assert out == ["2612.00204    version  now v2  After"]


# -- Hugging Face: code and upvotes --------------------------------------------------------------


def test_code_appears_on_hugging_face_asked_only_for_papers_with_a_page(
    arxiv: FakeArxiv, hf: FakeHF, sleeps, data_dir: Path, capsys
) -> None:
    watching(
        data_dir,
        [
            paper("2612.00301", upvotes=12),  # an HF page, no code yet: asked
            paper("2612.00302"),  # no HF page (no upvotes): never asked
            paper("2612.00303", upvotes=5, repo="https://github.com/a/b"),  # code already
        ],
        later=("2612.00301",),
    )
    for aid in ("2612.00301", "2612.00302", "2612.00303"):
        arxiv.papers[aid] = [V1]
    hf.papers["2612.00301"] = {"githubRepo": "https://github.com/example/new-code", "upvotes": 14}
    hf.papers["2612.00302"] = {"githubRepo": "https://github.com/never/asked"}
    status, out, err = watch(capsys)
    assert status == 0
    assert out == ["2612.00301    code     code: github.com/example/new-code  Paper 2612.00301"]
    assert hf.asked == ["2612.00301"]
    assert "(1 arXiv request, 1 Hugging Face lookup): 1 with new code" in err[-1]
    got = Library.open(data_dir).get("arxiv:2612.00301")
    assert got is not None and (got.repo, got.upvotes) == (
        "https://github.com/example/new-code",
        14,
    )
    # The code is known now: Hugging Face is not asked about it again.
    hf.asked.clear()
    assert watch(capsys)[1] == []
    assert hf.asked == []


def test_upvotes_past_the_threshold_of_the_config_file(
    arxiv: FakeArxiv, hf: FakeHF, sleeps, data_dir: Path, tmp_path: Path, capsys
) -> None:
    config(tmp_path, "[watch]\nupvotes = 100\n")
    watching(
        data_dir,
        [
            paper("2612.00401", upvotes=40, repo="https://github.com/a/one"),
            paper("2612.00402", upvotes=150, repo="https://github.com/a/two"),  # past it already
        ],
    )
    arxiv.papers["2612.00401"] = arxiv.papers["2612.00402"] = [V1]
    hf.papers["2612.00401"] = {"upvotes": 99, "githubRepo": "https://github.com/a/one"}
    assert watch(capsys)[1] == []  # 99: not yet
    hf.papers["2612.00401"]["upvotes"] = 153
    status, out, _err = watch(capsys)
    assert status == 0
    assert out == ["2612.00401    upvotes  upvotes: 153 (past 100)  Paper 2612.00401"]
    assert hf.asked == ["2612.00401", "2612.00401"]  # 2612.00402 is past it: never asked
    hf.papers["2612.00401"]["upvotes"] = 180
    assert watch(capsys)[1] == []  # crossed once, said once
    assert hf.asked == ["2612.00401", "2612.00401"]


def test_a_rate_limited_lookup_waits_as_retry_after_says(
    arxiv: FakeArxiv, hf: FakeHF, sleeps, data_dir: Path, capsys
) -> None:
    watching(data_dir, [paper("2612.00501", upvotes=3)])
    arxiv.papers["2612.00501"] = [V1]
    arxiv.faults.append(Response("slow down", status=429, headers={"Retry-After": "5"}))
    hf.faults.append(Response("slow down", status=429, headers={"Retry-After": "7"}))
    hf.papers["2612.00501"] = {"githubRepo": "https://github.com/example/late"}
    status, out, _err = watch(capsys)
    assert status == 0
    assert out == ["2612.00501    code     code: github.com/example/late  Paper 2612.00501"]
    assert 5.0 in sleeps and 7.0 in sleeps


def test_hugging_face_failing_ends_its_lookups_in_one_line_and_arxiv_goes_on(
    arxiv: FakeArxiv, hf: FakeHF, sleeps, data_dir: Path, capsys
) -> None:
    watching(data_dir, [paper("2612.00601", upvotes=3), paper("2612.00602", upvotes=4)])
    arxiv.papers["2612.00601"] = [V1, Version("Second", "2026-12-05T00:00:00Z")]
    arxiv.papers["2612.00602"] = [V1]
    busy = Response("busy", status=429, headers={"Retry-After": "3600"})
    hf.faults.append(busy)
    status, out, err = watch(capsys)
    assert status == 1
    assert out == ["2612.00601    version  v1 → v2  Second"]
    assert len(hf.asked) == 1  # the second lookup is not tried after the first failed
    assert err[-1] == (
        "papertray: 127.0.0.1 is busy (429) and asks to retry after 3600 s; try again later"
    )
    assert len(Library.open(data_dir).updates()) == 1  # what arXiv said is kept


# -- limits and faults ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_thousand_papers_take_five_arxiv_requests_within_30_s(
    arxiv: FakeArxiv, hf: FakeHF, data_dir: Path, capsys
) -> None:
    """Realistic latency and arXiv's real pacing (3 s between requests, no stubbed sleep):
    1,000 watched papers are 5 batched requests, and the HF lookups fit into arXiv's waits."""
    arxiv.delay, hf.delay = 0.4, 0.1
    papers = [paper(f"2612.{n:05d}", upvotes=1 if n % 50 == 0 else None) for n in range(1000, 2000)]
    watching(data_dir, papers)
    for p in papers[::100]:
        assert p.arxiv_id is not None
        arxiv.papers[p.arxiv_id] = [V1, Version("Second", "2026-12-05T00:00:00Z")]
    for p in papers[::50]:
        assert p.arxiv_id is not None
        hf.papers[p.arxiv_id] = {"githubRepo": f"https://github.com/x/{p.arxiv_id}"}
    began = time.monotonic()
    status, out, err = watch(capsys)
    took = time.monotonic() - began
    assert status == 0, err
    assert len(arxiv.asked) == 5 <= 10
    assert sorted(aid for batch in arxiv.asked for aid in batch) == sorted(
        p.arxiv_id or "" for p in papers
    )
    assert len(hf.asked) == 20  # only the papers with an HF page
    assert len(out) == 10 + 20
    assert took < 30, took
    assert (
        "1,000 of 1,000 watched papers checked (5 arXiv requests, 20 Hugging Face lookups)"
        in (err[-1])
    )


def test_an_unchanged_batch_costs_a_304(
    arxiv: FakeArxiv, sleeps, httpserver: HTTPServer, data_dir: Path, capsys
) -> None:
    watching(data_dir, [paper("2612.00701")])
    arxiv.papers["2612.00701"] = [V1]
    arxiv.etag = '"batch-1"'
    assert watch(capsys)[0] == 0
    assert watch(capsys)[0] == 0
    answers = [r.status_code for q, r in httpserver.log if q.path == "/api/query"]
    assert answers == [200, 304]
    assert httpserver.log[-1][0].headers["If-None-Match"] == '"batch-1"'


def test_an_unchanged_paper_page_costs_a_304_and_a_changed_one_is_read(
    arxiv: FakeArxiv, hf: FakeHF, sleeps, data_dir: Path, capsys
) -> None:
    watching(data_dir, [paper("2612.00711", upvotes=2)])
    arxiv.papers["2612.00711"] = [V1]
    hf.etags = True
    hf.papers["2612.00711"] = {"upvotes": 3}
    assert watch(capsys)[:2] == (0, [])
    assert watch(capsys)[:2] == (0, [])
    hf.papers["2612.00711"]["githubRepo"] = "https://github.com/example/at-last"
    status, out, _err = watch(capsys)
    assert hf.answers == [200, 304, 200]
    assert (status, out) == (
        0,
        ["2612.00711    code     code: github.com/example/at-last  Paper 2612.00711"],
    )


def test_a_run_cut_off_keeps_the_batches_before_the_cut(
    arxiv: FakeArxiv, sleeps, data_dir: Path, capsys
) -> None:
    papers = [paper(f"2612.{n:05d}") for n in range(2000, 2300)]  # two batches
    watching(data_dir, papers)
    for p in papers:
        assert p.arxiv_id is not None
        arxiv.papers[p.arxiv_id] = [V1, Version("Second", "2026-12-05T00:00:00Z")]

    arxiv.cut_after = 1
    status = run(["watch"])
    out, err = capsys.readouterr()
    assert status == 1
    assert len(out.splitlines()) == 200  # the first batch's new versions
    assert err.splitlines()[-1].startswith(
        "papertray: 127.0.0.1: the arXiv API sent malformed XML (cut off?): "
    )
    assert len(Library.open(data_dir).updates()) == 200


def test_offline_watch_is_one_line_and_1_news_answers_with_0(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("PAPERTRAY_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    watching(data_dir, [paper("2612.00801", upvotes=1)])
    assert run(["follow", "tokenizers"]) == 0
    capsys.readouterr()
    status, out, err = watch(capsys)
    assert (status, out) == (1, [])
    assert err == ["papertray: cannot reach 127.0.0.1: connection refused"]
    assert run(["news"]) == 0
    out, _err = capsys.readouterr()
    assert out.splitlines() == ["follows: new papers since last seen", "      0  tokenizers"]


def test_an_entry_arxiv_sends_without_a_title_is_no_failure(
    arxiv: FakeArxiv, sleeps, data_dir: Path, capsys
) -> None:
    watching(data_dir, [paper("2612.00851")])
    arxiv.papers["2612.00851"] = [V1, Version("", "2026-12-05T00:00:00Z", summary="")]
    status, out, err = watch(capsys)
    assert (status, out) == (0, [])
    assert err == ["papertray: watch: 1 of 1 watched paper checked (1 arXiv request): no changes"]


def test_nothing_to_watch_asks_nobody(arxiv: FakeArxiv, data_dir: Path, capsys) -> None:
    assert watch(capsys) == (
        0,
        [],
        ["papertray: watch: no starred or read-later papers to watch (papertray star ID, "
         "later ID)"],
    )  # fmt: skip
    assert arxiv.asked == []


# -- one run at a time ---------------------------------------------------------------------------


def test_a_second_run_says_so_and_exits_0(arxiv: FakeArxiv, data_dir: Path, capsys) -> None:
    watching(data_dir, [paper("2612.00901")])
    with run_lock(data_dir):
        status, out, err = watch(capsys)
        assert (status, out) == (0, [])
        assert err == [
            f"papertray: another papertray fetch or watch is running (it holds "
            f"{data_dir / 'run.lock'}); this watch stops here"
        ]
        assert run(["fetch", "hf"]) == 0
        assert capsys.readouterr().err.endswith("this fetch stops here\n")
    assert arxiv.asked == []


def test_the_lock_holds_across_processes(arxiv: FakeArxiv, data_dir: Path, capsys) -> None:
    """A lock held by another process (a cron run still going) stops this one."""
    import subprocess

    watching(data_dir, [paper("2612.00902")])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from papertray.store import run_lock\n"
         "with run_lock(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(30)",
         str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        status, _out, err = watch(capsys)
        assert status == 0 and "this watch stops here" in err[0]
    finally:
        holder.kill()
        holder.wait()
    assert arxiv.asked == []


# -- desktop notifications -----------------------------------------------------------------------


@pytest.fixture
def notifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A `notify-send` on PATH that writes its arguments to a file."""
    if not sys.platform.startswith("linux"):
        pytest.skip("notify-send is the Linux notifier")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    said = tmp_path / "notified.txt"
    script = bin_dir / "notify-send"
    script.write_text(f'#!/bin/sh\nprintf "%s|" "$@" > "{said}.tmp" && mv "{said}.tmp" "{said}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    yield said
    from papertray.tui import notify

    for process in notify._started:  # a notifier a test left hanging
        process.kill()
        process.wait()


def _wait_for(path: Path, seconds: float = 10.0) -> str:
    ends = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < ends:
        time.sleep(0.05)
    return path.read_text()


def test_a_desktop_notification_after_a_watch_with_news(
    arxiv: FakeArxiv, sleeps, data_dir: Path, tmp_path: Path, notifier: Path, capsys
) -> None:
    config(tmp_path, "[notify]\ndesktop = true\n")
    watching(data_dir, [paper("2612.01001")])
    arxiv.papers["2612.01001"] = [V1, Version("Second", "2026-12-05T00:00:00Z")]
    status, _out, err = watch(capsys)
    assert status == 0
    assert err[-1] == "papertray: news: 1 update (papertray news)"
    assert _wait_for(notifier) == "--app-name=papertray|--|papertray|1 update|"


def test_no_notification_unless_the_config_asks(
    arxiv: FakeArxiv, sleeps, data_dir: Path, notifier: Path, capsys
) -> None:
    watching(data_dir, [paper("2612.01002")])
    arxiv.papers["2612.01002"] = [V1, Version("Second", "2026-12-05T00:00:00Z")]
    assert watch(capsys)[0] == 0
    time.sleep(0.5)
    assert not notifier.exists()


def test_a_notifier_that_hangs_or_is_missing_never_holds_the_command(
    arxiv: FakeArxiv, sleeps, data_dir: Path, tmp_path: Path, notifier: Path, monkeypatch, capsys
) -> None:
    config(tmp_path, "[notify]\ndesktop = true\n")
    (notifier.parent / "bin" / "notify-send").write_text("#!/bin/sh\nsleep 60\n")
    watching(data_dir, [paper("2612.01003")])
    arxiv.papers["2612.01003"] = [V1, Version("Second", "2026-12-05T00:00:00Z")]
    done = threading.Event()
    result: list[int] = []

    def go() -> None:
        result.append(run(["watch"]))
        done.set()

    threading.Thread(target=go, daemon=True).start()
    assert done.wait(20), "watch waited for the notifier"
    assert result == [0]
    (notifier.parent / "bin" / "notify-send").unlink()  # no notifier at all: a note, still 0
    monkeypatch.setenv("PATH", str(notifier.parent / "bin"))
    capsys.readouterr()
    arxiv.papers["2612.01003"].append(Version("Third", "2026-12-06T00:00:00Z"))
    status, _out, err = watch(capsys)
    assert status == 0
    assert err[-1] == (
        "papertray: note: no desktop notifications: notify-send is not on PATH (libnotify-bin)"
    )
