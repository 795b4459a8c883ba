"""The help screen: every key (from `keys.py`), the row markers (`display.markers_for`, as the
list and the CLI draw them) and the query language (from `query_help.py`)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from papertray.store import display
from papertray.tui.keys import KEYS, SECTIONS
from papertray.tui.query_help import QUERY_ROWS
from papertray.tui.widgets.key_footer import KeyFooter

KEY_WIDTH = 22
EXAMPLE_WIDTH = 30


def _table(rows: list[tuple[str, str]], width: int, key_style: str) -> Table:
    """Two columns; a description that wraps goes on under itself, not under the key."""
    table = Table.grid(padding=(0, 2))
    table.add_column(width=width, style=key_style, overflow="fold")
    table.add_column(ratio=1, overflow="fold")
    for key, what in rows:
        table.add_row(Text(key), Text(what))
    return table


def help_renderables(
    key_style: str = "bold", example_style: str = "", width: int = 200
) -> list[RenderableType]:
    """The help's text for a dialog `width` cells wide: on a narrow one the key column gives
    way (at most a third of it), so a description never wraps a word a line."""
    key_width = max(8, min(KEY_WIDTH, width // 3))
    example_width = max(8, min(EXAMPLE_WIDTH, width * 2 // 5))
    parts: list[RenderableType] = [Text("papertray keys", style="bold"), Text("")]
    for section in SECTIONS:
        rows = [(" / ".join(k.keys), k.what) for k in KEYS if k.section == section]
        parts += [Text(section, style="bold underline"), _table(rows, key_width, key_style)]
        parts.append(Text(""))
    marks = display.markers_for()
    legend = [
        (marks.unread, "unread (a read paper is dimmed)"),
        (marks.starred, "starred"),
        (marks.later, "read later (l; is:later shows the queue)"),
        (marks.repo, "has a code repo (c copies it, o opens it)"),
        (marks.note, "has a note (N edits it)"),
        ("#tag", "its tags, at the right"),
    ]
    parts += [Text("Row markers", style="bold underline"), _table(legend, key_width, key_style)]
    parts += [Text(""), Text("Filter queries", style="bold underline")]
    queries = [("  ".join(examples), what.replace("`", "")) for examples, what in QUERY_ROWS]
    parts.append(_table(queries, example_width, example_style))
    parts += [Text(""), Text("escape, q or ? closes this help", style="dim")]
    return parts


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(Group(*help_renderables()), id="help-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._render_for(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._render_for(event.size.width)

    def _render_for(self, screen_width: int) -> None:
        # The dialog is 90 wide at most, 95% of the screen, less its border, padding and
        # scrollbar; the keys in the theme's accent, as the rest of the app has them.
        width = min(90, screen_width * 95 // 100) - 8
        accent = self.app.theme_variables.get("accent", "")
        static = self.query_one("#help-text", Static)
        static.update(Group(*help_renderables(f"bold {accent}".strip(), accent, width)))
