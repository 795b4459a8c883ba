"""What the reader's Pilot tests look at: the papers the list shows, the highlighted one, the
pane's text, the notifications; and `settle`, which waits until every worker a key started (the
search, the change being written, a ranking) is done and its result is on screen.

Not collected by pytest (no `test_` prefix); imported as `helpers.reader`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static
from textual.worker import WorkerCancelled

if TYPE_CHECKING:
    from papertray.store import Paper
    from papertray.tui.app import PapertrayApp


async def settle(pilot: Any, app: PapertrayApp) -> None:
    """Until no worker runs and the messages they posted were handled (a handler may start
    another worker: a written change asks the library again)."""
    for _ in range(20):
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                return
        await workers_done(app)
    raise AssertionError("the reader never settled")


async def workers_done(app: Any) -> None:
    """Until the workers running now are done. Textual's `wait_for_complete` raises when a
    worker it waits for is cancelled (an exclusive one replaced it: the watch after a fetch, a
    palette search after a key): the rest are waited for again."""
    for _ in range(20):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


def screen_text(app: Any) -> str:
    """What the terminal shows right now, as plain text: the same render export_screenshot uses
    (the `screen_text` fixture)."""
    import io

    from rich.console import Console

    update = app.screen._compositor.render_update(full=True)
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        record=True,
        color_system=None,
        legacy_windows=False,
    )
    console.print(update)
    return console.export_text(styles=False)


async def footer_line(pilot: Any, app: Any, *, shows: str = "", lacks: str = "") -> str:
    """The bottom line once it shows `shows` and not `lacks`, as it is after 5 s otherwise: the
    footer is painted a frame after the focus or the keys change, later on a loaded machine."""
    for _ in range(100):
        line = screen_text(app).splitlines()[-1]
        if shows in line and not (lacks and lacks in line):
            break
        await pilot.pause(0.05)
    return line


def shown_ids(app: PapertrayApp) -> list[str]:
    """The ids of the papers the list shows, in their order."""
    rowids = list(app.main.paper_list.rowids)
    ids = app.library.ids_of_rows(rowids)
    return [ids[r] for r in rowids if r in ids]


def shown_titles(app: PapertrayApp) -> list[str]:
    plist = app.main.paper_list
    return [p.title for p in (plist.paper(r) for r in plist.rowids) if p is not None]


def highlighted(app: PapertrayApp) -> Paper:
    paper = app.main.paper_list.highlighted
    assert paper is not None
    return paper


def current(app: PapertrayApp) -> str:
    """The title of the highlighted paper."""
    return highlighted(app).title


def pane_text(app: PapertrayApp) -> str:
    """The whole abstract pane as plain text, including what is scrolled out of view."""
    return str(app.main.query_one("#paper-view", Static).content)


def status_text(app: PapertrayApp) -> str:
    return str(app.main.query_one("#status", Static).content)


def notes(app: PapertrayApp) -> list[str]:
    return [n.message for n in app._notifications]


def move_to(app: PapertrayApp, paper_id: str) -> None:
    """Put the cursor on a paper shown (as j/k would, in one step)."""
    rowid = app.library.rowids_of([paper_id])[paper_id]
    assert app.main.paper_list.move_to(rowid), paper_id
