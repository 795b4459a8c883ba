"""The query language's syntax tree: what `parse_query` builds, `store/matching.py` evaluates
for one paper and `store/query_sql.py` compiles to SQL. Words are folded as the word index
folds them (`store/words.py`); substring values (`repo:`, `id:`, `contains:`) are folded the
same way and lowercased."""

from __future__ import annotations

from dataclasses import dataclass

from papertray.store.dates import Span

__all__ = [
    "MATCH_ALL",
    "And",
    "Date",
    "Has",
    "Is",
    "Node",
    "Not",
    "Or",
    "QueryContext",
    "QueryError",
    "Tag",
    "Text",
    "Words",
]


class QueryError(ValueError):
    """A query that cannot be understood. `message` is one line; `position` is the character offset
    in the query where the problem is (or -1)."""

    def __init__(self, message: str, position: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


WORD_FIELDS = ("any", "title", "abstract", "author")
"""Where `Words` look: "any" is the title, abstract and authors, and the paper's tags."""


@dataclass(frozen=True, slots=True)
class Words:
    """Words of the word index, by notmuch's rules (`store/words.py`): `how` is "stem" (one
    lowercase word: any word with its stem), "exact" (the words in a row as written: a
    capitalised word, a phrase, a hyphenated word) or "prefix" (as "exact", the last word a
    prefix: `transform*`)."""

    kind: str  # one of WORD_FIELDS
    words: tuple[str, ...]
    how: str


@dataclass(frozen=True, slots=True)
class Text:
    """A substring of a short field: `repo:`, `id:`, or `contains:` (title, abstract and
    authors searched for the text anywhere, as papertray searched before words)."""

    kind: str  # "repo", "id" or "contains"
    value: str


@dataclass(frozen=True, slots=True)
class Tag:
    name: str


@dataclass(frozen=True, slots=True)
class Is:
    value: str  # read, unread, starred, unstarred, later, new, muted


@dataclass(frozen=True, slots=True)
class Has:
    value: str  # repo, note, tags, links


@dataclass(frozen=True, slots=True)
class Date:
    field: str  # starred, read (marks); added, published, digest (the paper's own)
    span: Span
    days: tuple[str, str]  # the same span as first and last YYYY-MM-DD, for day-only fields


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Words | Text | Tag | Is | Has | Date | Not | And | Or
MATCH_ALL = And(())


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What a query is evaluated against besides the paper and its marks: the time of the latest
    import that added papers (`is:new`) and the mute rules' query trees (`is:muted`; a muted
    paper is left out of any query that does not mention `is:muted`)."""

    new_batch: float | None = None
    mutes: tuple[Node, ...] = ()


NO_CONTEXT = QueryContext()
