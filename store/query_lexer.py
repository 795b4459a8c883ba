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
from papertray.store.query_tree import (
    MATCH_ALL,
    Date,
    Has,
    Is,
    Node,
    Or,
    QueryError,
    Tag,
    Text,
    Words,
)
from papertray.store.words import exact_word, fold, token_words

__all__ = [
    "DATE_FIELDS",
    "FIELDS",
    "HAS_VALUES",
    "IS_VALUES",
    "Lexer",
    "Tok",
    "field_node",
    "shown_value",
    "substring",
    "words_node",
]

IS_VALUES = ("read", "unread", "starred", "unstarred", "later", "new", "muted")
HAS_VALUES = ("repo", "note", "tags", "links")
# Date fields: when you starred / read it, when it was first imported, its arXiv/HF date, the day
# it was on the HF daily page. The first two are marks (state), the others the paper's own.
DATE_FIELDS = ("starred", "read", "added", "published", "digest")
FIELDS = (
    "is", "has", "tag", "title", "abstract", "author", "repo", "id", "contains", *DATE_FIELDS
)  # fmt: skip
WORD_FIELDS = ("title", "abstract", "author")
EXAMPLES = {
    "is": "is:unread",
    "has": "has:repo",
    "tag": "tag:NAME",
    "title": "title:WORD",
    "abstract": "abstract:WORD",
    "author": "author:NAME",
    "repo": "repo:TEXT",
    "id": "id:TEXT",
    "contains": "contains:TEXT",
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


def substring(value: str) -> str:
    """A `repo:`, `id:` or `contains:` value as it is looked for: folded as the word index
    folds text (`words.fold`), lowercased, spaces collapsed."""
    return " ".join(fold(value).lower().split())


def words_node(kind: str, raw: str, *, quoted: bool = False, prefix: bool = False) -> Node:
    """The node of a word or phrase typed in a query (`kind`: "any" or a word field): a
    lowercase word is stemmed; a capitalised word, a phrase or a word the index holds as
    several (`low-bit`, `GPT-4`) is matched as written; a trailing `*` makes a prefix."""
    if raw.endswith("*") and not quoted:
        raw, prefix = raw.rstrip("*"), True
    found = token_words(raw)
    if not found:
        return MATCH_ALL
    if quoted or exact_word(raw) or len(found) > 1:
        how = "prefix" if prefix else "exact"
    else:
        how = "prefix" if prefix else "stem"
    return Words(kind, tuple(found), how)


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
            star = j < len(text) and text[j] == "*"
            node = words_node("any", value, quoted=True, prefix=star)
            self.toks.append(Tok("atom", i, node))
            return j + star
        m = FIELD_RE.match(text, i)
        if m and m.group(1).lower() not in NOT_FIELDS:
            name = m.group(1).lower()
            if name not in FIELDS:
                known = ", ".join(f + ":" for f in FIELDS)
                raise QueryError(f"unknown field '{shown_value(name)}:'; known fields: {known}", i)
            j = m.end()
            quoted = j < len(text) and text[j] == '"'
            star = False
            if quoted:
                value, end = self.quoted(j)
                star = end < len(text) and text[end] == "*"
                end += star
            else:
                end = self.word_end(j)
                value = text[j:end]
            field = field_node(name, value, i, j, self.clock, quoted=quoted, prefix=star)
            self.toks.append(Tok("atom", i, field))
            return end
        end = self.word_end(i)
        if end == i:  # a stray quote or ")" right after "-": let the main loop see it
            self.toks.append(Tok("atom", i, MATCH_ALL))
            return i
        word = text[i:end]
        node = words_node("any", word)
        arxiv = ARXIV_WORD.fullmatch(word.casefold())
        if arxiv:  # a bare arXiv id also finds the paper it is the id of
            node = Or((node, Text("id", arxiv.group(1))))
        self.toks.append(Tok("atom", i, node))
        return end


def field_node(
    name: str,
    raw: str,
    pos: int,
    value_pos: int,
    clock: Callable[[], Clock],
    *,
    quoted: bool = False,
    prefix: bool = False,
) -> Node:
    value = " ".join(raw.casefold().split())
    if not value:
        raise QueryError(f"'{name}:' needs a value, e.g. {EXAMPLES[name]}", pos)
    if name in WORD_FIELDS:
        node = words_node(name, raw, quoted=quoted, prefix=prefix)
        if node == MATCH_ALL:
            raise QueryError(f"'{name}:' needs a word, e.g. {EXAMPLES[name]}", pos)
        return node
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
    return Text(name, substring(raw))
