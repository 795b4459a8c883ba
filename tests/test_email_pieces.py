"""An arXiv email digest in UTF-8 is decoded and parsed a piece at a time (`ingest._streamed`):
cut anywhere between entries, it gives exactly the papers, updates, dates and refusals of the
digest read whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.gen_corpus import email_text

from papertray.store import ingest
from papertray.store.formats import arxiv_email
from papertray.store.ingest import IngestError, ingest_bytes

EMAIL = (Path(__file__).resolve().parent / "fixtures" / "formats" / "arxiv_email.txt").read_text(
    encoding="utf-8"
)


def _two_digests() -> str:
    """Two days' digests (each with its header, new papers and a replacements section), then a
    third day's with new papers only, a non-Latin-1 title among them."""
    second = EMAIL.replace("Thu 14 Mar 24", "Fri 15 Mar 24").replace("2403.", "2404.")
    second = second.replace("2209.05824", "2209.05825")
    # A replacement that only the %%--%% line above it (in an earlier piece) marks as one.
    second += (
        "\\\\\narXiv:2209.09999\nDate: Wed, 13 Mar 2024 07:23:52 GMT   (10kb)\n\n"
        "Title: Replaced Without Saying So\nAuthors: Ann Bee\nCategories: cs.CV\n"
        "\\\\ ( https://arxiv.org/abs/2209.09999 ,  10kb)\n" + "-" * 78 + "\n"
    )
    third = email_text(12).replace("Thu 14 Mar 24", "Sat 16 Mar 24")
    third = third.replace("Title: ", "Title: Ωmega ", 1)
    return EMAIL + second + third


def _whole(text: str) -> list[tuple[object, ...]]:
    parsed = arxiv_email.parse(text)
    return _rows(parsed.papers, parsed.updates)


def _rows(papers: list, updates: list) -> list[tuple[object, ...]]:
    return [("new", p.to_dict()) for p in papers] + [("update", u.to_dict()) for u in updates]


@pytest.mark.parametrize("piece", [200, 1500, 1 << 22])
def test_pieces_give_the_papers_of_the_whole(piece: int, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _two_digests()
    monkeypatch.setattr(ingest, "_PIECE_BYTES", piece)
    streamed = ingest._streamed(text.encode(), None, "")
    assert streamed is not None  # read in pieces, not handed to the whole-text path
    assert streamed.format == "arxiv-email"
    monkeypatch.setattr(ingest, "_PIECE_BYTES", 1 << 40)
    whole = ingest_bytes(text.encode())
    assert [p.to_dict() for p in streamed.papers] == [p.to_dict() for p in whole.papers]
    assert [u.to_dict() for u in streamed.updates] == [u.to_dict() for u in whole.updates]
    # Each day's replacement is an update, dated by its own header; nothing was lost.
    assert [u.id for u in streamed.updates] == [
        "arxiv:2209.05824",
        "arxiv:2209.05825",
        "arxiv:2209.09999",
    ]
    dates = {p.digest_date for p in streamed.papers}
    assert len(dates) == 3
    assert len(streamed.papers) == len(_whole(text)) - 3


def test_parse_pieces_is_parse_of_the_joined_text() -> None:
    text = _two_digests()
    cuts = [0] + [i + 1 for i in range(len(text)) if text.startswith("\narXiv:", i)] + [len(text)]
    pieces = [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    parsed = arxiv_email.parse_pieces(pieces)
    assert _rows(parsed.papers, parsed.updates) == _whole(text)


@pytest.mark.timeout(60)  # only catches a hang: each piece searching all before it takes minutes
def test_an_entry_held_open_over_many_pieces_is_read_in_one_pass() -> None:
    first = EMAIL[: EMAIL.index("arXiv:2403.00002")]
    # Each piece starts on an `arXiv:` line, as `ingest._streamed` cuts them, but none is an entry.
    junk = ("arXiv:not-an-entry\n" + "x" * 60 + "\n") * 200
    parsed = arxiv_email.parse_pieces([first] + [junk] * 1000)
    assert _rows(parsed.papers, parsed.updates) == _whole(first)
    assert [p.id for p in parsed.papers] == ["arxiv:2403.00001"]


def test_a_long_line_in_a_later_piece_is_refused_with_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ingest.limits, "MAX_LINE", 5000)
    monkeypatch.setattr(ingest, "_PIECE_BYTES", 300)
    text = _two_digests()
    at = text.index("Title: Ωmega")
    text = text[:at] + "Title: " + "x" * 6000 + text[at + len("Title: ") :]
    with pytest.raises(IngestError) as streamed:
        ingest_bytes(text.encode())
    line = text.count("\n", 0, at) + 1
    assert str(streamed.value).startswith(f"line {line}: a line longer than")


def test_what_pieces_cannot_answer_is_read_whole() -> None:
    text = _two_digests()
    assert ingest._streamed(text.encode("utf-16"), None, "") is None  # another encoding
    assert ingest._streamed(text.encode() + b"\xff", None, "") is None  # not UTF-8
    assert ingest._streamed(text.encode(), "bibtex", "") is None  # another format asked
    # ...and the whole-text path still reads them.
    assert len(ingest_bytes(text.encode("utf-16")).papers) == len(_whole(text)) - 3
