"""Every key of the reader, described once: this table feeds the bindings of the app and of the
main screen, the help screen, the command palette and the footer; a test checks the README's
key table against it (harlequin keeps its actions the same way, in one `actions.py`).

A key is bound where its action lives: on the screen of the papers shown (`papers`: moving,
marking, removing, undo, links: whatever acts on the highlighted paper or the papers shown), on
the main screen (`main`: the filter, the order, more like this, the network, mute rules), or on
the app (`app`: help and quit, also over a modal); a screen's bindings work whichever of its
widgets has the focus. The list, the pane and the filter bind their own moving and editing keys
(described here, bound in the widget)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

__all__ = ["KEYS", "SECTIONS", "Key", "bindings", "markdown_table", "palette_actions"]


@dataclass(frozen=True)
class Key:
    keys: tuple[str, ...]  # as the help and README show them: ("n", "p")
    what: str  # what they do, for the help screen and the README
    section: str
    action: str = ""  # the action bound here; "" when a widget binds the key itself
    bind: str = ""  # Textual key names for `action`, comma-separated
    footer: str = ""  # the footer's label; "" keeps the key out of the footer
    palette: str = ""  # the command palette's name for the action; "" keeps it out
    priority: bool = False
    owner: str = "main"  # where the action lives: "papers", "main" (the screens) or "app"


SECTIONS = ("Move", "Read", "Triage", "Links", "Filter", "Follow", "App")

KEYS: tuple[Key, ...] = (
    Key(("j", "k", "↓", "↑"), "next / previous paper", "Move"),
    Key(("g", "G", "home", "end"), "first / last paper", "Move"),
    Key(("pgup", "pgdn"), "a page up / down", "Move"),
    Key(
        ("n",),
        "next unread paper",
        "Move",
        "next_unread",
        "n",
        "Next unread",
        "Next unread paper",
        owner="papers",
    ),
    Key(
        ("p",),
        "previous unread paper",
        "Move",
        "previous_unread",
        "p",
        "",
        "Previous unread paper",
        owner="papers",
    ),
    # -- reading a paper (issue 23): full screen, the split, the authors ----------------------
    Key(
        ("enter",),
        "open the paper full screen and mark it read (enter, z or escape: back to the list)",
        "Read",
    ),
    Key(
        ("space",),
        "page the abstract; at its end, open the next unread paper",
        "Read",
        "page_abstract",
        "space",
        owner="papers",
    ),
    Key(
        ("z",),
        "full-screen reading of the highlighted paper, or back to the list",
        "Read",
        "toggle_reading",
        "z",
        "",
        "Read the paper full screen (or back)",
        owner="papers",
    ),
    Key(
        ("[",),
        "a wider abstract pane (the split moves left; kept for the next run)",
        "Read",
        "split(1)",
        "left_square_bracket",
        "",
        "Widen the abstract pane",
        owner="papers",
    ),
    Key(
        ("]",),
        "a narrower abstract pane (the split moves right; kept for the next run)",
        "Read",
        "split(-1)",
        "right_square_bracket",
        "",
        "Narrow the abstract pane",
        owner="papers",
    ),
    Key(
        ("a",),
        "all the authors of a long list, or its first few again",
        "Read",
        "toggle_authors",
        "a",
        "",
        "Show all the authors (or fewer)",
        owner="papers",
    ),
    Key(
        ("l",),
        "toggle read later: a queue (is:later; the sort read later first, oldest first)",
        "Triage",
        "toggle_later",
        "l",
        "",
        "Toggle read later",
        owner="papers",
    ),
    Key(("r",), "toggle read", "Triage", "toggle_read", "r", "Read", "Toggle read", owner="papers"),
    Key(("s",), "toggle star", "Triage", "toggle_star", "s", "Star", "Toggle star", owner="papers"),
    Key(
        ("t",),
        "edit tags, with completion from the tags already in use (→ accepts)",
        "Triage",
        "edit_tags",
        "t",
        "Tags",
        "Edit tags",
        owner="papers",
    ),
    Key(
        ("N",),
        "edit the note (ctrl+s saves)",
        "Triage",
        "edit_note",
        "N",
        "",
        "Edit note",
        owner="papers",
    ),
    Key(
        ("A",),
        "mark every paper shown as read (asks first)",
        "Triage",
        "mark_all_read",
        "A",
        "",
        "Mark every paper shown as read",
        owner="papers",
    ),
    Key(
        ("x",),
        "remove the paper from the library (asks first; marks are kept, u puts it back)",
        "Triage",
        "remove",
        "x",
        "",
        "Remove the highlighted paper from the library",
        owner="papers",
    ),
    Key(
        ("X",),
        "remove every paper shown from the library (asks first)",
        "Triage",
        "remove(True)",
        "X",
        "",
        "Remove every paper shown from the library",
        owner="papers",
    ),
    Key(
        ("u",),
        "undo the last triage action or removal, many levels deep (a mark changed since, here"
        " or elsewhere, is left alone)",
        "Triage",
        "undo",
        "u",
        "Undo",
        "Undo the last triage action",
        owner="papers",
    ),
    Key(
        ("S",),
        "cycle the sort: digest, title; starred, unread, read later first; relevance, for you;"
        " newest added, newest published; most upvoted, most GitHub stars (papers without it"
        " last)",
        "Triage",
        "cycle_sort",
        "S",
        "",
        "Cycle the sort order",
    ),
    Key(
        ("m",),
        "more like this: the 20 papers most like the highlighted one, best first (escape: back)",
        "Triage",
        "more_like_this",
        "m",
        "",
        "More like this paper",
    ),
    Key(
        ("c",),
        "copy the code repo link (or the first link)",
        "Links",
        "copy_link(0)",
        "c",
        "",
        "Copy the repo link",
        owner="papers",
    ),
    Key(
        ("L",),
        "choose one of the paper's links, numbered as the pane shows them, to open or copy"
        " (this took 1…9 before: those are saved searches now)",
        "Links",
        "choose_link",
        "L",
        "",
        "Choose a link of the paper to open or copy",
        owner="papers",
    ),
    Key(
        ("o",),
        "open the repo (or the first link) in the browser",
        "Links",
        "open_link",
        "o",
        "",
        "Open the repo in the browser",
        owner="papers",
    ),
    Key(
        ("O",),
        "open the paper itself: its arXiv page",
        "Links",
        "open_paper",
        "O",
        "",
        "Open the paper (its arXiv page)",
        owner="papers",
    ),
    Key(
        ("P",),
        "open the paper's PDF (arXiv's, else the digest's PDF link)",
        "Links",
        "open_pdf",
        "P",
        "",
        "Open the PDF",
        owner="papers",
    ),
    Key(
        ("y",),
        "copy the paper's arXiv id: 2401.01234 (arXiv:2401.01234 with copy_id = \"arxiv\" in"
        " the config's [reader])",
        "Links",
        "copy_citation(False)",
        "y",
        "",
        "Copy the arXiv id",
        owner="papers",
    ),  # fmt: skip
    Key(
        ("Y",),
        "copy a BibTeX entry for the paper",
        "Links",
        "copy_citation(True)",
        "Y",
        "",
        "Copy a BibTeX entry",
        owner="papers",
    ),  # fmt: skip
    Key(
        ("F",),
        "fetch the configured sources (progress in the status line, escape cancels; new papers"
        " join the list), then check the starred and read-later papers for changes (the watch)",
        "Links",
        "fetch",
        "F",
        "",
        "Fetch new papers (the configured sources)",
    ),
    Key(
        ("E",),
        "link the papers shown that have no arXiv id to theirs, by title (papertray enrich)",
        "Links",
        "enrich",
        "E",
        "",
        "Link the papers shown to arXiv (enrich)",
    ),
    Key(
        ("/",),
        "focus the filter; it applies as you type",
        "Filter",
        "focus_filter",
        # priority: handled as the key arrives, so keys typed right after it (while earlier
        # ones are still on their way) already land in the filter and are not lost.
        "slash",
        "Filter",
        "Filter the papers",
        priority=True,
    ),
    Key(
        ("escape",),
        "clear the filter, or back out (of more like this, of a fetch or a linking under way)",
        "Filter",
        "back_out",
        "escape",
    ),
    Key(
        ("enter", "↓"),
        "from the filter back to the list (a key typed right after enter goes to the list)",
        "Filter",
        # priority, as `/`: the list has the focus before the next key arrives (↓: the filter's).
        "leave_filter",
        "enter",
        "To the list",
        priority=True,
    ),
    # -- saved searches (issue 23): keys 1-9, the palette ---------------------------------------
    Key(
        ("1…9",),
        "show saved search n: the filter becomes its query (papertray searches lists them)",
        "Filter",
    ),
    Key(
        ("ctrl+s",),
        "save the filter as a named search, on the first free key of 1…9",
        "Filter",
        "save_search",
        "ctrl+s",
        "",
        "Save the filter as a search",
    ),
    Key(
        ("ctrl+p",),
        "palette “Search: NAME”: each saved search with its unread papers; “Remove saved"
        " search: NAME” (u undoes it)",
        "Filter",
    ),
    # -- follows and the Updates list (issue 24) ----------------------------------------------
    Key(
        ("f",),
        "the follows, each with its papers new since you last looked: enter shows those (and"
        " marks the follow seen), d unfollows (u undoes it)",
        "Follow",
        "show_follows",
        "f",
        palette="Follows: list, open, unfollow",
    ),
    Key(
        ("+",),
        "follow the current filter (saved as a search; its new papers count in the status line)",
        "Follow",
        "follow_filter",
        "plus",
        palette="Follow the current filter",
    ),
    Key(
        ("@",),
        'follow the highlighted paper\'s first author (the search author:"NAME")',
        "Follow",
        "follow_author",
        "at",
        palette="Follow the first author of the highlighted paper",
    ),
    Key(
        ("U",),
        "the Updates list: starred and read-later papers that changed (a new version, code,"
        " upvotes), unseen first; opening it marks them seen, enter goes to the paper",
        "Follow",
        "show_updates",
        "U",
        palette="Updates: starred and read-later papers that changed",
    ),
    Key(
        ("?",),
        "this help",
        "App",
        "help",
        "question_mark",
        "Help",
        "Help: keys and query syntax",
        owner="app",
    ),
    Key(("ctrl+p",), "command palette", "App"),  # Textual's own binding
    # Palette only (no key of their own): what the filter shows becomes a mute rule; the rules.
    Key(
        ("ctrl+p",),
        "palette “Mute papers like the current filter”: a rule, with an optional why, that"
        " leaves those papers out of the default view (is:muted shows them; u undoes it)",
        "App",
        "mute_filter",
        palette="Mute papers like the current filter",
    ),
    Key(
        ("ctrl+p",),
        "palette “List columns”: the list shows the first author, the date and the upvotes"
        " beside each title, or not (kept for the next run)",
        "App",
        "toggle_columns",
        palette="List columns: first author, date, upvotes (on / off)",
        owner="papers",
    ),
    Key(
        ("ctrl+p",),
        "palette “List: two lines a paper”: under each title, its authors, date, upvotes and"
        " the abstract's first words, or not (kept for the next run)",
        "App",
        "toggle_two_lines",
        palette="List: two lines a paper, authors, date, upvotes under the title (on / off)",
        owner="papers",
    ),
    Key(
        ("ctrl+p",),
        "palette “Mute rules”: each rule with how many papers it mutes; d unmutes, enter shows"
        " the papers it mutes",
        "App",
        "show_mutes",
        palette="Mute rules: list, unmute",
    ),
    # A reader is quit with ctrl+c as often as with q; ctrl+q is Textual's own binding.
    Key(
        ("q", "ctrl+q", "ctrl+c"),
        "quit (every mark is already saved)",
        "App",
        # Not Textual's "quit": hidden where q is text (the modal editors), while ctrl+q, bound
        # by Textual to "quit", works everywhere.
        "quit_reader",
        "q,ctrl+c",
        "Quit",
        "Quit",
        owner="app",
    ),
)


def bindings(owner: str) -> list[BindingType]:
    """The BINDINGS of `owner` ("papers", "main" or "app"): one per bound row, shown in the
    footer when it has a label."""
    found: list[BindingType] = [
        Binding(
            key.bind,
            key.action,
            key.footer or key.palette or key.what,
            show=bool(key.footer),
            priority=key.priority,
        )
        for key in KEYS
        if key.action and key.bind and key.owner == owner
    ]
    if owner == "main":
        found += [
            Binding(str(n), f"saved_search({n})", f"Saved search {n}", show=False)
            for n in range(1, 10)
        ]
    return found


def palette_actions() -> list[tuple[str, str, str, str]]:
    """(name, action, keys, owner) for every action the command palette offers."""
    return [
        (key.palette, key.action, " / ".join(key.keys) if key.bind else "", key.owner)
        for key in KEYS
        if key.palette
    ]


def markdown_table() -> str:
    """The README's key table, written from `KEYS` (`python -m papertray.tui.keys` prints it;
    tests/test_docs.py checks the README holds it)."""
    rows = ["| key | what it does |", "|---|---|"]
    rows += [f"| {' '.join(f'`{k}`' for k in key.keys)} | {key.what} |" for key in KEYS]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
