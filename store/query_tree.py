"""The query language's syntax tree: what `parse_query` builds and matching and the search
index evaluate. Text values are case-folded with whitespace runs collapsed to one space."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MATCH_ALL", "And", "Has", "Is", "Node", "Not", "Or", "QueryError", "Tag", "Text"]


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
    value: str  # read, unread, starred, unstarred


@dataclass(frozen=True, slots=True)
class Has:
    value: str  # repo, note, tags, links


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Text | Tag | Is | Has | Not | And | Or
MATCH_ALL = And(())
