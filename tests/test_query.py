"""The query language: every operator and field on hand-made papers, word rules (stems, exact
words, phrases, prefixes), errors and their positions, highlighting spans, and the SQL the
library runs agreeing with `Query.matches` in Python (also under hypothesis)."""

from __future__ import annotations

import pytest
from helpers.deep_query import nested
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertray.store import Library, Query, QueryError, limits, parse_query
from papertray.store.matching import find_spans
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.query import refines
from papertray.store.query_tree import QueryContext, Text, Words

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
    "arxiv:2401.00002": PaperState(read=True, note="  great paper  ", later=True, later_at=5.0),
    "arxiv:2401.00005": PaperState(later=True, later_at=7.0),
    "t:0123456789abcdef": PaperState(tags=("Diffusion-Survey",), note="   "),
    "not-in-library": PaperState(read=True, tags=("todo",)),
}


_LIBRARIES: dict[tuple[str, ...], tuple[Library, list[int]]] = {}


def library_of(papers: list[Paper]) -> tuple[Library, list[int]]:
    """The papers in a library in memory (made once), and the rowid of each (in order)."""
    key = tuple(p.id for p in papers)
    if key not in _LIBRARIES:
        library = Library.in_memory()
        report = library.add(papers, keep_added=True)
        assert report.new == len(papers)
        rowids = library.rowids_of(p.id for p in papers)
        _LIBRARIES[key] = library, [rowids[p.id] for p in papers]
    return _LIBRARIES[key]


def sql_matching(papers: list[Paper], q: Query, states: dict[str, PaperState]) -> list[int]:
    library, rowids = library_of(papers)
    found = set(library.select(q, states).rowids)
    return [i for i, rowid in enumerate(rowids) if rowid in found]


def matching(text: str, states: dict[str, PaperState] | None = None) -> list[int]:
    """The papers `text` matches, in Python; the library's SQL must say the same."""
    states = STATES if states is None else states
    q = parse_query(text)
    expected = [i for i, p in enumerate(PAPERS) if q.matches(p, states.get(p.id, UNTOUCHED))]
    assert sql_matching(PAPERS, q, states) == expected, text
    return expected


# -- operators and fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [0, 1, 2, 3, 4]),
        ("   ", [0, 1, 2, 3, 4]),
        ("memory", [0, 4]),
        ("MEMORY", [0, 4]),  # capitalised: as written, still case-insensitive
        ("memory efficient", [0]),
        ("effic", []),  # a word, not a substring
        ("effic*", [0, 1]),  # a prefix
        ("contains:effic", [0, 1]),  # the documented substring
        ('"low bit"', [0, 1]),  # a phrase finds the hyphenated word too
        ('"LOW   BIT"', [0, 1]),
        ("low-bit", [0, 1]),  # a hyphenated word is a phrase
        ("-memory", [1, 2, 3]),
        ('-"low bit"', [2, 3, 4]),
        ("lora OR diffusion", [2, 4]),  # "QLoRA" is another word
        ("LoRA OR Diffusion", [2, 4]),
        ("memory lora OR diffusion", [4]),
        ("memory OR lora survey", []),
        ("memory OR lora diffusion", []),
        ("memory OR survey", [0, 2, 4]),
        ("(memory OR lora) -survey", [0, 4]),
        ("-(memory OR lora)", [1, 2, 3]),
        ("-(memory efficient)", [1, 2, 3, 4]),
        ("or", [4]),  # lower-case "or" is a plain word ("LoRA Or Not", "adapters or")
        ("smith", [0, 4]),  # authors are searched
        ("todo", [0]),  # tags are searched by bare words
        ("survey", [2]),  # in the title, and in the tag "Diffusion-Survey"
        ("diffusion-surv", []),
        ("diffusion-surv*", [2]),
        ("https://github.com/microsoft", [0]),
        ("http://github.com", []),
        ("f(x)", [3]),
        ("(llms)", [0, 3]),  # "LLMs" in 3, the tag "LLM" of 0: llms and llm are one stem
        ("-", [0, 1, 2, 3, 4]),
        ('""', [0, 1, 2, 3, 4]),
        ("--bit", [2, 3, 4]),  # "-" then the word "-bit"
        ("finetuning", [1, 4]),
        ("finetune", [1, 4]),  # stems: finetune, finetuning
        ("Finetune", []),  # as written: no paper says "finetune"
        ("quantize", [1]),  # "Quantized"
        ("adapter", [1, 4]),  # "adapters"
        ("model", [0, 2]),  # "Models", "models"; not "Modelle" (German) nor "Sprachmodelle"
        ("train*", [0]),
        ('"low b"*', [0, 1]),  # a phrase whose last word is a prefix
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
        ("is:later", [1, 4]),
        ("-is:later is:unread", [2, 3]),
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
        ("title:effic*", [0, 1]),
        ("contains:y-eff", [0]),  # "Memory-Efficient": the text as written
        ("contains:gross", [3]),  # folded as the words are
        ("-contains:a", []),
    ],
)
def test_fields(text: str, expected: list[int]) -> None:
    assert matching(text) == expected


def test_unicode_case_and_accent_folding() -> None:
    assert matching("STRASSE") == [3]  # ß folds to ss
    assert matching("über") == [3]
    assert matching("uber") == [3]  # accents do not count
    assert matching("groß") == [3]  # "Groß" and "große": one stem
    assert matching("author:GROSS") == [3]
    assert matching("title:straße") == [3]
    assert matching("jurgen") == [3]


def test_missing_state_means_untouched() -> None:
    assert matching("is:unread", {}) == [0, 1, 2, 3, 4]
    assert matching("todo", {}) == []
    assert matching("tag:todo", {}) == []


def test_bare_word_matches_tag_of_a_paper_without_the_word() -> None:
    states = {"arxiv:2401.00005": PaperState(tags=("quantum",))}
    assert matching("quantum", states) == [4]
    assert matching("-quantum", states) == [0, 1, 2, 3]
    assert matching("quantum OR survey", states) == [2, 4]


def test_or_binds_tighter_than_and() -> None:
    assert parse_query("a b OR c").root == parse_query("a (b OR c)").root
    assert parse_query("a OR b c").root == parse_query("(a OR b) c").root
    assert parse_query("a OR b OR c").root == parse_query("a OR (b OR c)").root


def test_query_properties() -> None:
    assert parse_query("").is_empty
    assert parse_query("  - ").is_empty
    assert not parse_query("is:read").is_empty
    q = parse_query(
        'Memory "Low  Bit" -survey title:LLM abstract:x author:bob tag:t (a OR b) -(c) contains:z'
    )
    assert q.terms == [
        Words("any", ("memory",), "exact"),
        Words("any", ("low", "bit"), "exact"),
        Words("title", ("llm",), "exact"),
        Words("abstract", ("x",), "stem"),
        Words("author", ("bob",), "stem"),
        Words("any", ("a",), "stem"),
        Words("any", ("b",), "stem"),
        Text("contains", "z"),
    ]
    assert parse_query("memory memory").terms == [Words("any", ("memory",), "stem")]
    assert parse_query("-(a -b)").terms == [Words("any", ("b",), "stem")]  # doubly negated
    assert parse_query("trans* 2401.00001").terms == [
        Words("any", ("trans",), "prefix"),
        Words("any", ("2401", "00001"), "exact"),
    ]
    assert isinstance(q, Query)


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        (
            "memory foo:bar",
            "unknown field 'foo:'; known fields: is:, has:, tag:, title:, abstract:, author:, "
            "repo:, id:, contains:",
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
        ("title:---", "'title:' needs a word, e.g. title:WORD", 0),
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


def test_nesting_at_the_limit_is_parsed_one_past_it_is_not() -> None:
    """At the limit a query holding `is:muted`, with a rule as deep, is matched in Python and
    in SQL (whose parser holds the rule's SQL inside the query's); one more level is a
    QueryError, not a RecursionError however deep."""
    depth = limits.MAX_QUERY_DEPTH
    rule = parse_query(nested(depth, "survey OR lora"))
    context = QueryContext(None, (rule.root,))
    for inner, expected in (("is:muted OR 2401.00002", [1, 2, 4]), ("memory", [0])):
        q = parse_query(nested(depth, inner))
        states = [STATES.get(p.id, UNTOUCHED) for p in PAPERS]
        got = [i for i, p in enumerate(PAPERS) if q.matches(p, states[i], context)]
        assert got == expected, inner
        library, rowids = library_of(PAPERS)
        found = set(library.select(q, STATES, context=context, count_muted=True).rowids)
        assert [i for i, rowid in enumerate(rowids) if rowid in found] == expected, inner
        assert refines(q, q)
    message = f"too deeply nested: at most {depth} levels of parentheses"
    for text, position in (
        ("(" * (depth + 1) + "a" + ")" * (depth + 1), depth),
        ("-(" * (depth + 1) + "a" + ")" * (depth + 1), 2 * depth + 1),
        ("(" * 5000 + "a" + ")" * 5000, depth),
        (nested(depth + 1, "memory"), nested(depth + 1, "memory").rindex("(")),
    ):
        with pytest.raises(QueryError) as info:
            parse_query(text)
        assert (info.value.message, info.value.position) == (message, position)


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


@pytest.mark.parametrize(
    ("text", "query", "field", "shown"),
    [
        ("Transformers transform a Transformer's transformation", "transformer", "any",
         ["Transformers", "transform", "Transformer", "transformation"]),
        ("RAG-based, not ragged rag", "RAG", "any", ["RAG", "rag"]),
        ("RAG-based, not ragged rag", "rag", "any", ["RAG", "ragged", "rag"]),
        ("memory-efficient, memory efficiently", '"memory efficient"', "any",
         ["memory-efficient"]),
        ("Straße und STRASSE", "strasse", "any", ["Straße", "STRASSE"]),
        ("transformer", "title:transformer", "abstract", []),
        ("transformer", "title:transformer", "title", ["transformer"]),
        ("a low-bit b low bi", '"low bi"*', "any", ["low-bit", "low bi"]),
        ("we leverage storage", "contains:rag", "any", ["rag", "rag"]),
        ("we leverage storage", "rag", "any", []),
    ],
)  # fmt: skip
def test_highlights_show_exactly_what_matched(
    text: str, query: str, field: str, shown: list[str]
) -> None:
    spans = find_spans(text, parse_query(query).terms, field)
    assert [text[a:b] for a, b in spans] == shown


# -- the SQL and the Python matcher agree ----------------------------------------------------

QUERIES = [
    "",
    "memory",
    "mem*",
    "memory efficient",
    "memory -efficient",
    "lora OR diffusion",
    "(memory OR survey) is:unread",
    "is:read",
    "tag:todo OR has:note",
    "-has:repo title:a",
    "abstract:e* author:s*",
    "e* -(a OR o)",
    "repo:git",
    "id:2401 -id:0002",
    "has:links -tag:todo",
    "-is:read -is:starred -has:tags",
    "contains:ss -contains:x",
    '"large language" OR "low bit"',
]


@pytest.mark.parametrize("text", QUERIES)
def test_sql_equals_matches(text: str) -> None:
    matching(text)


def test_word_in_a_tag_no_paper_text_holds() -> None:
    states = {"arxiv:2401.00005": PaperState(tags=("quantum-computing",))}
    assert matching("quantum computing", states) == [4]
    assert matching('"quantum computing"', states) == [4]
    assert matching("quantum* -comput*", states) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "memory", True),
        ("mem*", "memo*", True),
        ("memory", "memory efficient", True),
        ("memory", "memory", True),
        ('"low"', '"low bit"', False),
        ("memory", "title:memory", True),
        ("memory", "abstract:memory", True),
        ("smith", "author:smith", True),
        ("is:read", "is:read tag:x", True),
        ("tag:x", "tag:x memory", True),
        ("has:tags", "tag:x", True),
        ("a OR b", "a", True),
        ("a OR b", "a c", True),
        ("(a OR b) c", "a c", True),
        ("memory", "title:memory OR abstract:memory", True),
        ("repo:mem", "repo:memory", True),
        # not refinements
        ("memory", "mem", False),
        ("memory", "", False),
        ("a", "a OR b", False),
        ("title:memory", "memory", False),
        ("memory", "repo:memory", False),
        ("is:read", "is:unread", False),
        ("memory efficient", "memory", False),
        ("mem*", "memory", False),
    ],
)
def test_refines(old: str, new: str, expected: bool) -> None:
    from papertray.store.query import refines

    assert refines(parse_query(old), parse_query(new)) is expected


# -- hypothesis -------------------------------------------------------------------------------

WORDS = [
    "memory", "mem*", "e*", "lora", "LoRA", "smith", "diffusion", "bit", '"low bit"', "or", "ß",
    "ss", "models", "Efficient", "quantize", "llm", "todo", "contains:e", "contains:ß",
]  # fmt: skip
FIELDS = [
    "is:read",
    "is:unread",
    "is:starred",
    "is:unstarred",
    "is:later",
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


CORPUS = [  # the papers again under other ids: the same answers three times over
    p._replace(id=f"{p.id}{n}", title=f"{p.title} {'I' * n}".strip())
    for n in range(3)
    for p in PAPERS
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_sql_matches_python_property(text: str) -> None:
    q = parse_query(text)
    want = [i for i, p in enumerate(CORPUS) if q.matches(p, STATES.get(p.id, UNTOUCHED))]
    assert sql_matching(CORPUS, q, STATES) == want, text


@settings(max_examples=200, deadline=None)
@given(queries(), queries())
def test_refines_is_sound(a: str, b: str) -> None:
    from papertray.store.query import refines

    qa, qb = parse_query(a), parse_query(b)
    if refines(qa, qb):
        assert set(sql_matching(CORPUS, qb, STATES)) <= set(sql_matching(CORPUS, qa, STATES))
    assert refines(qa, qa)


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
    want = [i for i, p in enumerate(PAPERS) if q.matches(p, STATES.get(p.id, UNTOUCHED))]
    assert sql_matching(PAPERS, q, STATES) == want
    for term in q.terms:
        if isinstance(term, Words):
            assert term.words and all(w and w == w.lower() for w in term.words)
        else:
            assert term.value and term.value == term.value.lower()


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.text(max_size=4), max_size=4))
def test_find_spans_property(text: str, terms: list[str]) -> None:
    spans = find_spans(text, terms)
    assert spans == sorted(spans)
    for (_, b), (c, _) in zip(spans, spans[1:], strict=False):
        assert b < c
    for a, b in spans:
        assert 0 <= a < b <= len(text)
