"""Matching one paper against a query tree in Python, and highlighting what matched.

The library answers queries in SQL (`store/query_sql.py`); this is the same language evaluated
for one paper (the pane's "which rule mutes this paper", papers not in any library) and the
reference the SQL is tested against: the two must agree exactly (tests/test_query_sql.py runs
both). Words are compared as the word index compares them (`store/words.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from papertray.store.dates import iso_day
from papertray.store.models import Paper, PaperState
from papertray.store.query_tree import (
    NO_CONTEXT,
    And,
    Date,
    Has,
    Is,
    Node,
    Not,
    Or,
    QueryContext,
    Tag,
    Text,
    Words,
)
from papertray.store.words import fold, stem, token_words, tokens

__all__ = [
    "STATE_DATES",
    "OnePaper",
    "eval_one",
    "find_spans",
    "folded",
    "id_text",
    "muted",
    "paper_date",
    "state_test",
    "words_match",
]

STATE_DATES = ("starred", "read")


def folded(text: str) -> str:
    """Text as `repo:`, `id:` and `contains:` look into it (the SQL function `pt_fold`)."""
    return fold(text).lower()


def id_text(paper: Paper) -> str:
    """What `id:` looks in: the id, and the arXiv id a `t:` paper gained from another source."""
    return folded(f"{paper.id}\n{paper.arxiv_id or ''}")


def words_match(node: Words, words: Sequence[str]) -> bool:
    """Whether a field's folded words (`token_words`) hold what `node` asks for."""
    want = node.words
    if node.how == "stem":
        target = stem(want[0])
        return any(stem(w) == target for w in words)
    n = len(want)
    if n > len(words):
        return False
    if node.how == "exact":
        first = want[0]
        return any(
            words[i] == first and tuple(words[i : i + n]) == want
            for i in range(len(words) - n + 1)
        )
    head, last = want[:-1], want[-1]
    return any(
        tuple(words[i : i + n - 1]) == head and words[i + n - 1].startswith(last)
        for i in range(len(words) - n + 1)
    )


class OnePaper:
    """A paper, its marks and the query context, with its fields' words read once."""

    __slots__ = ("paper", "state", "context", "_words")

    def __init__(self, paper: Paper, state: PaperState, context: QueryContext = NO_CONTEXT) -> None:
        self.paper = paper
        self.state = state
        self.context = context
        self._words: dict[str, list[str]] = {}

    def words(self, field: str) -> list[str]:
        found = self._words.get(field)
        if found is None:
            paper = self.paper
            text = (
                paper.title
                if field == "title"
                else paper.abstract
                if field == "abstract"
                else "\n".join(paper.authors)
            )
            found = self._words[field] = token_words(text)
        return found


_FIELDS = {"any": ("title", "abstract", "author"), "title": ("title",)}


def _words_in_paper(node: Words, one: OnePaper) -> bool:
    fields = _FIELDS.get(node.kind, (node.kind,))
    if any(words_match(node, one.words(field)) for field in fields):
        return True
    return node.kind == "any" and any(tag_holds(node, tag) for tag in one.state.tags)


def tag_holds(node: Words, tag: str) -> bool:
    """Whether a bare word or phrase matches a tag (a tag is words too: `to-read`)."""
    return words_match(node, token_words(tag))


def _text_in_paper(node: Text, paper: Paper) -> bool:
    if node.kind == "repo":
        return node.value in folded(paper.repo or "")
    if node.kind == "id":
        return node.value in id_text(paper)
    return any(  # contains: title, abstract or authors
        node.value in folded(text) for text in (paper.title, paper.abstract, *paper.authors)
    )


def state_test(node: Is | Has | Tag | Date) -> Callable[[PaperState], bool]:
    if isinstance(node, Date):
        span = node.span
        if node.field == "starred":
            return lambda s: s.starred and span.holds(s.starred_at)
        return lambda s: s.read and span.holds(s.read_at)
    if isinstance(node, Tag):
        name = node.name
        return lambda s: any(t.casefold() == name for t in s.tags)
    if isinstance(node, Is):
        return {
            "read": lambda s: s.read,
            "unread": lambda s: not s.read,
            "starred": lambda s: s.starred,
            "unstarred": lambda s: not s.starred,
            "later": lambda s: s.later,
        }[node.value]
    if node.value == "note":
        return lambda s: bool(s.note.strip())
    return lambda s: bool(s.tags)  # has:tags


def paper_date(node: Date, paper: Paper) -> bool:
    """A date term over the paper's own dates (added, published, digest)."""
    if node.field == "added":
        return node.span.holds(paper.added_at)
    day = iso_day(paper.published if node.field == "published" else paper.digest_date)
    return day is not None and node.days[0] <= day <= node.days[1]


def muted(one: OnePaper) -> bool:
    """Whether a mute rule matches the paper (rules never consult `is:muted` themselves)."""
    inner = OnePaper(one.paper, one.state, QueryContext(one.context.new_batch))
    return any(eval_one(rule, inner) for rule in one.context.mutes)


def eval_one(node: Node, one: OnePaper) -> bool:
    if isinstance(node, And):
        return all(eval_one(c, one) for c in node.children)
    if isinstance(node, Or):
        return any(eval_one(c, one) for c in node.children)
    if isinstance(node, Not):
        return not eval_one(node.child, one)
    if isinstance(node, Words):
        return _words_in_paper(node, one)
    if isinstance(node, Text):
        return _text_in_paper(node, one.paper)
    if isinstance(node, Has) and node.value in ("repo", "links"):
        return bool(one.paper.repo if node.value == "repo" else one.paper.links)
    if isinstance(node, Date) and node.field not in STATE_DATES:
        return paper_date(node, one.paper)
    if isinstance(node, Is) and node.value == "new":
        batch = one.context.new_batch
        return batch is not None and one.paper.added_at == batch
    if isinstance(node, Is) and node.value == "muted":
        return bool(one.context.mutes) and muted(one)
    return state_test(node)(one.state)


# ---------------------------------------------------------------------------------------------
# Highlighting


def find_spans(
    text: str, terms: Iterable[Words | Text | str], field: str = "any"
) -> list[tuple[int, int]]:
    """Where the query's `terms` (`Query.terms`) matched in `text`, a field of a paper
    (`field`: "title", "abstract", "author" or "any"): sorted, merged (start, end) offsets.
    Words are found as the index finds them (a stemmed word highlights "Transformers" for
    `transformer`, a phrase only the words in a row); a plain string is a substring."""
    spans: list[tuple[int, int]] = []
    found = list(tokens(text)) if text else []
    for term in terms:
        if isinstance(term, Words):
            if term.kind in ("any", field) or field == "any":
                spans.extend(_word_spans(term, found))
        elif text:
            needle = term.value if isinstance(term, Text) else folded(term)
            spans.extend(_substring_spans(text, needle))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _word_spans(node: Words, found: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    words = [w for _s, _e, w in found]
    n = len(node.words)
    spans = []
    for i in range(len(words) - n + 1):
        if words_match(node, words[i : i + n]):  # exactly n words: a match starting at i
            spans.append((found[i][0], found[i + n - 1][1]))
    return spans


def _substring_spans(text: str, needle: str) -> list[tuple[int, int]]:
    """Where `needle` (folded) occurs in `text`, mapped back to offsets of `text`."""
    if not needle:
        return []
    # Fold character by character, keeping where each folded character came from.
    origin: list[int] = []
    parts: list[str] = []
    for i, ch in enumerate(text):
        f = folded(ch)
        parts.append(f)
        origin.extend([i] * len(f))
    hay = "".join(parts)
    spans = []
    pos = hay.find(needle)
    while pos != -1:
        end = pos + len(needle)
        spans.append((origin[pos], origin[end - 1] + 1))
        pos = hay.find(needle, pos + 1)
    return spans
