"""The papers shown and what the keys do to them: the base of the main screen.

`PapersScreen` holds the list and the pane, and the keys that act on the papers they show:
moving to the next unread one, opening one (full screen), the marks (read, star, read later,
tags, note, mark every paper shown read), removing papers, `u` undo, the link keys (which the
pane carries out), and how the list and the pane share the screen (`Split`). Every change is
written by one worker, in order, off the UI thread (`Changes`), and shown at once.
`MainScreen` (`screens/main.py`) adds what decides which papers are shown: the filter, the
order, the rules, the network.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.screen import Screen

from papertray.store import StoreError, rules
from papertray.tui.changes import WORKER_GROUP, Changes, Outcome, quoted
from papertray.tui.keys import bindings
from papertray.tui.marks import Marks
from papertray.tui.messages import MarksChanged, PaperChosen
from papertray.tui.safe_text import shown, shown_state
from papertray.tui.split import COLUMNS, SETTING, STEP, TWO_LINES, Split
from papertray.tui.widgets.abstract_pane import AbstractPane
from papertray.tui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    from collections.abc import Callable

    from papertray.store import Library, Paper, PaperState, State

__all__ = ["PapersScreen"]


class PapersScreen(Screen[None]):
    BINDINGS = bindings("papers")

    def __init__(self, library: Library, state: State) -> None:
        super().__init__()
        self.library = library
        self.state = state
        self.marks = Marks(state, library)
        self.changes = Changes(library, state)
        self._keep: int | None = None
        """The rowid the next result keeps the cursor on (the paper after those removed)."""
        self.split = Split.from_setting(state.meta(SETTING))
        self._unsaved: dict[str, object] = {}
        """Settings to keep in the state file, the latest value of each (`remember`)."""
        self._saving = threading.Lock()

    @property
    def paper_list(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    @property
    def pane(self) -> AbstractPane:
        return self.query_one("#pane", AbstractPane)

    def _refresh(self, keep_scroll: bool = False) -> None:
        """Show again what depends on the rows and the marks (the subclass draws it)."""
        raise NotImplementedError

    def _marks_shown(self) -> None:
        self.paper_list.refresh_marks()
        self._refresh(keep_scroll=True)

    # -- moving ----------------------------------------------------------------------------------

    def _unread(self, step: int, none_left: str) -> None:
        plist = self.paper_list
        position = self.marks.unread_from(plist.rowids, plist.cursor, step)
        if position is None:
            self.notify(none_left)
        else:
            plist.cursor = position

    def action_next_unread(self) -> None:
        self._unread(+1, "No unread paper below this one.")

    def action_previous_unread(self) -> None:
        self._unread(-1, "No unread paper above this one.")

    def action_page_abstract(self) -> None:
        if not self.pane.at_end:
            self.pane.page()
            return
        plist = self.paper_list
        position = self.marks.unread_from(plist.rowids, plist.cursor, +1)
        if position is None:
            self.notify("You have read everything shown.")
            return
        plist.cursor = position
        self._open(plist.rowids[position], full_screen=False)

    @on(PaperChosen)
    def _chosen(self, event: PaperChosen) -> None:
        self._open(event.rowid)

    def _open(self, rowid: int, full_screen: bool = True) -> None:
        """A paper opened: it is read now, and shown full screen (`space` at the end of one
        opens the next where it is read)."""
        paper = self.paper_list.paper(rowid)
        if paper is not None and not self.marks.get(paper.id).read:
            self._mark(rowid, paper, partial(self.changes.set_read, read=True), read=True)
        if full_screen:
            self._set_reading(True)

    # -- how the list and the pane share the screen (issue 23) -------------------------------

    def _lay_out(self) -> None:
        """The split (the pane's share) and full-screen reading, applied to the widgets."""
        width, height = self.split.styles(self.has_class("-narrow"))
        self.pane.styles.width = width
        self.pane.styles.height = height
        self.set_class(self.split.reading, "-reading")
        self.refresh_bindings()  # the pane's escape is "back to the list" only while reading

    def _set_reading(self, reading: bool) -> None:
        if reading and self.paper_list.highlighted is None:
            return
        self.split.reading = reading
        self._lay_out()
        (self.pane if reading else self.paper_list).focus()

    def action_toggle_reading(self) -> None:
        self._set_reading(not self.split.reading)

    def leave_reading(self) -> bool:
        """Escape: back from full-screen reading to the list; whether it was full screen."""
        if self.split.reading:
            self._set_reading(False)
            return True
        return False

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # The filter (`/`) or a click elsewhere ends full-screen reading.
        if self.split.reading and event.widget is not self.pane:
            self.split.reading = False
            self._lay_out()

    def action_split(self, step: int) -> None:
        """`[` and `]`: the pane wider or narrower, remembered in the state file."""
        narrow = self.has_class("-narrow")
        if self.split.reading:
            self._set_reading(False)
        if self.split.move(step * STEP, narrow):
            self._lay_out()
            self.remember(SETTING, self.split.share)
        self.notify(self.split.describe(narrow), timeout=2)

    def remember(self, name: str, value: object) -> None:
        """Keep a setting of the reader in the state file (its `papertray` meta table), off
        the UI thread. Settings changed in a row are all kept, each at its latest value."""
        self._unsaved[name] = value
        self._save_settings()

    @work(thread=True, exclusive=True, group="settings")
    def _save_settings(self) -> None:
        # A newer worker cancels this one, maybe before it starts: whichever runs writes what
        # is waiting, one at a time, so a value never overtakes a later one of the same name.
        with self._saving:
            while self._unsaved:
                name, value = self._unsaved.popitem()
                try:
                    self.state.set_meta(name, value)
                except StoreError:
                    pass  # a read-only data folder: this run keeps it, the next starts as before

    def action_toggle_columns(self) -> None:
        """The palette's "List columns": first author, date and upvotes beside each title."""
        plist = self.paper_list
        self._list_layout(columns=not plist.columns, two_lines=False)
        said = (
            "shows the first author, the date and the upvotes" if plist.columns else "shows titles"
        )
        self.notify(f"The list {said} (kept for the next run).", timeout=3)

    def action_toggle_two_lines(self) -> None:
        """The palette's "List: two lines a paper": the authors, date and upvotes under each
        title (instead of the columns beside it)."""
        plist = self.paper_list
        self._list_layout(columns=False, two_lines=not plist.two_lines)
        said = (
            "two lines a paper: the title, then its authors, date, upvotes and abstract"
            if plist.two_lines
            else "a line a paper"
        )
        self.notify(f"The list shows {said} (kept for the next run).", timeout=3)

    def _list_layout(self, *, columns: bool, two_lines: bool) -> None:
        plist = self.paper_list
        if columns != plist.columns:
            plist.columns = columns
            self.remember(COLUMNS, columns)
        if two_lines != plist.two_lines:
            plist.two_lines = two_lines
            self.remember(TWO_LINES, two_lines)

    def action_toggle_authors(self) -> None:
        self.pane.toggle_authors()

    # -- marks, removals, undo: one change at a time, off the UI thread -----------------------

    def _current(self) -> tuple[int, Paper] | None:
        rowid, paper = self.paper_list.highlighted_rowid, self.paper_list.highlighted
        return (rowid, paper) if rowid is not None and paper is not None else None

    def _submit(self, change: Callable[[], Outcome]) -> None:
        if self.changes.submit(change):
            self._write_changes()

    @work(thread=True, group=WORKER_GROUP)
    def _write_changes(self) -> None:
        while (change := self.changes.next()) is not None:
            try:
                outcome = change()
            except Exception as error:  # noqa: BLE001 - the writer goes on with the next one
                outcome = Outcome(f"Not saved: {type(error).__name__}: {error}", "error")
            self.post_message(MarksChanged(outcome))

    def _mark(
        self, rowid: int, paper: Paper, change: Callable[..., Outcome], **shown_now: object
    ) -> None:
        """Write one paper's mark; the row and the pane show it at once."""
        state: PaperState = replace(self.marks.get(paper.id), **shown_now)  # type: ignore[arg-type]
        self.marks.assume({paper.id: (rowid, state)})
        self._marks_shown()
        self._submit(partial(change, paper.id, shown(paper.title)))

    def action_toggle_read(self) -> None:
        if (current := self._current()) is not None:
            rowid, paper = current
            # Written as the opposite of what the file says (another instance may have marked
            # it meanwhile); shown as the opposite of what the row shows.
            read = not self.marks.get(paper.id).read
            self._mark(rowid, paper, self.changes.set_read, read=read)

    def action_toggle_later(self) -> None:
        if (current := self._current()) is not None:
            rowid, paper = current
            later = not self.marks.get(paper.id).later
            self._mark(rowid, paper, partial(self.changes.set_later, later=later), later=later)

    def action_toggle_star(self) -> None:
        if (current := self._current()) is not None:
            rowid, paper = current
            starred = not self.marks.get(paper.id).starred
            self._mark(rowid, paper, self.changes.toggle_star, starred=starred)

    def known_tags(self) -> list[tuple[str, int]]:
        """Every tag some paper in the library carries, with its count (the tags editor, the
        command palette)."""
        tagged = [pid for pid, s in self.marks.states.items() if s.tags]
        return self.state.all_tags(self.library.present(tagged)) if tagged else []

    # The editors and the confirmation are imported when they first open, not at start (the
    # note editor's TextArea alone is ~7 ms).

    def action_edit_tags(self) -> None:
        from papertray.tui.screens.tags import TagsScreen

        if (current := self._current()) is None:
            return
        rowid, paper = current
        before = shown_state(self.marks.get(paper.id)).tags

        def done(tags: list[str] | None) -> None:
            if tags is not None and tuple(tags) != before:
                edit = partial(self.changes.set_tags, tags=tags)
                self._mark(rowid, paper, edit, tags=rules.normalize_tags(tags))

        known = [(shown(tag), n) for tag, n in self.known_tags()]
        self.app.push_screen(TagsScreen(shown(paper.title), before, known), done)

    def action_edit_note(self) -> None:
        from papertray.tui.screens.note import NoteScreen

        if (current := self._current()) is None:
            return
        rowid, paper = current
        state = shown_state(self.marks.get(paper.id))
        before, other = state.note, shown(state.conflicting_note or "").strip()

        def done(note: str | None) -> None:
            # Saved even unchanged while another machine's note waits: saving settles it.
            if note is not None and (note.strip() != before or other):
                edit = partial(self.changes.set_note, note=note)
                self._mark(rowid, paper, edit, note=note, conflicting_note="")

        self.app.push_screen(NoteScreen(shown(paper.title), before, other), done)

    def action_mark_all_read(self) -> None:
        from papertray.tui.screens.confirm import ConfirmScreen

        rowids = list(self.paper_list.rowids)
        unread = len(rowids) - self.marks.counts(rowids)[0]
        if not unread:
            self.notify("Every paper shown is already read.")
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._submit(partial(self.changes.mark_read, rowids))

        question = f"Mark {unread:,} papers shown as read?"
        self.app.push_screen(ConfirmScreen(question, "Mark read"), done)

    def action_remove(self, every_shown: bool = False) -> None:
        from papertray.tui.screens.confirm import ConfirmScreen

        plist = self.paper_list
        if every_shown:
            rowids = list(plist.rowids)
        else:
            rowids = [r for r in [plist.highlighted_rowid] if r is not None]
        if not rowids:
            self.notify("No paper to remove.")
            return
        paper = plist.paper(rowids[0])
        if len(rowids) == 1 and paper is not None:
            what = quoted(shown(paper.title))
        else:
            what = f"{len(rowids):,} papers shown"
        # The paper to highlight once they are out: the next one shown, else the one before.
        gone, cursor, shown_rows = set(rowids), plist.cursor, plist.rowids
        after = (r for r in shown_rows[cursor:] if r not in gone)
        before = (r for r in reversed(shown_rows[:cursor]) if r not in gone)
        keep = next(after, None) or next(before, None)

        def done(yes: bool | None) -> None:
            if yes:
                self._keep = keep
                self._submit(partial(self.changes.remove, rowids))

        question = f"Remove {what} from the library? Your marks are kept; u undoes it."
        self.app.push_screen(ConfirmScreen(question, "Remove"), done)

    def action_undo(self) -> None:
        self._submit(self.changes.undo)

    @on(MarksChanged)
    def _changed(self, event: MarksChanged) -> None:
        outcome = event.outcome
        if outcome.marked:
            self.marks.reload(outcome.marked)
        keep = None
        if outcome.move_to is not None:
            keep = self.library.rowids_of([outcome.move_to]).get(outcome.move_to)
        if not self._after_change(outcome, keep):
            self._marks_shown()
            if keep is not None:
                self.paper_list.move_to(keep)
        if outcome.message:
            error = outcome.severity == "error"
            self.notify(
                outcome.message,
                severity=outcome.severity,
                timeout=8 if error else 4,
                markup=False,
            )

    def _after_change(self, outcome: Outcome, keep: int | None) -> bool:
        """What a change did beyond marks (papers removed or back, mute rules): True when
        handled (the screen asked again for what it shows)."""
        return False

    # -- links: the pane copies and opens what it shows ---------------------------------------

    def action_copy_link(self, number: int) -> None:
        self.pane.copy_link(number)

    def action_open_link(self) -> None:
        self.pane.open_link()

    def action_open_pdf(self) -> None:
        self.pane.open_pdf()

    def action_choose_link(self) -> None:
        from papertray.tui.screens.links import LinksScreen

        paper = self.pane.paper
        if paper is None:
            return
        choices = LinksScreen.choices(paper)
        if not choices:
            self.notify("This paper has no links.", severity="warning")
            return

        def done(chosen: tuple[str, int] | None) -> None:
            if chosen is not None:
                verb, number = chosen
                (self.pane.copy_link if verb == "copy" else self.pane.open_link)(number)

        self.app.push_screen(LinksScreen(shown(paper.title), choices), done)

    def action_open_paper(self) -> None:
        self.pane.open_paper()

    def action_copy_citation(self, bibtex: bool) -> None:
        self.pane.copy_citation(bibtex)
