"""The paper list: a Line-API ScrollView that renders only the rows on screen.

OptionList, DataTable and ListView build every row up front (seconds at 100k papers); this widget
keeps an index list of the papers shown and draws a row only when it scrolls into view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from papertray.store import UNTOUCHED, find_spans, markers_for
from papertray.tui.safe_text import safe_repo, shown, shown_state

if TYPE_CHECKING:
    from papertray.store import Paper, PaperState


class PaperList(ScrollView, can_focus=True):
    """The papers that match the filter, a row each: unread mark, star, repo mark, note mark,
    title, tags."""

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--cursor-blurred",
        "paper-list--unread",
        "paper-list--read",
        "paper-list--marker",
        "paper-list--star",
        "paper-list--repo",
        "paper-list--note",
        "paper-list--tag",
        "paper-list--match",
    }

    BINDINGS = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("enter", "select", "Open", tooltip="Open the abstract and mark the paper read"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to a paper (or to nothing, when the list is empty)."""

        def __init__(self, paper_list: PaperList, paper_id: str | None) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.paper_id = paper_id

    class Selected(Message):
        """Enter (or a double click) on a paper."""

        def __init__(self, paper_list: PaperList, paper_id: str) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.paper_id = paper_id

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._papers: Sequence[Paper] = ()
        self._rows: Sequence[int] = ()
        self._states: Mapping[str, PaperState] = {}
        self._terms: list[str] = []
        self._cache: dict[tuple[int, int, int], Strip] = {}
        self._last_highlighted: str | None = "\0"
        self._index_of: tuple[Sequence[Paper], Mapping[str, int]] | None = None
        self._styles: dict[str, Style] = {}
        self._marks = markers_for()  # what the terminal's locale can show

    # -- data ----------------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[int]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def highlighted_id(self) -> str | None:
        if 0 <= self.cursor < len(self._rows):
            return self._papers[self._rows[self.cursor]].id
        return None

    @property
    def highlighted_paper(self) -> Paper | None:
        """The paper of the highlighted row (no id look-up: the first frame makes none)."""
        if 0 <= self.cursor < len(self._rows):
            return self._papers[self._rows[self.cursor]]
        return None

    @property
    def shown_ids(self) -> list[str]:
        papers = self._papers
        return [papers[i].id for i in self._rows]

    def set_rows(
        self,
        papers: Sequence[Paper],
        rows: Sequence[int],
        states: Mapping[str, PaperState],
        terms: list[str],
        keep_id: str | None = None,
        index_of: Mapping[str, int] | None = None,
    ) -> None:
        """Show `rows` (indexes into `papers`), keeping the cursor on `keep_id` when it is shown."""
        self._papers, self._rows, self._states, self._terms = papers, rows, states, terms
        if index_of is not None:
            self._index_of = (papers, index_of)
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        position = 0
        if keep_id is not None:
            position = self._position_of(keep_id)
            if position < 0:
                position = 0
        self.cursor = min(position, max(len(rows) - 1, 0))
        self.refresh()

    def _position_of(self, paper_id: str) -> int:
        """Where the paper is shown, or -1: a dict look-up and one C-level scan of the rows, as
        this runs on every keystroke of the filter with up to 100k rows."""
        papers = self._papers
        if self._index_of is None or self._index_of[0] is not papers:
            self._index_of = (papers, {paper.id: i for i, paper in enumerate(papers)})
        index = self._index_of[1].get(paper_id)
        if index is None:
            return -1
        try:
            return self._rows.index(index)
        except ValueError:
            return -1

    def move_to(self, paper_id: str) -> bool:
        position = self._position_of(paper_id)
        if position >= 0:
            self.cursor = position
        return position >= 0

    def update_states(self, states: Mapping[str, PaperState]) -> None:
        """The marks changed (a toggle, an undo, another instance): redraw what is on screen."""
        self._states = states
        self._cache.clear()
        self.refresh()

    # -- cursor --------------------------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._cache.clear()
        self.refresh()
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True, immediate=True)
        paper_id = self.highlighted_id
        if paper_id != self._last_highlighted:
            self._last_highlighted = paper_id
            self.post_message(self.Highlighted(self, paper_id))

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._rows) - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def action_select(self) -> None:
        paper_id = self.highlighted_id
        if paper_id is not None:
            self.post_message(self.Selected(self, paper_id))

    async def _on_click(self, event: events.Click) -> None:
        row = event.y + round(self.scroll_offset.y)
        if 0 <= row < len(self._rows):
            self.cursor = row
            if event.chain >= 2:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    # -- rendering -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = y + round(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        if not (0 <= row < len(self._rows)) or width <= 0:
            return Strip.blank(width, self.rich_style)
        is_cursor = row == self.cursor
        key = (self._rows[row], width, (2 if self.has_focus else 1) if is_cursor else 0)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > 500:
                self._cache.clear()
            strip = self._cache[key] = self._render_row(self._rows[row], width, key[2])
        return strip

    def _render_row(self, index: int, width: int, cursor: int) -> Strip:
        paper = self._papers[index]
        # The files may hold what ingest would have stripped: never trust them on screen.
        state = shown_state(self._states.get(paper.id, UNTOUCHED))
        get = self._style
        base = get("") + get("paper-list--read" if state.read else "paper-list--unread")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" ")
        text.append(self._marks.unread if not state.read else " ", get("paper-list--marker"))
        text.append(" ")
        text.append(self._marks.starred if state.starred else " ", get("paper-list--star"))
        text.append(" ")
        text.append(self._marks.repo if safe_repo(paper) else " ", get("paper-list--repo"))
        text.append(" ")
        text.append(self._marks.note if state.note else " ", get("paper-list--note"))
        text.append("  ")
        tags = "".join(f" #{tag}" for tag in state.tags)
        tag_room = min(cell_len(tags), max(0, width // 3))
        title_room = max(1, width - text.cell_len - tag_room - 1)
        plain_title = shown(paper.title)
        title = Text(plain_title, no_wrap=True, overflow="ellipsis", end="")
        if self._terms:
            match = get("paper-list--match")
            for start, end in find_spans(plain_title, self._terms):
                title.stylize(match, start, end)
        title.truncate(title_room, overflow="ellipsis", pad=True)
        text.append_text(title)
        if tag_room:
            tag_text = Text(tags, style=get("paper-list--tag"), no_wrap=True, end="")
            tag_text.truncate(tag_room, overflow="ellipsis")
            text.append(" " * (width - text.cell_len - tag_text.cell_len))
            text.append_text(tag_text)
        text.truncate(width, pad=True)
        text.stylize_before(base)
        if cursor:
            text.stylize(get("paper-list--cursor" if cursor == 2 else "paper-list--cursor-blurred"))
        segments = list(text.render(self.app.console, end=""))
        return Strip(Segment.simplify(segments), width).crop_extend(0, width, get(""))

    def _style(self, name: str) -> Style:
        # Looking a component style up costs more than drawing the row: keep them until the
        # styles change.
        style = self._styles.get(name)
        if style is None:
            found = self.rich_style if not name else self.get_component_rich_style(name)
            style = self._styles[name] = found
        return style

    def notify_style_update(self) -> None:
        # A theme switch changes every component style: drop the rows drawn with the old ones.
        self._cache.clear()
        self._styles = {}
        super().notify_style_update()
