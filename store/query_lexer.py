"""The query language's words and its tokenizer: which fields and values exist, and how text
becomes tokens ("(", ")", "OR", "-", atoms), each atom already a syntax-tree node (a word, a
phrase, a checked `field:value`, a date span). `query.py` parses the tokens into a `Query`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from papertray.store.dates import EXAMPLES as DATE_EXAMPLES
from papertray.store.dates import Clock, DateError, day_bounds, parse_date_term
from papertray.store.matching import fold_words
from papertray.store.query_tree import MATCH_ALL, Date, Has, Is, Node, Or, QueryError, Tag, Text

__all__ = [
    "DATE_FIELDS",
    "FIELDS",
    "HAS_VALUES",
    "IS_VALUES",
    "Lexer",
    "Tok",
    "field_node",
    "shown_value",
]

IS_VALUES = ("read", "unread", "starred", "unstarred", "new", "muted")
HAS_VALUES = ("repo", "note", "tags", "links")
# Date fields: when you starred / read it, when it was first imported, its arXiv/HF date, the day
# it was on the HF daily page. The first two are marks (state), the others the paper's own.
DATE_FIELDS = ("starred", "read", "added", "published", "digest")
FIELDS = ("is", "has", "tag", "title", "abstract", "author", "repo", "id", *DATE_FIELDS)
EXAMPLES = {
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
NOT_FIELDS = frozenset({"http", "https"})
FIELD_RE = re.compile(r"([A-Za-z]+):")
SPACES = re.compile(r"\s+")
# A bare word that is an arXiv id (`2403.12015`, `arxiv:` typed or not, a version ignored).
ARXIV_WORD = re.compile(r"(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?")


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # "(" ")" "OR" "-" "atom"
    pos: int
    node: Node | None = None


def shown_value(value: str) -> str:
    """A user-typed value made safe for a one-line message."""
    text = "".join(c if c.isprintable() else "?" for c in SPACES.sub(" ", value))
    return text if len(text) <= 40 else text[:39] + "…"


class Lexer:
    def __init__(self, text: str, clock: Callable[[], Clock]) -> None:
        self.clock = clock
        self.text = text
        self.toks: list[Tok] = []

    def run(self) -> list[Tok]:
        text, n, i = self.text, len(self.text), 0
        while i < n:
            c = text[i]
            if c.isspace():
                i += 1
            elif c in "()":
                self.toks.append(Tok(c, i))
                i += 1
            elif c == "-":
                nxt = text[i + 1] if i + 1 < n else " "
                if not (nxt.isspace() or nxt == ")"):
                    self.toks.append(Tok("-", i))
                    if nxt == "(":
                        self.toks.append(Tok("(", i + 1))
                        i += 2
                    else:
                        i = self.atom(i + 1)
                else:
                    # A lone "-" (often half of a "-word" still being typed) means nothing.
                    i += 1
            elif text.startswith("OR", i) and self.ends_word(i + 2):
                self.toks.append(Tok("OR", i))
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
            self.toks.append(Tok("atom", i, Text("any", folded) if folded else MATCH_ALL))
            return j
        m = FIELD_RE.match(text, i)
        if m and m.group(1).lower() not in NOT_FIELDS:
            name = m.group(1).lower()
            if name not in FIELDS:
                known = ", ".join(f + ":" for f in FIELDS)
                raise QueryError(f"unknown field '{shown_value(name)}:'; known fields: {known}", i)
            j = m.end()
            if j < len(text) and text[j] == '"':
                value, end = self.quoted(j)
            else:
                end = self.word_end(j)
                value = text[j:end]
            field = field_node(name, fold_words(value).strip(), i, j, self.clock)
            self.toks.append(Tok("atom", i, field))
            return end
        end = self.word_end(i)
        if end == i:  # a stray quote or ")" right after "-": let the main loop see it
            self.toks.append(Tok("atom", i, MATCH_ALL))
            return i
        word = text[i:end].casefold()
        node: Node = Text("any", word)
        arxiv = ARXIV_WORD.fullmatch(word)
        if arxiv:  # a bare arXiv id also finds the paper it is the id of
            node = Or((node, Text("id", arxiv.group(1))))
        self.toks.append(Tok("atom", i, node))
        return end


def field_node(name: str, value: str, pos: int, value_pos: int, clock: Callable[[], Clock]) -> Node:
    if not value:
        raise QueryError(f"'{name}:' needs a value, e.g. {EXAMPLES[name]}", pos)
    if name in DATE_FIELDS:
        now = clock()
        try:
            span = parse_date_term(value, now)
        except DateError as error:
            bad = shown_value(value)
            raise QueryError(
                f"bad date '{bad}' in {name}:… ({error}); use e.g. {DATE_EXAMPLES}", value_pos
            ) from None
        return Date(name, span, day_bounds(span, now))
    if name in ("is", "has"):
        values = IS_VALUES if name == "is" else HAS_VALUES
        if value not in values:
            allowed = ", ".join(values)
            raise QueryError(
                f"unknown value '{shown_value(value)}' for {name}:; use one of: {allowed}",
                value_pos,
            )
        return Is(value) if name == "is" else Has(value)
    if name == "tag":
        return Tag(value)
    return Text(name, value)
