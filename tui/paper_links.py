"""The keys that open or copy something of the highlighted paper: one of its links (by number,
or its repo), its own page, its citation (arXiv id or BibTeX).

Which link or text is `link_actions.pick_link` and `paper_actions`' (pure functions); the
copying and opening run in `LinkWorkers`' threads. This says which paper, and why not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.tui.link_actions import NoLink, pick_link
from papertray.tui.paper_actions import NoPaperPage, citation, paper_page

if TYPE_CHECKING:
    from papertray.store import Paper
    from papertray.tui.app import PapertrayApp

__all__ = ["PaperLinks"]


class PaperLinks:
    def __init__(self, app: PapertrayApp) -> None:
        self._app = app

    def _current(self) -> Paper | None:
        return self._app.paper(self._app.paper_list.highlighted_id)

    def _current_whole(self) -> Paper | None:
        """The highlighted paper, once the whole library is in (a preview paper has no id)."""
        if self._app.loading:
            self._app.notify("The library is still loading; try again in a moment.")
            return None
        return self._current()

    def _link(self, number: int) -> str | None:
        paper = self._current()
        if paper is None:
            return None
        try:
            return pick_link(paper, number)
        except NoLink as why:
            self._app.notify(str(why), severity="warning")
            return None

    def copy_link(self, number: int) -> None:
        if url := self._link(number):
            self._app.links.copy(url)

    def open_link(self) -> None:
        if url := self._link(0):
            self._app.links.open(url)

    def open_paper(self) -> None:
        paper = self._current_whole()
        if paper is None:
            return
        try:
            self._app.links.open(paper_page(paper))
        except NoPaperPage as why:
            self._app.notify(str(why), severity="warning", markup=False)

    def copy_citation(self, bibtex: bool) -> None:
        paper = self._current_whole()
        if paper is None:
            return
        try:
            text = citation(paper, bibtex=bibtex)
        except NoPaperPage as why:
            self._app.notify(str(why), severity="warning", markup=False)
            return
        self._app.links.copy(text, what="BibTeX entry" if bibtex else "arXiv id")
