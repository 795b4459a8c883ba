"""What the list column shows instead of rows: how to import a first digest, or that the filter
matches nothing and how to get out of it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class EmptyState(Static):
    def show(self, *, library_empty: bool, query: str) -> None:
        if library_empty:
            message = Content.assemble(
                ("No papers yet.\n\n", "bold"),
                "Import a digest (a Hugging Face Papers page copy, JSON or JSON Lines):\n\n",
                ("  papertray import FILE\n", "$accent"),
                ("  papertray FILE", "$accent"),
                "   opens it right away",
            )
        else:
            message = Content.assemble(
                ("No paper matches\n\n", "bold"),
                (f"  {query.strip()}\n\n", "italic $warning"),
                "Press ",
                ("escape", "bold $accent"),
                " to clear the filter, or ",
                ("?", "bold $accent"),
                " for the query syntax.",
            )
        self.update(message, layout=False)  # it fills the list's place, whatever it says
