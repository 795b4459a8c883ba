"""Issue 5, case 8: escape and control sequences in titles, abstracts, tags and notes never reach
the terminal. The real app runs in a pseudo-terminal and every byte it writes is checked.

Two ways in: through the front door (a digest imported by the CLI, tags and notes set with the
CLI, all sanitised on the way in), and written straight into library.json and state.json, which
proves the display layer does not trust the files either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from helpers.ptyrun import LAUNCH, ROOT, PtyApp

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty"),
    pytest.mark.timeout(120),
]

ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"
PAYLOAD = "UFdORUQ="  # base64 of "PWNED": what an OSC 52 clipboard write would set
EVIL_URL = "https://evil.example/steal"
HOSTILE = (
    f"{ESC}]52;c;{PAYLOAD}{BEL} {ESC}]8;;{EVIL_URL}{ST}click{ESC}]8;;{ST} "
    f"{ESC}[2J {ESC}c \x00 \x0e \u009b31m \u202eevil ENDMARK{ESC}"
)
# Byte strings the hostile data would put on the terminal if it got through.
FROM_DATA = [
    f"{ESC}]52;c;{PAYLOAD}".encode(),
    f"{ESC}]8;;{EVIL_URL}".encode(),
    b"\x1b\x1b",  # a lone ESC from the data right before one of Textual's own sequences
    "\u009b".encode(),
    "\u202e".encode(),
    b"\x00",
    b"\x0e",
]
# Sequences Textual might emit itself: the hostile run may not write more of them than a clean one.
GENERIC = [b"\x1bc", b"\x1b[2J", b"\x1b]52", b"\x1b]8;"]


def cli(data: Path, *args: str) -> None:
    env = {**os.environ, "PAPERTRAY_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def run_app(data: Path, tmp_path: Path, args: list[str], ready: str) -> bytes:
    """Open the app, show the pane, the tags and note modals and the palette, then quit."""
    env = {"PAPERTRAY_DATA_DIR": str(data), "HOME": str(tmp_path)}
    with PtyApp(args, env) as app:
        assert app.wait_for(ready), app.text[-3000:]
        app.wait_quiet(0.3)
        for keys in ("t", "\x1b", "N", "\x1b", "\x10", "\x1b"):
            # Each key read before the next is typed, and time for a lone ESC to be taken as
            # one (the parser waits ~0.1 s for more): under load, ESC and the next key read
            # together were alt+key, the modal stayed open and the final q was typed into it.
            app.send_until_read(keys)
            app.wait_quiet(0.3)
        app.send("q")
        status = app.wait(timeout=15)
        raw = app.raw
    assert status == 0, raw[-2000:]
    return raw


@pytest.fixture(scope="module")
def clean_output(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    tmp_path = tmp_path_factory.mktemp("clean")
    digest = tmp_path / "clean.json"
    digest.write_text(
        json.dumps(
            [{"id": "2401.00001", "title": "Clean title MARK", "abstract": "A clean abstract."}]
        )
    )
    return run_app(tmp_path / "data", tmp_path, [str(digest)], "MARK")


def check(raw: bytes, clean: bytes) -> None:
    for needle in FROM_DATA:
        assert needle not in raw, needle
    for needle in GENERIC:
        assert raw.count(needle) <= clean.count(needle), needle
    # The lone trailing ESC: after the marker may only come one of Textual's CSI sequences.
    at = raw.find(b"ENDMARK")
    while at >= 0:
        after = raw[at + 7 : at + 9]
        assert not after.startswith(b"\x1b") or after == b"\x1b[", raw[at - 20 : at + 20]
        at = raw.find(b"ENDMARK", at + 1)
    # The text itself is shown, inert: the reader can see something odd was there.
    assert b"ENDMARK" in raw and PAYLOAD.encode() in raw


def test_hostile_digest_imported_and_marked_through_the_cli(
    tmp_path: Path, clean_output: bytes
) -> None:
    digest = tmp_path / "hostile.json"
    record = {
        "id": "2401.00002",
        "title": f"Hostile title {HOSTILE}",
        "abstract": f"Hostile abstract {HOSTILE}\n\nmore {HOSTILE}",
        "authors": [f"Eve {HOSTILE}"],
        "url": f"https://github.com/a/b {HOSTILE}",
    }
    digest.write_text(json.dumps([record]))
    data = tmp_path / "data"
    cli(data, "import", str(digest))
    argv_safe = HOSTILE.replace("\x00", "")  # a command line cannot carry NUL
    cli(data, "tag", "2401.00002", f"+tag{argv_safe}")
    cli(data, "note", "2401.00002", f"note {argv_safe}")
    raw = run_app(data, tmp_path, [], "Hostile abstract")
    check(raw, clean_output)


def test_hostile_bytes_written_straight_into_the_files(tmp_path: Path, clean_output: bytes) -> None:
    data = tmp_path / "data"
    data.mkdir()
    paper = {
        "id": "t:hostile",
        "title": f"Raw title {HOSTILE}",
        "abstract": f"Raw abstract {HOSTILE}\n\n{HOSTILE}",
        "authors": [f"Mallory {HOSTILE}"],
        "published": f"2024 {HOSTILE}",
        "source": f"src {HOSTILE}",
        "links": [f"https://github.com/a/b{HOSTILE}", "https://github.com/c/d"],
        "repo": f"https://github.com/a/b{HOSTILE}",
    }
    state = {"tags": [f"tag{HOSTILE}", HOSTILE], "note": f"note {HOSTILE}", "starred": True}
    (data / "library.json").write_bytes(orjson.dumps({"papers": {"t:hostile": paper}}))
    (data / "state.json").write_bytes(orjson.dumps({"states": {"t:hostile": state}}))
    raw = run_app(data, tmp_path, [], "Raw abstract")
    check(raw, clean_output)


def test_hostile_bytes_written_straight_into_the_database(
    tmp_path: Path, clean_output: bytes
) -> None:
    """The library database and the marks file edited by another tool, past every check of
    the way in: the reader still shows the text inert."""
    import sqlite3

    from papertray.store import Library, Paper

    data = tmp_path / "data"
    library = Library.open(data)
    library.add([Paper("t:hostile", "placeholder", "placeholder")])
    library.close()
    with sqlite3.connect(data / "library.db") as db:
        db.execute(
            "UPDATE papers SET title = ?, abstract = ?, authors = ?, published = ?, source = ?, "
            "links = ?, repo = ? WHERE id = 't:hostile'",
            (
                f"Db title {HOSTILE}",
                f"Db abstract {HOSTILE}\n\n{HOSTILE}",
                f"Mallory {HOSTILE}",
                f"2024 {HOSTILE}",
                f"src {HOSTILE}",
                f"https://github.com/a/b{HOSTILE}\nhttps://github.com/c/d",
                f"https://github.com/a/b{HOSTILE}",
            ),
        )
    marks = {"paper": "t:hostile", "tags": [f"tag{HOSTILE}", HOSTILE], "note": f"note {HOSTILE}"}
    (data / "state.json").write_bytes(orjson.dumps({"marks": {"1": {**marks, "starred": True}}}))
    raw = run_app(data, tmp_path, [], "Db abstract")
    check(raw, clean_output)
