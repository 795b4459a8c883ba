"""The Updates list: the starred and read-later papers that changed at their sources (a new arXiv
version, code that appeared, upvotes past the threshold), those not seen before first. Opening
it marks them seen; enter goes to the paper."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from papertray.store import StoreError, following
from papertray.tui.safe_text import shown

HINT = "enter go to the paper · escape close · F fetches, then checks them again"
TITLE_ROOM = 88
"""Characters of a title shown: a row of the widest list (110 columns) on one line."""


class UpdatesScreen(ModalScreen[str | None]):
    """Dismisses with the id of the paper to go to, or None. The updates come a moment later:
    `load` (the main screen's: it reads them and marks them seen) runs in a worker."""

    BINDINGS = [Binding("escape,q,U", "close", "Close")]

    class Loaded(Message):
        def __init__(self, updates: list[following.Update]) -> None:
            super().__init__()
            self.updates = updates

    def __init__(self, load: Callable[[], list[following.Update]]) -> None:
        super().__init__()
        self._load = load
        self._updates: list[following.Update] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self._heading(), id="heading")
            yield OptionList(id="updates")
            yield Static(Content.styled(HINT, "$text-muted"), id="hint")

    def on_mount(self) -> None:
        self._list()
        self.query_one("#updates", OptionList).focus()
        self._load_updates()

    @work(thread=True, exclusive=True)
    def _load_updates(self) -> None:
        try:
            updates = self._load()
        except StoreError as error:
            self.notify(f"Could not read the updates: {error}", severity="error", markup=False)
            return
        self.post_message(self.Loaded(updates))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self._updates = event.updates
        self.query_one("#heading", Static).update(self._heading())
        self._list()

    def _heading(self) -> Content:
        updates = self._updates or []
        unseen = sum(1 for u in updates if not u.seen)
        count = f"  ·  {unseen:,} not seen before" if unseen else ""
        return Content.assemble(
            ("Updates: starred and read-later papers that changed", "bold"),
            (count, "bold $success"),
        )

    def _list(self) -> None:
        options = self.query_one("#updates", OptionList)
        options.clear_options()
        updates = self._updates
        if updates is None:
            options.add_option(Option(Content("reading…"), disabled=True))
            return
        if not updates:
            options.add_option(
                Option(
                    Content(
                        "No updates yet. After a fetch (F) the reader checks your starred and"
                        " read-later papers for a new arXiv version, code and upvotes;"
                        " papertray watch does it from a schedule."
                    ),
                    disabled=True,
                )
            )
            return
        for update in updates:
            options.add_option(Option(_row(update), id=f"update-{update.id}"))
        options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _go(self, event: OptionList.OptionSelected) -> None:
        updates = self._updates or []
        if event.option_index < len(updates):
            self.dismiss(updates[event.option_index].paper)

    def action_close(self) -> None:
        self.dismiss(None)


def _row(update: following.Update) -> Content:
    """Two lines: the paper's title (`●` not seen before), then what changed and when. Titles
    and details come from the sources: Content, never markup."""
    title = _clean(update.title) or _clean(update.paper)
    if len(title) > TITLE_ROOM:
        title = title[: TITLE_ROOM - 1].rstrip() + "…"
    detail = _clean(update.detail)
    what = f"new version {detail}" if update.kind == "version" else detail
    day = time.strftime("%Y-%m-%d", time.localtime(update.at))
    return Content.assemble(
        ("● " if not update.seen else "  ", "bold $accent"),
        (title, "bold" if not update.seen else ""),
        "\n    ",
        (what, "$success" if update.kind == "code" else "$warning"),
        (f"  ·  {day}", "$text-muted"),
    )


def _clean(text: str) -> str:
    """Text from the library, on one line, with no control characters."""
    return " ".join(shown(text).split())
