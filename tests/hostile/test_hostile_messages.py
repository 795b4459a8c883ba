"""Issue 20, point 9: every message that quotes outside input (a file name, a feed's title, a
URL, a Location, a config key or path, a --save path, a query, an id, a category) shows its
control characters as escapes (`\\x1b`), never raw: an ESC/BEL in a feed's title printed raw
could set the terminal's title and colours. Paper fields were cleaned already; messages now go
through the same sanitizer (`store/sanitize.py`), in the CLI and in the reader."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.loopback import answer, folder_bytes, sends, settle, toasts

from papertray.store.sanitize import FORBIDDEN
from papertray.tui.cli import run

EVIL = "\x1b]0;pwned\x07\x1b[31m\u202e"
SHOWN = "\\x1b]0;pwned\\x07\\x1b[31m\\u202e"


def raw_controls(text: str) -> set[str]:
    """The characters a terminal would act on, found raw in `text` (line ends aside)."""
    return {c for c in text.replace("\n", "") if c in FORBIDDEN or c == "\t"}


def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>Updates {EVIL.replace(chr(0x1B), '&#27;').replace(chr(7), '&#7;')}</title>"
        "<link>https://example.org</link></channel></rss>",
        encoding="utf-8",
    )
    return path


def case_file_name(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    return ["import", str(tmp_path / f"missing{EVIL}.txt")]


def case_feed_title_import(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    return ["import", str(feed(tmp_path))]


def case_feed_title_list(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    return ["list", str(feed(tmp_path))]


def case_endpoint(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:9/{EVIL}")
    return ["fetch", "hf", "--date", "2026-12-01"]


def case_location(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    location = f"gopher://example.org/{EVIL}".encode()  # raw bytes in the header
    head = answer("302 Found", {"Location": "X"}).replace(b"Location: X", b"Location: " + location)
    serve(sends(head))
    return ["fetch", "hf", "--date", "2026-12-01"]


def case_config_key(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    key = EVIL.replace("\x1b", "\\u001b").replace("\x07", "\\u0007")
    Path(os.environ["PAPERTRAY_CONFIG"]).write_text(f'[fetch]\n"{key}" = 1\n')
    return ["fetch"]


def case_config_path(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    path = tmp_path / f"config{EVIL}.toml"
    path.write_text("[fetch]\nhf = 1\n")
    monkeypatch.setenv("PAPERTRAY_CONFIG", str(path))
    return ["config"]


def case_save_path(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    target = tmp_path / f"day{EVIL}.json"
    target.write_text("mine")
    return ["fetch", "hf", "--date", "2026-12-01", "--save", str(target)]


def case_query(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    return ["list", "-q", f"read:{EVIL}"]


def case_id(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    return ["star", f"no-such-id{EVIL}"]


def case_category(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    return ["fetch", "arxiv", f"cs.CL{EVIL}"]


def case_choice(tmp_path: Path, monkeypatch, serve) -> list[str]:  # type: ignore[no-untyped-def]
    return ["list", "--format", f"xml{EVIL}"]


CASES = {name[5:]: case for name, case in dict(globals()).items() if name.startswith("case_")}


@pytest.mark.parametrize("name", CASES)
def test_every_message_that_quotes_input_shows_its_controls_as_escapes(
    name: str, tmp_path: Path, monkeypatch, serve, capsys, seeded, data_dir: Path
) -> None:
    argv = CASES[name](tmp_path, monkeypatch, serve)
    before = folder_bytes(data_dir)
    status = run(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected error" not in err, err
    assert raw_controls(err) == set(), repr(err)
    # The input is quoted, visibly (the query language shows a control as "?" itself).
    assert ("\\x1b" in err) or (name == "query" and "?]0;pwned" in err), repr(err)
    if name not in ("feed_title_import", "feed_title_list"):
        assert status != 0
        assert folder_bytes(data_dir) == before
    if name.startswith("feed_title"):
        assert f"Updates {SHOWN} has no entries" in err


async def test_the_reader_shows_quoted_urls_as_escapes(reader, serve) -> None:
    location = f"gopher://example.org/{EVIL}".encode()
    head = answer("302 Found", {"Location": "X"}).replace(b"Location: X", b"Location: " + location)
    serve(sends(head))
    app = reader()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        await settle(app, pilot)
        shown = toasts(app)
        assert app.is_running
        assert raw_controls(shown) == set(), repr(shown)
        assert "\\x1b" in shown
