"""The search language: Gmail/GitHub-style queries over papers and the user's marks.

    memory efficient          both words appear (case-insensitive substring)
    "low bit"                 the phrase appears
    -survey  -"low bit"       exclude
    lora OR qlora             either (OR binds tighter than the implicit AND)
    (a OR b) -(c d)           grouping
    is:unread tag:todo has:repo title:"low bit" author:smith repo:microsoft id:2406

`parse_query` turns text into a `Query` (or raises `QueryError` with a one-line message and the
offending position); `Query.matches` tests one paper; `SearchIndex` answers a query over many papers
fast enough for a keystroke, reusing earlier work where it can.
"""

from __future__ import annotations

import bisect
import operator
import re
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from typing import Any

from papertray.store.models import UNTOUCHED, Paper, PaperState

__all__ = ["Query", "QueryError", "SearchIndex", "find_spans", "parse_query"]


class QueryError(ValueError):
    """A query that cannot be understood. `message` is one line; `position` is the character offset
    in the query where the problem is (or -1)."""

    def __init__(self, message: str, position: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------------------------
# The syntax tree. Text values are case-folded with whitespace runs collapsed to one space.

TEXT_KINDS = ("any", "title", "abstract", "author", "repo", "id")
# Fields whose text is part of the bare-word haystack, so `title:x` implies a bare `x`.
_IN_HAYSTACK = ("title", "abstract", "author")


@dataclass(frozen=True, slots=True)
class _Text:
    kind: str  # one of TEXT_KINDS; "any" = title, abstract, authors or a tag
    value: str


@dataclass(frozen=True, slots=True)
class _Tag:
    name: str


@dataclass(frozen=True, slots=True)
class _Is:
    value: str  # read, unread, starred, unstarred


@dataclass(frozen=True, slots=True)
class _Has:
    value: str  # repo, note, tags, links


@dataclass(frozen=True, slots=True)
class _Not:
    child: _Node


@dataclass(frozen=True, slots=True)
class _And:
    children: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Or:
    children: tuple[_Node, ...]


_Node = _Text | _Tag | _Is | _Has | _Not | _And | _Or
_MATCH_ALL = _And(())

IS_VALUES = ("read", "unread", "starred", "unstarred")
HAS_VALUES = ("repo", "note", "tags", "links")
FIELDS = ("is", "has", "tag", "title", "abstract", "author", "repo", "id")
_EXAMPLES = {
    "is": "is:unread",
    "has": "has:repo",
    "tag": "tag:NAME",
    "title": "title:WORD",
    "abstract": "abstract:WORD",
    "author": "author:NAME",
    "repo": "repo:TEXT",
    "id": "id:TEXT",
}
# Bare URLs typed into the box are words, not fields.
_NOT_FIELDS = frozenset({"http", "https"})
_FIELD_RE = re.compile(r"([A-Za-z]+):")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. Build one with `parse_query`."""

    text: str
    root: _And

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

    def matches(self, paper: Paper, state: PaperState = UNTOUCHED) -> bool:
        return _eval_one(self.root, _One(paper, state))

    @property
    def only_words(self) -> bool:
        """True when the query is nothing but bare words and phrases: then a paper matches
        exactly when its text holds all `required_words` (or a tag does)."""
        return all(isinstance(c, _Text) and c.kind == "any" for c in self.root.children)

    @property
    def required_words(self) -> list[str]:
        """Case-folded words and phrases that the folded title/abstract/authors text of every
        matching paper contains, unless one of the paper's tags holds them (bare words also
        match tags). A cheap pre-filter: a paper lacking one cannot match."""
        return [c.value for c in self.root.children if isinstance(c, _Text) and c.kind == "any"]


def _collect_terms(node: _Node, negated: bool, out: list[str]) -> None:
    if isinstance(node, _Text):
        if not negated and node.kind in ("any", "title", "abstract") and node.value:
            out.append(node.value)
    elif isinstance(node, _Not):
        _collect_terms(node.child, not negated, out)
    elif isinstance(node, (_And, _Or)):
        for child in node.children:
            _collect_terms(child, negated, out)


def _collect_tags(node: _Node, negated: bool, out: list[str]) -> None:
    if isinstance(node, _Tag):
        if not negated:
            out.append(node.name)
    elif isinstance(node, _Not):
        _collect_tags(node.child, not negated, out)
    elif isinstance(node, (_And, _Or)):
        for child in node.children:
            _collect_tags(child, negated, out)


# ---------------------------------------------------------------------------------------------
# Parsing


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "(" ")" "OR" "-" "atom"
    pos: int
    node: _Node | None = None


def _shown(value: str) -> str:
    """A user-typed value made safe for a one-line message."""
    text = "".join(c if c.isprintable() else "?" for c in _SPACES.sub(" ", value))
    return text if len(text) <= 40 else text[:39] + "…"


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text).casefold()


class _Lexer:
    def __init__(self, text: str) -> None:
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
            folded = _fold(value)
            self.toks.append(_Tok("atom", i, _Text("any", folded) if folded else _MATCH_ALL))
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
            self.toks.append(_Tok("atom", i, _field(name, _fold(value).strip(), i, j)))
            return end
        end = self.word_end(i)
        if end == i:  # a stray quote or ")" right after "-": let the main loop see it
            self.toks.append(_Tok("atom", i, _MATCH_ALL))
            return i
        self.toks.append(_Tok("atom", i, _Text("any", text[i:end].casefold())))
        return end


def _field(name: str, value: str, pos: int, value_pos: int) -> _Node:
    if not value:
        raise QueryError(f"'{name}:' needs a value, e.g. {_EXAMPLES[name]}", pos)
    if name == "is":
        if value not in IS_VALUES:
            allowed = ", ".join(IS_VALUES)
            raise QueryError(
                f"unknown value '{_shown(value)}' for is:; use one of: {allowed}", value_pos
            )
        return _Is(value)
    if name == "has":
        if value not in HAS_VALUES:
            allowed = ", ".join(HAS_VALUES)
            raise QueryError(
                f"unknown value '{_shown(value)}' for has:; use one of: {allowed}", value_pos
            )
        return _Has(value)
    if name == "tag":
        return _Tag(value)
    return _Text(name, value)


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

    def seq(self, open_pos: int | None) -> list[_Node]:
        items: list[_Node] = []
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

    def alternatives(self) -> _Node:
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

    def unary(self) -> _Node:
        tok = self.peek()
        if tok is not None and tok.kind == "-":
            self.take()
            return _not(self.primary())
        return self.primary()

    def primary(self) -> _Node:
        tok = self.take()
        if tok.kind == "(":
            items = self.seq(tok.pos)
            self.take()  # the ")" that seq() stopped at
            if not items:
                raise QueryError("empty parentheses: put a term between ( and )", tok.pos)
            return _and(items)
        assert tok.node is not None, tok
        return tok.node


def _and(items: Iterable[_Node]) -> _Node:
    flat: list[_Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, _And) else (item,))
    return flat[0] if len(flat) == 1 else _And(tuple(dict.fromkeys(flat)))


def _or(items: list[_Node]) -> _Node:
    flat: list[_Node] = []
    for item in items:
        if item == _MATCH_ALL:
            return _MATCH_ALL
        flat.extend(item.children if isinstance(item, _Or) else (item,))
    flat = list(dict.fromkeys(flat))
    return flat[0] if len(flat) == 1 else _Or(tuple(flat))


def _not(node: _Node) -> _Node:
    return node.child if isinstance(node, _Not) else _Not(node)


def parse_query(text: str) -> Query:
    """Parses a query; "" (or only spaces) matches everything. Raises QueryError."""
    parser = _Parser(_Lexer(text).run())
    root = _and(parser.seq(None))
    return Query(text, root if isinstance(root, _And) else _And((root,)))


# ---------------------------------------------------------------------------------------------
# Matching one paper. SearchIndex must agree with this exactly (the tests check it).


def fold_text(title: str, abstract: str, authors: Sequence[str]) -> str:
    """The case-folded "title\\nabstract\\nauthors" bare words are looked for in."""
    return _fold_parts(title, abstract, authors)[0]


def _haystack(paper: Paper) -> tuple[str, int, int]:
    """The case-folded "title\\nabstract\\nauthors" and where the title and abstract end."""
    return _fold_parts(paper.title, paper.abstract, paper.authors)


def _fold_parts(title: str, abstract: str, authors_list: Sequence[str]) -> tuple[str, int, int]:
    authors = "\n".join(authors_list)
    raw = f"{title}\n{abstract}\n{authors}"
    if raw.isascii():
        title_end = len(title)
        return raw.lower(), title_end, title_end + 1 + len(abstract)
    # casefold() may change lengths ("ß" -> "ss"), so fold the parts one by one.
    title, abstract = title.casefold(), abstract.casefold()
    return f"{title}\n{abstract}\n{authors.casefold()}", len(title), len(title) + 1 + len(abstract)


class _One:
    __slots__ = ("paper", "state", "_hay")

    def __init__(self, paper: Paper, state: PaperState) -> None:
        self.paper = paper
        self.state = state
        self._hay: tuple[str, int, int] | None = None

    @property
    def hay(self) -> tuple[str, int, int]:
        if self._hay is None:
            self._hay = _haystack(self.paper)
        return self._hay


def _text_in_paper(node: _Text, paper: Paper, hay: Callable[[], tuple[str, int, int]]) -> bool:
    kind, value = node.kind, node.value
    if kind == "repo":
        return value in (paper.repo or "").casefold()
    if kind == "id":
        return value in paper.id.casefold()
    text, title_end, abstract_end = hay()
    if kind == "any":
        return value in text
    if kind == "title":
        return text.find(value, 0, title_end) != -1
    if kind == "abstract":
        return text.find(value, title_end + 1, abstract_end) != -1
    return text.find(value, abstract_end + 1) != -1  # author


def _state_pred(node: _Is | _Has | _Tag) -> Callable[[PaperState], bool]:
    if isinstance(node, _Tag):
        name = node.name
        return lambda s: any(t.casefold() == name for t in s.tags)
    if isinstance(node, _Is):
        return {
            "read": lambda s: s.read,
            "unread": lambda s: not s.read,
            "starred": lambda s: s.starred,
            "unstarred": lambda s: not s.starred,
        }[node.value]
    if node.value == "note":
        return lambda s: bool(s.note.strip())
    return lambda s: bool(s.tags)  # has:tags


def _eval_one(node: _Node, one: _One) -> bool:
    if isinstance(node, _And):
        return all(_eval_one(c, one) for c in node.children)
    if isinstance(node, _Or):
        return any(_eval_one(c, one) for c in node.children)
    if isinstance(node, _Not):
        return not _eval_one(node.child, one)
    if isinstance(node, _Text):
        if _text_in_paper(node, one.paper, lambda: one.hay):
            return True
        return node.kind == "any" and any(node.value in t.casefold() for t in one.state.tags)
    if isinstance(node, _Has) and node.value in ("repo", "links"):
        return bool(one.paper.repo if node.value == "repo" else one.paper.links)
    return _state_pred(node)(one.state)


# ---------------------------------------------------------------------------------------------
# Highlighting


def find_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where any of `terms` occurs in `text`, case-insensitively: sorted (start, end) offsets into
    `text`, overlapping or touching spans merged."""
    needles = [t for t in {_fold(t) for t in terms} if t]
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

_MINUS_ONE = -1


def _implies(a: _Node, b: _Node) -> bool:
    """Sound (not complete): True only if every paper matching `a` also matches `b`."""
    if a == b:
        return True
    if isinstance(b, _And):
        return all(_implies(a, c) for c in b.children)
    if isinstance(a, _Or):
        return all(_implies(c, b) for c in a.children)
    if isinstance(a, _And):
        return any(_implies(c, b) for c in a.children)
    if isinstance(b, _Or):
        return any(_implies(a, c) for c in b.children)
    if isinstance(a, _Not) and isinstance(b, _Not):
        return _implies(b.child, a.child)
    if isinstance(b, _Text):
        if isinstance(a, _Text):
            same_place = a.kind == b.kind or (b.kind == "any" and a.kind in _IN_HAYSTACK)
            return same_place and b.value in a.value
        return isinstance(a, _Tag) and b.kind == "any" and b.value in a.name
    return isinstance(a, _Tag) and b == _Has("tags")


class _Call:
    """Per-search() data derived from the states mapping, computed only if needed."""

    def __init__(self, index: SearchIndex, states: Mapping[str, PaperState]) -> None:
        self.index = index
        self.states = states
        self._tagged: list[tuple[Sequence[int], tuple[str, ...]]] | None = None

    def tagged(self) -> list[tuple[Sequence[int], tuple[str, ...]]]:
        if self._tagged is None:
            where = self.index._where
            self._tagged = [
                (where(pid), tuple(t.casefold() for t in st.tags))
                for pid, st in self.states.items()
                if st.tags
            ]
        return self._tagged


def _folded(text: str) -> str:
    """`text.casefold()`, reusing `text` itself when folding changes nothing (ids mostly)."""
    folded = text.casefold()
    return text if folded == text else folded


class SearchIndex:
    """Case-folded haystacks of many papers, built once, and a query engine over them.

    Each search is one pass over the candidates with the per-paper test in C. The results of text
    atoms over the whole corpus are remembered for the `CACHE_SIZE` most recent atoms, so a
    backspace is free; the caller narrows a refined query with `candidates` (see `refines`)."""

    CACHE_SIZE = 32  # remembered whole-corpus results

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.papers = papers
        self._n = len(papers)
        hays, title_ends, abstract_ends = [], [], []
        for paper in papers:
            text, title_end, abstract_end = _haystack(paper)
            hays.append(text)
            title_ends.append(title_end)
            abstract_ends.append(abstract_end)
        self._hays: list[str] = hays
        # Offsets as C ints (4 bytes each, not a 32-byte int object): memory counts at 100k.
        self._title_ends = array("i", title_ends)
        self._abstract_starts = array("i", [t + 1 for t in title_ends])
        self._author_starts = array("i", [a + 1 for a in abstract_ends])
        self._abstract_ends = array("i", abstract_ends)
        self._repos = [_folded(p.repo or "") for p in papers]
        self._ids = [_folded(p.id) for p in papers]
        self._links = [bool(p.links) for p in papers]
        self._first: dict[str, int] | None = None
        self._more: dict[str, list[int]] = {}
        # Text atoms depend only on the papers, never on the states, so their results over the
        # whole corpus stay valid: (ascending hits, the same as a set once one is needed).
        self._results: OrderedDict[_Node, tuple[list[int], set[int] | None]] = OrderedDict()

    def __len__(self) -> int:
        return self._n

    def _where(self, pid: str) -> Sequence[int]:
        """Indexes of the papers with this id (normally one; a list may hold an id twice)."""
        if self._first is None:
            ids = [p.id for p in self.papers]
            self._first = dict(zip(reversed(ids), range(self._n - 1, -1, -1), strict=True))
            if len(self._first) < self._n:
                for i, other in enumerate(ids):
                    if self._first[other] != i:
                        self._more.setdefault(other, [self._first[other]]).append(i)
        more = self._more.get(pid)
        if more is not None:
            return more
        first = self._first.get(pid)
        return () if first is None else (first,)

    # -- public ------------------------------------------------------------------------------

    def search(
        self,
        query: Query,
        states: Mapping[str, PaperState],
        candidates: Sequence[int] | None = None,
    ) -> list[int]:
        """Ascending indexes of the papers matching `query`; with `candidates`, only those are
        considered (pass the previous result when `refines(previous, query)`)."""
        cands: Sequence[int]
        if candidates is None:
            cands = range(self._n)
        else:
            cands = list(candidates)
            if not all(map(int.__lt__, cands, cands[1:])) or (
                cands and (cands[0] < 0 or cands[-1] >= self._n)
            ):
                cands = sorted({i for i in cands if 0 <= i < self._n})
        return list(self._eval(query.root, cands, _Call(self, states)))

    def refines(self, old: Query, new: Query) -> bool:
        """See the module's `refines()`: kept as a method for callers holding an index."""
        return refines(old, new)

    # -- evaluation over candidate lists (ascending) -----------------------------------------

    def _eval(self, node: _Node, cands: Sequence[int], call: _Call) -> Sequence[int]:
        if not cands:
            return cands
        if isinstance(node, _And):
            for child in sorted(node.children, key=self._cost):
                cands = self._eval(child, cands, call)
                if not cands:
                    break
            return cands
        if isinstance(node, _Or):
            found: set[int] = set()
            rest = cands
            for child in node.children:
                hits = self._eval(child, rest, call)
                if hits:
                    found.update(hits)
                    rest = [i for i in rest if i not in found]
                    if not rest:
                        break
            return [i for i in cands if i in found]
        if isinstance(node, _Not):
            drop = set(self._eval(node.child, cands, call))
            return [i for i in cands if i not in drop] if drop else cands
        if isinstance(node, _Text) or (isinstance(node, _Has) and node.value in ("repo", "links")):
            hits = self._static(node, cands)
            if isinstance(node, _Text) and node.kind == "any":
                return self._add_tag_hits(node.value, cands, hits, call)
            return hits
        return self._state_atom(node, cands, call)

    def _cost(self, node: _Node) -> tuple[int, int]:
        if node in self._results:
            return (0, 0)
        if isinstance(node, (_Is, _Has, _Tag)):
            return (1, 0)
        if isinstance(node, _Text):
            return (2, -len(node.value))  # longer words are rarer and cheaper to look for
        return (3, 0)

    def _static(self, node: _Text | _Has, cands: Sequence[int]) -> Sequence[int]:
        """The candidates matching a paper-only atom. Results over the whole corpus are kept for
        the `CACHE_SIZE` most recent atoms, so a backspace, or a term typed again, is free."""
        whole = isinstance(cands, range) and len(cands) == self._n
        known = self._results.get(node)
        if known is not None:
            self._results.move_to_end(node)
            hits, members = known
            if whole:
                return hits
            if members is None:
                members = set(hits)
                self._results[node] = (hits, members)
            return [i for i in cands if i in members]
        hits = self._scan(node, cands)
        if whole:
            self._results[node] = (hits, None)
            while len(self._results) > self.CACHE_SIZE:
                self._results.popitem(last=False)
        return hits

    def _scan(self, node: _Text | _Has, cands: Sequence[int]) -> list[int]:
        """One pass over the candidates; the per-paper test runs in C (`str.__contains__` and
        `str.find` mapped over the haystacks), which is what keeps 100k papers under 50 ms."""
        if isinstance(node, _Has):
            values: list[Any] = self._repos if node.value == "repo" else self._links
            return list(compress(cands, map(values.__getitem__, cands)))
        v, kind = node.value, node.kind
        if kind in ("any", "repo", "id"):
            texts = {"repo": self._repos, "id": self._ids}.get(kind, self._hays)
            return list(
                compress(cands, map(operator.contains, map(texts.__getitem__, cands), repeat(v)))
            )
        hays = list(map(self._hays.__getitem__, cands))
        if kind == "title":
            ends = map(self._title_ends.__getitem__, cands)
            found = map(str.find, hays, repeat(v), repeat(0), ends)
        elif kind == "abstract":
            found = map(
                str.find,
                hays,
                repeat(v),
                map(self._abstract_starts.__getitem__, cands),
                map(self._abstract_ends.__getitem__, cands),
            )
        else:
            found = map(str.find, hays, repeat(v), map(self._author_starts.__getitem__, cands))
        return list(compress(cands, map(_MINUS_ONE.__ne__, found)))

    def _add_tag_hits(
        self, value: str, cands: Sequence[int], hits: Sequence[int], call: _Call
    ) -> Sequence[int]:
        tagged = call.tagged()
        if not tagged:
            return hits
        extra = {i for idxs, tags in tagged if any(value in t for t in tags) for i in idxs}
        extra.difference_update(hits)
        extra = {i for i in extra if _contains(cands, i)}
        return sorted(extra.union(hits)) if extra else hits

    def _state_atom(self, node: _Node, cands: Sequence[int], call: _Call) -> Sequence[int]:
        assert isinstance(node, (_Is, _Has, _Tag)), node
        pred = _state_pred(node)
        if pred(UNTOUCHED):
            drop = {i for pid, st in call.states.items() if not pred(st) for i in self._where(pid)}
            return [i for i in cands if i not in drop] if drop else cands
        keep = {i for pid, st in call.states.items() if pred(st) for i in self._where(pid)}
        if len(keep) * 8 < len(cands):
            return sorted(i for i in keep if _contains(cands, i))
        return [i for i in cands if i in keep]


def refines(old: Query, new: Query) -> bool:
    """True when every paper matching `new` also matches `old`, so the result of `old` can be
    passed as `candidates` for `new` ("mem" -> "memory", an added term or field). It may say
    False when unsure, never True wrongly."""
    return _implies(new.root, old.root)


def _contains(cands: Sequence[int], i: int) -> bool:
    """Membership in an ascending sequence (a range or a sorted list)."""
    if isinstance(cands, range):
        return i in cands
    k = bisect.bisect_left(cands, i)
    return k < len(cands) and cands[k] == i
