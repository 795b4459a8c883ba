"""The mute rules, each with how many papers it mutes: unmute one, or show what it mutes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from papertray.store import MuteSet, StoreError
from papertray.tui.safe_text import shown

if TYPE_CHECKING:
    from papertray.store import types

HINT = "d unmute · enter show the papers it mutes · escape close · u (in the list) undoes"


SHORT = 24
"""Fewer rows than this: the dialog's padding and margins go."""


class MutesScreen(ModalScreen[str | None]):
    """Dismisses with a query to filter by (the papers a rule mutes), or None. The counts come
    a moment later: `count` (the main screen's: the library's query) runs in a worker."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("d,delete", "unmute", "Unmute"),
    ]

    class Unmute(Message):
        """Remove this rule (the main screen does it, with undo, and shows the rules again)."""

        def __init__(self, rule: types.MuteRule) -> None:
            super().__init__()
            self.rule = rule

    class Counted(Message):
        """How many papers each rule of `mutes` matches (rule number -> papers)."""

        def __init__(self, mutes: MuteSet, counts: dict[int, int]) -> None:
            super().__init__()
            self.mutes = mutes
            self.counts = counts

    def __init__(self, mutes: MuteSet, count: Callable[[MuteSet], dict[int, int]]) -> None:
        super().__init__()
        self._mutes = mutes
        self._count = count
        self._counts: dict[int, int] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content.styled("Mute rules", "bold"), id="heading")
            yield OptionList(id="rules")
            yield Static(Content.styled(HINT, "$text-muted"), id="hint")

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        """A short terminal: the dialog loses its spare rows, so it shows whole at 40x15."""
        self.set_class(height < SHORT, "-small")
        rules = self.query_one("#rules", OptionList)
        rules.styles.max_height = max(2, min(20, height - 8))

    def on_mount(self) -> None:
        self._fit(self.app.size.height)
        self._list()
        self.query_one("#rules", OptionList).focus()
        self._count_rules(self._mutes)

    @work(thread=True, exclusive=True)
    def _count_rules(self, mutes: MuteSet) -> None:
        try:
            counts = self._count(mutes)
        except StoreError as error:
            self.notify(f"Could not count: {error}", severity="error", markup=False)
            return
        self.post_message(self.Counted(mutes, counts))

    @on(Counted)
    def _counted(self, event: Counted) -> None:
        if event.mutes is self._mutes:  # else the rules changed meanwhile: a newer count comes
            self._counts = event.counts
            self._list()

    @property
    def _rules(self) -> list[types.MuteRule]:
        """Every rule, those that no longer parse (edited by hand) too, by number."""
        return sorted([*self._mutes.rules, *self._mutes.broken], key=lambda r: r.number)

    def show_rules(self, mutes: MuteSet) -> None:
        """Other rules (one was unmuted): their counts follow."""
        self._mutes, self._counts = mutes, None
        self._list()
        self._count_rules(mutes)

    def _list(self) -> None:
        options = self.query_one("#rules", OptionList)
        keep = options.highlighted or 0
        options.clear_options()
        rules = self._rules
        if not rules:
            options.add_option(
                Option(
                    Content(
                        "No mute rules. Filter (/), then “Mute papers like the current "
                        "filter” in the palette (ctrl+p)."
                    ),
                    disabled=True,
                )
            )
            return
        broken = {r.number for r in self._mutes.broken}
        for rule in rules:
            if rule.number in broken:
                counted = "broken"
            elif self._counts is None:
                counted = "…"
            else:
                counted = f"{self._counts.get(rule.number, 0):,}"
            # Rule text comes from the state file: Content, never markup.
            options.add_option(
                Option(
                    Content.assemble(
                        (f"{rule.number:>3} ", "bold"),
                        (f"{counted:>7}  ", "$text-muted"),
                        _clean(rule.query),
                        (f" — {_clean(rule.why)}" if rule.why else "", "italic $text-muted"),
                    ),
                    id=str(rule.number),
                )
            )
        options.highlighted = min(keep, len(rules) - 1)

    def _selected(self) -> types.MuteRule | None:
        index = self.query_one("#rules", OptionList).highlighted
        rules = self._rules
        if index is None or not rules or index >= len(rules):
            return None
        return rules[index]

    def action_unmute(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.post_message(self.Unmute(rule))

    @on(OptionList.OptionSelected)
    def _show(self, event: OptionList.OptionSelected) -> None:
        rule = self._selected()
        if rule is not None:
            self.dismiss(f"is:muted ({rule.query})")

    def action_close(self) -> None:
        self.dismiss(None)


def _clean(text: str) -> str:
    """Rule text from the state file, on one line, with no control characters."""
    return " ".join(shown(text).split())
