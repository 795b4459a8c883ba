"""The filter: an Input for the query language, with its error shown inline."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from papertray.tui.query_help import FILTER_HINT

PLACEHOLDER = f"{FILTER_HINT}   (/ to focus, ? for all)"


class FilterInput(Input):
    BINDINGS = [
        Binding("escape", "back", "Clear filter"),
        Binding("down", "done", "To the list", show=False),  # enter's, in the footer
    ]

    class Done(Message):
        """Leave the filter for the list; `clear` when escape was pressed."""

        def __init__(self, clear: bool) -> None:
            super().__init__()
            self.clear = clear

    def action_back(self) -> None:
        self.post_message(self.Done(clear=True))

    def action_done(self) -> None:
        self.post_message(self.Done(clear=False))


class FilterBar(Horizontal):
    """The query input and, when the query does not parse, why."""

    _error: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("/", "bold $accent"), id="filter-slash")
        yield FilterInput(placeholder=PLACEHOLDER, id="filter", select_on_focus=False)
        yield Static(id="filter-error", markup=False)

    def show_error(self, message: str | None) -> None:
        if message == self._error:
            return  # every key asks: only a change costs a layout
        self._error = message
        error = self.query_one("#filter-error", Static)
        error.update(Content(message or ""))
        error.display = bool(message)
        self.set_class(bool(message), "-error")
