"""Confirm a new mute rule: the query, how many papers it mutes, and an optional why."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

SHORT = 24
"""Fewer rows than this: the dialog's padding and margins go."""


class MuteScreen(ModalScreen[str | None]):
    """Returns the why (maybe ""), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, query: str, count: int) -> None:
        super().__init__()
        self._query = query
        self._count = count

    def compose(self) -> ComposeResult:
        papers = f"{self._count:,} paper{'' if self._count == 1 else 's'}"
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble(
                    ("Mute papers like ", "bold"),
                    (self._query[:200], "bold $accent"),
                    f"\n{papers} shown now leave the default view (is:muted shows them; "
                    "their marks stay as they are).",
                ),
                id="heading",
            )
            yield Input(placeholder="why (optional), e.g. not my field", id="why", max_length=200)
            yield Static(
                Content.styled("enter mutes · escape cancels · u undoes it later", "$text-muted"),
                id="hint",
            )

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        """A short terminal: the dialog loses its spare rows, so it shows whole at 40x15."""
        self.set_class(height < SHORT, "-small")

    def on_mount(self) -> None:
        self._fit(self.app.size.height)
        self.query_one("#why", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
