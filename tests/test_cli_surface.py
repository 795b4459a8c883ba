"""Issue 8, item 5: --version, a --help that covers the reader, one-line argument errors, and
`papertray list` titles cut only on a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from helpers.ptyrun import PtyApp

from papertray.store import FORMATS, OUTPUT_FORMATS
from papertray.tui.cli import build_tui_parser

LONG_TITLE = (
    "A Deliberately Long Title About Memory-Efficient Training of Very Large Language Models "
    "That Goes On Well Past Any Terminal Width"
)


def papertray(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_version_prints_the_installed_version() -> None:
    code, out, err = papertray("--version")
    assert (code, out, err) == (0, f"papertray {version('papertray')}\n", "")


def test_help_lists_every_option_of_the_reader() -> None:
    code, out, _err = papertray("--help")
    assert code == 0
    options = [
        option
        for action in build_tui_parser()._actions
        for option in action.option_strings
        if option.startswith("--")
    ]
    assert {"--format", "--data-dir", "--version"} <= set(options)
    for option in options:
        assert option in out, option
    assert "FILE" in out
    for fmt in FORMATS:
        assert fmt in out


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["list", "--format", "xml"],
            f"invalid --format 'xml' ({', '.join(OUTPUT_FORMATS)}); see papertray list --help",
        ),
        (
            ["--format", "xml"],
            f"invalid --format 'xml' ({', '.join(FORMATS)}); see papertray --help",
        ),
        (["list", "--bogus"], "unrecognized arguments: --bogus; see papertray list --help"),
        (
            ["list", "-n", "x"],
            "invalid --limit: not a whole number: 'x'; see papertray list --help",
        ),
        (["star"], "the following arguments are required: ID; see papertray star --help"),
        (
            ["list", "--sort", "size"],
            "invalid --sort 'size' (digest, title, starred, unread, later, relevance, foryou,"
            " added, published, upvotes, stars); see papertray list --help",
        ),
    ],
    ids=["list-format", "reader-format", "unknown-option", "bad-count", "missing-id", "sort"],
)
def test_an_argument_error_is_one_line_and_a_hint(
    args: list[str], line: str, data_dir: Path
) -> None:
    code, out, err = papertray(*args)
    assert code == 2
    assert out == ""
    assert err == f"papertray: {line}\n"


@pytest.fixture
def long_title_library(tmp_path: Path) -> Path:
    digest = tmp_path / "long.json"
    digest.write_text(f'[{{"id": "2401.00009", "title": "{LONG_TITLE}", "abstract": "x"}}]')
    data = tmp_path / "data"
    code, _out, err = papertray("--data-dir", str(data), "import", str(digest))
    assert code == 0, err
    return data


def test_list_in_a_pipe_prints_whole_titles(long_title_library: Path) -> None:
    # COLUMNS would make a terminal 40 wide; a pipe is not a terminal and is not cut.
    code, out, _err = papertray(
        "--data-dir", str(long_title_library), "list", env={"COLUMNS": "40"}
    )
    assert code == 0
    assert LONG_TITLE in out and "…" not in out


def test_list_on_a_terminal_cuts_titles_to_its_width(long_title_library: Path) -> None:
    with PtyApp(["--data-dir", str(long_title_library), "list"], {}, size=(60, 24)) as app:
        assert app.wait(timeout=60) == 0
        lines = [line for line in app.text.splitlines() if "2401.00009" in line]
    assert len(lines) == 1
    assert lines[0].rstrip().endswith("…")
    assert len(lines[0].rstrip()) <= 60
    assert LONG_TITLE[:20] in lines[0]
