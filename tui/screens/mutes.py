"""The mute rules, each with how many papers it mutes: unmute one, or show what it mutes."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from papertray.store import MuteRule
from papertray.tui.safe_text import shown

HINT = "d unmute · enter show the papers it mutes · escape close · u (in the list) undoes"


class MutesScreen(ModalScreen[str | None]):
    """Dismisses with a query to filter by (the papers a rule mutes), or None."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("d,delete", "unmute", "Unmute"),
    ]

    class Unmute(Message):
        """Remove this rule (the app does it, with undo, and calls `show_rules`)."""

        def __init__(self, rule: MuteRule) -> None:
            super().__init__()
            self.rule = rule

    def __init__(self, rules: Sequence[tuple[MuteRule, int | None]]) -> None:
        super().__init__()
        self._rules = list(rules)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content.styled("Mute rules", "bold"), id="heading")
            yield OptionList(id="rules")
            yield Static(Content.styled(HINT, "$text-muted"), id="hint")

    def on_mount(self) -> None:
        self.show_rules(self._rules)
        self.query_one("#rules", OptionList).focus()

    def show_rules(self, rules: Sequence[tuple[MuteRule, int | None]]) -> None:
        """`rules`: each with the number of papers it mutes (None: it no longer parses)."""
        self._rules = list(rules)
        options = self.query_one("#rules", OptionList)
        keep = options.highlighted or 0
        options.clear_options()
        if not self._rules:
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
        for rule, count in self._rules:
            counted = "broken" if count is None else f"{count:,}"
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
        options.highlighted = min(keep, len(self._rules) - 1)

    def _selected(self) -> MuteRule | None:
        index = self.query_one("#rules", OptionList).highlighted
        if index is None or not self._rules or index >= len(self._rules):
            return None
        return self._rules[index][0]

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
