"""Name the filter to keep it as a saved search (ctrl+s, or the palette): the query, a name,
and what saving does (a new search takes the first free key of 1-9; a name already used is
that search, given this query)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from papertray.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from textual.app import ComposeResult

__all__ = ["SearchNameScreen"]

NAME_LIMIT = 80  # as the store keeps a search's name


class SearchNameScreen(ModalScreen[str | None]):
    """Returns the name, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, query: str, names: list[str]) -> None:
        super().__init__()
        self._query = query
        self._names = names

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble(("Save the search ", "bold"), (self._query[:200], "bold $accent")),
                id="heading",
            )
            yield Input(placeholder="its name, e.g. llm agents", id="name", max_length=NAME_LIMIT)
            used = ", ".join(self._names[:9])
            hint = "enter saves · escape cancels · keys 1…9 show saved searches"
            if used:
                hint += f" · a name in use takes this query: {used}"
            yield Static(Content.styled(hint, "$text-muted"), id="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.notify("A saved search needs a name.", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)
