"""The follows, each with its papers new since it was last seen: open one, or unfollow it."""

from __future__ import annotations

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

HINT = (
    "enter show its new papers (it is seen then) · d unfollow · escape close · u (in the list)"
    " undoes · + follows the filter, @ an author"
)


class FollowsScreen(ModalScreen[following.Followed | None]):
    """Dismisses with the follow to open, or None. The follows and their counts come a moment
    later: `count` (the main screen's: the library's query) runs in a worker."""

    BINDINGS = [
        Binding("escape,q,f", "close", "Close"),
        Binding("d,delete", "unfollow", "Unfollow"),
    ]

    class Unfollow(Message):
        """Stop following this one (the main screen does it, with undo, and lists again)."""

        def __init__(self, followed: following.Followed) -> None:
            super().__init__()
            self.followed = followed

    class Counted(Message):
        def __init__(self, follows: list[following.Followed]) -> None:
            super().__init__()
            self.follows = follows

    def __init__(self, count: Callable[[], list[following.Followed]]) -> None:
        super().__init__()
        self._count = count
        self._follows: list[following.Followed] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content.styled("Follows: new papers since you last looked", "bold"))
            yield OptionList(id="follows")
            yield Static(Content.styled(HINT, "$text-muted"), id="hint")

    def on_mount(self) -> None:
        self._list()
        self.query_one("#follows", OptionList).focus()
        self.list_again()

    def list_again(self) -> None:
        """Count again (a follow was followed, unfollowed or seen)."""
        self._count_follows()

    @work(thread=True, exclusive=True)
    def _count_follows(self) -> None:
        try:
            follows = self._count()
        except StoreError as error:
            self.notify(f"Could not count: {error}", severity="error", markup=False)
            return
        self.post_message(self.Counted(follows))

    @on(Counted)
    def _counted(self, event: Counted) -> None:
        self._follows = event.follows
        self._list()

    def _list(self) -> None:
        options = self.query_one("#follows", OptionList)
        keep = options.highlighted or 0
        options.clear_options()
        follows = self._follows
        if follows is None:
            options.add_option(Option(Content("counting…"), disabled=True))
            return
        if not follows:
            options.add_option(
                Option(
                    Content(
                        "No follows. Filter (/), then + follows the search; @ follows the"
                        " highlighted paper's first author (papertray follow does it too)."
                    ),
                    disabled=True,
                )
            )
            return
        for number, chosen in enumerate(follows):
            name, query = _clean(chosen.search.name), _clean(chosen.search.query)
            new = "broken" if chosen.new is None else f"{chosen.new:,}"
            # Names and queries come from the state file: Content, never markup.
            options.add_option(
                Option(
                    Content.assemble(
                        (f"{new:>7}  ", "bold $success" if chosen.new else "$text-muted"),
                        (name, "bold"),
                        (f"  {query}" if query != name else "", "$text-muted"),
                    ),
                    id=f"follow-{number}",
                )
            )
        options.highlighted = min(keep, len(follows) - 1)

    def _selected(self) -> following.Followed | None:
        index = self.query_one("#follows", OptionList).highlighted
        follows = self._follows or []
        if index is None or index >= len(follows):
            return None
        return follows[index]

    def action_unfollow(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self.post_message(self.Unfollow(chosen))

    @on(OptionList.OptionSelected)
    def _open(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self.dismiss(chosen)

    def action_close(self) -> None:
        self.dismiss(None)


def _clean(text: str) -> str:
    """Text from the state file, on one line, with no control characters."""
    return " ".join(shown(text).split())
