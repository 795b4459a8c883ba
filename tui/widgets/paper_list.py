"""The paper list: a Line-API ScrollView over the rowids of a result, drawing only the rows on
screen.

OptionList, DataTable and ListView build every row up front (seconds at 100k papers); this
widget holds the rowids of the papers shown (an `array`, 8 bytes a row) and a few screenfuls of
the papers themselves, which it reads from the library as they scroll into view (`rows_of`: one
query a screenful). It moves its own cursor and posts `Highlighted` and `PaperChosen`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from papertray.store import display
from papertray.tui.messages import PaperChosen
from papertray.tui.safe_text import shown, shown_state

if TYPE_CHECKING:
    from papertray.store import Paper, PaperState, Query

# Papers kept in memory beyond those on screen: scrolling back a page reads nothing again.
CACHE_ROWS = 600


class MarksOf(Protocol):
    """What the list needs of the marks: a paper's, by id (the reader's `Marks`)."""

    def get(self, paper_id: str | None) -> PaperState: ...


class PaperList(ScrollView, can_focus=True):
    """The papers shown, a row each: the marks as the CLI's table shows them (`row_marks`:
    unread, starred, read later, a code repo, a note), the title, the tags; with `two_lines`,
    a second line under each title names its authors, date and upvotes, then its abstract."""

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--cursor-blurred",
        "paper-list--unread",
        "paper-list--read",
        "paper-list--marker",
        "paper-list--star",
        "paper-list--later",
        "paper-list--repo",
        "paper-list--note",
        "paper-list--tag",
        "paper-list--column",
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

        def __init__(self, paper_list: PaperList, rowid: int | None) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.rowid = rowid

    def __init__(
        self,
        rows_of: Callable[[Sequence[int]], list[Paper]],
        marks: MarksOf,
        *,
        id: str | None = None,  # noqa: A002
    ) -> None:
        """`rows_of(rowids)`: the papers of those rowids (`Library.rows`)."""
        super().__init__(id=id)
        self._rows_of = rows_of
        self._marks = marks
        self._rowids: Sequence[int] = array("q")
        self._papers: dict[int, Paper | None] = {}  # None: gone from the library
        self._terms: list[Any] = []  # the query's words and phrases (`Query.terms`)
        self._strips: dict[tuple[int, int, int, int], Strip] = {}
        self._last_highlighted: int | None = -1
        self._styles: dict[str, Style] = {}
        self._glyphs = display.markers_for()  # what the terminal's locale can show
        self._columns = False
        self._lines = 1  # lines a paper takes: 2 with `two_lines`

    @property
    def columns(self) -> bool:
        """Whether each row shows the first author, the date and the upvotes (the palette's
        "List columns", kept in the state file)."""
        return self._columns

    @columns.setter
    def columns(self, on: bool) -> None:
        if on != self._columns:
            self._columns = on
            self._strips.clear()
            self.refresh()

    @property
    def two_lines(self) -> bool:
        """Whether each paper takes two lines: its title, then its authors, date and upvotes
        (the palette's "List: two lines a paper", kept in the state file)."""
        return self._lines == 2

    @two_lines.setter
    def two_lines(self, on: bool) -> None:
        lines = 2 if on else 1
        if lines != self._lines:
            self._lines = lines
            self._strips.clear()
            self._size_rows()
            self.refresh()
            self._show_cursor()

    def _size_rows(self) -> None:
        self.virtual_size = Size(
            self.scrollable_content_region.width, self._lines * len(self._rowids)
        )

    # -- data ----------------------------------------------------------------------------------

    @property
    def rowids(self) -> Sequence[int]:
        return self._rowids

    @property
    def row_count(self) -> int:
        return len(self._rowids)

    @property
    def highlighted_rowid(self) -> int | None:
        return self._rowids[self.cursor] if 0 <= self.cursor < len(self._rowids) else None

    @property
    def highlighted(self) -> Paper | None:
        """The paper under the cursor (read from the library if not drawn yet)."""
        rowid = self.highlighted_rowid
        return None if rowid is None else self.paper(rowid)

    def paper(self, rowid: int) -> Paper | None:
        if rowid not in self._papers:
            self._fetch([rowid])
        return self._papers.get(rowid)

    def set_rows(self, rowids: Sequence[int], query: Query | None, keep: int | None) -> None:
        """Show `rowids`, the cursor on the row `keep` when it is among them (else the first);
        `query`'s words are highlighted in the titles."""
        self._rowids = rowids
        terms = list(query.terms) if query is not None else []
        if terms != self._terms:
            self._terms = terms
            self._strips.clear()  # rows drawn with the old highlights
        self._size_rows()
        position = self.position_of(keep) if keep is not None else -1
        self.cursor = min(max(position, 0), max(len(rowids) - 1, 0))
        self.refresh()

    def position_of(self, rowid: int) -> int:
        """Where the paper is shown, or -1 (one scan in C: the rows may be the library)."""
        try:
            return self._rowids.index(rowid)
        except ValueError:
            return -1

    def move_to(self, rowid: int) -> bool:
        position = self.position_of(rowid)
        if position >= 0:
            self.cursor = position
        return position >= 0

    def forget_papers(self) -> None:
        """The library changed: papers are read again as they are drawn."""
        self._papers.clear()
        self.refresh_marks()

    def refresh_marks(self) -> None:
        """The marks changed (a toggle, an undo, another instance): redraw what is on screen."""
        self._strips.clear()
        self.refresh()

    # -- cursor --------------------------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self._rowids) - 1)) if self._rowids else 0

    def watch_cursor(self, old: int, new: int) -> None:
        # Only the two rows change (the strips are cached by row and cursor): a full refresh
        # would draw every line again on each j.
        for line in range(self._lines):
            self.refresh_line(old * self._lines + line)
            self.refresh_line(new * self._lines + line)
        self._show_cursor()
        rowid = self.highlighted_rowid
        if rowid != self._last_highlighted:
            self._last_highlighted = rowid
            self.post_message(self.Highlighted(self, rowid))

    def _show_cursor(self) -> None:
        """Scroll the cursor's paper into view, the top line a paper's first (two lines a
        paper: never half of one at the top)."""
        lines = self._lines
        if lines == 1:
            region = Region(0, self.cursor, 1, 1)
            self.scroll_to_region(region, animate=False, force=True, immediate=True)
            return
        height = self.scrollable_content_region.height
        top, first = round(self.scroll_offset.y), self.cursor * lines
        if first < top:
            wanted = first
        elif first + lines > top + height:
            wanted = -(-(first + lines - height) // lines) * lines  # up to a paper's first line
        else:
            return
        self.scroll_to(y=wanted, animate=False, force=True, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._rowids) - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height // self._lines - 1)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height // self._lines - 1)

    def action_select(self) -> None:
        paper = self.highlighted
        rowid = self.highlighted_rowid
        if paper is not None and rowid is not None:
            self.post_message(PaperChosen(rowid, paper.id))

    async def _on_click(self, event: events.Click) -> None:
        row = (event.y + round(self.scroll_offset.y)) // self._lines
        if 0 <= row < len(self._rowids):
            self.cursor = row
            if event.chain >= 2:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        # A shorter list may leave the cursor's row below the fold: keys act on the paper
        # highlighted, so it stays in view.
        self._strips.clear()
        self._size_rows()
        self._show_cursor()

    def on_focus(self) -> None:
        self.refresh_marks()

    def on_blur(self) -> None:
        self.refresh_marks()

    # -- rendering -----------------------------------------------------------------------------

    def _fetch(self, rowids: Sequence[int]) -> None:
        if len(self._papers) + len(rowids) > CACHE_ROWS:
            self._papers.clear()
        papers: Sequence[Paper | None] = self._rows_of(rowids)
        if len(papers) != len(rowids):
            # Some are gone from the library since the result was asked for (it leaves them
            # out): which ones, one by one; the next result will not hold them.
            papers = [found[0] if (found := self._rows_of([r])) else None for r in rowids]
        self._papers.update(zip(rowids, papers, strict=True))

    def render_lines(self, crop: Region) -> list[Strip]:
        # The papers of every line about to be drawn, in one query.
        top = (round(self.scroll_offset.y) + crop.y) // self._lines
        bottom = top + crop.height // self._lines + 1
        wanted = [r for r in self._rowids[top:bottom] if r not in self._papers]
        if wanted:
            self._fetch(wanted)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        row, line = divmod(y + round(self.scroll_offset.y), self._lines)
        width = self.scrollable_content_region.width
        if not (0 <= row < len(self._rowids)) or width <= 0:
            return Strip.blank(width, self.rich_style)
        rowid = self._rowids[row]
        paper = self.paper(rowid)
        if paper is None:  # gone from the library since the result was asked for
            return Strip.blank(width, self.rich_style)
        cursor = (2 if self.has_focus else 1) if row == self.cursor else 0
        key = (rowid, width, cursor, line)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 500:
                self._strips.clear()
            render = self._render_second_line if line else self._render_row
            strip = self._strips[key] = render(paper, width, cursor)
        return strip

    def _render_row(self, paper: Paper, width: int, cursor: int) -> Strip:
        """One row as segments: a row is drawn for every new result on screen, so it is built
        directly (a Rich `Text` rendered took five times as long)."""
        state, base, over = self._row_styles(paper, cursor)
        get, glyphs = self._style, self._glyphs

        def styled(name: str) -> Style:
            return base + get(name) + over

        marks = display.row_marks(paper, state, glyphs)  # one renderer for the reader and the CLI
        segments = [
            Segment(" "),
            Segment(marks.unread, styled("paper-list--marker")),
            Segment(marks.starred, styled("paper-list--star")),
            Segment(marks.later, styled("paper-list--later")),
            Segment(marks.repo, styled("paper-list--repo")),
            Segment(marks.note, styled("paper-list--note")),
            Segment("  "),
        ]
        used = 8
        wide = self._columns and self._lines == 1 and width >= COLUMNS_FROM
        columns = _columns(paper) if wide else ""
        used += len(columns)
        tags = "".join(f" #{tag}" for tag in state.tags)
        tag_room = min(cell_len(tags), max(0, width // 3))
        title_room = max(1, width - used - tag_room - 1)
        title = _fit(shown(paper.title), title_room)
        spans = display.find_spans(title, self._terms, "title") if self._terms else []
        match = styled("paper-list--match")
        at = 0
        for start, end in spans:
            segments += [Segment(title[at:start]), Segment(title[start:end], match)]
            at = end
        segments.append(Segment(title[at:]))
        used += title_room
        if tag_room:
            shown_tags = _fit(tags, tag_room, pad=False)
            segments.append(Segment(" " * (width - used - cell_len(shown_tags))))
            segments.append(Segment(shown_tags, styled("paper-list--tag")))
        else:
            segments.append(Segment(" " * max(0, width - used)))
        if columns:
            segments.append(Segment(columns, styled("paper-list--column")))
        # Every segment but the styled ones gets the row's style.
        plain = base + over
        row = [s if s.style is not None else Segment(s.text, plain) for s in segments if s.text]
        return Strip(row).crop_extend(0, width, plain)

    def _render_second_line(self, paper: Paper, width: int, cursor: int) -> Strip:
        """Under the title: who wrote it, when, and its upvotes, quieter than the title."""
        _state, base, over = self._row_styles(paper, cursor)
        row = base + over
        text = _fit(_byline(paper), max(1, width - 9), pad=False)
        segments = [Segment(" " * 8, row), Segment(text, row + self._style("paper-list--column"))]
        return Strip(segments).crop_extend(0, width, row)

    def _row_styles(self, paper: Paper, cursor: int) -> tuple[PaperState, Style, Style]:
        """The paper's marks, and its row's styles: read or unread (`base`), and the cursor's
        over it (`over`; none off the cursor)."""
        # The library may hold what ingest would have stripped: never trust it on screen.
        state = shown_state(self._marks.get(paper.id))
        get = self._style
        base = get("") + get("paper-list--read" if state.read else "paper-list--unread")
        if cursor:
            over = get("paper-list--cursor" if cursor == 2 else "paper-list--cursor-blurred")
        else:
            over = Style()
        return state, base, over

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
        self._strips.clear()
        self._styles = {}
        super().notify_style_update()


COLUMNS_FROM = 60
"""The list's columns are shown from this width up (narrower, the title needs the room)."""
AUTHOR_CELLS = 14
BYLINE_ABSTRACT = 300
"""Characters of the abstract read for the list's second line (a line holds fewer)."""


def _columns(paper: Paper) -> str:
    """The first author's last name, the date (arXiv's, else the digest's) and the upvotes, in
    fixed cells (`len` is their width: each cell holds one character)."""
    author = (
        shown(paper.authors[0]).split()[-1] if paper.authors and paper.authors[0].split() else ""
    )
    if len(paper.authors) > 1 and author:
        author += " +"
    votes = f"▲{paper.upvotes}" if paper.upvotes is not None else ""
    text = f" {_fit(author, AUTHOR_CELLS)} {_fit(_date(paper), 10)} {_fit(votes, 6)}"
    return set_cell_size(text, 3 + AUTHOR_CELLS + 10 + 6)


def _date(paper: Paper) -> str:
    """The day a row shows: arXiv's, else the digest's."""
    return shown(paper.published or paper.digest_date or "")[:10]


def _byline(paper: Paper) -> str:
    """The list's second line: `Ada Lovelace, Charles Babbage and 3 more · 2024-01-03 · ▲ 12 —
    We study...`, who, when and the upvotes, then the abstract's first words (a page copy
    names no author: its abstract alone)."""
    names = [shown(name) for name in paper.authors[:2] if name.strip()]
    authors = ", ".join(names)
    if len(paper.authors) > 2:
        authors += f" and {len(paper.authors) - 2} more"
    votes = f"▲ {paper.upvotes:,}" if paper.upvotes is not None else ""
    line = " · ".join(part for part in (authors, _date(paper), votes) if part)
    start = " ".join(shown(paper.abstract[:BYLINE_ABSTRACT]).split())
    return f"{line} — {start}" if line and start else line or start


def _fit(text: str, cells: int, *, pad: bool = True) -> str:
    """`text` in `cells` cells: cut with an ellipsis when longer, padded when shorter."""
    if cell_len(text) <= cells:
        return set_cell_size(text, cells) if pad else text
    return set_cell_size(text, cells - 1) + "…" if cells > 1 else "…"[:cells]
