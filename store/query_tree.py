"""The query language's syntax tree: what `parse_query` builds and matching and the search
index evaluate. Text values are case-folded with whitespace runs collapsed to one space."""

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


TEXT_KINDS = ("any", "title", "abstract", "author", "repo", "id")
# Fields whose text is part of the bare-word haystack, so `title:x` implies a bare `x`.
IN_HAYSTACK = ("title", "abstract", "author")


@dataclass(frozen=True, slots=True)
class Text:
    kind: str  # one of TEXT_KINDS; "any" = title, abstract, authors or a tag
    value: str


@dataclass(frozen=True, slots=True)
class Tag:
    name: str


@dataclass(frozen=True, slots=True)
class Is:
    value: str  # read, unread, starred, unstarred, new, muted


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


Node = Text | Tag | Is | Has | Date | Not | And | Or
MATCH_ALL = And(())


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What a query is evaluated against besides the paper and its marks: the time of the latest
    import that added papers (`is:new`) and the mute rules' query trees (`is:muted`; a muted
    paper is left out of any query that does not mention `is:muted`)."""

    new_batch: float | None = None
    mutes: tuple[Node, ...] = ()


NO_CONTEXT = QueryContext()
