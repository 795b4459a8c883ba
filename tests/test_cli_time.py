"""The CLI over time: every date field in relative and absolute forms, `is:new`, the sorts, and
mute rules, under a fixed clock (`PAPERTRAY_NOW`) that also stamps the marks and imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertray.store import State
from papertray.store.dates import ENV_NOW
from papertray.tui.cli import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATED = FIXTURES / "dated.jsonl"
NOW = "2024-03-20T12:00:00+00:00"
SPARSE, SURVEY, BENCH, QUANT = (
    "arxiv:2403.11111",
    "arxiv:2403.02222",
    "arxiv:2402.03333",
    "arxiv:2312.04444",
)
SEED_COUNT = 101


def at(monkeypatch: pytest.MonkeyPatch, moment: str, *argv: str) -> None:
    monkeypatch.setenv(ENV_NOW, moment)
    assert run(list(argv)) == 0, argv


@pytest.fixture
def history(monkeypatch: pytest.MonkeyPatch, seed_path: Path, capsys) -> None:
    """Four dated papers imported on 1 March; marks on 10 and 19 March; today (20 March, noon
    UTC) the sample digest is imported and one paper starred and read."""
    at(monkeypatch, "2024-03-01T10:00:00+00:00", "import", str(DATED))
    at(monkeypatch, "2024-03-10T09:00:00+00:00", "star", SURVEY)
    at(monkeypatch, "2024-03-10T09:00:00+00:00", "read", BENCH)
    at(monkeypatch, "2024-03-19T08:00:00+00:00", "read", SURVEY)
    at(monkeypatch, NOW, "import", str(seed_path))
    at(monkeypatch, NOW, "star", SPARSE)
    at(monkeypatch, NOW, "read", SPARSE)
    capsys.readouterr()


def listed(capsys, query: str, *extra: str) -> list[str]:
    assert run(["list", "-q", query, "--format", "jsonl", *extra]) == 0, query
    return [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("starred:<7d", [SPARSE]),
        ("starred:7d", [SPARSE]),
        ("starred:>7d", [SURVEY]),
        ("starred:>=2w", []),
        ("starred:today", [SPARSE]),
        ("starred:2024-03-10", [SURVEY]),
        ("starred:2024-03", [SPARSE, SURVEY]),
        ("starred:<=2024-03-10", [SURVEY]),
        ("starred:>2024-03-10", [SPARSE]),
        ("starred:2024", [SPARSE, SURVEY]),
        ("read:today", [SPARSE]),
        ("read:yesterday", [SURVEY]),
        ("read:<2d", [SPARSE, SURVEY]),
        ("read:<12h", [SPARSE]),
        ("read:>1w", [BENCH]),
        ("read:2024-03-10", [BENCH]),
        ("read:>=2024-03-19", [SPARSE, SURVEY]),
        ("read:2024-03-10..2024-03-19", [SURVEY, BENCH]),
        ("read:2023", []),
        ("-read:<2d is:read", [BENCH]),
        ("published:2024-03", [SPARSE, SURVEY]),
        ("published:2024-03-18", [SPARSE]),
        ("published:<7d", [SPARSE]),
        ("published:>2w", [SURVEY, BENCH]),
        ("published:>=2024-02-20", [SPARSE, SURVEY, BENCH]),
        ("published:<2024-03", [BENCH]),
        ("published:2023", []),  # "Dec 2023" is not a date papertray can read
        ("digest:2024-03-19", [SPARSE]),
        ("digest:yesterday", [SPARSE]),
        ("digest:<3w", [SPARSE, SURVEY]),
        ("digest:>3w", [BENCH]),
        ("digest:2024-02", [BENCH]),
        ("digest:<=2024-03-05", [SURVEY, BENCH]),
        ("added:2024-03-01", [SPARSE, SURVEY, BENCH, QUANT]),
        ("added:>7d", [SPARSE, SURVEY, BENCH, QUANT]),
        ("added:<2024-03-02", [SPARSE, SURVEY, BENCH, QUANT]),
        ("added:2024-02", []),
        ("added:today id:arxiv:24", []),
        ("is:new id:arxiv", []),
    ],
)
def test_date_fields(history, capsys, monkeypatch, query: str, expected: list[str]) -> None:
    monkeypatch.setenv(ENV_NOW, NOW)
    assert listed(capsys, query) == expected


def test_added_and_is_new_cover_the_latest_import(history, capsys, monkeypatch) -> None:
    monkeypatch.setenv(ENV_NOW, NOW)
    today = listed(capsys, "added:today")
    assert len(today) == SEED_COUNT and not set(today) & {SPARSE, SURVEY, BENCH, QUANT}
    assert listed(capsys, "is:new") == today
    assert listed(capsys, "added:<1d") == today
    assert listed(capsys, "added:>2024-03-01") == today
    # Re-importing the dated file adds nothing: their added date stays 1 March, and the
    # latest import that added papers (the digest) is still what is new.
    at(monkeypatch, NOW, "import", str(DATED))
    assert listed(capsys, "added:2024-03-01") == [SPARSE, SURVEY, BENCH, QUANT]
    assert listed(capsys, "is:new") == today


def test_a_bad_date_is_one_line_and_exit_2(history, capsys, monkeypatch) -> None:
    monkeypatch.setenv(ENV_NOW, NOW)
    assert run(["list", "-q", "read:2024-13-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("papertray: bad query: bad date '2024-13-01' in read:… (no such date)")
    assert err.count("\n") == 1
    monkeypatch.setenv(ENV_NOW, "noon")
    assert run(["list", "-q", "read:today"]) == 2
    assert "PAPERTRAY_NOW='noon' is not a date-time" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("upvotes", [SPARSE, SURVEY, QUANT, BENCH]),
        ("stars", [BENCH, SPARSE, SURVEY, QUANT]),
        ("published", [SPARSE, SURVEY, BENCH, QUANT]),
        ("digest", [SPARSE, SURVEY, BENCH, QUANT]),
        ("title", [SURVEY, BENCH, QUANT, SPARSE]),
        ("starred", [SPARSE, SURVEY, BENCH, QUANT]),
        ("unread", [QUANT, SPARSE, SURVEY, BENCH]),
    ],
)
def test_sorts_put_papers_without_the_value_last(history, capsys, sort, expected) -> None:
    assert listed(capsys, "id:arxiv", "--sort", sort) == expected


def test_sort_by_newest_added(history, capsys) -> None:
    ids = listed(capsys, "", "--sort", "added")
    assert ids[-4:] == [SPARSE, SURVEY, BENCH, QUANT] and len(ids) == SEED_COUNT + 4


def test_json_records_carry_the_times(history, capsys) -> None:
    assert run(["list", "-q", "id:2403.11111", "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    noon = 1710936000.0
    assert (record["added_at"], record["read_at"], record["starred_at"]) == (
        noon - 19 * 86400 - 2 * 3600, noon, noon
    )  # fmt: skip


# -- mute rules ---------------------------------------------------------------------------------


def test_mute_mutes_unmute(history, capsys, data_dir: Path) -> None:
    before = State.open(data_dir).all()
    assert run(["mute", "survey", "OR", "benchmark", "--why", "not my field"]) == 0
    err = capsys.readouterr().err
    assert (
        err.startswith("papertray: rule 1 mutes ") and "survey OR benchmark — not my field" in err
    )
    # A query may start with '-'. (Words are stemmed: "quantized" also finds the sample's
    # "quantization" papers, so the rule keeps to the arXiv ones.)
    assert run(["mute", "-has:repo", "quantized", "id:arxiv"]) == 0
    assert "rule 2 mutes 1 paper: -has:repo quantized id:arxiv" in capsys.readouterr().err
    assert listed(capsys, "id:arxiv") == [SPARSE]
    assert listed(capsys, "is:muted id:arxiv") == [SURVEY, BENCH, QUANT]
    assert listed(capsys, "-is:muted id:arxiv") == [SPARSE]
    assert run(["mutes"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"{2:>4}  {1:>7}  -has:repo quantized id:arxiv"
    assert out[0].startswith("   1  ") and out[0].endswith("survey OR benchmark — not my field")
    # Muting is not marking: the marks are exactly as they were, and come back with the papers.
    assert State.open(data_dir).all() == before
    assert run(["unmute", "2"]) == 0
    assert "removed rule 2 (-has:repo quantized id:arxiv): 1 paper back" in capsys.readouterr().err
    assert listed(capsys, "id:arxiv") == [SPARSE, QUANT]
    assert run(["unmute", "1"]) == 0
    assert listed(capsys, "id:arxiv", "--sort", "starred") == [SPARSE, SURVEY, BENCH, QUANT]
    assert State.open(data_dir).all() == before
    assert run(["mutes"]) == 0
    assert "no mute rules" in capsys.readouterr().err


def test_list_says_how_many_muted_papers_it_left_out(history, capsys) -> None:
    assert run(["mute", "diffusion"]) == 0
    capsys.readouterr()
    assert run(["list", "-q", "id:arxiv", "--format", "jsonl"]) == 0
    err = capsys.readouterr().err
    assert err == "papertray: 1 muted paper not shown (add is:muted to see them; " \
        "papertray mutes lists the rules)\n"  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["mute", "colour:red"], 2, "bad query: unknown field 'colour:'"),
        (["mute", "is:muted"], 2, "a mute rule cannot use is:muted"),
        (["mute", "read:2024-13-01"], 2, "bad date '2024-13-01' in read:…"),
        (["unmute", "5"], 1, "no mute rule 5 (papertray mutes lists them)"),
        (["unmute", "x"], 2, "not a rule number: 'x'"),
        (["unmute", "0"], 2, "rule numbers start at 1, not 0"),
    ],
)
def test_mute_mistakes_are_one_line(history, capsys, argv, status, message) -> None:
    try:
        got = run(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        got = exit_.code
    assert got == status
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_duplicate_rule_is_refused(history, capsys) -> None:
    assert run(["mute", "survey"]) == 0
    assert run(["mute", "survey"]) == 2
    assert "rule 1 already mutes survey" in capsys.readouterr().err
