"""The import's fast paths give exactly what the general code gives: the page parser's line
split and label shortcut, the batch ids and de-duplication, the link shortcuts, and the content
key hashed in a thread."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import papertray.store.formats.page as page_module
from papertray.store.formats.common import dedupe
from papertray.store.ingest import ingest_bytes, ingest_text
from papertray.store.library import Library
from papertray.store.links import clean_url, extract_links, is_code_repo, is_safe_url, order_links
from papertray.store.models import Paper, key_id, key_ids
from papertray.store.recall import ContentKey, KnownImport, content_key

# -- the page parser ------------------------------------------------------------------------

# Lines that are titles, abstracts, or neither; spaces at the ends and doubled, sentence ends.
_WORDS = st.sampled_from(["Mesa", "low", "bit", "(PPP)", "a.", "why?", "é", "x" * 130, "y" * 310])
_LINE = st.lists(_WORDS, max_size=6).map(" ".join) | st.sampled_from(["", " ", " lead", "end "])
_PAGE = st.lists(_LINE, max_size=14).flatmap(
    lambda lines: st.sampled_from(["\n", "\n\n", "\n\n\n"]).map(
        lambda gap: "Mar 18\n\n" + gap.join(lines) + "\n"
    )
)


def _slow(monkeypatch: pytest.MonkeyPatch, text: str) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(page_module, "_line_units", lambda *_: None)
        patch.setattr(page_module, "_alternates", lambda *_: False)
        return page_module._parse_page(text)


@settings(max_examples=300, deadline=None)
@given(_PAGE)
def test_line_units_equal_paragraph_units(text: str) -> None:
    start, _date = page_module._skip_header(text)
    fast = page_module._line_units(text, start)
    if fast is not None:
        assert fast == page_module._units(text[start:], clean=True)


@settings(max_examples=300, deadline=None)
@given(_PAGE)
def test_page_fast_path_equals_the_general_path(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        slow = _slow(monkeypatch, text)
    assert page_module._parse_page(text) == slow


def test_page_fast_path_on_the_seed(seed_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = seed_path.read_text("utf-8")
    start, _date = page_module._skip_header(text)
    assert page_module._line_units(text, start) is not None  # the seed takes the fast path
    assert page_module._parse_page(text) == _slow(monkeypatch, text)
    fast = ingest_bytes(seed_path.read_bytes(), source="seed")
    with monkeypatch.context() as patch:
        patch.setattr(page_module, "_line_units", lambda *_: None)
        patch.setattr(page_module, "_alternates", lambda *_: False)
        assert ingest_bytes(seed_path.read_bytes(), source="seed") == fast


def test_line_units_refuse_other_layouts() -> None:
    assert page_module._line_units("T\n\nA\n", 0) == ["T", "A"]
    assert page_module._line_units("T\n\nA\n\n\n", 0) == ["T", "A"]
    assert page_module._line_units("T\nA\n", 0) is None  # no blank line between
    assert page_module._line_units("T\n\n\nA\n", 0) is None  # two blank lines
    assert page_module._line_units("T\n\n A\n", 0) is None  # a space to strip
    assert page_module._line_units("T \n\nA\n", 0) is None
    assert page_module._line_units("head\nT\n\nA", 5) == ["T", "A"]
    assert page_module._line_units("head", 4) is None


def _greedy_alternates(units: list[str]) -> bool:
    greedy = [t < a for t, a in map(page_module._costs, units)]
    return greedy == [i % 2 == 0 for i in range(len(units))]


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE.filter(bool).map(str.strip).filter(bool), min_size=1, max_size=12))
def test_alternates_is_the_greedy_alternation(units: list[str]) -> None:
    assert page_module._alternates(units) == _greedy_alternates(units)
    labels = page_module._label(units)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(page_module, "_alternates", lambda *_: False)
        assert page_module._label(units) == labels


def _reference_label(units: list[str]) -> list[bool]:
    """The labelling as first written: the Viterbi pass over the two sums of costs."""
    if not units:
        return []
    costs = list(map(page_module._costs, units))
    cost_t, cost_a = costs[0][0], 5.0 + costs[0][1]
    back: list[tuple[bool, bool]] = [(True, False)]
    for title_cost, abstract_cost in costs[1:]:
        t_from_t, a_from_a = cost_t + 2.0, cost_a + 1.5
        back.append((t_from_t <= cost_a, cost_t <= a_from_a))
        cost_t, cost_a = min(t_from_t, cost_a) + title_cost, min(cost_t, a_from_a) + abstract_cost
    labels = [False] * len(units)
    is_title = cost_t + 1.0 <= cost_a
    for i in range(len(units) - 1, -1, -1):
        labels[i] = is_title
        is_title = back[i][0] if is_title else back[i][1]
    return labels


_UNIT = st.sampled_from(["Title", "A title.", "Why?", "(PPP)", "x" * 150 + ".", "x" * 250])
_UNIT |= st.sampled_from(["y" * 130 + ")", "z" * 320, "An abstract. " * 12, "short."])


@settings(max_examples=500, deadline=None)
@given(st.lists(_UNIT, max_size=30))
def test_label_equals_the_viterbi_over_sums(units: list[str]) -> None:
    assert page_module._label(units) == _reference_label(units)


def test_label_on_the_seed_and_a_messy_page(seed_path: Path) -> None:
    text = seed_path.read_text("utf-8")
    units = page_module._units(text[page_module._skip_header(text)[0] :])
    assert page_module._label(units) == _reference_label(units)
    messy = ["Head", "Title one", "x" * 400, "more abstract.", "Title two", "Title three", "y" * 90]
    assert page_module._label(messy) == _reference_label(messy)
    assert page_module._label(messy) != [i % 2 == 0 for i in range(len(messy))]


# -- ids and duplicates ---------------------------------------------------------------------


@given(st.lists(st.text(max_size=30), max_size=20))
def test_key_ids_equal_key_id(keys: list[str]) -> None:
    assert key_ids(keys) == [key_id(k) for k in keys]


def _reference_dedupe(papers: list[Paper]) -> tuple[list[tuple[str, str, tuple[str, ...]]], int]:
    kept: list[Paper] = []
    index: dict[str, int] = {}
    duplicates = 0
    for paper in papers:
        at = index.get(paper.id)
        if at is None:
            index[paper.id] = len(kept)
            kept.append(Paper(paper.id, paper.title, paper.abstract, links=paper.links))
            continue
        duplicates += 1
        if not kept[at].abstract and paper.abstract:
            kept[at] = Paper(paper.id, kept[at].title, paper.abstract, links=paper.links)
    return [(p.id, p.abstract, p.links) for p in kept], duplicates


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from(["", "x", "y"])), max_size=12))
def test_dedupe_keeps_the_first_and_fills_a_missing_abstract(rows: list[tuple[str, str]]) -> None:
    papers = [Paper(pid, f"T{pid}", abstract, links=(abstract,)) for pid, abstract in rows]
    expected, duplicates = _reference_dedupe(papers)
    keys = [f"k{p.id}" for p in papers]
    result = dedupe(papers, "page", [], keys)
    assert [(p.id, p.abstract, p.links) for p in result.papers] == expected
    assert result.duplicates == duplicates
    assert result.title_keys == [f"k{p.id}" for p in result.papers]
    assert bool(result.warnings) == bool(duplicates)


def test_page_ids_and_title_keys_are_the_general_ones() -> None:
    text = "Mesa: Memory!\n\nAn abstract at https://github.com/a/b.\n\nMESA memory\n\nAgain.\n"
    result = ingest_text(text)
    assert [p.id for p in result.papers] == [key_id("mesa memory")]
    assert result.title_keys == ["mesa memory"]
    assert result.papers[0].links == ("https://github.com/a/b",)
    assert result.papers[0].repo == "https://github.com/a/b"
    assert result.duplicates == 1


# -- links ----------------------------------------------------------------------------------

_URLS = st.sampled_from(
    [
        "https://github.com/a/b",
        "https://github.com/a/b.",
        "http://example.org/x)",
        "https://huggingface.co/datasets/o/n",
        "https://github.com/login/x",
        "https://exa",
        "javascript:alert(1)",
        "https://gitlab.com/a/b",
        "-https://x.org",
        "https://x.org/(a)",
    ]
)


def _reference_order(links: list[str]) -> tuple[list[str], str | None]:
    kept: list[str] = []
    for url in links:
        if url not in kept and is_safe_url(url):
            kept.append(url)
    repo = next((url for url in kept if is_code_repo(url)), None)
    if repo is not None:
        kept.remove(repo)
        kept.insert(0, repo)
    return kept, repo


@given(st.lists(_URLS, max_size=4))
def test_order_links_shortcut_equals_the_general_rule(links: list[str]) -> None:
    kept, repo = _reference_order(links)
    assert order_links(links) == (tuple(kept), repo)


def test_cached_link_checks_give_the_same_answers() -> None:
    for _ in range(2):  # the second round is answered from the caches
        assert clean_url("https://github.com/a/b).") == "https://github.com/a/b"
        assert clean_url("https://github.com@evil.example/x") is None
        assert clean_url("x" * 400) is None
        assert is_code_repo("https://github.com/a/b") is True
        assert is_code_repo("https://github.com/about/x") is False
        assert order_links(["javascript:x"]) == ((), None)
        assert extract_links("see https://github.com/a/b, and http://x.org.") == [
            "https://github.com/a/b",
            "http://x.org",
        ]


# -- the content key ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 10, (1 << 20) + 3])
def test_content_key_value(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    expected = f"{hashlib.sha256(data).hexdigest()}-{size}-auto"
    key = content_key(data, None)
    assert str(key) == expected
    assert key == expected and key == content_key(data, None)
    assert hash(key) == hash(expected)
    assert {key: 1}[expected] == 1
    assert str(content_key(data, "page")).endswith(f"-{size}-page")
    assert expected in repr(key)


def test_first_recall_does_not_need_the_key(library_dir: Path) -> None:
    class NoKey(ContentKey):
        def __init__(self) -> None:
            pass

        def __str__(self) -> str:
            raise AssertionError("the key was asked for")

    assert Library.open(library_dir).recall(NoKey()) is None


def test_recall_with_a_content_key(library_dir: Path) -> None:
    data = b"Title\n\nAbstract.\n" * 70000  # over a MB: hashed in a thread
    key = content_key(data, None)
    library = Library.open(library_dir)
    library.add([Paper("t:1", "Title", "Abstract.")], remember=KnownImport(key, "page"))
    known = Library.open(library_dir).recall(content_key(data, None))
    assert known is not None and known.ids == ["t:1"]
    assert str(known.key) == str(key)
    assert Library.open(library_dir).recall(content_key(data, "json")) is None


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    return tmp_path / "lib"
