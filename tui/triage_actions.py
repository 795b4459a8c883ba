"""The reader's triage keys: read (also on opening a paper), star, tags, note, mark all shown
read, and `u` undo, which also takes back removals and mute rules (one stack, `Triage`).

The writes and the undo stack are `Triage`'s; this is the screen side: which paper, the tags
and note editors, the confirmation, redrawing what changed or saying why it was not saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.tui.safe_text import shown, shown_state

if TYPE_CHECKING:
    from papertray.store import Paper
    from papertray.tui.app import PapertrayApp

__all__ = ["TriageActions"]


class TriageActions:
    def __init__(self, app: PapertrayApp) -> None:
        self._app = app

    def _current(self) -> Paper | None:
        return self._app.paper(self._app.paper_list.highlighted_id)

    def saved(self, problem: str | None) -> bool:
        """After a triage operation: redraw what it touched, or say why it was not saved."""
        if problem:
            self._app.notify(problem, severity="error", timeout=8, markup=False)
            return False
        self._app.marks_changed()
        return True

    def open(self, paper_id: str) -> None:
        """Enter on a paper: it is read now; on a narrow screen the pane takes the focus."""
        app = self._app
        if not app.marks.get(paper_id).read and (paper := app.paper(paper_id)):
            self.saved(app.triage.set_read(paper_id, shown(paper.title), True))
        if app.screen.has_class("-narrow"):
            app.pane.focus()

    def toggle_read(self) -> None:
        if paper := self._current():
            self.saved(self._app.triage.set_read(paper.id, shown(paper.title)))

    def toggle_star(self) -> None:
        if paper := self._current():
            self.saved(self._app.triage.toggle_star(paper.id, shown(paper.title)))

    # The editors and the confirmation are imported when they first open, not at start (the
    # note editor's TextArea alone is ~7 ms).

    def edit_tags(self) -> None:
        from papertray.tui.screens.tags import TagsScreen

        app = self._app
        if (paper := self._current()) is None:
            return
        title, state = shown(paper.title), shown_state(app.marks.get(paper.id))

        def done(tags: list[str] | None) -> None:
            if tags is not None and tuple(tags) != state.tags:
                self.saved(app.triage.set_tags(paper.id, title, tags))

        known = [(shown(tag), n) for tag, n in app.known_tags()]
        app.push_screen(TagsScreen(title, state.tags, known), done)

    def edit_note(self) -> None:
        from papertray.tui.screens.note import NoteScreen

        app = self._app
        if (paper := self._current()) is None:
            return
        title, state = shown(paper.title), shown_state(app.marks.get(paper.id))

        def done(note: str | None) -> None:
            if note is not None and note.strip() != state.note:
                self.saved(app.triage.set_note(paper.id, title, note))

        app.push_screen(NoteScreen(title, state.note), done)

    def mark_all_read(self) -> None:
        from papertray.tui.screens.confirm import ConfirmScreen

        app = self._app
        ids = [pid for pid in app.paper_list.shown_ids if not app.marks.get(pid).read]
        if not ids:
            app.notify("Every paper shown is already read.")
            return

        def done(yes: bool | None) -> None:
            if yes and self.saved(app.triage.mark_all_read(ids)):
                app.notify(f"Marked {len(ids):,} papers read (u undoes it).")

        question = f"Mark {len(ids):,} papers shown as read?"
        app.push_screen(ConfirmScreen(question, "Mark read"), done)

    def undo(self) -> None:
        app = self._app
        result = app.triage.undo()
        if result.removal is not None:
            app.notify(app.removals.restore(result.removal), timeout=3, markup=False)
            return
        if result.mute is not None:
            app.mutes.revert(result.mute)
            return
        if result.error:
            app.notify(result.message, severity="error", markup=False)
            return
        if result.paper_ids:
            app.marks_changed()
            if len(result.paper_ids) == 1:
                app.paper_list.move_to(result.paper_ids[0])
        app.notify(result.message, timeout=3, markup=False)
