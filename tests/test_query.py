"""The query language: every operator and field on hand-made papers, errors and their positions,
highlighting spans, and SearchIndex agreeing with Query.matches (also under hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertray.store import Query, QueryError, SearchIndex, find_spans, parse_query
from papertray.store.models import UNTOUCHED, Paper, PaperState

PAPERS = [
    Paper(
        id="arxiv:2401.00001",
        title="Memory-Efficient Training of Large Language Models",
        abstract="We cut memory use with low bit optimizers. Code: https://github.com/microsoft/lowbit",
        authors=["Alice Smith", "Bob Jones"],
        repo="https://github.com/microsoft/lowbit",
        links=["https://github.com/microsoft/lowbit"],
    ),
    Paper(
        id="arxiv:2401.00002",
        title="QLoRA: Efficient Finetuning",
        abstract="Quantized adapters; efficient and low-bit.",
        authors=["Carol White"],
    ),
    Paper(
        id="t:0123456789abcdef",
        title="A Survey of Diffusion",
        abstract="Diffusion models survey. Project page https://example.org/diff",
        authors=[],
        links=["https://example.org/diff"],
    ),
    Paper(
        id="arxiv:2401.00004",
        title="Straße der Modelle",
        abstract="ÜBER große Sprachmodelle (LLMs) and f(x) tricks",
        authors=["Jürgen Groß"],
        repo="https://huggingface.co/org/model",
        links=["https://huggingface.co/org/model"],
    ),
    Paper(
        id="arxiv:2401.00005",
        title="LoRA Or Not",
        abstract="Adapters or full finetuning? We compare memory and speed.",
        authors=["Dan Smith"],
    ),
]
IDS = [p.id for p in PAPERS]
STATES = {
    "arxiv:2401.00001": PaperState(read=True, starred=True, tags=("todo", "LLM")),
    "arxiv:2401.00002": PaperState(read=True, note="  great paper  "),
    "t:0123456789abcdef": PaperState(tags=("Diffusion-Survey",), note="   "),
    "not-in-library": PaperState(read=True, tags=("todo",)),
}


def matching(text: str, states: dict[str, PaperState] | None = None) -> list[int]:
    states = STATES if states is None else states
    q = parse_query(text)
    expected = [i for i, p in enumerate(PAPERS) if q.matches(p, states.get(p.id, UNTOUCHED))]
    assert SearchIndex(PAPERS).search(q, states) == expected, text
    return expected


# -- operators and fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [0, 1, 2, 3, 4]),
        ("   ", [0, 1, 2, 3, 4]),
        ("memory", [0, 4]),
        ("MEMORY", [0, 4]),
        ("memory efficient", [0]),
        ("effic", [0, 1]),
        ('"low bit"', [0]),
        ('"LOW   BIT"', [0]),
        ("low-bit", [1]),
        ("-memory", [1, 2, 3]),
        ('-"low bit"', [1, 2, 3, 4]),
        ("lora OR diffusion", [1, 2, 4]),
        ("LoRA OR Diffusion", [1, 2, 4]),
        ("memory lora OR diffusion", [4]),
        ("memory OR lora survey", []),
        ("memory OR lora diffusion", []),
        ("memory OR survey", [0, 2, 4]),
        ("(memory OR lora) -survey", [0, 1, 4]),
        ("-(memory OR lora)", [2, 3]),
        ("-(memory efficient)", [1, 2, 3, 4]),
        ("or", [0, 1, 2, 4]),  # lower-case "or" is a plain word (mem-or-y, LoRA Or, ...)
        ("smith", [0, 4]),  # authors are searched
        ("todo", [0]),  # tags are searched by bare words
        ("diffusion-surv", [2]),
        ("https://github.com/microsoft", [0]),
        ("http://github.com", []),
        ("f(x)", [3]),
        ("(llms)", [3]),
        ("-", [0, 1, 2, 3, 4]),
        ('""', [0, 1, 2, 3, 4]),
        ("--bit", [0, 2, 3, 4]),  # "-" then the literal word "-bit"
    ],
)
def test_words_phrases_and_operators(text: str, expected: list[int]) -> None:
    assert matching(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is:read", [0, 1]),
        ("is:unread", [2, 3, 4]),
        ("is:starred", [0]),
        ("is:unstarred", [1, 2, 3, 4]),
        ("-is:read", [2, 3, 4]),
        ("IS:READ", [0, 1]),
        ("tag:todo", [0]),
        ("tag:llm", [0]),
        ("tag:TODO", [0]),
        ("tag:tod", []),  # tags match exactly
        ("-tag:todo", [1, 2, 3, 4]),
        ("tag:diffusion-survey", [2]),
        ("has:repo", [0, 3]),
        ("-has:repo", [1, 2, 4]),
        ("has:links", [0, 2, 3]),
        ("has:note", [1]),  # a note of only spaces is no note
        ("has:tags", [0, 2]),
        ("-has:tags", [1, 3, 4]),
        ("title:memory", [0]),
        ('title:"large language"', [0]),
        ("title:lowbit", []),
        ("abstract:memory", [0, 4]),
        ("abstract:efficient", [1]),
        ("abstract:smith", []),
        ("author:smith", [0, 4]),
        ('author:"bob jones"', [0]),
        ("author:memory", []),
        ("repo:microsoft", [0]),
        ("repo:HUGGINGFACE", [3]),
        ("-repo:microsoft", [1, 2, 3, 4]),
        ("id:2401.0000", [0, 1, 3, 4]),
        ("id:t:", [2]),
        ("id:arxiv:2401.00002", [1]),
        ("is:read -is:starred", [1]),
        ("is:unread OR tag:todo", [0, 2, 3, 4]),
        ("title:efficient is:read", [0, 1]),  # "Memory-Efficient" and "Efficient", both read
    ],
)
def test_fields(text: str, expected: list[int]) -> None:
    assert matching(text) == expected


def test_unicode_case_folding() -> None:
    assert matching("STRASSE") == [3]  # ß folds to ss
    assert matching("über") == [3]
    assert matching("groß") == [3]
    assert matching("author:GROSS") == [3]
    assert matching("title:straße") == [3]


def test_missing_state_means_untouched() -> None:
    assert matching("is:unread", {}) == [0, 1, 2, 3, 4]
    assert matching("todo", {}) == []
    assert matching("tag:todo", {}) == []


def test_bare_word_matches_tag_of_a_paper_without_the_word() -> None:
    states = {"arxiv:2401.00005": PaperState(tags=("quantum",))}
    assert matching("quantum", states) == [4]
    assert matching("-quantum", states) == [0, 1, 2, 3]
    assert matching("quantum OR survey", states) == [2, 4]


def test_duplicate_ids_share_a_state() -> None:
    papers = [PAPERS[0], PAPERS[1], PAPERS[0]]
    q = parse_query("is:starred")
    assert SearchIndex(papers).search(q, STATES) == [0, 2]
    assert SearchIndex(papers).search(parse_query("-is:starred"), STATES) == [1]


def test_or_binds_tighter_than_and() -> None:
    assert parse_query("a b OR c").root == parse_query("a (b OR c)").root
    assert parse_query("a OR b c").root == parse_query("(a OR b) c").root
    assert parse_query("a OR b OR c").root == parse_query("a OR (b OR c)").root


def test_query_properties() -> None:
    assert parse_query("").is_empty
    assert parse_query("  - ").is_empty
    assert not parse_query("is:read").is_empty
    q = parse_query('Memory "Low  Bit" -survey title:LLM abstract:x author:bob tag:t (a OR b) -(c)')
    assert q.terms == ["memory", "low bit", "llm", "x", "a", "b"]
    assert parse_query("memory memory MEMORY").terms == ["memory"]
    assert parse_query("-(a -b)").terms == ["b"]  # doubly negated is positive
    assert isinstance(q, Query)


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        (
            "memory foo:bar",
            "unknown field 'foo:'; known fields: is:, has:, tag:, title:, abstract:, author:, "
            "repo:, id:",
            7,
        ),
        ("Results: x", "unknown field 'results:'", 0),
        ('a "low bit', 'unclosed quote: add a closing "', 2),
        ('title:"low', 'unclosed quote: add a closing "', 6),
        ("(a OR b", "unbalanced parenthesis: '(' is never closed", 0),
        ("a (b (c)", "unbalanced parenthesis: '(' is never closed", 2),
        ("a b)", "unbalanced parenthesis: ')' has no matching '('", 3),
        ("x)", "unbalanced parenthesis: ')' has no matching '('", 1),
        ("()", "empty parentheses", 0),
        ("OR a", "OR needs a term before it", 0),
        ("a OR", "OR needs a term after it", 2),
        ("a OR OR b", "OR needs a term after it", 2),
        ("(a OR) b", "OR needs a term after it", 3),
        ("a (OR b)", "OR needs a term before it", 3),
        ("tag:", "'tag:' needs a value, e.g. tag:NAME", 0),
        ("x -tag:", "'tag:' needs a value", 3),
        ('title:""', "'title:' needs a value, e.g. title:WORD", 0),
        ("is:", "'is:' needs a value", 0),
        (
            "is:foo",
            "unknown value 'foo' for is:; use one of: read, unread, starred, unstarred",
            3,
        ),
        ("has:x", "unknown value 'x' for has:; use one of: repo, note, tags, links", 4),
        ('is:"a\nb"', "unknown value 'a b' for is:", 3),
    ],
)
def test_errors(text: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    err = info.value
    assert err.message.startswith(message)
    assert str(err) == err.message
    assert "\n" not in err.message
    assert err.position == position
    assert isinstance(err, ValueError)


def test_error_message_shows_control_characters_safely() -> None:
    with pytest.raises(QueryError) as info:
        parse_query("is:\x1b[31mred")
    assert "\x1b" not in info.value.message


# -- highlighting -----------------------------------------------------------------------------


def test_find_spans() -> None:
    assert find_spans("Memory-Efficient memory", ["memory"]) == [(0, 6), (17, 23)]
    assert find_spans("abcdef", ["bcd", "cde"]) == [(1, 5)]  # overlaps merged
    assert find_spans("abcdef", ["ab", "cd"]) == [(0, 4)]  # touching merged
    assert find_spans("aaaa", ["aa"]) == [(0, 4)]
    assert find_spans("abc", ["ABC"]) == [(0, 3)]
    assert find_spans("abc", []) == []
    assert find_spans("abc", [""]) == []
    assert find_spans("", ["a"]) == []
    assert find_spans("low  bit", ["low bit"]) == []  # text is not re-spaced
    assert find_spans("x low bit y", ["LOW BIT"]) == [(2, 9)]


def test_find_spans_unicode() -> None:
    text = "Die Straße und STRASSE"
    assert find_spans(text, ["strasse"]) == [(4, 10), (15, 22)]
    assert find_spans(text, ["ß"]) == [(8, 9), (19, 21)]  # ß folds to ss, both ways
    assert find_spans(text, ["s"]) == [(4, 5), (8, 9), (15, 16), (19, 21)]
    assert find_spans("Ünïcode 🎉 ünï", ["ÜNÏ"]) == [(0, 3), (10, 13)]
    for start, end in find_spans("ßßß x ß", ["s"]):
        assert 0 <= start < end <= len("ßßß x ß")


def test_find_spans_with_query_terms() -> None:
    q = parse_query('memory "low bit" -optimizers')
    spans = find_spans(PAPERS[0].abstract, q.terms)
    assert [PAPERS[0].abstract[a:b] for a, b in spans] == ["memory", "low bit"]


# -- SearchIndex ------------------------------------------------------------------------------

QUERIES = [
    "",
    "memory",
    "mem",
    "memory efficient",
    "memory -efficient",
    "lora OR diffusion",
    "(memory OR survey) is:unread",
    "is:read",
    "tag:todo OR has:note",
    "-has:repo title:a",
    "abstract:e author:s",
    "e -(a OR o)",
    "repo:git",
    "id:2401 -id:0002",
    "has:links -tag:todo",
    "-is:read -is:starred -has:tags",
]


@pytest.mark.parametrize("text", QUERIES)
def test_search_equals_matches(text: str) -> None:
    matching(text)


def test_search_with_candidates() -> None:
    index = SearchIndex(PAPERS)
    q = parse_query("memory")
    assert index.search(q, STATES, [1, 3, 4]) == [4]
    assert index.search(q, STATES, []) == []
    assert index.search(q, STATES, range(5)) == [0, 4]
    assert index.search(q, STATES, [4, 0, 0, 99, -1]) == [0, 4]  # unsorted / junk tolerated
    # The remembered positions of "memory" must not leak into a later unnarrowed search.
    assert index.search(parse_query("memory"), STATES) == [0, 4]
    assert index.search(parse_query("memory efficient"), STATES) == [0]


def test_search_cache_is_consistent_over_many_queries() -> None:
    index = SearchIndex(PAPERS * 20)
    papers = PAPERS * 20
    for _ in range(2):
        for text in QUERIES + ["m", "me", "mem", "memo", "memory e", "memory ef"]:
            q = parse_query(text)
            want = [i for i, p in enumerate(papers) if q.matches(p, STATES.get(p.id, UNTOUCHED))]
            assert index.search(q, STATES) == want, text
            assert index.search(q, STATES, want[::2]) == want[::2], text


def test_small_cache_still_correct() -> None:
    class Tiny(SearchIndex):
        CACHE_SIZE = 1

    index = Tiny(PAPERS)
    for text in ["m", "me", "mem", "memory", "memory e", "e", "lora OR survey", "memory"]:
        q = parse_query(text)
        want = [i for i, p in enumerate(PAPERS) if q.matches(p, STATES.get(p.id, UNTOUCHED))]
        assert index.search(q, STATES) == want


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "memory", True),
        ("m", "me", True),
        ("mem", "memory", True),
        ("memory", "memory efficient", True),
        ("memory e", "memory ef", True),
        ("memory", "memory", True),
        ("emo", "memory", True),  # substring, not only prefix
        ('"low"', '"low bit"', True),
        ("memory", "title:memory", True),
        ("memory", "abstract:memory", True),
        ("smith", "author:smith", True),
        ("title:mem", "title:memory", True),
        ("is:read", "is:read tag:x", True),
        ("tag:x", "tag:x memory", True),
        ("has:tags", "tag:x", True),
        ("todo", "tag:todo", True),
        ("-memory", "-mem", True),
        ("a OR b", "a", True),
        ("a OR b", "a c", True),
        ("(a OR b) c", "a c", True),
        ("memory", "title:memory OR abstract:memory", True),
        # not refinements
        ("memory", "mem", False),
        ("memory", "", False),
        ("-mem", "-memory", False),
        ("a", "a OR b", False),
        ("title:memory", "memory", False),
        ("memory", "repo:memory", False),
        ("memory", "id:memory", False),
        ("repo:mem", "repo:memory", True),
        ("is:read", "is:unread", False),
        ("tag:todo", "todo", False),
        ("memory efficient", "memory", False),
    ],
)
def test_refines(old: str, new: str, expected: bool) -> None:
    index = SearchIndex(PAPERS)
    assert index.refines(parse_query(old), parse_query(new)) is expected


# -- hypothesis -------------------------------------------------------------------------------

WORDS = ["memory", "mem", "e", "lora", "smith", "diffusion", "bit", '"low bit"', "or", "ß", "ss"]
FIELDS = [
    "is:read",
    "is:unread",
    "is:starred",
    "is:unstarred",
    "tag:todo",
    "tag:llm",
    "has:repo",
    "has:note",
    "has:tags",
    "has:links",
    "title:e",
    "title:memory",
    "abstract:bit",
    "author:smith",
    "repo:microsoft",
    "id:2401",
]


@st.composite
def queries(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 2 and draw(st.integers(0, 5)) == 0:
            atom = "(" + draw(queries(depth + 1)) + ")"
        else:
            atom = draw(st.sampled_from(WORDS + FIELDS))
        if draw(st.booleans()) and draw(st.booleans()):
            atom = "-" + atom
        parts.append(atom)
        if draw(st.integers(0, 3)) == 0:
            parts.append("OR")
    if parts[-1] == "OR":
        parts.pop()
    return " ".join(parts)


CORPUS = PAPERS * 3


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(queries(), min_size=1, max_size=6))
def test_search_matches_property(texts: list[str]) -> None:
    # One index across the whole sequence, so remembered positions are exercised too.
    index = SearchIndex(CORPUS)
    previous: tuple[Query, list[int]] | None = None
    for text in texts:
        q = parse_query(text)
        want = [i for i, p in enumerate(CORPUS) if q.matches(p, STATES.get(p.id, UNTOUCHED))]
        assert index.search(q, STATES) == want, text
        if previous is not None and index.refines(previous[0], q):
            assert set(want) <= set(previous[1])
            assert index.search(q, STATES, previous[1]) == want
        previous = (q, want)


@settings(max_examples=200, deadline=None)
@given(queries(), queries())
def test_refines_is_sound(a: str, b: str) -> None:
    index = SearchIndex(CORPUS)
    qa, qb = parse_query(a), parse_query(b)
    if index.refines(qa, qb):
        assert set(index.search(qb, STATES)) <= set(index.search(qa, STATES))
    assert index.refines(qa, qa)


@st.composite
def prefix_pairs(draw: st.DrawFn) -> tuple[str, str]:
    text = draw(queries())
    cut = draw(st.integers(0, len(text)))
    return text[:cut], text


@settings(max_examples=200, deadline=None)
@given(prefix_pairs())
def test_typing_refinements_are_sound(pair: tuple[str, str]) -> None:
    index = SearchIndex(CORPUS)
    try:
        old, new = parse_query(pair[0]), parse_query(pair[1])
    except QueryError:
        return
    if index.refines(old, new):
        assert set(index.search(new, STATES)) <= set(index.search(old, STATES))


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet='ab -"():OR\t\nistagh', max_size=30),
        st.lists(st.sampled_from(WORDS + FIELDS + ["(", ")", "-", '"', "OR", "foo:", ":"])).map(
            " ".join
        ),
    )
)
def test_parse_arbitrary_text_raises_only_query_error(text: str) -> None:
    try:
        q = parse_query(text)
    except QueryError as err:
        assert err.message and "\n" not in err.message
        assert -1 <= err.position <= len(text)
        return
    q.matches(PAPERS[3], STATES.get(PAPERS[3].id, UNTOUCHED))
    assert SearchIndex(PAPERS).search(q, STATES) == [
        i for i, p in enumerate(PAPERS) if q.matches(p, STATES.get(p.id, UNTOUCHED))
    ]
    for term in q.terms:
        assert term == term.casefold() and term


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.text(max_size=4), max_size=4))
def test_find_spans_property(text: str, terms: list[str]) -> None:
    spans = find_spans(text, terms)
    assert spans == sorted(spans)
    for (_, b), (c, _) in zip(spans, spans[1:], strict=False):
        assert b < c
    for a, b in spans:
        assert 0 <= a < b <= len(text)
