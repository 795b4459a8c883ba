"""The main screen's command palette (ctrl+p): every action, and the filters people use most."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from papertray.tui.keys import palette_actions
from papertray.tui.safe_text import shown

FILTERS: list[tuple[str, str]] = [
    ("Show unread papers", "is:unread"),
    ("Show starred papers", "is:starred"),
    ("Show papers with a code repo", "has:repo"),
    ("Show papers with a note", "has:note"),
    ("Show unread papers with a code repo", "is:unread has:repo"),
    ("Show papers the latest import added", "is:new"),
    ("Show papers starred this week", "starred:<7d"),
    ("Show papers read today", "read:today"),
    ("Show muted papers", "is:muted"),
    ("Show all papers (clear the filter)", ""),
]


class PaletteHost(Protocol):
    """What the palette needs of the main screen (named here so this module does not import
    it)."""

    async def run_action(self, action: str) -> bool: ...

    def set_filter(self, text: str) -> None: ...

    def known_tags(self) -> list[tuple[str, int]]: ...


class PapertrayCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        main = cast(PaletteHost, self.screen)  # the main screen: its COMMANDS name this
        commands: list[tuple[str, Callable[[], object], str]] = [
            (
                name,
                partial((self.app if owner == "app" else main).run_action, action),
                f"key {keys}" if keys else "",
            )
            for name, action, keys, owner in palette_actions()
        ]
        commands += [
            (name, partial(main.set_filter, query), f"filter: {query or '(none)'}")
            for name, query in FILTERS
        ]
        for raw_tag, count in main.known_tags()[:20]:
            tag = shown(raw_tag)  # state.json may have been written by hand
            commands.append(
                (
                    f"Show papers tagged {tag}",
                    partial(main.set_filter, f"tag:{tag}"),
                    f"{count} papers",
                )
            )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
