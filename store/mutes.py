"""Mute rules: queries whose papers leave the default view, each with the reason the user gave.

A rule is query text, an optional why and the time it was made, kept in the state file (TinyDB
table `mutes`, the rule's number its document id) through the same locked, atomic storage as
the marks. Muting
is not marking: a rule changes no paper's marks, and removing it brings its papers back exactly
as they were. Rules apply at query time, so they cover the library and every later import.

Rule numbers are stable (a new rule gets one more than the highest ever used in the file), so
`papertray unmute 2` means the rule `papertray mutes` showed as 2 even if another was removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from papertray.store.dates import Clock
from papertray.store.dates import now as clock_now
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.query import Query, QueryContext, QueryError, parse_query
from papertray.store.sanitize import strip_controls

if TYPE_CHECKING:
    from papertray.store.library import Library

__all__ = ["MuteError", "MuteRule", "MuteSet"]

# A why is a short reason shown beside the rule, not a note.
WHY_LIMIT = 200


class MuteError(ValueError):
    """A rule that cannot be added or removed; the message is one line."""


@dataclass(frozen=True, slots=True)
class MuteRule:
    number: int
    query: str
    why: str = ""
    created: float = 0.0

    @property
    def label(self) -> str:
        """`survey OR benchmark — not my field`, as the pane and the lists show it."""
        return f"{self.query} — {self.why}" if self.why else self.query

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"query": self.query, "created": self.created}
        if self.why:
            data["why"] = self.why
        return data

    @classmethod
    def from_doc(cls, key: str | int, doc: Any) -> MuteRule | None:
        """The rule stored under `key`, or None when the document is not one (hand-edited)."""
        key = str(key)
        if not isinstance(doc, dict) or not key.isdigit():
            return None
        query, why, created = doc.get("query"), doc.get("why", ""), doc.get("created", 0.0)
        if not isinstance(query, str) or not query.strip() or not isinstance(why, str):
            return None
        if not isinstance(created, (int, float)) or isinstance(created, bool):
            created = 0.0
        return cls(int(key), query, why, float(created))


def clean_rule(query: str, why: str, clock: Clock | None = None) -> tuple[str, str]:
    """The query and why as stored: one line each; raises MuteError for a query that cannot
    be a rule (one that does not parse, matches everything, or asks about muting itself)."""
    text, reason = clean_line(query), clean_line(why)[:WHY_LIMIT]
    try:
        parsed = parse_query(text, clock)
    except QueryError as error:
        raise MuteError(f"bad query: {error.message}") from None
    if parsed.is_empty:
        raise MuteError("a mute rule needs a query: muting every paper would hide the library")
    if not parsed.hides_muted:
        raise MuteError("a mute rule cannot use is:muted")
    return text, reason


def read_rules(documents: Iterable[Any]) -> list[MuteRule]:
    """The rules of the state file's `mutes` documents (TinyDB `Document`s), by number."""
    rules = [MuteRule.from_doc(getattr(doc, "doc_id", ""), doc) for doc in documents]
    return sorted((r for r in rules if r is not None), key=lambda r: r.number)


def clean_line(text: str) -> str:
    """One line of user text (a rule's query or why): no control characters, spaces collapsed."""
    return " ".join(strip_controls(str(text)).split())


def new_rule(query: str, why: str, clock: Clock | None = None) -> MuteRule:
    text, reason = clean_rule(query, why, clock)
    return MuteRule(0, text, reason, clock_now() if clock is None else clock.now)


class MuteSet:
    """The rules compiled for matching: which rule mutes a paper, how many papers each mutes.

    Relative dates in a rule (`read:>30d`) are read against `clock` when the set is built."""

    def __init__(self, rules: Sequence[MuteRule], clock: Clock | None = None) -> None:
        self.rules: list[MuteRule] = []
        self.queries: list[Query] = []
        self.broken: list[MuteRule] = []
        """Rules stored in the file that no longer parse (edited by hand): shown, never applied."""
        for rule in rules:
            try:
                query = parse_query(rule.query, clock)
            except QueryError:
                self.broken.append(rule)
                continue
            if query.is_empty or not query.hides_muted:
                self.broken.append(rule)
                continue
            self.rules.append(rule)
            self.queries.append(query)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def context(self, new_batch: float | None = None) -> QueryContext:
        """The query context that applies these rules (`is:muted`, and muted papers hidden)."""
        return QueryContext(new_batch, tuple(q.root for q in self.queries))

    def rule_for(
        self, paper: Paper, state: PaperState = UNTOUCHED, new_batch: float | None = None
    ) -> MuteRule | None:
        """The first rule that mutes the paper, or None."""
        bare = QueryContext(new_batch)
        for rule, query in zip(self.rules, self.queries, strict=True):
            if query.matches(paper, state, bare):
                return rule
        return None

    def leave_out(
        self,
        paper_of: Callable[[str], Paper | None],
        states: Mapping[str, PaperState],
        new_batch: float | None = None,
    ) -> Callable[[str], bool] | None:
        """For a ranking ("more like this", `papertray similar`): whether the paper with an id
        is muted, so it is left out as a list leaves it out (`SimilarityIndex.rank`'s
        `leave_out`). None when no rule is in force. `paper_of` looks a paper up by id."""
        if not self.rules:
            return None

        def muted(pid: str) -> bool:
            paper = paper_of(pid)
            return paper is not None and (
                self.rule_for(paper, states.get(pid, UNTOUCHED), new_batch) is not None
            )

        return muted

    def counts(
        self,
        library: Library,
        states: Mapping[str, PaperState],
        new_batch: float | None = None,
        marks_version: object = None,
    ) -> dict[int, int]:
        """Rule number -> how many papers of the library it matches (a paper two rules match
        counts for both)."""
        bare = QueryContext(new_batch)
        return {
            rule.number: library.count(
                query.root, states, context=bare, marks_version=marks_version
            )
            for rule, query in zip(self.rules, self.queries, strict=True)
        }
