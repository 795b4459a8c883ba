"""The papertray reader: a filterable paper list beside the abstract pane, with keyboard triage.

The app only starts and routes: it is given the store's `Library` and `State` (tests pass
temporary ones), opens the main screen on them (`screens/main.py`, which owns the list, the
pane, the filter and what they show), binds the keys that work over any screen (help, quit),
routes what a modal asks of the main screen, keeps the theme chosen (in the state file), and
leaves cleanly on a signal or a hang-up (`signals.py`). Two parts of it live beside it: the
toasts kept within the screen (`toasts.py`) and the sync of the marks with the user's other
machines (`app_sync.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Input

from papertray.tui.app_sync import SyncedMarks
from papertray.tui.changes import WORKER_GROUP
from papertray.tui.keys import bindings
from papertray.tui.screens.main import MainScreen
from papertray.tui.signals import install_exit_signals
from papertray.tui.toasts import FittedToasts

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.theme import Theme

    from papertray.store import Library, State
    from papertray.tui.screens.follows import FollowsScreen
    from papertray.tui.screens.mutes import MutesScreen

__all__ = ["PapertrayApp"]

QUIT_WAIT = 5.0
"""Quitting waits this long at most for the changes still being written (a star: ms)."""
THEME = "reader.theme"
"""The state file's meta field the theme chosen (the palette's "Theme") is kept in."""


class PapertrayApp(SyncedMarks, FittedToasts):
    """`PapertrayApp(library, state)`: the whole library; `paper_ids=[...]`: just those papers."""

    CSS_PATH = "app.tcss"
    TITLE = "papertray"
    BINDINGS = bindings("app")

    def __init__(
        self,
        library: Library,
        state: State,
        *,
        paper_ids: Sequence[str] | None = None,
        warnings: Iterable[str] = (),
        scope: str = "",
        link_new: bool = False,
        sync_dir: Path | None = None,
    ) -> None:
        """`scope` names what `paper_ids` are (the digest files given), for the status line.
        `link_new`: once shown, link those papers to arXiv in the background (`enrich`): the
        CLI asks for it after importing files whose papers have no arXiv id (a page copy).
        `sync_dir`: the data folder to sync in the background once the first frame is drawn,
        when the config file names a sync folder (`syncing.keep_in_sync`)."""
        super().__init__(sync_dir)
        self.library = library
        self.store_state = state
        self._warnings = list(warnings)
        self._paper_ids = list(paper_ids) if paper_ids is not None else None
        self._scope = scope
        self._link_new = link_new
        self._leaving = False

    def get_default_screen(self) -> MainScreen:
        return MainScreen(
            self.library,
            self.store_state,
            paper_ids=self._paper_ids,
            scope_name=self._scope,
            link_new=self._link_new,
        )

    @property
    def main(self) -> MainScreen:
        """The main screen, under any modal."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        if (theme := self.store_state.meta(THEME)) in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for warning in self._warnings:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        for missing in install_exit_signals(self):
            self.notify(missing, severity="information", timeout=6, markup=False)

    def synced_marks_arrived(self) -> None:
        self.main.poll()  # another machine's marks: shown now, not at the screen's next look

    def _theme_changed(self, theme: Theme) -> None:
        self.main.remember(THEME, theme.name)

    def on_mutes_screen_unmute(self, event: MutesScreen.Unmute) -> None:
        # Named, not `@on(MutesScreen.Unmute)`: the rules screen is imported when it opens.
        self.main.unmute(event.rule)

    def on_follows_screen_unfollow(self, event: FollowsScreen.Unfollow) -> None:
        self.main.unfollow(event.followed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("quit_reader", "help"):  # where q and ? are text, neither (ctrl+q quits)
            if self.screen is self.screen_stack[0]:
                return not isinstance(self.focused, Input)
            # The note editor's TextArea is imported with a modal open, not at start (~7 ms).
            from textual.widgets import TextArea

            return action == "help" or not isinstance(self.focused, (Input, TextArea))
        return True

    async def action_quit_reader(self) -> None:
        """q or ctrl+c: every mark is on disk once the change being written is."""
        for worker in [w for w in self.workers if w.group == WORKER_GROUP]:
            with contextlib.suppress(Exception):  # cancelled or failed: it said so already
                await asyncio.wait_for(worker.wait(), QUIT_WAIT)
        await self.action_quit()

    def exit(
        self,
        result: int | None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        """Notes that the way out began, for `on_event` (Textual's own flag is private)."""
        self._leaving = True
        super().exit(result, return_code, message)

    async def on_event(self, event: events.Event) -> None:
        """Input after the way out began is dropped: keys typed in one burst with q are queued
        before q is handled, and a modal one of them opened would mount while the app closes."""
        if self._leaving and isinstance(event, events.InputEvent):
            return
        await super().on_event(event)

    def action_help(self) -> None:
        from papertray.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())
