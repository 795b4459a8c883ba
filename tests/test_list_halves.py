"""`papertray list -q WORDS --format jsonl` over a big library in two halves at once (a forked
child lists the second half of the library file; `listing.rendered_in_halves`): the same lines,
in the same order, with the same muted count, as listing it whole; and it steps aside whenever
it could not give exactly that."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_search_span import force_split
from test_search_text import QUERIES, library_at

from papertray.store import (
    Library,
    State,
    bigjson,
    list_papers,
    parse_query,
    render_bytes,
    rendered_in_halves,
)
from papertray.store import listing as listing_mod
from papertray.store import search_text as search_mod
from papertray.store.models import Paper
from papertray.tui.cli import run


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The search-text corpus plus 300 papers, written the way a big library is (its marks say
    where the papers lie), with a mute rule; any library counts as big, any machine as two
    cores."""
    monkeypatch.setattr(bigjson, "PIPELINE_DOCS", 1)
    library_at(tmp_path)
    words = ["memory", "efficient", "low-bit", "quantization", "MEMORY", "survey", "lane"]
    Library.open(tmp_path).add(
        Paper(f"t:{i:016x}", f"Paper {i} {words[i % 7]}", f"{words[i * 3 % 7]} {i} " * 20, ())
        for i in range(100, 400)
    )
    State.open(tmp_path).add_mute("survey")
    State.open(tmp_path).add_mute("memory 37")  # a few of the memory papers, in both halves
    force_split(monkeypatch)
    monkeypatch.setattr(listing_mod, "SPLIT_FROM", 1)
    monkeypatch.setattr(listing_mod, "spare_cores", lambda: True)
    return tmp_path


def whole(folder: Path, text: str) -> tuple[bytes, int]:
    listing = list_papers(Library.open(folder), State.open(folder), parse_query(text))
    return b"".join(render_bytes(listing.rows, "jsonl")), listing.muted


def halves(folder: Path, text: str, fmt: str = "jsonl") -> tuple[bytes, int] | None:
    library = Library.open(folder, check=False)
    got = rendered_in_halves(library, State.open(folder), parse_query(text), fmt, width=100)
    return None if got is None else (b"".join(got[0]), got[1])


@pytest.mark.parametrize("text", QUERIES + ["survey", "memory survey", "is:muted survey"])
def test_the_halves_give_the_whole_listing(big: Path, text: str) -> None:
    query = parse_query(text)
    got = halves(big, text)
    searchable = query.required_words and search_mod.searchable(query.required_words)
    if not searchable or query.touched_only:
        assert got is None  # nothing the file can be searched for: listed as usual
        return
    assert got == whole(big, text)


def test_both_halves_hold_papers_and_the_mutes_are_counted(big: Path) -> None:
    got = halves(big, "memory")
    assert got is not None
    out, muted = got
    numbers = [int(line[9:25], 16) for line in out.splitlines() if line.startswith(b'{"id":"t:0')]
    assert min(n for n in numbers if n >= 100) < 150 and max(numbers) > 350
    assert (out, muted) == whole(big, "memory") and muted > 0
    _, muted_words = whole(big, "survey")
    assert muted_words > 0 and halves(big, "survey") == (b"", muted_words)


def test_it_steps_aside_when_it_cannot_be_exact(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert halves(big, "memory", fmt="json") is None  # one array, not lines
    assert halves(big, "is:starred") is None  # no word to search for
    marks = big / search_mod.SEARCH_FILE
    marks.write_bytes(marks.read_bytes().replace(b'"papers":', b'"elsewhere":'))
    assert halves(big, "memory") is None  # the marks do not say where the papers end
    monkeypatch.setattr(listing_mod, "spare_cores", lambda: False)
    assert halves(big, "memory") is None


def test_the_command_writes_the_same_lines_either_way(
    big: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    parts: list[bool] = []
    real = listing_mod._rendered_part

    def spying(*args):  # type: ignore[no-untyped-def]
        got = real(*args)
        parts.append(got is not None)
        return got

    monkeypatch.setattr(listing_mod, "_rendered_part", spying)
    args = ["list", "-q", "memory", "--format", "jsonl", "--data-dir", str(big)]
    assert run(args) == 0
    split = capsysbinary.readouterr()
    assert parts == [True]  # this process listed its half; the child the other
    assert run([*args, "--limit", "100000"]) == 0  # a limit lists it whole
    listed = capsysbinary.readouterr()
    assert parts == [True]
    assert split.out == listed.out and split.err == listed.err
    assert split.out.count(b"\n") > 40 and b"muted paper" in split.err
