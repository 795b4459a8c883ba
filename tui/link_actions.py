"""Which link a key means, and copying or opening it (the blocking part runs in a worker).

Only safe http(s) links are offered, numbered as the pane shows them: a `javascript:` or `file:`
URL written into library.json by hand is never copied, opened or offered as the repo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.tui.safe_text import safe_links

if TYPE_CHECKING:
    from textual.app import App

    from papertray.store import Paper
    from papertray.tui.clipboard import Copied

__all__ = ["LinkWorkers", "NoLink", "copy_link", "open_link", "pick_link"]


class NoLink(Exception):
    """The paper has no such link; the message says so in one line."""


def pick_link(paper: Paper, number: int) -> str:
    """Link `number` of the paper (1-based), or for 0 its repo (else its first link)."""
    links, repo = safe_links(paper)
    if number == 0:
        url = repo or (links[0] if links else None)
        if url is None:
            raise NoLink("This paper has no links.")
        return url
    if number > len(links):
        raise NoLink(f"This paper has {_count(len(links), 'link')}.")
    return links[number - 1]


def copy_link(url: str) -> Copied:
    """Hand `url` to the system clipboard and, inside tmux, to tmux's buffer (blocks up to their
    timeouts: call from a worker)."""
    # The clipboard and the browser (pyperclip, webbrowser) load on the first copy or open.
    from papertray.tui import clipboard

    try:
        mechanism, why = clipboard.system_copy(url), ""
    except clipboard.ClipboardError as error:
        mechanism, why = None, str(error)
    return clipboard.copy_result(url, mechanism, why)


def open_link(url: str) -> tuple[str | None, str]:
    """Open `url` in a browser (blocks: call from a worker): (the browser's name, "") or
    (None, why not)."""
    from papertray.tui import clipboard

    try:
        return clipboard.open_url(url), ""
    except clipboard.BrowserError as error:
        return None, str(error)


def _count(n: int, noun: str) -> str:
    return f"{n or 'no'} {noun}{'' if n == 1 else 's'}"


class LinkWorkers:
    """Copies and opens links in `app`'s thread workers (a clipboard program or a browser may
    hang) and tells the user exactly what happened."""

    def __init__(self, app: App[int]) -> None:
        self._app = app

    def copy(self, url: str, what: str = "Link") -> None:
        """Copy `url` (or a citation: `what` names it in the notification)."""
        app = self._app

        def work() -> None:
            app.call_from_thread(self._copied, copy_link(url), what)

        app.run_worker(work, thread=True, group="clipboard")

    def _copied(self, copied: Copied, what: str = "Link") -> None:
        if copied.needs_osc52:
            # OSC 52 asks the terminal itself to set the clipboard: over SSH, and in tmux with
            # `set -g set-clipboard on`.
            self._app.copy_to_clipboard(copied.text)
        title, message, severity = copied.report()
        if what != "Link":  # a citation: named as such, a BibTeX entry by its first line
            title = title.replace("Link", what, 1)
            message = message.replace(copied.text, _first_line(copied.text), 1)
        self._app.notify(message, title=title, severity=severity, markup=False)

    def open(self, url: str) -> None:
        app = self._app

        def work() -> None:
            name, why = open_link(url)
            if name is None:
                app.call_from_thread(
                    app.notify,
                    f"Could not open {url}\n({why})",
                    title="Not opened",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )
                return
            app.call_from_thread(app.notify, f"Opened {url} in {name}", markup=False)

        app.run_worker(work, thread=True, group="browser")


def _first_line(text: str) -> str:
    """A BibTeX entry is shown by its first line in the notification."""
    lines = text.strip().splitlines()
    return lines[0] + (" …" if len(lines) > 1 else "") if lines else ""
