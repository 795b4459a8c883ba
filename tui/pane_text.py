"""The abstract pane's text for one paper, built as Content (never markup): who and when, its
ids and categories, the authors' comments, the marks, where the code is and which digests
brought it, what changed since it was watched, the note (and one from another machine that lost
a sync), the abstract with the query's words highlighted, and its links, each named by its kind
or host (`rules.link_label`).

Everything here comes from files anyone can write (the library, the state file): each string is
cleaned (`safe_text`) and placed as plain text in a Content, so `[bold]` in a title is a title.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content, Span
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, RulesMap, Visual

from papertray.store import StoreError, display, rules
from papertray.tui.safe_text import safe_repo, shown, shown_paper, shown_state

if TYPE_CHECKING:
    from papertray.store import Library, Paper, PaperState, following

__all__ = [
    "AUTHORS_FOLDED",
    "DISPLAY_LIMIT",
    "MATCH_STYLE",
    "Details",
    "PaneText",
    "PaperChanges",
    "changes_content",
    "paper_content",
    "read_details",
]

Terms = Sequence[object]
"""A query's terms to highlight (`Query.terms`)."""

# Wrapping megabytes of text on every resize would freeze the UI; nobody reads past this on screen.
DISPLAY_LIMIT = 20_000
MATCH_STYLE = "bold $text on $warning 40%"
AUTHORS_FOLDED = 6
"""A list of more authors than this (and two more) shows this many until `a` unfolds it."""
LINKS_SHOWN = 20
LABEL = "$text-muted"
FIELD_WIDTH = 11
NARROWEST_VALUE = 12
"""Below this many cells beside a field's label, its value wraps to the left edge as text does."""


class PaneText(Visual):
    """The pane's text: lines of Content, each with the indent its continuation lines take.
    A field (`arXiv`, `dates`, `comments`, `from`...) wraps under its value, not under its
    label, at the width the pane has when it is drawn (a hanging indent); other text wraps as
    Content does."""

    def __init__(self, lines: Sequence[tuple[int, Content]]) -> None:
        self._lines = tuple(lines)
        self._laid: tuple[int | None, Content] | None = None

    @property
    def plain(self) -> str:
        return self.laid_out(None).plain

    @property
    def spans(self) -> Sequence[Span]:
        """The styles of `plain` (the highlights among them), as Content's."""
        return self.laid_out(None).spans

    def __str__(self) -> str:
        return self.plain  # as Content's: its text

    def laid_out(self, width: int | None) -> Content:
        """The text with each field's value wrapped to `width` beside its label (None: as
        written, one line a field)."""
        if self._laid is not None and self._laid[0] == width:
            return self._laid[1]
        out: list[Content] = []
        for indent, line in self._lines:
            room = (width or 0) - indent
            if not indent or width is None or room < NARROWEST_VALUE or line.cell_length <= width:
                out.append(line)
                continue
            label, value = line[:indent], line[indent:]
            if max(map(cell_len, value.plain.split()), default=0) > room:
                out.append(line)  # a word (a link) longer than the room: whole, as text wraps
                continue
            rows = value.wrap(room)
            out.append(label + rows[0])
            out += [Content(" " * indent) + row for row in rows[1:]]
        laid = Content("\n").join(out)
        self._laid = (width, laid)
        return laid

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.laid_out(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.laid_out(None).get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.laid_out(width).get_height(rules, width)


@dataclass(frozen=True)
class Details:
    """What the library knows of a paper beyond its row: the digests that brought it."""

    sources: tuple[str, ...] = ()


def read_details(library: Library, paper: Paper) -> Details:
    """The paper's `Details` (one look-up by its id, an index's); none when the library cannot
    be read just now (the pane shows the paper without them)."""
    try:
        return Details(tuple(library.sources_of(paper.id)))
    except StoreError:
        return Details()


@dataclass(frozen=True, slots=True)
class PaperChanges:
    """What the watch found of one paper: its entries of the Updates list (newest first) and
    the arXiv versions seen (oldest first). Read in the news count's worker, never on the UI
    thread (`screens/news.py`)."""

    updates: tuple[following.Update, ...] = ()
    versions: tuple[following.Version, ...] = ()


def changes_content(changed: PaperChanges) -> Content:
    """ "What changed": each update with its day (● not seen yet in the Updates list), then the
    versions seen. Details and titles come from the sources: cleaned text, never markup."""
    lines: list[Content] = [Content.styled("What changed", "bold $success")]
    for update in changed.updates[:10]:
        detail = " ".join(shown(update.detail).split())[:300]
        what = f"new version {detail}" if update.kind == "version" else detail
        day = time.strftime("%Y-%m-%d", time.localtime(update.at))
        lines.append(
            Content.assemble(
                (" ● " if not update.seen else "   ", "bold $accent"),
                (what, "$success" if update.kind == "code" else "$warning"),
                (f"  ·  {day}", LABEL),
            )
        )
    if len(changed.updates) > 10:
        lines.append(Content.styled(f"   and {len(changed.updates) - 10} more", LABEL))
    if len(changed.versions) > 1:
        seen = [
            f"v{v.version}" + (f" {shown(v.date)[:20]}" if v.date else "") for v in changed.versions
        ]
        versions = _clip(" · ".join(seen[-12:]), 1_000)
        lines.append(Content.assemble(("   versions  ", LABEL), versions))
    return Content("\n").join(lines)


def paper_content(
    paper: Paper,
    state: PaperState,
    terms: Terms,
    *,
    details: Details = Details(),
    all_authors: bool = False,
    shares: Sequence[str] = (),
    share_forms: Sequence[str] = (),
    muted: str | None = None,
    changed: PaperChanges | None = None,
) -> PaneText:
    """The pane's text for one paper, with the query's terms highlighted. `shares`: the words
    that made it similar to what it was ranked by ("more like this", "for you"), named above the
    abstract; every word form of them (`share_forms`) is highlighted like a filter match.
    `muted`: the label of the mute rule that hides the paper from the default view.
    `all_authors`: the whole list of a long one, else its first few. `changed`: what the watch
    found of it (its entries of the Updates list, its versions)."""
    # The files may hold what ingest would have stripped: never trust them on screen.
    raw_id, paper, state = paper, shown_paper(paper), shown_state(state)
    parts: list[Content | list[Content]] = []  # a list: fields, a hanging indent each
    title = Content.styled(_clip(paper.title, 2_000), "bold $text")
    parts.append(_mark_words(_highlight(title, terms, "title"), share_forms))
    if paper.authors:
        parts.append(_authors(paper.authors, all_authors, terms))
    fields = _fields(paper, details)
    if fields:
        parts.append(fields)
    parts.append(_badges(paper, state))
    if changed is not None and (changed.updates or len(changed.versions) > 1):
        parts.append(changes_content(changed))
    if muted is not None:
        # The rule comes from the state file: plain text, cleaned, one line.
        parts.append(
            Content.assemble(
                ("muted: ", "bold $error"), (" ".join(shown(muted).split())[:300], LABEL)
            )
        )
    if state.note:
        parts.append(
            Content.assemble(("Note  ", "bold $warning"), (_clip(state.note, 5_000), "italic"))
        )
    other = shown(state.conflicting_note or "")
    if other.strip():
        parts.append(
            Content.assemble(
                ("Note from another machine", "bold $error"),
                (" (written at the same time as yours; N edits both, saving settles it)\n", LABEL),
                (_clip(other, 5_000), "italic"),
            )
        )
    parts += _abstract(paper, terms, shares, share_forms)
    if paper.links:
        parts.append(_links(paper))
    footer = [display.shown_id(raw_id)]
    if raw_id.arxiv_id and raw_id.id != f"arxiv:{raw_id.arxiv_id}":
        footer.append(shown(raw_id.id))  # first seen without its arXiv id: its lasting id
    parts.append(Content.styled(" · ".join(footer), "$text-disabled"))
    lines: list[tuple[int, Content]] = []
    for part in parts:
        if lines:
            lines.append((0, Content("")))
        if isinstance(part, list):
            lines += [(FIELD_WIDTH, field) for field in part]
        else:
            lines.append((0, part))
    return PaneText(lines)


def _authors(authors: Sequence[str], all_authors: bool, terms: Terms) -> Content:
    folds = len(authors) > AUTHORS_FOLDED + 2
    shown_now = authors if all_authors or not folds else authors[:AUTHORS_FOLDED]
    text = Content(_clip(", ".join(shown_now), 5_000))
    text = _highlight(text, terms, "author")
    if not folds:
        return text
    if all_authors:
        return Content.assemble(text, ("  (a: fewer)", LABEL))
    more = len(authors) - AUTHORS_FOLDED
    return Content.assemble(text, (f" and {more} more", "italic"), ("  (a: all)", LABEL))


def _field(name: str, *values: str | tuple[str, str]) -> Content:
    return Content.assemble((f"{name:<{FIELD_WIDTH}}", LABEL), *values)


def _fields(paper: Paper, details: Details) -> list[Content]:
    """The paper's facts, a labelled line each: ids, dates, comments, code, digests."""
    lines: list[Content] = []
    ids: list[str] = []
    if paper.arxiv_id:
        version = f"v{paper.arxiv_version}" if paper.arxiv_version else ""
        ids.append(f"{shown(paper.arxiv_id)}{version}")
    ids += [category for category in paper.categories[:8] if category]
    if ids:
        lines.append(_field("arXiv" if paper.arxiv_id else "categories", " · ".join(ids)))
    dates: list[str] = []
    if paper.published:
        dates.append(f"{'arXiv' if paper.arxiv_id else 'published'} {paper.published[:40]}")
    if paper.digest_date:
        dates.append(f"in the digest {paper.digest_date[:40]}")
    if (seen := _day(paper.added_at)) is not None:
        dates.append(f"first seen {seen}")
    if dates:
        lines.append(_field("dates", " · ".join(dates)))
    if paper.remarks.strip():
        lines.append(_field("comments", _clip(" ".join(paper.remarks.split()), 1_000)))
    repo = safe_repo(paper)
    if repo is not None:
        lines.append(
            _field("code", (rules.link_label(repo), "bold"), "  ", (_bare(repo), "underline"))
        )
    sources = [shown(s) for s in details.sources if s] or ([paper.source] if paper.source else [])
    if sources:
        lines.append(_field("from", _clip(" · ".join(sources[:12]), 1_000)))
    return lines


def _badges(paper: Paper, state: PaperState) -> Content:
    marks = display.markers_for()
    badges: list[str | tuple[str, str]] = [
        (f"{marks.unread} unread", "$accent") if not state.read else ("read", LABEL),
    ]
    if state.starred:
        badges += ["  ", (f"{marks.starred} starred", "$warning")]
    if state.later:
        badges += ["  ", (f"{marks.later} read later", "$accent")]
    if paper.upvotes is not None:
        badges += ["  ", (f"▲ {paper.upvotes:,}", LABEL)]
    if paper.stars is not None:
        badges += ["  ", (f"☆ {paper.stars:,} on GitHub", LABEL)]
    for tag in state.tags:
        badges += ["  ", (f"#{tag}", "$text-secondary")]
    return Content.assemble(*badges)


def _abstract(
    paper: Paper, terms: Terms, shares: Sequence[str], share_forms: Sequence[str]
) -> list[Content]:
    parts: list[Content] = []
    abstract = paper.abstract or "(this paper has no abstract)"
    body = Content(_clip(abstract, DISPLAY_LIMIT))
    if paper.abstract:
        body = _highlight(body, terms, "abstract")
    if shares:
        named: list[str | tuple[str, str]] = []
        for word in shares:
            named += [", "] if named else []
            named.append((shown(word), MATCH_STYLE))
        parts.append(Content.assemble(("shares: ", LABEL), *named))
    if paper.abstract:
        body = _mark_words(body, share_forms)
    parts.append(body)
    if len(abstract) > DISPLAY_LIMIT:
        parts.append(
            Content.styled(
                f"(showing the first {DISPLAY_LIMIT:,} of {len(abstract):,} characters)",
                f"{LABEL} italic",
            )
        )
    return parts


def _links(paper: Paper) -> Content:
    """The links, numbered as the link chooser (`L`) numbers them, each named by its kind."""
    labels = [rules.link_label(url) or "link" for url in paper.links[:LINKS_SHOWN]]
    width = max(len(label) for label in labels)
    lines: list[Content] = [
        Content.assemble(("Links", "bold"), ("  (L: choose one to open or copy)", LABEL))
    ]
    for number, (url, label) in enumerate(zip(paper.links, labels, strict=False), start=1):
        lines.append(
            Content.assemble(
                (f" {number:>2} ", "bold $accent"),
                (f"{label:<{width}}  ", LABEL),
                (url, "underline"),
            )
        )
    if len(paper.links) > LINKS_SHOWN:
        lines.append(Content.styled(f"    and {len(paper.links) - LINKS_SHOWN} more", LABEL))
    return Content("\n").join(lines)


def _bare(url: str) -> str:
    """A link as a line names it: no scheme, no `www.`, no trailing slash."""
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/")


def _day(seconds: float | None) -> str | None:
    """A time as the day it was, here."""
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _highlight(content: Content, terms: Terms, field: str) -> Content:
    for start, end in display.find_spans(content.plain, terms, field) if terms else ():  # type: ignore[arg-type]
        content = content.stylize(MATCH_STYLE, start, end)
    return content


def _mark_words(content: Content, forms: Sequence[str]) -> Content:
    for start, end in display.word_spans(content.plain, forms) if forms else ():
        content = content.stylize(MATCH_STYLE, start, end)
    return content
