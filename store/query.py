"""The search language: notmuch-style words and Gmail/GitHub-style fields, over papers and the
user's marks.

    memory efficient          both words, stemmed (`efficient` also finds "efficiently")
    RAG  "low bit"            as written: a capitalised word, a phrase ("low-bit" too)
    transform*                a prefix
    -survey  -"low bit"       exclude
    lora OR qlora             either (OR binds tighter than the implicit AND)
    (a OR b) -(c d)           grouping
    is:unread tag:todo has:repo title:"low bit" author:smith repo:microsoft id:2406
    contains:rag              the text anywhere (a substring, not a word)

`parse_query` turns text into a `Query` (or raises `QueryError` with a one-line message and the
offending position). `store/query_sql.py` compiles a query to SQL over the library database;
`Query.matches` (store/matching.py) tests one paper in Python, and the two agree (the tests run
both). The words and the tokenizer are in query_lexer.py, the syntax tree in query_tree.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from papertray.store import limits
from papertray.store.dates import Clock, DateError, system_clock
from papertray.store.matching import OnePaper, eval_one, muted
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.query_lexer import DATE_FIELDS, FIELDS, HAS_VALUES, IS_VALUES, Lexer, Tok
from papertray.store.query_tree import (
    MATCH_ALL,
    NO_CONTEXT,
    And,
    Has,
    Is,
    Node,
    Not,
    Or,
    QueryContext,
    QueryError,
    Tag,
    Text,
    Words,
)

__all__ = [
    "DATE_FIELDS",
    "FIELDS",
    "HAS_VALUES",
    "IS_VALUES",
    "Query",
    "QueryContext",
    "QueryError",
    "parse_query",
    "refines",
]


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. Build one with `parse_query`."""

    text: str
    root: And

    @property
    def is_empty(self) -> bool:
        """True when the query has no constraint at all (it matches every paper)."""
        return not self.root.children

    @property
    def terms(self) -> list[Words | Text]:
        """The words, phrases and substrings to highlight (those not excluded): see
        `matching.find_spans`."""
        return list(dict.fromkeys(
            atom for atom in _asked_for(self.root)
            if isinstance(atom, Words) or (isinstance(atom, Text) and atom.kind == "contains")
        ))  # fmt: skip

    @property
    def ranked_terms(self) -> list[Words]:
        """The words a relevance order (BM25) ranks by: every word or phrase asked for."""
        return [atom for atom in self.terms if isinstance(atom, Words)]

    @property
    def tags(self) -> list[str]:
        """Folded names of the tags the query asks for (`tag:llm`; not `-tag:llm`)."""
        tags = (atom.name for atom in _asked_for(self.root) if isinstance(atom, Tag))
        return list(dict.fromkeys(tags))

    def matches(
        self, paper: Paper, state: PaperState = UNTOUCHED, context: QueryContext | None = None
    ) -> bool:
        """Whether the paper matches; with a `context` holding mute rules, a muted paper matches
        only a query that asks about muting (`is:muted`, `-is:muted`)."""
        one = OnePaper(paper, state, context or NO_CONTEXT)
        if not eval_one(self.root, one):
            return False
        return not (self.hides_muted and one.context.mutes and muted(one))

    @property
    def hides_muted(self) -> bool:
        """True unless the query mentions `is:muted`: muted papers are then left out."""
        return not _mentions(self.root, Is("muted"))

    @property
    def asks_for_the_queue(self) -> bool:
        """True when `is:later` is one of the query's terms (not under OR or `-`): the reader
        then reads the queue oldest first."""
        return Is("later") in self.root.children


def _mentions(node: Node, target: Node) -> bool:
    if node == target:
        return True
    if isinstance(node, Not):
        return _mentions(node.child, target)
    if isinstance(node, (And, Or)):
        return any(_mentions(c, target) for c in node.children)
    return False


def _asked_for(node: Node, negated: bool = False) -> Iterator[Node]:
    """The query's atoms that are not excluded (under an even number of `-`), in order."""
    if isinstance(node, Not):
        yield from _asked_for(node.child, not negated)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from _asked_for(child, negated)
    elif not negated:
        yield node


# ---------------------------------------------------------------------------------------------
# Parsing


class _Parser:
    """query := or*   or := unary ("OR" unary)*   unary := "-" primary | primary
    primary := "(" query ")" | atom"""

    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.i = 0
        self.depth = 0

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def seq(self, open_pos: int | None) -> list[Node]:
        items: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None:
                if open_pos is not None:
                    raise QueryError("unbalanced parenthesis: '(' is never closed", open_pos)
                return items
            if tok.kind == ")":
                if open_pos is None:
                    raise QueryError("unbalanced parenthesis: ')' has no matching '('", tok.pos)
                return items
            items.append(self.alternatives())

    def alternatives(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "OR":
            raise QueryError("OR needs a term before it", tok.pos)
        alts = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR"):
                raise QueryError("OR needs a term after it", tok.pos)
            alts.append(self.unary())
        return _or(alts)

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "-":
            self.take()
            return _not(self.primary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "(":
            self.depth += 1
            if self.depth > limits.MAX_QUERY_DEPTH:
                raise QueryError(
                    f"too deeply nested: at most {limits.MAX_QUERY_DEPTH} levels of parentheses",
                    tok.pos,
                )
            items = self.seq(tok.pos)
            self.take()  # the ")" that seq() stopped at
            self.depth -= 1
            if not items:
                raise QueryError("empty parentheses: put a term between ( and )", tok.pos)
            return _and(items)
        assert tok.node is not None, tok
        return tok.node


def _and(items: Iterable[Node]) -> Node:
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, And) else (item,))
    return flat[0] if len(flat) == 1 else And(tuple(dict.fromkeys(flat)))


def _or(items: list[Node]) -> Node:
    flat: list[Node] = []
    for item in items:
        if item == MATCH_ALL:
            return MATCH_ALL
        flat.extend(item.children if isinstance(item, Or) else (item,))
    flat = list(dict.fromkeys(flat))
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def _not(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


def parse_query(text: str, clock: Clock | None = None) -> Query:
    """Parses a query; "" (or only spaces) matches everything. Raises QueryError. Date terms
    (`read:<7d`) are read against `clock`, by default `dates.system_clock()` (`PAPERTRAY_NOW`)."""
    fixed: list[Clock] = [clock] if clock is not None else []

    def now() -> Clock:
        if not fixed:
            try:
                fixed.append(system_clock())
            except DateError as error:
                raise QueryError(str(error)) from None
        return fixed[0]

    parser = _Parser(Lexer(text, now).run())
    root = _and(parser.seq(None))
    return Query(text, root if isinstance(root, And) else And((root,)))


def _implies(a: Node, b: Node) -> bool:
    """Sound (not complete): True only if every paper matching `a` also matches `b`."""
    if a == b:
        return True
    if isinstance(b, And):
        return all(_implies(a, c) for c in b.children)
    if isinstance(a, Or):
        return all(_implies(c, b) for c in a.children)
    if isinstance(a, And):
        return any(_implies(c, b) for c in a.children)
    if isinstance(b, Or):
        return any(_implies(a, c) for c in b.children)
    if isinstance(a, Not) and isinstance(b, Not):
        return _implies(b.child, a.child)
    if isinstance(b, Text) and isinstance(a, Text):
        return a.kind == b.kind and b.value in a.value
    if isinstance(b, Words) and isinstance(a, Words):
        # Every paper holding `a`'s words holds `b`'s: the same words looked for the same way
        # (or a narrower field than "any"), or a longer prefix.
        same_place = a.kind == b.kind or b.kind == "any"
        if a.how == b.how == "prefix":
            return (
                same_place
                and a.words[:-1] == b.words[:-1]
                and a.words[-1].startswith(b.words[-1])
            )
        return same_place and a.how == b.how and a.words == b.words
    return isinstance(a, Tag) and b == Has("tags")


def refines(old: Query, new: Query) -> bool:
    """True when every paper matching `new` also matches `old`, so the result of `old` can be
    passed as `candidates` for `new` ("mem" -> "memory", an added term or field). It may say
    False when unsure, never True wrongly."""
    return _implies(new.root, old.root)
