"""Issue 8, item 3: inside tmux, copying also hands the link to tmux (`tmux load-buffer -w -`),
and the notification says what really happened: tmux's default `set-clipboard external` drops an
application's OSC 52, so "Copied (OSC 52)" alone was false there."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.ptyrun import LAUNCH, ROOT
from helpers.reader import workers_done

from papertray.store import Library, Paper, State
from papertray.tui.app import PapertrayApp
from papertray.tui.clipboard import ClipboardError, tmux_copy

REPO = "https://github.com/example/repo"


def fake_program(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def fake_tmux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `tmux` that records its arguments and stdin; the one on PATH, inside a tmux."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("TMUX", f"{tmp_path}/tmux-socket,1,0")
    monkeypatch.delenv("DISPLAY", raising=False)  # no system clipboard unless a test gives one
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    fake_program(bin_dir, "tmux", f'printf "%s\\n" "$@" > {tmp_path}/args; cat > {tmp_path}/stdin')
    return tmp_path


def recorded(folder: Path) -> tuple[list[str], str]:
    return (folder / "args").read_text().splitlines(), (folder / "stdin").read_text()


def test_tmux_copy_loads_the_buffer_from_stdin(fake_tmux: Path) -> None:
    tmux_copy("https://example.org/ä b")
    assert recorded(fake_tmux) == (["load-buffer", "-w", "-"], "https://example.org/ä b")


def test_tmux_before_3_2_without_w_still_gets_the_buffer(fake_tmux: Path) -> None:
    fake_program(
        fake_tmux / "bin",
        "tmux",
        'if [ "$2" = "-w" ]; then echo "load-buffer: unknown flag -w" >&2; exit 1; fi\n'
        f'printf "%s\\n" "$@" > {fake_tmux}/args; cat > {fake_tmux}/stdin',
    )
    tmux_copy(REPO)
    assert recorded(fake_tmux) == (["load-buffer", "-"], REPO)


def test_a_failing_or_hanging_tmux_is_one_line_error(fake_tmux: Path) -> None:
    fake_program(fake_tmux / "bin", "tmux", "echo 'no server running on /x' >&2; exit 1")
    with pytest.raises(ClipboardError, match=r"^no server running on /x$"):
        tmux_copy(REPO)
    fake_program(fake_tmux / "bin", "tmux", "exec sleep 30")
    with pytest.raises(ClipboardError, match="did not answer within 0.3 s"):
        tmux_copy(REPO, timeout=0.3)


def make_app() -> PapertrayApp:
    library = Library.in_memory()
    library.add([Paper(id="t:1", title="A paper", links=[REPO], repo=REPO)])
    return PapertrayApp(library, State.in_memory())


async def copy(app: PapertrayApp) -> list[tuple[str, str, str]]:
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("c")
        await workers_done(app)
        await pilot.pause()
        return [(n.title, n.message, n.severity) for n in app._notifications]


async def test_no_system_clipboard_in_tmux_copies_to_the_tmux_buffer(fake_tmux: Path) -> None:
    app = make_app()
    notes = await copy(app)
    assert recorded(fake_tmux) == (["load-buffer", "-w", "-"], REPO)
    assert app.clipboard == REPO  # OSC 52 as well: tmux passes it on with set-clipboard on
    [(title, message, severity)] = notes
    assert title == "Link copied" and severity == "information"
    assert message.startswith(f"Copied {REPO} to the tmux buffer (and via OSC 52)\n")
    assert "no system clipboard: no display" in message


async def test_system_clipboard_and_tmux_buffer_both_named(
    fake_tmux: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("papertray.tui.clipboard.system_copy", lambda text: "xclip")
    app = make_app()
    [(_title, message, _severity)] = await copy(app)
    assert message == f"Copied {REPO}\n(system clipboard: xclip, and the tmux buffer)"
    assert recorded(fake_tmux)[1] == REPO
    assert app.clipboard != REPO  # no OSC 52 needed: the system clipboard has it


async def test_nothing_took_it_says_so_and_how_to_fix_it(fake_tmux: Path) -> None:
    fake_program(fake_tmux / "bin", "tmux", "echo 'no server running on /x' >&2; exit 1")
    [(title, message, severity)] = await copy(make_app())
    assert title == "Link maybe not copied" and severity == "warning"
    assert "Copied" not in message
    assert "set -g set-clipboard on" in message and "no server running on /x" in message


async def test_outside_tmux_tmux_is_never_run(
    fake_tmux: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX")
    [(_title, message, _severity)] = await copy(make_app())
    assert message.startswith(f"Copied {REPO}\n(via the terminal, OSC 52:")
    assert not (fake_tmux / "args").exists()


# -- the real tmux ---------------------------------------------------------------------------------


@pytest.fixture
def tmux_server(tmp_path: Path) -> Iterator[tuple[list[str], dict[str, str]]]:
    """A private tmux server on its own socket (-L), never the user's."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    tmux = ["tmux", "-L", f"papertray-test-{secrets.token_hex(4)}", "-f", "/dev/null"]
    # COLUMNS and LINES would override the pane's size for the app (another test may set them).
    dropped = ("TMUX", "DISPLAY", "WAYLAND_DISPLAY", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT), PAPERTRAY_DATA_DIR=str(tmp_path / "d"))
    yield tmux, env
    subprocess.run([*tmux, "kill-server"], capture_output=True, env=env, check=False)


def test_tmux_copy_with_a_real_tmux(tmux_server: tuple[list[str], dict[str, str]]) -> None:
    tmux, env = tmux_server
    subprocess.run([*tmux, "new-session", "-d", "sleep 60"], env=env, check=True)
    socket = subprocess.run(
        [*tmux, "display", "-p", "#{socket_path}"], env=env, capture_output=True, text=True
    ).stdout.strip()
    env["TMUX"] = f"{socket},1,0"
    code = "from papertray.tui.clipboard import tmux_copy; tmux_copy('https://example.org/x')"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=30)
    shown = subprocess.run([*tmux, "show-buffer"], env=env, capture_output=True, text=True)
    assert shown.stdout == "https://example.org/x"


@pytest.mark.timeout(60)
def test_c_in_the_reader_inside_a_real_tmux(
    tmp_path: Path, tmux_server: tuple[list[str], dict[str, str]]
) -> None:
    """The reader in a tmux pane, no display: `c` puts the repo link in tmux's buffer."""
    tmux, env = tmux_server
    digest = tmp_path / "digest.txt"
    digest.write_text(f"Alpha paper about cats\n\nAbstract about cats. Code: {REPO}.\n")
    command = f"{sys.executable} -c '{LAUNCH}' {digest}"
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "120", "-y", "30", command], env=env, check=True
    )

    def pane() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p"], env=env, capture_output=True, text=True
        ).stdout

    def buffer() -> str:
        return subprocess.run(
            [*tmux, "show-buffer"], env=env, capture_output=True, text=True
        ).stdout

    deadline = time.monotonic() + 30
    while "Alpha paper about cats" not in pane() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Alpha paper about cats" in pane(), pane()
    assert buffer() == ""
    subprocess.run([*tmux, "send-keys", "c"], env=env, check=True)
    deadline = time.monotonic() + 15
    while buffer() != REPO and time.monotonic() < deadline:
        time.sleep(0.1)
    assert buffer() == REPO

    # The toast wraps inside its border, also inside the URL: compare without any spacing.
    def toast() -> str:
        return "".join(word for word in pane().split() if word != "▌")

    while "tmuxbuffer" not in toast() and time.monotonic() < deadline:
        time.sleep(0.1)
    expected = f"Copied {REPO} to the tmux buffer (and via OSC 52)"
    assert "".join(expected.split()) in toast(), pane()
