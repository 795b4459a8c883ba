"""What is new (issue 24): the follows, the Updates list, the count on the status line, and the
watch after a fetch. The base of the main screen (`screens/main.py`), which provides the filter
and the network it uses (named below).

`f` lists the follows (`screens/follows.py`); enter on one shows its papers new since it was
last seen (`new_papers_query`, pinned under its search's text) and marks it seen; `+` follows
the current filter, `@` the highlighted paper's first author; `d` in the list unfollows. Each
is a change with undo (`Changes`). `U` lists the updates of the starred and read-later papers
(`screens/updates.py`): opening it marks them seen, enter goes to the paper. The count of what
is new (`news_count`) is asked in a worker after the first frame, an import or fetch, and any
change of the follows or of `state.json`. After a fetch that went through, the watch checks the
starred and read-later papers (`network.watch_papers`, the data folder's run lock held).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.worker import get_current_worker

from papertray.tui import network
from papertray.tui.messages import NewsCounted
from papertray.tui.safe_text import shown
from papertray.tui.screens.papers import PapersScreen

if TYPE_CHECKING:
    from papertray.store import Library, State, following
    from papertray.tui.live_query import LiveQuery
    from papertray.tui.network import NetworkTask
    from papertray.tui.pane_text import PaperChanges

__all__ = ["NewsScreen"]

COUNT_TRIES = 3
"""A filter key cuts a count short (`Library.interrupt`): it is asked again this many times."""


class NewsScreen(PapersScreen):
    live: LiveQuery
    network: NetworkTask

    def __init__(self, library: Library, state: State) -> None:
        super().__init__(library, state)
        self.news: int | None = None
        """The status line's count of what is new (None until counted)."""
        self.news_before_fetch: int | None = None
        """The count when the fetch under way began: the desktop is told when it grew."""
        self.paper_changes: dict[str, PaperChanges] = {}
        """Paper id -> what the watch found of it, for the pane (counted with the news)."""

    # -- what the main screen provides ---------------------------------------------------------

    def set_filter(self, text: str) -> None:
        raise NotImplementedError

    def _refresh_status(self) -> None:
        raise NotImplementedError

    def _start_network(self, what: str) -> bool:
        raise NotImplementedError

    def _refilter(self, keep: int | None = None) -> None:
        raise NotImplementedError

    def _refresh_pane(self, keep_scroll: bool = False) -> None:
        raise NotImplementedError

    # -- the count -----------------------------------------------------------------------------

    def count_news(self) -> None:
        """Count what is new again; the status line shows it when counted."""
        self._count_news()

    @work(thread=True, exclusive=True, group="news")
    def _count_news(self) -> None:
        from papertray.store import StoreError, following

        for _ in range(COUNT_TRIES):
            if get_current_worker().is_cancelled:
                return
            try:
                count = following.news_count(self.library, self.state)
                changed = paper_changes(self.library)
            except StoreError:
                continue  # cut short by a filter key, or the library could not be read
            self.post_message(NewsCounted(count, changed))
            return

    @on(NewsCounted)
    def _news_counted(self, event: NewsCounted) -> None:
        if event.stale:
            return
        if event.changed != self.paper_changes:
            self.paper_changes = event.changed
            self._refresh_pane(keep_scroll=True)
        if event.count != self.news:
            self.news = event.count
            self._refresh_status()

    def follows_changed(self) -> None:
        """A follow was followed, unfollowed or seen: count again, list again."""
        self.count_news()
        from papertray.tui.screens.follows import FollowsScreen

        if isinstance(self.app.screen, FollowsScreen):
            self.app.screen.list_again()

    # -- follows -------------------------------------------------------------------------------

    def _followed(self) -> list[following.Followed]:
        """Every follow with its count of new papers (run by the follows screen's worker)."""
        from papertray.store import following

        return following.followed(self.library, self.state)

    def action_show_follows(self) -> None:
        from papertray.tui.screens.follows import FollowsScreen

        self.app.push_screen(FollowsScreen(self._followed), self.open_follow)

    def open_follow(self, chosen: following.Followed | None) -> None:
        """Show the follow's papers new since it was last seen, and mark it seen now (a follow
        with none new shows its search's papers)."""
        if chosen is None:
            return
        from papertray.store import following

        query = following.new_papers_query(chosen.search, chosen.follow)
        if query is None:
            text = " ".join(shown(chosen.search.query).split())
            self.notify(f"The saved query no longer parses: {text}", severity="error", markup=False)
            return
        if chosen.new:
            self.live.pin(query)
            if self.live.text == query.text:  # typed already: asked again, now pinned
                self.live.type(query.text)
                self._refilter()
        else:
            self.notify("Nothing new since you last looked: all its papers.", timeout=4)
        self.set_filter(query.text)
        self._submit(partial(self.changes.follow_seen, chosen.search.id))

    def action_follow_filter(self) -> None:
        why = self.live.not_kept("+ follows that search")
        if why is not None:
            self.notify(why, severity="warning", markup=False)  # it quotes the filter
            return
        self._submit(partial(self.changes.follow, self.live.text.strip()))

    def action_follow_author(self) -> None:
        from papertray.store import SearchError, following

        if (current := self._current()) is None:
            return
        _rowid, paper = current
        authors = [a for a in paper.authors if isinstance(a, str) and a.strip()]
        try:
            query = following.author_query(authors[0] if authors else "")
        except SearchError:
            self.notify("The highlighted paper names no author.", severity="warning")
            return
        name = query.removeprefix('author:"').removesuffix('"')  # named after the author
        self._submit(partial(self.changes.follow, query, name))

    def unfollow(self, chosen: following.Followed) -> None:
        """Stop following (the follows screen asked for it, through the app), with undo."""
        self._submit(partial(self.changes.unfollow, chosen.search))

    # -- the Updates list ----------------------------------------------------------------------

    def action_show_updates(self) -> None:
        from papertray.tui.screens.updates import UpdatesScreen

        def done(paper_id: str | None) -> None:
            self.count_news()  # they were marked seen
            if paper_id is not None:
                self.show_paper(paper_id)

        self.app.push_screen(UpdatesScreen(self._open_updates), done)

    def _open_updates(self) -> list[following.Update]:
        """Every update, unseen first, each as it was when the list opened; the unseen ones
        are marked seen (run by the updates screen's worker)."""
        updates = self.library.updates()
        unseen = [u.id for u in updates if not u.seen]
        if unseen:
            self.library.mark_updates_seen(unseen)
        return sorted(updates, key=lambda u: u.seen)  # newest first within each

    def show_paper(self, paper_id: str) -> None:
        """The paper highlighted in the list: the filter is cleared when it hides it."""
        rowid = self.library.rowids_of([paper_id]).get(paper_id)
        if rowid is None:
            self.notify("That paper is no longer in the library.", severity="warning")
            return
        plist = self.paper_list
        if plist.move_to(rowid):
            plist.focus()
        elif self.live.text:
            self._keep = rowid  # the next result keeps the cursor on it
            self.set_filter("")
        else:
            self.notify(
                "That paper is not in the list (a mute rule hides it, or it is not among the"
                " papers opened).",
                severity="warning",
            )

    # -- the watch after a fetch -----------------------------------------------------------------

    def watch_after_fetch(self) -> None:
        """The starred and read-later papers checked at their sources (as `papertray watch`)."""
        if self._start_network("watching…"):
            self._watch(self.news_before_fetch)

    @work(thread=True, exclusive=True, group="network")
    def _watch(self, news_before: int | None) -> None:
        network.watch_papers(self.library, self.state, self.post_message, news_before)


def paper_changes(library: Library) -> dict[str, PaperChanges]:
    """Each paper with entries in the Updates list: those entries and its versions seen."""
    from papertray.tui.pane_text import PaperChanges

    by_paper: dict[str, list[following.Update]] = {}
    for update in library.updates():
        by_paper.setdefault(update.paper, []).append(update)
    return {
        pid: PaperChanges(tuple(updates), tuple(library.versions(pid)))
        for pid, updates in by_paper.items()
    }
