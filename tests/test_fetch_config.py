"""The config file: which sources `papertray fetch` runs; a bad file is one line naming the key
and its line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papertray.store.config import ConfigError, load_config
from papertray.tui.cli import run


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return Path(os.environ["PAPERTRAY_CONFIG"])


def test_no_file_means_the_defaults(config: Path) -> None:
    got = load_config()
    assert (got.hf, got.arxiv, got.exists, got.path) == (True, (), False, config)


def test_a_good_file(config: Path) -> None:
    config.write_text('# mine\n[fetch]\nhf = false\narxiv = ["cs.CL", "cs.LG", "cs.CL"]\n')
    got = load_config()
    assert (got.hf, got.arxiv, got.exists) == (False, ("cs.CL", "cs.LG"), True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch]\nhf = 'yes'\n", "fetch.hf must be true or false, not 'yes' (line 2)"),
        ("[fetch]\nhf = true\narxiv = 3\n", "fetch.arxiv must be a list of categories"),
        ('[fetch]\n\narxiv = ["cs CL"]\n', "'cs CL' is not an arXiv category"),
        ("[fetch]\nhf = true\nhff = true\n", "unknown key fetch.hff (line 3)"),
        ("[fetchh]\nhf = true\n", "unknown setting 'fetchh' (line 1)"),
        ("[fetch]\nhf = \n", "not valid TOML: Invalid value (at line 2, column 6)"),
    ],
)
def test_a_bad_file_is_one_line_naming_key_and_line(config: Path, text, message) -> None:
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    if "arxiv" in text and "line" not in message:
        assert "(line 3)" in str(caught.value)


def test_papertray_config_prints_path_and_settings(config: Path, capsys) -> None:
    assert run(["config"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {config} (not there: the defaults below apply)\n[fetch]\nhf = true")
    config.write_text('[fetch]\narxiv = ["cs.CL"]\n')
    assert run(["config"]) == 0
    out = capsys.readouterr().out
    assert f'# {config}\n[fetch]\nhf = true\narxiv = ["cs.CL"]\n' in out
    assert "# hf = https://" in out


def test_a_bad_config_stops_fetch_in_one_line(config: Path, capsys) -> None:
    config.write_text("[fetch]\nhf = 1\n")
    assert run(["fetch"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"papertray: {config}: fetch.hf must be true or false, not 1 (line 2)"


def test_fetch_with_every_source_off_says_so(config: Path, capsys) -> None:
    config.write_text("[fetch]\nhf = false\n")
    assert run(["fetch"]) == 1
    assert "no sources to fetch" in capsys.readouterr().err


# -- [watch] and [notify] (issue 24) ---------------------------------------------------------------


def test_the_watch_threshold_and_desktop_notifications(config: Path, capsys) -> None:
    got = load_config()
    assert (got.watch_upvotes, got.notify) == (None, False)  # off unless asked for
    config.write_text("[watch]\nupvotes = 100\n\n[notify]\ndesktop = true\n")
    got = load_config()
    assert (got.watch_upvotes, got.notify) == (100, True)
    assert run(["config"]) == 0
    assert "\n[watch]\nupvotes = 100\n\n[notify]\ndesktop = true\n" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[watch]\nupvotes = 0\n", "watch.upvotes must be a whole number of upvotes, 1 or more, "
         "not 0 (line 2)"),
        ("[watch]\nupvotes = 2.5\n", "watch.upvotes must be a whole number"),
        ("[watch]\nupvotes = true\n", "watch.upvotes must be a whole number"),
        ("[watch]\n\nstars = 3\n", "unknown key watch.stars (line 3) (known: watch.upvotes)"),
        ("[notify]\ndesktop = 'yes'\n", "notify.desktop must be true or false, not 'yes' (line 2)"),
        ("notify = 1\n", "notify must be a table ([notify]) (line 1)"),
        ("[notfy]\n", "unknown setting 'notfy' (line 1) (papertray knows [fetch] hf, arxiv, "
         "deadline and request_deadline, [reader] copy_id, [watch] upvotes, [notify] desktop "
         "and [sync] folder)"),
    ],
)  # fmt: skip
def test_a_bad_watch_or_notify_key_is_one_line(config: Path, text: str, message: str) -> None:
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
