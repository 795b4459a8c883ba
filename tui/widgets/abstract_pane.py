"""The abstract pane: everything about the highlighted paper, built as Content (never markup),
and what the link keys do with it.

The pane owns the paper it shows: the main screen's link keys (`c`, `1`…`9`, `o`, `O`, `y`, `Y`)
ask it for that paper's link, page or citation (`links`), which it copies or opens in a worker
(a clipboard program or a browser may hang) and reports in a notification.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from papertray.store import find_spans, markers_for, word_spans
from papertray.tui import links
from papertray.tui.safe_text import shown as shown_text
from papertray.tui.safe_text import shown_paper, shown_state

if TYPE_CHECKING:
    from papertray.store import Paper, PaperState, Update, Version
    from papertray.tui.clipboard import Copied

Terms = Sequence[object]
"""A query's terms to highlight (`Query.terms`)."""

# Wrapping megabytes of text on every resize would freeze the UI; nobody reads past this on screen.
DISPLAY_LIMIT = 20_000
MATCH_STYLE = "bold $text on $warning 40%"


def paper_content(
    paper: Paper,
    state: PaperState,
    terms: Terms,
    shares: Sequence[str] = (),
    share_forms: Sequence[str] = (),
    muted: str | None = None,
    changed: PaperChanges | None = None,
) -> Content:
    """The pane's text for one paper, with the query's terms highlighted. `shares`: the words
    that made it similar to what it was ranked by ("more like this", "for you"), named above the
    abstract; every word form of them (`share_forms`) is highlighted like a filter match.
    `muted`: the label of the mute rule that hides the paper from the default view.
    `changed`: what the watch found of it (its entries of the Updates list, its versions)."""
    # The files may hold what ingest would have stripped: never trust them on screen.
    paper, state = shown_paper(paper), shown_state(state)
    parts: list[Content] = []
    title = Content.styled(_clip(paper.title, 2_000), "bold $text")
    parts.append(_mark_words(_highlight(title, terms, "title"), share_forms))

    meta: list[str] = []
    if paper.authors:
        authors = ", ".join(paper.authors[:12]) + (
            f" and {len(paper.authors) - 12} more" if len(paper.authors) > 12 else ""
        )
        meta.append(_clip(authors, 2_000))
    if paper.published:
        meta.append(paper.published)
    if meta:
        parts.append(Content.styled(" · ".join(meta), "$text-muted"))

    marks = markers_for()
    badges: list[str | tuple[str, str]] = [
        (f"{marks.unread} unread", "$accent") if not state.read else ("read", "$text-muted"),
    ]
    if state.starred:
        badges += ["  ", (f"{marks.starred} starred", "$warning")]
    if paper.upvotes is not None:
        badges += ["  ", (f"▲ {paper.upvotes}", "$text-muted")]
    if paper.stars is not None:
        badges += ["  ", (f"☆ {paper.stars} on GitHub", "$text-muted")]
    for tag in state.tags:
        badges += ["  ", (f"#{tag}", "$text-secondary")]
    parts.append(Content.assemble(*badges))
    if muted is not None:
        # The rule comes from the state file: plain text, cleaned, one line.
        parts.append(
            Content.assemble(
                ("muted: ", "bold $error"),
                (" ".join(shown_text(muted).split())[:300], "$text-muted"),
            )
        )

    if state.note:
        parts.append(
            Content.assemble(("Note  ", "bold $warning"), (_clip(state.note, 5_000), "italic"))
        )
    if changed is not None and (changed.updates or len(changed.versions) > 1):
        parts.append(changes_content(changed))

    abstract = paper.abstract or "(this paper has no abstract)"
    body = Content(_clip(abstract, DISPLAY_LIMIT))
    if paper.abstract:
        body = _highlight(body, terms, "abstract")
    if shares:
        named: list[str | tuple[str, str]] = []
        for word in shares:
            named += [", "] if named else []
            named.append((shown_text(word), MATCH_STYLE))
        parts.append(Content.assemble(("shares: ", "$text-muted"), *named))
    if paper.abstract:
        body = _mark_words(body, share_forms)
    parts.append(body)
    if len(abstract) > DISPLAY_LIMIT:
        parts.append(
            Content.styled(
                f"(showing the first {DISPLAY_LIMIT:,} of {len(abstract):,} characters)",
                "$text-muted italic",
            )
        )

    if paper.links:
        lines: list[Content] = [Content.styled("Links", "bold")]
        for number, url in enumerate(paper.links[:20], start=1):
            kind = "code" if url == paper.repo else "link"
            key = str(number) if number <= 9 else " "
            lines.append(
                Content.assemble(
                    (f" {key} ", "bold $accent"), (f"{kind:<5}", "$text-muted"), (url, "underline")
                )
            )
        if len(paper.links) > 20:
            lines.append(Content.styled(f"   and {len(paper.links) - 20} more", "$text-muted"))
        parts.append(Content("\n").join(lines))

    footer = [shown_text(paper.id)]
    if paper.source:
        footer.append(f"from {paper.source}")
    parts.append(Content.styled(" · ".join(footer), "$text-disabled"))
    return Content("\n\n").join(parts)


@dataclass(frozen=True, slots=True)
class PaperChanges:
    """What the watch found of one paper: its entries of the Updates list (newest first) and
    the arXiv versions seen (oldest first)."""

    updates: tuple[Update, ...] = ()
    versions: tuple[Version, ...] = ()


def changes_content(changed: PaperChanges) -> Content:
    """"What changed": each update with its day (● not seen yet in the Updates list), then the
    versions seen. Details and titles come from the sources: cleaned text, never markup."""
    lines: list[Content] = [Content.styled("What changed", "bold")]
    for update in changed.updates[:10]:
        detail = " ".join(shown_text(update.detail).split())[:300]
        what = f"new version {detail}" if update.kind == "version" else detail
        day = time.strftime("%Y-%m-%d", time.localtime(update.at))
        lines.append(
            Content.assemble(
                (" ● " if not update.seen else "   ", "bold $accent"),
                (what, "$success" if update.kind == "code" else "$warning"),
                (f"  ·  {day}", "$text-muted"),
            )
        )
    if len(changed.updates) > 10:
        lines.append(Content.styled(f"   and {len(changed.updates) - 10} more", "$text-muted"))
    if len(changed.versions) > 1:
        seen = [f"v{v.version}" + (f" {v.date[:10]}" if v.date else "") for v in changed.versions]
        lines.append(Content.assemble(("   versions: ", "$text-muted"), " · ".join(seen[-12:])))
    return Content("\n").join(lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _highlight(content: Content, terms: Terms, field: str) -> Content:
    for start, end in find_spans(content.plain, terms, field) if terms else ():  # type: ignore[arg-type]
        content = content.stylize(MATCH_STYLE, start, end)
    return content


def _mark_words(content: Content, forms: Sequence[str]) -> Content:
    for start, end in word_spans(content.plain, forms) if forms else ():
        content = content.stylize(MATCH_STYLE, start, end)
    return content


class AbstractPane(VerticalScroll, can_focus=True):
    """Scrolls the highlighted paper's details; `space` (on the screen) pages it."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
    ]

    class LinkCopied(Message):
        """A copy is done (to the system clipboard, tmux, or neither: then OSC 52)."""

        def __init__(self, copied: Copied, what: str) -> None:
            super().__init__()
            self.copied = copied
            self.what = what

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.paper: Paper | None = None
        self._shown: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="paper-view")

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
        shown = (paper, state, tuple(terms), tuple(shares), tuple(share_forms), muted, changed)
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
                content = paper_content(paper, state, terms, shares, share_forms, muted, changed)
                view.update(content, layout=not same_text)
        if not (keep_scroll and same_paper):
            self.scroll_home(animate=False, immediate=True)

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

    def open_link(self) -> None:
        if self.paper is not None and (url := self._picked(links.pick_link, self.paper, 0)):
            self._open(url)

    def open_paper(self) -> None:
        if self.paper is not None and (url := self._picked(links.paper_page, self.paper)):
            self._open(url)

    def copy_citation(self, bibtex: bool) -> None:
        if self.paper is not None:
            text = self._picked(lambda p: links.citation(p, bibtex=bibtex), self.paper)
            if text:
                self._copy(text, "BibTeX entry" if bibtex else "arXiv id")

    def _picked(self, pick: object, *args: object) -> str | None:
        try:
            return pick(*args)  # type: ignore[operator]
        except links.NoLink as why:
            self.notify(str(why), severity="warning", markup=False)
            return None

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
