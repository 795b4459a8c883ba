"""Matching one paper against a query tree, the case folding that matching and the search index
share, and highlighting. `SearchIndex` (search_index.py) must agree with `eval_one` exactly (the
tests check it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import repeat

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
)

__all__ = [
    "STATE_DATES",
    "eval_one",
    "muted",
    "paper_date",
    "find_spans",
    "fold_text",
    "fold_words",
    "haystack",
    "id_text",
    "state_test",
]

SPACES = re.compile(r"\s+")


def fold_words(text: str) -> str:
    return SPACES.sub(" ", text).casefold()


def fold_text(title: str, abstract: str, authors: Sequence[str]) -> str:
    """The case-folded "title\\nabstract\\nauthors" bare words are looked for in."""
    return fold_parts(title, abstract, authors)[0]


def haystack(paper: Paper) -> tuple[str, int, int]:
    """The case-folded "title\\nabstract\\nauthors" and where the title and abstract end."""
    return fold_parts(paper.title, paper.abstract, paper.authors)


def fold_parts(title: str, abstract: str, authors_list: Sequence[str]) -> tuple[str, int, int]:
    authors = "\n".join(authors_list)
    raw = f"{title}\n{abstract}\n{authors}"
    if raw.isascii():
        title_end = len(title)
        return raw.lower(), title_end, title_end + 1 + len(abstract)
    # casefold() may change lengths ("ß" -> "ss"), so fold the parts one by one.
    title, abstract = title.casefold(), abstract.casefold()
    return f"{title}\n{abstract}\n{authors.casefold()}", len(title), len(title) + 1 + len(abstract)


class OnePaper:
    __slots__ = ("paper", "state", "context", "_hay")

    def __init__(self, paper: Paper, state: PaperState, context: QueryContext = NO_CONTEXT) -> None:
        self.paper = paper
        self.state = state
        self.context = context
        self._hay: tuple[str, int, int] | None = None

    @property
    def hay(self) -> tuple[str, int, int]:
        if self._hay is None:
            self._hay = haystack(self.paper)
        return self._hay


def text_in_paper(node: Text, paper: Paper, hay: Callable[[], tuple[str, int, int]]) -> bool:
    kind, value = node.kind, node.value
    if kind == "repo":
        return value in (paper.repo or "").casefold()
    if kind == "id":
        return value in id_text(paper)
    text, title_end, abstract_end = hay()
    if kind == "any":
        return value in text
    if kind == "title":
        return text.find(value, 0, title_end) != -1
    if kind == "abstract":
        return text.find(value, title_end + 1, abstract_end) != -1
    return text.find(value, abstract_end + 1) != -1  # author


STATE_DATES = ("starred", "read")


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
    if isinstance(node, Text):
        if text_in_paper(node, one.paper, lambda: one.hay):
            return True
        return node.kind == "any" and any(node.value in t.casefold() for t in one.state.tags)
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


def find_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where any of `terms` occurs in `text`, case-insensitively: sorted (start, end) offsets into
    `text`, overlapping or touching spans merged."""
    needles = [t for t in {fold_words(t) for t in terms} if t]
    if not needles or not text:
        return []
    folded = text.casefold()
    # starts[k] = offset in `text` of the character that produced folded[k].
    starts: list[int] | None = None
    if len(folded) != len(text):
        starts = []
        for i, ch in enumerate(text):
            starts.extend(repeat(i, len(ch.casefold())))
    spans: list[tuple[int, int]] = []
    for needle in needles:
        pos = folded.find(needle)
        while pos != -1:
            end = pos + len(needle)
            if starts is None:
                spans.append((pos, end))
            else:
                spans.append((starts[pos], starts[end - 1] + 1))
            pos = folded.find(needle, pos + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


# ---------------------------------------------------------------------------------------------
# Searching many papers


def id_text(paper: Paper) -> str:
    """What `id:` looks in: the id, and the arXiv id a `t:` paper gained from another source."""
    arxiv = paper.arxiv_id
    if arxiv and arxiv not in paper.id:
        return folded(f"{paper.id}\n{arxiv}")
    return folded(paper.id)


def folded(text: str) -> str:
    """`text.casefold()`, reusing `text` itself when folding changes nothing (ids mostly)."""
    folded = text.casefold()
    return text if folded == text else folded
