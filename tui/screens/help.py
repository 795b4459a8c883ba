"""The help screen: every key, and the query language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Move",
        [
            ("j / k / ↓ / ↑", "next / previous paper"),
            ("g / G / home / end", "first / last paper"),
            ("pgup / pgdn", "a page up / down"),
            ("n / p", "next / previous unread paper"),
            ("enter", "open the abstract and mark the paper read"),
            ("space", "page the abstract; at its end, open the next unread paper"),
        ],
    ),
    (
        "Triage",
        [
            ("r", "toggle read"),
            ("s", "toggle star"),
            ("t", "edit tags (completes from tags in use)"),
            ("N", "edit the note"),
            ("A", "mark every paper shown as read (asks first)"),
            ("x / X", "remove the paper / every paper shown from the library (asks first)"),
            ("u", "undo the last triage action or removal (many levels)"),
            ("S", "cycle the sort: digest, title, starred first, unread first"),
        ],
    ),
    (
        "Links",
        [
            ("c", "copy the code repo link (or the first link)"),
            ("1 … 9", "copy link number n of the paper"),
            ("o", "open the repo (or the first link) in the browser"),
            ("O", "open the paper itself: its arXiv page"),
            ("y / Y", "copy a citation: the arXiv id / a BibTeX entry"),
        ],
    ),
    (
        "Fetch",
        [
            ("F", "fetch the configured sources (papertray config); new papers join the list"),
            ("E", "link the papers shown that have no arXiv id to theirs, by title"),
        ],
    ),
    (
        "Filter",
        [
            ("/", "focus the filter; it applies as you type"),
            ("escape", "clear the filter, or back out"),
            ("enter / ↓", "from the filter back to the list"),
        ],
    ),
    (
        "App",
        [
            ("?", "this help"),
            ("ctrl+p", "command palette"),
            ("q / ctrl+q", "quit (everything is already saved)"),
        ],
    ),
]

QUERY_HELP: list[tuple[str, str]] = [
    ("memory efficient", "papers with both words (title, abstract, authors, tags)"),
    ('"low-bit"', "an exact phrase"),
    ("-survey", "without the word"),
    ("llm OR vlm", "either word"),
    ("(llm OR vlm) -survey", "parentheses group"),
    ("is:unread  is:read  is:starred  is:unstarred", "by your marks"),
    ("tag:NAME", "tagged NAME"),
    ("has:repo  has:note  has:tags  has:links", "papers that have one"),
    ("title:WORD  abstract:WORD  author:NAME", "search one field"),
    ("repo:TEXT  id:TEXT", "part of the repo URL or of the id"),
    ('title:"low bit"', "field values may be quoted"),
    ("-is:read  -tag:done", "any field can be negated"),
]


def help_content() -> Content:
    lines: list[Content] = [Content.styled("papertray keys", "bold $accent"), Content("")]
    for section, keys in KEYS:
        lines.append(Content.styled(section, "bold"))
        for key, what in keys:
            lines.append(Content.assemble((f"  {key:<22}", "bold $text-accent"), what))
        lines.append(Content(""))
    lines.append(Content.styled("Filter queries", "bold"))
    for example, what in QUERY_HELP:
        lines.append(Content.assemble((f"  {example:<46}", "$text-accent"), what))
    lines.append(Content(""))
    lines.append(Content.styled("escape, q or ? closes this help", "$text-muted"))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(help_content(), id="help-text")
