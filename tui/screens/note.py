"""Edit a paper's free-text note. A note another machine wrote at the same time (it lost the
sync's merge) is put below the user's in the editor, so nothing is lost unless taken out:
saving, even unchanged, settles it (`State.set_note`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from papertray.tui.widgets.key_footer import KeyFooter


class NoteScreen(ModalScreen[str | None]):
    """Returns the new note, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, note: str, other: str = "") -> None:
        super().__init__()
        self._title = title
        self._note = f"{note.rstrip()}\n\n{other}" if other and note.strip() else other or note
        self._other = bool(other)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble(("Note for ", "bold"), (self._title[:200], "italic")), id="heading"
            )
            yield TextArea(self._note, id="note", soft_wrap=True, show_line_numbers=False)
            hint = "ctrl+s save · escape cancel · an empty note deletes it"
            if self._other:
                hint = "another machine's note is below yours · ctrl+s settles it · esc cancel"
            yield Static(Content.styled(hint, "$text-muted"), id="hint")

        yield KeyFooter()  # the modal's keys, not the list's

    def on_mount(self) -> None:
        area = self.query_one("#note", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
