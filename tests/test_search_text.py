"""`list -q` through the search pre-filter (store/search_text.py) gives exactly what parsing the
whole library gives, and a stale or damaged `library.search.json` is never trusted."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertray.store import Library, State, list_papers, parse_query, render_bytes
from papertray.store import search_text as search_mod
from papertray.store.models import Paper

SPECIAL = (
    "\u00df\u0130\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u1e9e"
    "\u212a\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
)

PAPERS = [
    Paper("arxiv:2401.00001", "Memory Efficient Transformers", "We make MEMORY efficient.",
          ("Ada Lovelace",), links=("https://github.com/a/memory",), repo="https://github.com/a/memory"),
    Paper("arxiv:2401.00002", "Low-Bit Quantization", 'A "low-bit" scheme with \\ backslash.',
          ("Grace Hopper",)),
    Paper("t:0000000000000003", "Straße der Effizienz", "Die Straße ist efficient im Speicher.",
          ("Jürgen Müller",)),
    Paper("t:0000000000000004", "Eﬃcient ﬁne-tuning", "Ligatures: ﬁne memory.",
          ("Ｆｕｌｌ Width",)),
    Paper("t:0000000000000005", "KELVIN scale memory", "Temperature in \u212a units; İstanbul.",
          ()),
    Paper("t:0000000000000006", "Nothing here", "abstract title links source", ("Memory Lane",)),
    Paper("t:0000000000000007", "ÜBER Résumé", "über résumé efficient", ("Émile Zola",)),
    Paper("t:0000000000000008", "Tabs\tand  spaces", "low  bit and low bit", ("x",)),
    Paper("t:0000000000000009", "Only in the link", "nothing", (),
          links=("https://example.org/memory-efficient",), source="memory.txt"),
    Paper("arxiv:2401.00010", "Upper MEMORY EFFICIENT", "ALL CAPS", ("MEMORY EFFICIENT",),
          keywords=("memory",)),
]  # fmt: skip

QUERIES = [
    "memory", "memory efficient", "efficient memory", "MEMORY", '"low-bit" quantization',
    '"low bit"', "strasse", "straße", "ss", "efficient", "fine", "ﬁne", "k units", "kelvin",
    "i̇stanbul", "istanbul", "über", "uber", "résumé", "abstract", "title", "links", "source",
    "github", "memory -efficient", "memory OR efficient", "is:starred memory", "tag:llm",
    "todo", "llm memory", "mem", "author:lane", "title:memory", "lane", "2401.00002",
    '"\\"', "x", "a\x01b", "back\\slash", "\\", "full", "ｆｕｌｌ", "memory has:repo",
    "memory -tag:todo", "efficient (memory OR ligatures)", "arxiv", "id:t:000", "id:00002",
    "is:new memory", "memory -is:new", "is:muted memory",
]  # fmt: skip


def library_at(folder: Path) -> tuple[Library, State]:
    library = Library.open(folder)
    library.add(PAPERS)
    state = State.open(folder)
    state.set_tags("t:0000000000000006", ["todo"])
    state.set_tags("t:0000000000000008", ["llm", "efficient-ideas"])
    state.toggle_star("arxiv:2401.00001")
    library.close()
    return library, state


def listed(folder: Path, text: str, *, parsed: bool = False) -> bytes:
    """`papertray list -q TEXT --format jsonl` as the CLI runs it (library not parsed at open),
    or with `parsed`, through the old path: the library parsed whole first."""
    library = Library.open(folder, check=parsed)
    state = State.open(folder)
    listing = list_papers(library, state, parse_query(text))
    library.close()
    return b"".join(render_bytes(listing.rows, "jsonl"))


def parsed_whole(folder: Path, text: str) -> bytes:
    """`listed` through the old path: the library parsed whole first."""
    return listed(folder, text, parsed=True)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    library_at(tmp_path)
    assert (tmp_path / search_mod.SEARCH_FILE).exists()
    return tmp_path


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records whether each call of the pre-filter answered (True) or declined (False)."""
    calls: list[bool] = []
    real = search_mod.matching_documents

    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        got = real(*args, **kwargs)
        calls.append(got is not None)
        return got

    monkeypatch.setattr(sys.modules["papertray.store.library"], "matching_documents", wrapped)
    return calls


def test_folds_to_ascii_is_every_such_character() -> None:
    every = {
        chr(i) for i in range(128, 0x110000)
        if not 0xD800 <= i < 0xE000 and any(c.isascii() for c in chr(i).casefold())
    }  # fmt: skip
    assert every == set(search_mod.FOLDS_TO_ASCII) == set(SPECIAL)


@pytest.mark.parametrize("text", QUERIES)
def test_same_output_with_and_without_the_prefilter(folder: Path, spy: list[bool], text: str):
    expected = parsed_whole(folder, text)
    assert listed(folder, text) == expected
    (folder / search_mod.SEARCH_FILE).unlink()
    assert listed(folder, text) == expected


def test_the_prefilter_answers_and_finds_folded_and_tagged_papers(
    folder: Path, spy: list[bool]
) -> None:
    out = listed(folder, "strasse")  # only through ß -> ss
    assert spy == [True]
    assert b"t:0000000000000003" in out
    out = listed(folder, "efficient")  # a tag holds it: "efficient-ideas" on paper 8
    assert spy == [True, True]
    assert b"t:0000000000000008" in out
    # The key "abstract" is in every record: only the paper whose text says it is listed.
    assert listed(folder, "abstract").count(b"\n") == 1
    assert b"arxiv:2401.00001" in listed(folder, "memory efficient")
    assert b"t:0000000000000009" not in listed(folder, "memory")  # only in a link
    assert spy == [True, True, True, True, True]


def test_a_word_query_never_parses_the_whole_library(folder: Path, spy: list[bool]) -> None:
    library = Library.open(folder, check=False)
    listing = list_papers(library, State.open(folder), parse_query("is:new memory"))
    assert spy == [True]
    assert listing.rows
    assert not library._storage.loaded  # the latest import came from library.search.json
    library.close()


def test_words_it_cannot_look_for_take_the_old_path(folder: Path, spy: list[bool]) -> None:
    for text in ("über", "a\x01b", "back\\slash"):
        listed(folder, text)
    assert spy == [False, False, False]


def test_a_stale_marks_file_is_ignored(folder: Path, spy: list[bool]) -> None:
    old = folder / "old-marks.json"
    shutil.copy(folder / search_mod.SEARCH_FILE, old)
    library = Library.open(folder)
    library.add([Paper("t:00000000000000aa", "Another memory paper", "efficient too")])
    library.close()
    os.replace(old, folder / search_mod.SEARCH_FILE)  # marks of the previous library file
    out = listed(folder, "memory efficient")
    assert True not in spy  # declined, or never asked: the file was parsed for the latest import
    assert b"t:00000000000000aa" in out
    assert out == parsed_whole(folder, "memory efficient")


def test_a_library_changed_by_hand_is_not_cut_by_offsets(folder: Path, spy: list[bool]) -> None:
    path = folder / "library.json"
    before = path.stat()
    text = path.read_text()
    path.write_text(text.replace("Memory Efficient Transformers", "Memory Efficient  Transformers"))
    assert path.stat().st_size != before.st_size
    out = listed(folder, "memory efficient")
    assert True not in spy  # declined, or never asked: the file was parsed for the latest import
    assert b"Memory Efficient  Transformers" in out


@pytest.mark.parametrize(
    "damage", [b"", b"{", b"[]", b'{"version": 1}', b'{"version": 1, "stamp": 3, "folds": []}']
)
def test_a_damaged_marks_file_is_ignored(folder: Path, spy: list[bool], damage: bytes) -> None:
    expected = parsed_whole(folder, "strasse memory")
    (folder / search_mod.SEARCH_FILE).write_bytes(damage)
    assert listed(folder, "strasse memory") == expected
    assert True not in spy  # declined, or never asked: the file was parsed for the latest import


def test_marks_with_a_wrong_fold_list_but_right_stamp_still_need_the_stamp(folder: Path) -> None:
    # The stamp is what ties the marks to the file: a copy of the library elsewhere (new inode)
    # does not reuse them.
    other = folder / "copy"
    other.mkdir()
    for name in ("library.json", search_mod.SEARCH_FILE):
        shutil.copy(folder / name, other / name)
    assert search_mod.matching_documents(
        other / search_mod.SEARCH_FILE, other / "library.json", ["memory"]
    ) is None  # fmt: skip


words = st.text(alphabet='memoryeficntsaßﬁk -"', min_size=1, max_size=12)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=words)
def test_any_query_gives_the_same_output(folder: Path, text: str) -> None:
    try:
        parse_query(text)
    except Exception:
        return
    assert listed(folder, text) == parsed_whole(folder, text)
