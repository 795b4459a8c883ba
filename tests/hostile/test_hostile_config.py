"""Issue 20, point 6: a config file nested thousands deep made Python's TOML parser recurse
until RecursionError: exit 70 from the CLI, a crash of the reader on F. Now the nesting (and the
file's size) is checked before parsing, and the error is one line naming the file and the key;
a source named on the command line is fetched with the defaults, and the reader stays up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.loopback import answer, folder_bytes, sends, settle, the_line, toasts

from papertray.store import limits
from papertray.tui.cli import run

DAY = Path(__file__).resolve().parents[1] / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"
DEEP = 20_000


@pytest.fixture
def config() -> Path:
    return Path(os.environ["PAPERTRAY_CONFIG"])


NESTED = {
    "array": ("[fetch]\nhf = true\narxiv = " + "[" * DEEP + "]" * DEEP + "\n", "fetch.arxiv", 3),
    "inline-table": ("[fetch]\n\nx = " + "{a = " * DEEP + "}" * DEEP + "\n", "fetch.x", 3),
    "top-level": ("deep = " + "[" * DEEP + "\n", "deep", 1),
}


@pytest.mark.parametrize("kind", NESTED)
def test_deep_nesting_is_one_line_naming_file_and_key(
    config: Path, seeded, data_dir: Path, capsys, kind: str
) -> None:
    text, key, line = NESTED[kind]
    config.write_text(text)
    for argv in (["fetch"], ["config"]):
        assert run(argv) == 1
        assert the_line(capsys.readouterr().err) == (
            f"papertray: {config}: {key} (line {line}) is nested more than "
            f"{limits.MAX_CONFIG_DEPTH} deep, the limit on the config file: not a papertray "
            "setting"
        )
    assert folder_bytes(data_dir) == seeded


def test_a_named_source_is_fetched_with_the_defaults(config: Path, serve, capsys) -> None:
    config.write_text(NESTED["array"][0])
    serve(sends(answer("200 OK", {"Content-Type": "application/json"}, DAY.read_bytes())))
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"papertray: warning: {config}: fetch.arxiv (line 3) is nested")
    assert err[0].endswith("; the defaults apply")
    assert err[1] == "papertray: hf 2026-12-01: 3 papers: 3 new, 0 merged, 0 unchanged"


async def test_the_reader_stays_up_and_names_file_and_key(config: Path, reader) -> None:
    app = reader()
    config.write_text(NESTED["inline-table"][0])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        await settle(app, pilot)
        assert app.is_running and not app.main.network.busy
        assert f"{config}: fetch.x (line 3) is nested more than 32 deep" in toasts(app)


@pytest.mark.parametrize("depth", [limits.MAX_CONFIG_DEPTH, limits.MAX_CONFIG_DEPTH + 1])
def test_nesting_at_the_limit_is_parsed_one_past_it_is_not(
    config: Path, capsys, depth: int
) -> None:
    config.write_text("[fetch]\narxiv = " + "[" * depth + "]" * depth + "\n")
    assert run(["config"]) == 1
    line = the_line(capsys.readouterr().err)
    if depth == limits.MAX_CONFIG_DEPTH:  # parsed: then papertray says what is wrong with it
        assert "fetch.arxiv must be a list of categories" in line
    else:
        assert "fetch.arxiv (line 2) is nested more than 32 deep" in line


@pytest.mark.parametrize("extra", [0, 1])
def test_a_config_file_at_its_size_limit_is_read_one_byte_more_is_not(
    config: Path, capsys, extra: int
) -> None:
    head = "[fetch]\nhf = false\n"
    config.write_text(head + "#" * (limits.MAX_CONFIG_BYTES - len(head) - 1 + extra) + "\n")
    assert config.stat().st_size == limits.MAX_CONFIG_BYTES + extra
    status = run(["config"])
    out, err = capsys.readouterr()
    if extra:
        assert status == 1
        assert the_line(err) == (
            f"papertray: {config}: larger than 1 MB, the limit on the config file: not a "
            "papertray config"
        )
    else:
        assert status == 0 and "hf = false" in out
