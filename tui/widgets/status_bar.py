"""The status line: papers shown, unread, starred and read later among them, the library's size,
muted papers, how many the last import added, what is new (follows, updates), the sort order
and the active query. One line: a line longer than the terminal ends in an ellipsis
(`app.tcss`)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class StatusBar(Static):
    _shown: Content | None = None

    def show(
        self,
        *,
        shown: int,
        counting: bool = False,
        total: int,
        unread: int,
        starred: int,
        sort: str,
        query: str,
        fallback: str | None = None,
        busy: str = "",
        scope: str = "",
        new: int | None = None,
        muted: int = 0,
        news: int | None = None,
        later: int = 0,
    ) -> None:
        """`unread` and `starred` count among the `shown` (`counting`: the first of them, the
        rest still being counted); `fallback` is what the list shows while `query` does not
        parse; `muted`: papers mute rules leave out; `new`: how many papers the latest import
        added (None: no import recorded); `news`: the follows' new papers and the updates not
        seen yet (`news_count`; None: not counted yet); `later`: papers shown in the read-later
        queue."""
        muted_part: list[str | tuple[str, str]] = (
            ["  ·  ", (f"{muted:,}", "bold"), " muted"] if muted else []
        )
        new_part: list[str | tuple[str, str]] = (
            # When the last import added every paper there is, "101 new" says nothing.
            ["  ·  ", (f"{new:,}", "bold $success"), " new"]
            if new is not None and new < total
            else []
        )
        later_part: list[str | tuple[str, str]] = (
            ["  ·  ", (f"{later:,}", "bold $accent"), " later"] if later else []
        )
        # What is new (issue 24): f lists the follows, U the updates.
        news_part: list[str | tuple[str, str]] = (
            ["  ·  ", (f"{news:,}", "bold $success"), " news"] if news else []
        )
        parts: list[str | tuple[str, str]] = [
            (f" {shown:,}{'+' if counting else ''}", "bold"),
            " shown  ·  ",
            (f"{unread:,}", "bold $accent"),
            " unread" if shown == total else " unread of them",
            "  ·  ",
            (f"{total:,}", "bold"),
            *([" in ", (scope[:60], "italic")] if scope else [" in the library"]),
            "  ·  ",
            (f"{starred:,}", "bold $warning"),
            " starred",
            *later_part,
            *muted_part,
            *new_part,
            *news_part,
            "  ·  ",
            "sort: ",
            (sort, "bold"),
        ]
        if query.strip():
            parts += ["  ·  query: ", (query.strip()[:200], "italic")]
            if fallback is not None:
                shows = f"“{fallback.strip()}”" if fallback.strip() else "all papers"
                parts += [(f" (incomplete: showing {shows})", "$text-warning")]
        if busy:
            parts += ["  ·  ", (busy, "$text-muted")]
        content = Content.assemble(*parts)
        if content != self._shown:
            self._shown = content
            self.update(content, layout=False)  # one line, whatever it says
