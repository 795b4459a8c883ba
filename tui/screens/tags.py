"""Edit a paper's tags, completing from the tags already in use."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from papertray.store import rules
from papertray.tui.widgets.key_footer import KeyFooter


class TagSuggester(Suggester):
    """Completes the word being typed from the known tags, most used first."""

    def __init__(self, known: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._known = known

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value[-1] in " ,":
            return None
        word = re.split(r"[\s,]+", value)[-1].lower()
        taken = set(rules.split_tags(value)[:-1])
        for tag in self._known:
            if tag.startswith(word) and tag != word and tag not in taken:
                return value + tag[len(word) :]
        return None


class TagsScreen(ModalScreen[list[str] | None]):
    """Returns the new list of tags, or None when cancelled."""

    BINDINGS = [
        Binding("enter", "save", "Save"),  # the field submits it; this names it in the footer
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, tags: tuple[str, ...], known: list[tuple[str, int]]) -> None:
        super().__init__()
        self._title = title
        self._tags = tags
        self._known = known

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble(("Tags for ", "bold"), (self._title[:200], "italic")), id="heading"
            )
            value = " ".join(self._tags) + (" " if self._tags else "")
            yield Input(
                value,
                placeholder="tags, separated by spaces or commas",
                id="tags",
                suggester=TagSuggester([tag for tag, _ in self._known]),
            )
            yield Static(self._known_tags(), id="known")
            yield Static(
                Content.styled("enter save · → accept completion · escape cancel", "$text-muted"),
                id="hint",
            )

        yield KeyFooter()  # the modal's keys, not the list's

    def _known_tags(self) -> Content:
        if not self._known:
            return Content.styled(
                "No tags yet: the first ones you add here are offered next time.", "$text-muted"
            )
        parts: list[str | tuple[str, str]] = [("In use: ", "$text-muted")]
        for tag, count in self._known[:30]:
            parts += [(f"#{tag}", "$text-secondary"), (f" {count}  ", "$text-muted")]
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        field = self.query_one("#tags", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#tags")
    def save(self, event: Input.Submitted) -> None:
        self.dismiss(rules.split_tags(event.value))

    def action_save(self) -> None:
        self.dismiss(rules.split_tags(self.query_one("#tags", Input).value))

    def action_cancel(self) -> None:
        self.dismiss(None)
