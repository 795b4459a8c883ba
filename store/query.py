"""The search language: Gmail/GitHub-style queries over papers and the user's marks.

    memory efficient          both words appear (case-insensitive substring)
    "low bit"                 the phrase appears
    -survey  -"low bit"       exclude
    lora OR qlora             either (OR binds tighter than the implicit AND)
    (a OR b) -(c d)           grouping
    is:unread tag:todo has:repo title:"low bit" author:smith repo:microsoft id:2406

`parse_query` turns text into a `Query` (or raises `QueryError` with a one-line message and the
offending position); `Query.matches` tests one paper (matching.py); `SearchIndex`
(search_index.py) answers a query over many papers. The words and the tokenizer are in
query_lexer.py, the syntax tree in query_tree.py; this module parses and compares queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from papertray.store.dates import Clock, DateError, system_clock
from papertray.store.matching import STATE_DATES, OnePaper, eval_one, muted
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.query_lexer import DATE_FIELDS, FIELDS, HAS_VALUES, IS_VALUES, Lexer, Tok
from papertray.store.query_tree import (
    IN_HAYSTACK,
    MATCH_ALL,
    NO_CONTEXT,
    And,
    Date,
    Has,
    Is,
    Node,
    Not,
    Or,
    QueryContext,
    QueryError,
    Tag,
    Text,
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
    def terms(self) -> list[str]:
        """Case-folded words, phrases, title: and abstract: values to highlight (not excluded)."""
        return list(dict.fromkeys(
            atom.value for atom in _asked_for(self.root)
            if isinstance(atom, Text) and atom.kind in ("any", "title", "abstract") and atom.value
        ))  # fmt: skip

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
    def touched_only(self) -> bool:
        """True when only papers the user has marked can match (`is:starred`, `read:<7d`,
        `tag:x` ...): a caller may look at those papers alone."""
        return any(_needs_state(c) for c in self.root.children)

    def narrows(self, old: Query) -> bool:
        """True when every paper matching this query also matches `old` (see `refines`), so
        `old`'s result can be the candidates for this one."""
        return refines(old, self)

    @property
    def only_words(self) -> bool:
        """True when the query is nothing but bare words and phrases: then a paper matches
        exactly when its text holds all `required_words` (or a tag does)."""
        return all(isinstance(c, Text) and c.kind == "any" for c in self.root.children)

    @property
    def required_words(self) -> list[str]:
        """Case-folded words and phrases that the folded title/abstract/authors text of every
        matching paper contains, unless one of the paper's tags holds them (bare words also
        match tags). A cheap pre-filter: a paper lacking one cannot match."""
        return [c.value for c in self.root.children if isinstance(c, Text) and c.kind == "any"]


def _mentions(node: Node, target: Node) -> bool:
    if node == target:
        return True
    if isinstance(node, Not):
        return _mentions(node.child, target)
    if isinstance(node, (And, Or)):
        return any(_mentions(c, target) for c in node.children)
    return False


def _needs_state(node: Node) -> bool:
    """Sound: True only if a paper without marks can never match `node`."""
    if isinstance(node, And):
        return any(_needs_state(c) for c in node.children)
    if isinstance(node, Or):
        return bool(node.children) and all(_needs_state(c) for c in node.children)
    if isinstance(node, Date):
        return node.field in STATE_DATES
    if isinstance(node, Is):
        return node.value in ("read", "starred")
    if isinstance(node, Has):
        return node.value in ("note", "tags")
    return isinstance(node, Tag)


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
            items = self.seq(tok.pos)
            self.take()  # the ")" that seq() stopped at
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
    if isinstance(b, Text):
        if isinstance(a, Text):
            same_place = a.kind == b.kind or (b.kind == "any" and a.kind in IN_HAYSTACK)
            return same_place and b.value in a.value
        return isinstance(a, Tag) and b.kind == "any" and b.value in a.name
    return isinstance(a, Tag) and b == Has("tags")


def refines(old: Query, new: Query) -> bool:
    """True when every paper matching `new` also matches `old`, so the result of `old` can be
    passed as `candidates` for `new` ("mem" -> "memory", an added term or field). It may say
    False when unsure, never True wrongly."""
    return _implies(new.root, old.root)
