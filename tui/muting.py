"""Mute rules in the reader: the rules in force, the query context that applies them, and the
latest import (`is:new`, "12 new").

A plain class the app holds. The rules live in the state file (`State.add_mute` and friends);
this keeps the parsed set, re-reads it when another instance or the CLI changed the file, and
says which rule mutes a paper. Muting never touches marks: the filter leaves muted papers out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papertray.store import (
        ImportBatch,
        Library,
        MuteRule,
        Paper,
        PaperState,
        QueryContext,
        State,
    )

__all__ = ["MuteStep", "Muting"]


@dataclass(frozen=True)
class MuteStep:
    """An undo step: a rule added (undo removes it) or removed (undo restores it, under its
    number). Marks are never part of it: muting is not marking."""

    label: str
    added: MuteRule | None = None
    removed: MuteRule | None = None


class Muting:
    def __init__(self, state: State, library: Library, *, loading: bool) -> None:
        from papertray.store import MuteSet  # the query language: loaded by the app, not its import

        self.state = state
        self.library = library
        self.rules: list[MuteRule] = []
        self.set = MuteSet([])
        self.muted_count = 0
        # Read with the papers (the library keeps it with them); while loading, once they are in.
        self.latest: ImportBatch | None = None if loading else library.latest_import()
        self.read()

    def read(self) -> bool:
        """Load the rules from the state file; True if they changed."""
        from papertray.store import MuteSet

        rules = self.state.mute_rules()
        if rules == self.rules:
            return False
        self.rules = rules
        self.set = MuteSet(rules)
        return True

    def loaded(self) -> None:
        """The library is in: its latest import is known now."""
        self.latest = self.library.latest_import()

    @property
    def active(self) -> bool:
        return bool(self.set)

    @property
    def new_batch(self) -> float | None:
        return self.latest.at if self.latest is not None else None

    def context(self) -> QueryContext:
        return self.set.context(self.new_batch)

    def rule_for(self, paper: Paper | None, state: PaperState) -> MuteRule | None:
        if paper is None or not self.set:
            return None
        return self.set.rule_for(paper, state, self.new_batch)

    def add(self, query: str, why: str) -> MuteStep:
        """Store a rule (MuteError, StoreError) and return its undo step."""
        rule = self.state.add_mute(query, why)
        self.read()
        return MuteStep(f"mute {rule.query}", added=rule)

    def remove(self, number: int) -> MuteStep:
        rule = self.state.remove_mute(number)
        self.read()
        return MuteStep(f"unmute {rule.query}", removed=rule)

    def revert(self, step: MuteStep) -> None:
        """Undo a step (StoreError when it cannot be saved)."""
        if step.added is not None and any(r.number == step.added.number for r in self.rules):
            self.state.remove_mute(step.added.number)
        if step.removed is not None:
            self.state.restore_mute(step.removed)
        self.read()
