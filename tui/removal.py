"""Removing papers from the library in the reader, and putting them back on undo.

`x` takes the highlighted paper out, `X` every paper shown, after a confirmation. The library
file is rewritten in a thread worker (a second or two at 100k papers). Marks stay in the state
file, so `u` (or importing the digest again) brings the papers back with them; the undo step
lives on the same stack as the triage steps (`Triage.push_removal`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store import StoreError
from papertray.tui.safe_text import shown
from papertray.tui.triage import Removal, quoted

if TYPE_CHECKING:
    from papertray.store import Paper
    from papertray.tui.app import PapertrayApp

__all__ = ["Removals"]


class Removals:
    def __init__(self, app: PapertrayApp) -> None:
        self._app = app

    def ask(self, every_shown: bool) -> None:
        from papertray.tui.screens.confirm import ConfirmScreen  # imported when first asked

        app = self._app
        if app.loading:
            app.notify("The library is still loading: remove papers in a moment.")
            return
        listed = app.paper_list
        if every_shown:
            ids = list(listed.shown_ids)
        else:
            ids = [pid for pid in [listed.highlighted_id] if pid is not None]
        if not ids:
            app.notify("No paper to remove.")
            return
        paper = app.paper(ids[0])
        one = len(ids) == 1 and paper is not None
        what = quoted(shown(paper.title)) if one and paper else f"{len(ids):,} papers shown"

        def done(yes: bool | None) -> None:
            if yes:
                app.run_worker(lambda: self._remove(ids), thread=True, group="library")

        question = f"Remove {what} from the library? Your marks are kept; u undoes it."
        app.push_screen(ConfirmScreen(question, "Remove"), done)

    def _remove(self, ids: list[str]) -> None:
        app = self._app
        try:
            gone = app.library.remove(ids)
        except StoreError as error:
            app.call_from_thread(
                app.notify, f"Not removed: {error}", severity="error", timeout=8, markup=False
            )
            return
        app.call_from_thread(self._removed, gone)

    def _removed(self, gone: list[str]) -> None:
        app = self._app
        gone_set = set(gone)
        papers = app.shown.papers
        places = [(i, p) for i, p in enumerate(papers) if p.id in gone_set]
        keep = self._next_kept(gone_set)
        app.replace_papers([p for p in papers if p.id not in gone_set], keep)
        count = len(places)
        label = f"remove {count:,} paper{'' if count == 1 else 's'}"
        app.triage.push_removal(Removal(label, places))
        app.notify(f"Removed {count:,} from the library (u undoes it).", timeout=4)

    def restore(self, removal: Removal) -> str:
        """Put the papers of `removal` back, in their places; the message to show."""
        app = self._app
        try:
            app.library.add([paper for _, paper in removal.places])
        except StoreError as error:
            app.triage.push_removal(removal)
            return f"Undo not saved: {error}"
        papers: list[Paper] = list(app.shown.papers)
        for index, paper in removal.places:  # in ascending order: each lands where it was
            papers.insert(min(index, len(papers)), paper)
        app.replace_papers(papers, removal.places[0][1].id if removal.places else None)
        return f"Undone: {removal.label}"

    def _next_kept(self, gone: set[str]) -> str | None:
        """The paper to highlight once `gone` are out: the next one shown, else the one before."""
        listed = self._app.paper_list
        ids, cursor = listed.shown_ids, listed.cursor
        after = (pid for pid in ids[cursor:] if pid not in gone)
        before = (pid for pid in reversed(ids[:cursor]) if pid not in gone)
        return next(after, None) or next(before, None)
