"""The status line: shown / total, unread, starred, sort order and the active query."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class StatusBar(Static):
    def show(
        self,
        *,
        shown: int,
        total: int,
        unread: int,
        starred: int,
        sort: str,
        query: str,
        busy: str = "",
        scope: str = "",
    ) -> None:
        of_scope: list[str | tuple[str, str]] = [" of ", (scope[:60], "italic")] if scope else []
        parts: list[str | tuple[str, str]] = [
            (f" {shown:,}", "bold"),
            f" / {total:,} shown",
            *of_scope,
            "  ·  ",
            (f"{unread:,}", "bold $accent"),
            " unread",
            "  ·  ",
            (f"{starred:,}", "bold $warning"),
            " starred",
            "  ·  ",
            "sort: ",
            (sort, "bold"),
        ]
        if query.strip():
            parts += ["  ·  query: ", (query.strip()[:200], "italic")]
        if busy:
            parts += ["  ·  ", (busy, "$text-muted")]
        self.update(Content.assemble(*parts))
