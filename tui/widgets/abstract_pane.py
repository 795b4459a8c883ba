"""The abstract pane: everything about the highlighted paper (`pane_text.py` builds it as
Content, never markup), and what the link keys do with it.

The pane owns the paper it shows: the screen's link keys (`c`, `o`, `O`, `P`, `L`, `y`, `Y`) ask
it for that paper's link, page, PDF or citation (`links`), which it copies or opens in a worker
(a clipboard program or a browser may hang) and reports in a notification. What the library
knows beyond the paper's row (its digests) it reads through `details_of`, given by the screen,
once for each paper it shows; what the watch found of it (`changed`) the screen hands over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.selection import Selection
from textual.widgets import Static

from papertray.tui import links
from papertray.tui.pane_text import Details, PaneText, paper_content

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from papertray.store import Paper, PaperState
    from papertray.tui.clipboard import Copied
    from papertray.tui.pane_text import PaperChanges

Terms = Sequence[object]
"""A query's terms to highlight (`Query.terms`)."""


class PaperView(Static):
    """The pane's text (a `PaneText`): text selected with the mouse is read from its lines as
    drawn, the fields' wrapped values among them (Textual reads only a Content's itself)."""

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        visual = self.visual
        if isinstance(visual, PaneText):
            return selection.extract(visual.laid_out(self.content_size.width).plain), "\n"
        return super().get_selection(selection)


class AbstractPane(VerticalScroll, can_focus=True):
    """Scrolls the highlighted paper's details; `space` (on the screen) pages it."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        # Full-screen reading is left with the key that opened it (the list's enter), or with
        # escape, which the footer names: the pane has the focus while the paper fills the
        # screen, and its bindings come first there.
        Binding("enter", "screen.toggle_reading", "Back to the list", show=False),
        Binding("escape", "leave_reading", "Back to the list"),
    ]

    class LinkCopied(Message):
        """A copy is done (to the system clipboard, tmux, or neither: then OSC 52)."""

        def __init__(self, copied: Copied, what: str) -> None:
            super().__init__()
            self.copied = copied
            self.what = what

    def __init__(
        self,
        *,
        details_of: Callable[[Paper], Details] | None = None,
        id: str | None = None,  # noqa: A002
    ) -> None:
        super().__init__(id=id)
        self.paper: Paper | None = None
        self.all_authors = False
        """A long author list unfolded (`a`), for every paper until folded again."""
        self._details_of = details_of
        self._details: tuple[Paper | None, Details] = (None, Details())
        self._shown: tuple[object, ...] = ()  # what is drawn: the arguments of `show`

    def compose(self) -> ComposeResult:
        yield PaperView(id="paper-view")

    def show(
        self,
        paper: Paper | None,
        state: PaperState,
        terms: Terms,
        *,
        empty_message: Content | None = None,
        keep_scroll: bool = False,
        shares: Sequence[str] = (),
        share_forms: Sequence[str] = (),
        muted: str | None = None,
        changed: PaperChanges | None = None,
    ) -> None:
        same_paper = paper is not None and self.paper is not None and paper.id == self.paper.id
        self.paper = paper
        details = self._details_for(paper)
        shown: tuple[object, ...] = (paper, state, tuple(terms), tuple(shares), tuple(share_forms))
        shown += (muted, details, self.all_authors, changed)
        if paper is None or shown != self._shown:  # else nothing to draw again
            # The same paper with other highlights is as tall as before: no layout for it.
            same_text = (
                same_paper and shown[1:2] == self._shown[1:2] and shown[3:] == self._shown[3:]
            )
            self._shown = shown
            view = self.query_one("#paper-view", Static)
            if paper is None:
                view.update(empty_message or Content(""))
            else:
                content = paper_content(
                    paper,
                    state,
                    terms,
                    details=details,
                    all_authors=self.all_authors,
                    shares=shares,
                    share_forms=share_forms,
                    muted=muted,
                    changed=changed,
                )
                view.update(content, layout=not same_text)
        if not (keep_scroll and same_paper):
            self.scroll_home(animate=False, immediate=True)

    def _details_for(self, paper: Paper | None) -> Details:
        # Read once for each paper the list hands over: the list reads a paper again (a new
        # object) when the library changed, and only then may its details have changed.
        if paper is None or self._details_of is None:
            return Details()
        if self._details[0] is not paper:
            self._details = (paper, self._details_of(paper))
        return self._details[1]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape is "back to the list" only while the paper fills the screen; in the split
        # it is the screen's (clear the filter, back out of more like this or a fetch).
        if action == "leave_reading":
            return self.screen.has_class("-reading")
        return True

    async def action_leave_reading(self) -> None:
        await self.run_action("screen.toggle_reading")

    def toggle_authors(self) -> None:
        """`a`: a long author list whole, or folded to its first few again."""
        self.all_authors = not self.all_authors
        if self.paper is not None and len(self._shown) > 1:
            paper, state, terms, shares, forms, muted = self._shown[:6]
            self.show(
                self.paper,
                state,  # type: ignore[arg-type]
                terms,  # type: ignore[arg-type]
                keep_scroll=True,
                shares=shares,  # type: ignore[arg-type]
                share_forms=forms,  # type: ignore[arg-type]
                muted=muted,  # type: ignore[arg-type]
                changed=self._shown[8],  # type: ignore[arg-type]
            )

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

    def page(self) -> None:
        self.scroll_page_down(animate=False)

    # -- the link keys ----------------------------------------------------------------------------

    def copy_link(self, number: int) -> None:
        """Link `number` of the paper (0: its repo, else its first link) to the clipboard."""
        if self.paper is not None and (url := self._picked(links.pick_link, self.paper, number)):
            self._copy(url, "Link")

    def open_link(self, number: int = 0) -> None:
        """Link `number` of the paper (0: its repo, else its first link) in the browser."""
        if self.paper is not None and (url := self._picked(links.pick_link, self.paper, number)):
            self._open(url)

    def open_paper(self) -> None:
        if self.paper is not None and (url := self._picked(links.paper_page, self.paper)):
            self._open(url)

    def open_pdf(self) -> None:
        if self.paper is not None and (url := self._picked(links.pdf_page, self.paper)):
            self._open(url)

    def copy_citation(self, bibtex: bool) -> None:
        """`Y`: a BibTeX entry; `y`: the arXiv id, as the config's `[reader] copy_id` says."""
        if self.paper is None:
            return
        if not bibtex:
            self._copy_id(self.paper)
        elif text := self._picked(lambda p: links.citation(p, bibtex=True), self.paper):
            self._copy(text, "BibTeX entry")

    def _picked(self, pick: object, *args: object) -> str | None:
        try:
            return pick(*args)  # type: ignore[operator]
        except links.NoLink as why:
            self.notify(str(why), severity="warning", markup=False)
            return None

    @work(thread=True, group="clipboard")
    def _copy_id(self, paper: Paper) -> None:
        style, warning = links.copy_id_style()  # reads the config file: not on the UI thread
        if warning:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        if text := self._picked(lambda p: links.citation(p, bibtex=False, style=style), paper):
            self.post_message(self.LinkCopied(links.copy(text), "arXiv id"))

    @work(thread=True, group="clipboard")
    def _copy(self, text: str, what: str) -> None:
        self.post_message(self.LinkCopied(links.copy(text), what))

    @on(LinkCopied)
    def _copied(self, event: LinkCopied) -> None:
        copied, what = event.copied, event.what
        if copied.needs_osc52:
            # OSC 52 asks the terminal itself to set the clipboard: over SSH, and in tmux with
            # `set -g set-clipboard on`.
            self.app.copy_to_clipboard(copied.text)
        title, message, severity = copied.report()
        if what != "Link":  # a citation: named as such, a BibTeX entry by its first line
            title = title.replace("Link", what, 1)
            message = message.replace(copied.text, links.first_line(copied.text), 1)
        self.notify(message, title=title, severity=severity, markup=False)

    @work(thread=True, group="browser")
    def _open(self, url: str) -> None:
        name, why = links.open_link(url)
        if name is None:
            self.notify(
                f"Could not open {url}\n({why})",
                title="Not opened",
                severity="warning",
                timeout=10,
                markup=False,
            )
        else:
            self.notify(f"Opened {url} in {name}", markup=False)
