"""Choose one of a paper's links (`L`): each numbered as the pane numbers it and named by its
kind or host (`rules.link_label`); enter or `o` opens it, `c` copies it, a digit copies link n
at once (as `1`…`9` did on the list before those keys became the saved searches)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from papertray.store import rules
from papertray.tui.safe_text import safe_links
from papertray.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from papertray.store import Paper

__all__ = ["LinksScreen"]

Choice = tuple[int, str, str]
"""(the link's number, its label, the URL)."""


class LinksScreen(ModalScreen[tuple[str, int] | None]):
    """Returns ("open" or "copy", the link's number), or None when cancelled."""

    BINDINGS = [
        Binding("o", "choose('open')", "Open"),
        Binding("c", "choose('copy')", "Copy"),
        Binding("escape,q", "dismiss(None)", "Cancel"),
        *(Binding(str(n), f"copy({n})", f"Copy link {n}", show=False) for n in range(1, 10)),
    ]

    def __init__(self, title: str, choices: list[Choice]) -> None:
        super().__init__()
        self._title = title
        self._choices = choices

    @staticmethod
    def choices(paper: Paper) -> list[Choice]:
        """The paper's safe links, numbered as the pane shows them."""
        links, _repo = safe_links(paper)
        return [(n, rules.link_label(url) or "link", url) for n, url in enumerate(links, start=1)]

    def compose(self) -> ComposeResult:
        width = max((len(label) for _n, label, _url in self._choices), default=4)
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble(("Links of ", "bold"), (self._title[:200], "italic")),
                id="heading",
            )
            yield OptionList(
                *(
                    Option(
                        Content.assemble(
                            (f"{n:>2} ", "bold $accent"),
                            (f"{label:<{width}}  ", "$text-muted"),
                            url,
                        ),
                        id=str(n),
                    )
                    for n, label, url in self._choices
                ),
                id="links",
            )
            yield Static(
                Content.styled(
                    "enter/o open · c copy · 1…9 copy link n · esc cancel", "$text-muted"
                ),
                id="hint",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        self._fit(self.app.size.height)
        self.query_one("#links", OptionList).focus()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        """The list gets what the heading, the hint and the footer leave of the screen (at
        40x15: a few links, scrolled), so the dialog is never cut."""
        self.query_one("#links", OptionList).styles.max_height = max(2, min(12, height - 12))

    def _highlighted(self) -> int | None:
        option_list = self.query_one("#links", OptionList)
        index = option_list.highlighted
        return self._choices[index][0] if index is not None else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(("open", int(event.option.id or 0)))

    def action_choose(self, verb: str) -> None:
        number = self._highlighted()
        if number is not None:
            self.dismiss((verb, number))

    def action_copy(self, number: int) -> None:
        if any(n == number for n, _label, _url in self._choices):
            self.dismiss(("copy", number))
        else:
            self.notify(
                f"No link {number}: the paper has {len(self._choices)}.", severity="warning"
            )
