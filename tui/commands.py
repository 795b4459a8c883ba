"""The main screen's command palette (ctrl+p): every action, the filters people use most, and
the saved searches, each with its unread papers (and an entry to remove it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from papertray.tui.keys import palette_actions
from papertray.tui.safe_text import shown

if TYPE_CHECKING:
    from papertray.store import following

FILTERS: list[tuple[str, str]] = [
    ("Show unread papers", "is:unread"),
    ("Show starred papers", "is:starred"),
    ("Show the read-later queue", "is:later"),
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

    async def from_palette(self, action: str) -> None: ...

    def set_filter(self, text: str) -> None: ...

    def remove_search(self, name: str) -> None: ...

    def saved_searches(self) -> list[tuple[following.SavedSearch, int | None]]: ...

    def known_tags(self) -> list[tuple[str, int]]: ...


class PapertrayCommands(Provider):
    _loading: asyncio.Future[list[tuple[following.SavedSearch, int | None]]] | None = None

    async def startup(self) -> None:
        # Counting each search's unread papers asks the library: off the UI thread, once for
        # each time the palette opens. Started here, not awaited: Textual's first search awaits
        # this startup, and a key typed meanwhile cancels that search and the startup with it,
        # after which the palette found nothing until it was opened again. Each search awaits
        # the count shielded from its own cancellation (`_saved`).
        main = cast(PaletteHost, self.screen)
        self._loading = asyncio.ensure_future(asyncio.to_thread(main.saved_searches))

    async def _saved(self) -> list[tuple[following.SavedSearch, int | None]]:
        """The saved searches and their unread counts; none when they could not be counted
        (the library busy or damaged): the palette's other commands are found all the same."""
        from papertray.store import StoreError

        if self._loading is None:
            return []
        try:
            return await asyncio.shield(self._loading)
        except StoreError:
            return []

    def _commands(
        self, saved: list[tuple[following.SavedSearch, int | None]]
    ) -> list[tuple[str, Callable[[], object], str]]:
        main = cast(PaletteHost, self.screen)  # the main screen: its COMMANDS name this
        commands: list[tuple[str, Callable[[], object], str]] = [
            (
                name,
                partial(self.app.run_action, action)
                if owner == "app"
                else partial(main.from_palette, action),
                f"key {keys}" if keys else "",
            )
            for name, action, keys, owner in palette_actions()
        ]
        for search, unread in saved:  # the state file may have been written by hand
            name, query = shown(search.name), shown(search.query)
            said = f"{unread:,} unread" if unread is not None else "its query no longer parses"
            slot = f"key {search.slot} · " if search.slot is not None else ""
            commands += [
                (f"Search: {name} ({said})", partial(main.set_filter, query), f"{slot}{query}"),
                (f"Remove saved search: {name}", partial(main.remove_search, search.name), ""),
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
        for name, callback, help_text in self._commands(await self._saved()):
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands(await self._saved()):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
