"""Issue 5, hostile input: markup (case 7), input files through the CLI (case 9), links (case 10),
the clipboard (case 11) and extreme terminal sizes (case 12).

Already covered elsewhere and not repeated here: titles with markup shown literally and a click
on the `[@click=app.quit]` row (test_tui.test_hostile_titles_are_shown_literally); every unsafe
URL refused by the link helpers (test_links.test_unsafe_urls_are_never_links_or_repos) and by
`open_url` (test_tui.test_unsafe_urls_are_never_opened); ingest of every hostile file kind
(test_ingest); no display at all (test_tui.test_c_copies_the_repo_and_falls_back_to_osc52).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from helpers.ptyrun import LAUNCH, ROOT
from helpers.reader import workers_done
from textual.widgets import Input, Static

from papertray.store import Library, Paper, State
from papertray.store.ingest import ingest_text
from papertray.store.markers import UNICODE
from papertray.tui.app import PapertrayApp
from papertray.tui.cli import run

MARKUP = [
    "[/]",
    "x [/",
    "[/bold]",
    "b[i]",
    "[BOLD]",
    "[$accent]",
    "[@click=app.screenshot('x','{shots}')]y[/]",
    "[link=file:///etc/passwd]z[/]",
    "[@click=app.quit]q[/]",
]


def visible(app: PapertrayApp) -> list[Any]:
    """Every segment the screen would draw now."""
    update = app.screen._compositor.render_update(full=True)
    return [segment for line in update.strips for strip in line for segment in strip]


# -- case 7: markup in titles, abstracts, tags and notes ---------------------------------------


async def test_markup_everywhere_is_literal_inert_and_never_a_link(
    tmp_path: Path, screen_text: Any
) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    items = [m.format(shots=shots) for m in MARKUP]
    text = "\n\n".join(
        f"T{n} {item}\n\nAbstract {n}: {item} and {item}" for n, item in enumerate(items)
    )
    papers = ingest_text(text, fmt="page").papers
    assert len(papers) == len(items)
    library, state = Library.in_memory(), State.in_memory()
    library.add(papers)
    for paper, item in zip(papers, items, strict=True):
        state.set_note(paper.id, f"note {item}")
        state.set_tags(paper.id, [item])
    app = PapertrayApp(library, state)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        for row in range(len(items)):
            # Click and hover every row and the pane where its text is: no action may fire.
            await pilot.click("#papers", offset=(12, row))
            await pilot.click("#pane", offset=(6, 0))
            await pilot.pause()
            assert app.is_running
            pane = str(app.query_one("#paper-view", Static).content)
            assert items[row] in pane and f"note {items[row]}" in pane
            screen = screen_text(app)
            assert f"T{row} {items[row]}"[:40] in screen
            for segment in visible(app):
                style = segment.style
                if style is None:
                    continue
                assert not style.link, segment
                assert not any(str(v).startswith("app.") for v in (style.meta or {}).values()), (
                    segment
                )
        await pilot.press("t")  # the tags modal lists every tag: still literal
        await pilot.pause()
        assert items[-1] in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
    assert list(shots.iterdir()) == []  # the screenshot action never ran


# -- case 9: input files through the CLI ----------------------------------------------------------


def cli_sub(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("papertray: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.timeout(60)  # a FIFO or /dev/zero that hangs would hang the test: this catches it
def test_bad_input_files_one_line_non_zero_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 64)
    os.mkfifo(tmp_path / "fifo")
    cases = {
        str(tmp_path / "missing.txt"): "no such file",
        str(tmp_path): "directory",
        str(tmp_path / "fifo"): "named pipe",
        str(tmp_path / "empty.txt"): "empty",
        str(tmp_path / "blob.bin"): "binary",
        "/dev/zero": "larger than",
    }
    for path, words in cases.items():
        for command in ("import", "list"):
            one_error_line(cli_sub(command, path), words)
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.timeout(120)
def test_odd_but_valid_input_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = (
        "A first title\r\n\r\nAn abstract, with CRLF.\r\n\r\nA second title\r\n\r\nMore text.\r\n"
    )
    files = {
        "utf16.txt": page.encode("utf-16"),  # with its BOM
        "crlf.txt": page.encode(),
        "latin1.txt": "Caf\xe9 title\n\nAn abstract in the wrong encoding \xe9.\n".encode(
            "latin-1"
        ),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        code, out, err = cli(capsys, "list", str(tmp_path / name), "--format", "jsonl")
        assert code == 0, err
        records = [orjson.loads(line) for line in out.splitlines()]
        assert records and all(r["title"] and r["abstract"] for r in records)
        if name == "latin1.txt":
            assert err.count("\n") == 1 and "invalid UTF-8" in err  # said once, then read
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps([{"title": "T" * 1_000_000, "abstract": "word " * 2_000_000}]))
    code, out, err = cli(capsys, "list", str(huge), "--format", "jsonl")
    assert code == 0 and len(orjson.loads(out)["title"]) == 1_000_000
    copies = tmp_path / "copies.txt"
    copies.write_text("\n\n".join(["One title", "One abstract about a thing."] * 100_000))
    code, out, err = cli(capsys, "list", str(copies), "--format", "jsonl")
    assert code == 0 and len(out.splitlines()) == 1


# -- case 10: unsafe links, through ingest and through the reader's keys -------------------------

BAD_LINKS = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "ssh://git@github.com/a/b",
    "-https://github.com/a/b",
    "--new-window",
    "https://github.com/a/b\nc",
    "https://",
]


def test_unsafe_links_never_come_in_through_ingest() -> None:
    fields = ("url", "githubRepo", "projectPage", "code")
    records = [
        {"title": f"Paper {n}", "abstract": "See the fields.", **dict.fromkeys(fields, bad)}
        for n, bad in enumerate(BAD_LINKS)
    ]
    papers = ingest_text(json.dumps(records)).papers
    assert len(papers) == len(BAD_LINKS)
    for paper in papers:
        assert paper.repo is None and paper.links == (), paper


@pytest.fixture
def recorders(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"copied": [], "opened": []}

    class Browser:
        name = "firefox"

        def open(self, url: str, new: int = 0) -> bool:
            seen["opened"].append(url)
            return True

    monkeypatch.setattr("webbrowser.get", lambda: Browser())
    monkeypatch.setattr(
        "papertray.tui.clipboard.system_copy", lambda text: seen["copied"].append(text) or "xclip"
    )
    return seen


async def test_unsafe_links_in_the_library_file_are_never_copied_opened_or_a_repo(
    data_dir: Path, recorders: dict[str, list[str]], screen_text: Any
) -> None:
    # Written straight into the file, as another tool (or an attacker) could: ingest never ran.
    data_dir.mkdir()
    papers = {
        f"t:{n}": {"id": f"t:{n}", "title": f"Paper {n}", "links": [bad], "repo": bad}
        for n, bad in enumerate(BAD_LINKS)
    }
    (data_dir / "library.json").write_bytes(orjson.dumps({"papers": papers}))
    app = PapertrayApp(Library.open(data_dir), State.open(data_dir))
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in BAD_LINKS:
            await pilot.press("c", "o", "1", "2")
            await workers_done(app)
            await pilot.pause()
            pane = str(app.query_one("#paper-view", Static).content)
            assert "Links" not in pane and "code" not in pane
            await pilot.press("j")
        assert recorders == {"copied": [], "opened": []}
        assert app.clipboard == ""
        assert UNICODE.repo not in screen_text(app)  # no row claims a repo
        assert sum("no links" in n.message for n in app._notifications) >= len(BAD_LINKS)


# -- case 11: the clipboard never blocks, and the URL is always shown ----------------------------

REPO = "https://github.com/a/b"


def fake_program(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def clip_app(data_dir: Path) -> PapertrayApp:
    library = Library.in_memory()
    library.add([Paper(id="t:1", title="A paper", links=[REPO], repo=REPO)])
    return PapertrayApp(library, State.in_memory())


async def copy_and_wait(app: PapertrayApp) -> list[str]:
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("c")
        await pilot.press("slash", "a")
        # The UI answered those keys while the copy program still hangs (no wall-clock check:
        # the test's timeout is what catches a UI that blocks).
        assert app.query_one("#filter", Input).value == "a"
        await workers_done(app)
        await pilot.pause()
        return [n.message for n in app._notifications]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["dead-display", "hanging", "tmux-no-display"])
async def test_clipboard_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clip_app: PapertrayApp, kind: str
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pids = tmp_path / "pids"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if kind == "dead-display":
        monkeypatch.setenv("DISPLAY", ":99")  # nothing listens there
        fake_program(
            bin_dir, "xclip", 'cat >/dev/null; echo "Error: Can\'t open display: :99" >&2; exit 1'
        )
    elif kind == "hanging":
        monkeypatch.setenv("DISPLAY", ":0")
        fake_program(bin_dir, "xclip", f"echo $$ >> {pids}; exec sleep 60")
    else:
        monkeypatch.delenv("DISPLAY", raising=False)
        monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
        fake_program(bin_dir, "xclip", f"echo $$ >> {pids}; exec sleep 60")
        # The tmux server is gone too (never the real one: that would overwrite its buffer).
        fake_program(bin_dir, "tmux", "echo 'no server running on /tmp/tmux-0/default' >&2; exit 1")
    try:
        messages = await copy_and_wait(clip_app)
    finally:
        if pids.exists():
            for pid in pids.read_text().split():
                try:
                    os.kill(int(pid), 9)
                except ProcessLookupError:
                    pass
    copied = [m for m in messages if REPO in m]
    assert len(copied) == 1, messages
    assert "OSC 52" in copied[0]  # fell back to the terminal, and says how
    assert clip_app.clipboard == REPO


# -- case 12: extreme sizes with a huge abstract ---------------------------------------------------


@pytest.mark.timeout(120)
async def test_resize_to_1x1_and_400_columns_with_a_10_mb_abstract(screen_text: Any) -> None:
    abstract = ("word " * 2_000_000)[:-1]
    library = Library.in_memory()
    library.add(
        [
            Paper(id="t:big", title="A huge abstract " * 50, abstract=abstract),
            Paper(id="t:small", title="A small one", abstract="short"),
        ]
    )
    app = PapertrayApp(library, State.in_memory())
    async with app.run_test(size=(1, 1)) as pilot:
        await pilot.pause()
        for size in [(400, 60), (1, 1), (400, 1), (1, 200), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("space", "j", "k", "enter")
            await pilot.pause()
            assert app.is_running
            assert app.size == size
        assert "A huge abstract" in screen_text(app)
