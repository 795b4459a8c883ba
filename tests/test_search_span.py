"""Where the papers' records lie (`bigjson.indented_pieces` spans, kept in the search marks): the
writer's offsets are exact, `list -q` searches between them without looking for the table's end,
and a span the file does not bear out is never trusted."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from test_search_text import QUERIES, library_at, listed, parsed_whole, spy

__all__ = ["spy"]  # a fixture, used here

from papertray.store import bigjson
from papertray.store import search_text as search_mod


def test_spans_are_where_each_table_s_documents_lie() -> None:
    data = {
        "papers": {
            f"p{i}": {"id": f"p{i}", "title": f"T {i}", "x": [i, {"y": "}"}]} for i in range(7)
        },
        "empty": {},
        "index": {"title_keys": {"a": "p1"}},
        "last": {"k": {"v": 1}},
    }
    spans: dict[str, tuple[int, int]] = {}
    out = b"".join(bigjson.indented_pieces(data, 3, spans))
    assert out == orjson.dumps(data, option=orjson.OPT_INDENT_2)
    assert set(spans) == {"papers", "index", "last"}  # an empty table has no documents
    for name, (begin, end) in spans.items():
        assert out[: begin + 1].endswith(f'  "{name}": {{\n'.encode())
        assert out[end : end + 4] == b"\n  }"
        inner = orjson.loads(b"{" + out[begin + 1 : end] + b"}")
        assert inner == data[name]


@pytest.fixture
def big_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every library write takes the big-file path (the one that records spans)."""
    monkeypatch.setattr(bigjson, "PIPELINE_DOCS", 1)


def force_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every search in two halves, the second by a forked child, whatever the machine."""
    monkeypatch.setattr(search_mod, "SPLIT_FROM", 1)
    monkeypatch.setattr(search_mod, "spare_cores", lambda: True)
    monkeypatch.setattr("papertray.store.forked.spare_cores", lambda: True)


@pytest.fixture
def table_ends(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    seen: list[int | None] = []
    real = search_mod._table_end

    def spying(*args):  # type: ignore[no-untyped-def]
        got = real(*args)
        seen.append(got)
        return got

    monkeypatch.setattr(search_mod, "_table_end", spying)
    return seen


def test_the_marks_say_where_the_papers_lie(tmp_path: Path, big_writes: None) -> None:
    library_at(tmp_path)
    marks = orjson.loads((tmp_path / search_mod.SEARCH_FILE).read_bytes())
    begin, end, after = marks["papers"]
    raw = (tmp_path / "library.json").read_bytes()
    assert raw[: begin + 1] == b'{\n  "papers": {\n'
    assert raw[end - 6 : end + 4] == b"\n    }\n  }"
    assert after == "index" and raw[end + 4 :].startswith(b',\n  "index": {')


def test_a_span_ending_at_another_table_s_end_is_not_used(
    tmp_path: Path, big_writes: None, table_ends: list[int | None]
) -> None:
    """A later table whose last value is an object ends like the papers do: only the papers'
    end is followed by the next table's header."""
    library_at(tmp_path)
    raw = (tmp_path / "library.json").read_bytes()
    marks_file = tmp_path / search_mod.SEARCH_FILE
    marks = orjson.loads(marks_file.read_bytes())
    begin, end, after = marks["papers"]
    later = [i for i in range(end + 1, len(raw)) if raw.startswith(b"\n    }\n  }", i)]
    assert later  # the index table ends the same way
    for wrong in ([begin, later[-1] + 6, after], [begin, later[-1] + 6, None], [begin, end, "x"]):
        marks["papers"] = wrong
        marks_file.write_bytes(orjson.dumps(marks))
        assert listed(tmp_path, "memory") == parsed_whole(tmp_path, "memory")
    assert table_ends == [None, None, None]


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("text", QUERIES)
def test_a_search_between_the_marks_gives_the_same_output(
    tmp_path: Path,
    big_writes: None,
    table_ends: list[int | None],
    monkeypatch: pytest.MonkeyPatch,
    split: bool,
    text: str,
) -> None:
    library_at(tmp_path)
    if split:
        force_split(monkeypatch)
    expected = parsed_whole(tmp_path, text)
    assert listed(tmp_path, text) == expected
    assert all(end is not None for end in table_ends)  # the span was used, when asked


@pytest.mark.parametrize("shift", [-1, 1, 6, -6, 10**9])
def test_a_span_the_file_does_not_bear_out_is_not_used(
    tmp_path: Path, big_writes: None, table_ends: list[int | None], shift: int
) -> None:
    library_at(tmp_path)
    marks_file = tmp_path / search_mod.SEARCH_FILE
    marks = orjson.loads(marks_file.read_bytes())
    marks["papers"][1] += shift
    marks_file.write_bytes(orjson.dumps(marks))  # the stamp still matches the library
    assert listed(tmp_path, "memory") == parsed_whole(tmp_path, "memory")
    assert table_ends == [None]


@pytest.mark.parametrize("split", [False, True])
def test_the_search_between_the_marks_answers(
    tmp_path: Path,
    big_writes: None,
    table_ends: list[int | None],
    spy: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    split: bool,
) -> None:
    library_at(tmp_path)
    if split:
        force_split(monkeypatch)
    out = listed(tmp_path, "memory efficient")
    assert spy == [True] and table_ends and table_ends[0] is not None
    assert out == parsed_whole(tmp_path, "memory efficient")
    assert b"arxiv:2401.00001" in out and b"arxiv:2401.00010" in out
