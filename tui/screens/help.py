"""The help screen: every key, and the query language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from papertray.store import SORT_ORDERS

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
            ("u", "undo the last triage action (many levels)"),
            ("S", "cycle the sort: " + ", ".join(o.label for o in SORT_ORDERS.values())),
        ],
    ),
    (
        "Links",
        [
            ("c", "copy the code repo link (or the first link)"),
            ("1 … 9", "copy link number n of the paper"),
            ("o", "open the repo (or the first link) in the browser"),
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
            ("ctrl+p", "command palette (also: mute papers like the filter, the mute rules)"),
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
    ("starred:<7d  read:today  read:yesterday", "when you marked it: within 7 days, that day"),
    ("added:>2024-03-01  added:>2w", "first imported after that day / over 2 weeks ago"),
    ("published:2024-03  digest:2024-03-18", "arXiv/HF date; the day on the HF daily page"),
    ("<=2024-03  >=2024  2024-03-01..2024-03-18", "dates: before, from, a range (any date field)"),
    ("7d 12h 2w 1mo 1y  today  yesterday", "relative dates: <7d within, >7d longer ago"),
    ("is:new", "added by the latest import that added papers"),
    ("is:muted", "papers a mute rule hides (otherwise left out)"),
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
