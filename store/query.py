"""The search language: Gmail/GitHub-style queries over papers and the user's marks.

    memory efficient          both words appear (case-insensitive substring)
    "low bit"                 the phrase appears
    -survey  -"low bit"       exclude
    lora OR qlora             either (OR binds tighter than the implicit AND)
    (a OR b) -(c d)           grouping
    is:unread tag:todo has:repo title:"low bit" author:smith repo:microsoft id:2406

`parse_query` turns text into a `Query` (or raises `QueryError` with a one-line message and the
offending position); `Query.matches` tests one paper (matching.py); `SearchIndex`
(search_index.py) answers a query over many papers. The syntax tree is in query_tree.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from papertray.store.dates import EXAMPLES as DATE_EXAMPLES
from papertray.store.dates import Clock, DateError, day_bounds, parse_date_term, system_clock
from papertray.store.matching import STATE_DATES, OnePaper, eval_one, fold_words, muted
from papertray.store.models import UNTOUCHED, Paper, PaperState
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


IS_VALUES = ("read", "unread", "starred", "unstarred", "new", "muted")
HAS_VALUES = ("repo", "note", "tags", "links")
# Date fields: when you starred / read it, when it was first imported, its arXiv/HF date, the day
# it was on the HF daily page. The first two are marks (state), the others the paper's own.
DATE_FIELDS = ("starred", "read", "added", "published", "digest")
FIELDS = ("is", "has", "tag", "title", "abstract", "author", "repo", "id", *DATE_FIELDS)
_EXAMPLES = {
    "is": "is:unread",
    "has": "has:repo",
    "tag": "tag:NAME",
    "title": "title:WORD",
    "abstract": "abstract:WORD",
    "author": "author:NAME",
    "repo": "repo:TEXT",
    "id": "id:TEXT",
    "starred": "starred:<7d",
    "read": "read:today",
    "added": "added:>2024-03-01",
    "published": "published:2024-03",
    "digest": "digest:2024-03-18",
}
# Bare URLs typed into the box are words, not fields.
_NOT_FIELDS = frozenset({"http", "https"})
_FIELD_RE = re.compile(r"([A-Za-z]+):")
SPACES = re.compile(r"\s+")
# A bare word that is an arXiv id (`2403.12015`, `arxiv:` typed or not, a version ignored).
_ARXIV_WORD = re.compile(r"(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?")


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
        out: list[str] = []
        _collect_terms(self.root, False, out)
        return list(dict.fromkeys(out))

    @property
    def tags(self) -> list[str]:
        """Folded names of the tags the query asks for (`tag:llm`; not `-tag:llm`)."""
        out: list[str] = []
        _collect_tags(self.root, False, out)
        return list(dict.fromkeys(out))

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


def _collect_terms(node: Node, negated: bool, out: list[str]) -> None:
    if isinstance(node, Text):
        if not negated and node.kind in ("any", "title", "abstract") and node.value:
            out.append(node.value)
    elif isinstance(node, Not):
        _collect_terms(node.child, not negated, out)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            _collect_terms(child, negated, out)


def _collect_tags(node: Node, negated: bool, out: list[str]) -> None:
    if isinstance(node, Tag):
        if not negated:
            out.append(node.name)
    elif isinstance(node, Not):
        _collect_tags(node.child, not negated, out)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            _collect_tags(child, negated, out)


# ---------------------------------------------------------------------------------------------
# Parsing


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "(" ")" "OR" "-" "atom"
    pos: int
    node: Node | None = None


def _shown(value: str) -> str:
    """A user-typed value made safe for a one-line message."""
    text = "".join(c if c.isprintable() else "?" for c in SPACES.sub(" ", value))
    return text if len(text) <= 40 else text[:39] + "…"


class _Lexer:
    def __init__(self, text: str, clock: Callable[[], Clock]) -> None:
        self.clock = clock
        self.text = text
        self.toks: list[_Tok] = []

    def run(self) -> list[_Tok]:
        text, n, i = self.text, len(self.text), 0
        while i < n:
            c = text[i]
            if c.isspace():
                i += 1
            elif c in "()":
                self.toks.append(_Tok(c, i))
                i += 1
            elif c == "-":
                nxt = text[i + 1] if i + 1 < n else " "
                if not (nxt.isspace() or nxt == ")"):
                    self.toks.append(_Tok("-", i))
                    if nxt == "(":
                        self.toks.append(_Tok("(", i + 1))
                        i += 2
                    else:
                        i = self.atom(i + 1)
                else:
                    # A lone "-" (often half of a "-word" still being typed) means nothing.
                    i += 1
            elif text.startswith("OR", i) and self.ends_word(i + 2):
                self.toks.append(_Tok("OR", i))
                i += 2
            else:
                i = self.atom(i)
        return self.toks

    def ends_word(self, j: int) -> bool:
        return j >= len(self.text) or self.text[j].isspace() or self.text[j] in '()"'

    def word_end(self, i: int) -> int:
        """End of a bare word: whitespace, a quote, or a ")" that closes no "(" opened inside the
        word, so `f(x)` stays one word while `(a b)` still closes its group."""
        text, n, depth, j = self.text, len(self.text), 0, i
        while j < n:
            ch = text[j]
            if ch.isspace() or ch == '"':
                break
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            j += 1
        return j

    def quoted(self, i: int) -> tuple[str, int]:
        end = self.text.find('"', i + 1)
        if end == -1:
            raise QueryError('unclosed quote: add a closing "', i)
        return self.text[i + 1 : end], end + 1

    def atom(self, i: int) -> int:
        """Reads a word, phrase or field:value at i (a leading "-" here is literal) and returns
        the offset after it."""
        text = self.text
        if text[i] == '"':
            value, j = self.quoted(i)
            folded = fold_words(value)
            self.toks.append(_Tok("atom", i, Text("any", folded) if folded else MATCH_ALL))
            return j
        m = _FIELD_RE.match(text, i)
        if m and m.group(1).lower() not in _NOT_FIELDS:
            name = m.group(1).lower()
            if name not in FIELDS:
                known = ", ".join(f + ":" for f in FIELDS)
                raise QueryError(f"unknown field '{_shown(name)}:'; known fields: {known}", i)
            j = m.end()
            if j < len(text) and text[j] == '"':
                value, end = self.quoted(j)
            else:
                end = self.word_end(j)
                value = text[j:end]
            field = _field(name, fold_words(value).strip(), i, j, self.clock)
            self.toks.append(_Tok("atom", i, field))
            return end
        end = self.word_end(i)
        if end == i:  # a stray quote or ")" right after "-": let the main loop see it
            self.toks.append(_Tok("atom", i, MATCH_ALL))
            return i
        word = text[i:end].casefold()
        node: Node = Text("any", word)
        arxiv = _ARXIV_WORD.fullmatch(word)
        if arxiv:  # a bare arXiv id also finds the paper it is the id of
            node = Or((node, Text("id", arxiv.group(1))))
        self.toks.append(_Tok("atom", i, node))
        return end


def _field(name: str, value: str, pos: int, value_pos: int, clock: Callable[[], Clock]) -> Node:
    if not value:
        raise QueryError(f"'{name}:' needs a value, e.g. {_EXAMPLES[name]}", pos)
    if name in DATE_FIELDS:
        now = clock()
        try:
            span = parse_date_term(value, now)
        except DateError as error:
            raise QueryError(
                f"bad date '{_shown(value)}' in {name}:… ({error}); use e.g. {DATE_EXAMPLES}",
                value_pos,
            ) from None
        return Date(name, span, day_bounds(span, now))
    if name == "is":
        if value not in IS_VALUES:
            allowed = ", ".join(IS_VALUES)
            raise QueryError(
                f"unknown value '{_shown(value)}' for is:; use one of: {allowed}", value_pos
            )
        return Is(value)
    if name == "has":
        if value not in HAS_VALUES:
            allowed = ", ".join(HAS_VALUES)
            raise QueryError(
                f"unknown value '{_shown(value)}' for has:; use one of: {allowed}", value_pos
            )
        return Has(value)
    if name == "tag":
        return Tag(value)
    return Text(name, value)


class _Parser:
    """query := or*   or := unary ("OR" unary)*   unary := "-" primary | primary
    primary := "(" query ")" | atom"""

    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
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

    parser = _Parser(_Lexer(text, now).run())
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
