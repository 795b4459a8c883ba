"""The command palette (ctrl+p): every action, and the filters people use most."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from papertray.tui.safe_text import shown

if TYPE_CHECKING:
    from papertray.tui.app import PapertrayApp

ACTIONS: list[tuple[str, str, str]] = [
    ("Toggle read", "toggle_read", "r"),
    ("Toggle star", "toggle_star", "s"),
    ("Edit tags", "edit_tags", "t"),
    ("Edit note", "edit_note", "N"),
    ("Next unread paper", "next_unread", "n"),
    ("Previous unread paper", "previous_unread", "p"),
    ("Copy the repo link", "copy_link(0)", "c"),
    ("Open the repo in the browser", "open_link", "o"),
    ("Open the paper (its arXiv page)", "open_paper", "O"),
    ("Copy the arXiv id", "copy_citation(False)", "y"),
    ("Copy a BibTeX entry", "copy_citation(True)", "Y"),
    ("Fetch new papers (the configured sources)", "fetch", "F"),
    ("Link the papers shown to arXiv (enrich)", "enrich", "E"),
    ("Mark every paper shown as read", "mark_all_read", "A"),
    ("Remove the highlighted paper from the library", "remove", "x"),
    ("Remove every paper shown from the library", "remove(True)", "X"),
    ("Undo the last triage action", "undo", "u"),
    ("Cycle the sort order", "cycle_sort", "S"),
    ("Filter the papers", "focus_filter", "/"),
    ("Help: keys and query syntax", "help", "?"),
    ("Quit", "quit", "q"),
]

FILTERS: list[tuple[str, str]] = [
    ("Show unread papers", "is:unread"),
    ("Show starred papers", "is:starred"),
    ("Show papers with a code repo", "has:repo"),
    ("Show papers with a note", "has:note"),
    ("Show unread papers with a code repo", "is:unread has:repo"),
    ("Show all papers (clear the filter)", ""),
]


class PapertrayCommands(Provider):
    @property
    def _app(self) -> PapertrayApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> list[tuple[str, object, str]]:
        app = self._app
        commands: list[tuple[str, object, str]] = [
            (name, partial(app.run_action, action), f"key {key}") for name, action, key in ACTIONS
        ]
        commands += [
            (name, partial(app.set_filter, query), f"filter: {query or '(none)'}")
            for name, query in FILTERS
        ]
        for raw_tag, count in app.store_state.all_tags()[:20]:
            tag = shown(raw_tag)  # state.json may have been written by hand
            commands.append(
                (
                    f"Show papers tagged {tag}",
                    partial(app.set_filter, f"tag:{tag}"),
                    f"{count} papers",
                )
            )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
