"""The main screen: the filter bar, the paper list beside the abstract pane, the status line.

It owns what the reader shows and the engines behind it, each a plain class of its own module:
the live query and its result (`LiveQuery`), "for you" and "more like this" (`Ranking`), and,
from `PapersScreen` (`screens/papers.py`, the keys that act on the papers shown), the marks
(`Marks`) and every change with its undo (`Changes`); `NewsScreen` (`screens/news.py`) adds
what is new: the follows, the Updates list, their count, the watch after a fetch. Its keys
(`keys.py`) act on them; the slow part runs in workers (`@work`), whose results come back as
messages (`messages.py`). The
list and the pane handle their own keys and post what happened. Twice a second it looks for
what another process changed: marks and mute rules in `state.json`, papers in the library. The
mute rules and saved searches the palette and keys 1-9 reach are `QueriesScreen`'s
(`screens/queries.py`).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input
from textual.worker import get_current_worker

from papertray.store import StoreError
from papertray.tui import network
from papertray.tui.changes import Outcome
from papertray.tui.commands import PapertrayCommands
from papertray.tui.keys import bindings
from papertray.tui.live_query import LiveQuery, Result, Search, like_title
from papertray.tui.messages import (
    FilterApplied,
    FilterFailed,
    NetworkDone,
    NetworkProgress,
    NetworkStarted,
    Ranked,
    SimilarFound,
)
from papertray.tui.network import NetworkTask
from papertray.tui.pane_text import read_details
from papertray.tui.ranking import Ranking
from papertray.tui.screens.news import NewsScreen
from papertray.tui.screens.queries import QueriesScreen
from papertray.tui.split import COLUMNS, TWO_LINES
from papertray.tui.widgets.abstract_pane import AbstractPane
from papertray.tui.widgets.empty_state import EmptyState
from papertray.tui.widgets.filter_bar import FilterBar, FilterInput
from papertray.tui.widgets.key_footer import KeyFooter
from papertray.tui.widgets.paper_list import PaperList
from papertray.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from papertray.store import Library, Paper, PaperState, State

__all__ = ["NARROW_WIDTH", "POLL_SECONDS", "MainScreen"]

NARROW_WIDTH = 100
POLL_SECONDS = 0.5
"""How often the screen looks for what another process changed (marks, rules, papers)."""
TOP = 0
"""A rowid no paper has: keep the cursor at the top."""
SMALL_LIBRARY = 5_000
"""Up to this many papers the first frame holds the whole result (a few ms), not a screenful."""
PAINT_WAIT = 0.15
"""How long a search waits for its first screenful to be painted before counting the rest."""


class MainScreen(NewsScreen, QueriesScreen):
    """The library (or the files the reader was opened on) as the filter, the order and the
    mute rules show it."""

    BINDINGS = bindings("main")
    COMMANDS = {PapertrayCommands}

    def __init__(
        self,
        library: Library,
        state: State,
        *,
        paper_ids: Sequence[str] | None = None,
        scope_name: str = "",
        link_new: bool = False,
    ) -> None:
        """`paper_ids`: show those papers (the files the reader was opened on, named by
        `scope_name`), not the library; `link_new`: then link them to arXiv in the background."""
        super().__init__(library, state)
        self.ranking = Ranking(library)
        scope = None
        if paper_ids is not None:
            where = library.rowids_of(paper_ids)
            scope = [where[pid] for pid in dict.fromkeys(paper_ids) if pid in where]
        self.live = LiveQuery(scope=scope, scope_name=scope_name)
        self.network = NetworkTask()
        self._link_new = link_new
        self._warned = len(library.warnings)  # those the app was given are shown by it
        self._counts: tuple[object, object, tuple[int, int, int]] | None = None
        self._anchor: int | None = None
        """The paper the cursor was on when the filter began to change: each result of the
        typing keeps the cursor on it while it is among the papers shown (issue 23)."""

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        with Horizontal(id="main"):
            with Vertical(id="list-column"):
                yield PaperList(self.library.rows, self.marks, id="papers")
                yield EmptyState(id="empty")
            yield AbstractPane(details_of=partial(read_details, self.library), id="pane")
        yield StatusBar(id="status")
        yield KeyFooter()

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one("#filter", FilterInput)

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < NARROW_WIDTH, "-narrow")
        self._lay_out()
        self.paper_list.columns = self.state.meta(COLUMNS) is True
        self.paper_list.two_lines = self.state.meta(TWO_LINES) is True
        self.live.set_rules(self.state.mute_rules())
        # The first frame: asked for here, the whole result of a small library, the first
        # screenful of a big one (the library stops after it); the rest comes from a worker.
        whole = len(self.library) <= SMALL_LIBRARY
        first = next(self._search(first_page=0 if whole else self._page_rows()).run(self.library))
        self._show(first)
        self.paper_list.focus()
        # The latest import ("12 new", `is:new`) once the first frame is out: it counts.
        self.call_after_refresh(self._first_frame_shown, first.complete)
        self.set_interval(POLL_SECONDS, self.poll)
        if self._link_new:
            self._enrich(list(self.live.rowids), quiet=True)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")
        self._lay_out()

    def _first_frame_shown(self, complete: bool) -> None:
        self._report_warnings()
        self._read_library()
        self.count_news()
        if complete:
            self._refresh_status()
        else:
            self._refilter()  # the whole result (mute rules may mention is:new: it is known now)

    # -- what is shown ---------------------------------------------------------------------------

    def _read_library(self) -> None:
        self.library.refresh()
        self.live.latest = self.library.latest_import()

    def _page_rows(self) -> int:
        return max(2 * self.app.size.height, 60)

    def _search(self, first_page: int = 0) -> Search:
        for_you = self.ranking.for_you
        ranks = for_you.ranks if for_you is not None else None
        marks = self.marks
        return self.live.search(marks.states, marks.version, ranks=ranks, first_page=first_page)

    def _refilter(self, keep: int | None = None) -> None:
        """Ask the library again (the query, the order, the rules or the papers changed)."""
        if keep is not None:
            self._keep = keep
        if any(w.group == "filter" and w.is_running for w in self.workers):
            self.library.interrupt()  # the running query is stale: cut it short
        search = self._search(first_page=self._page_rows())
        if self.live.quick:
            # A screenful of words alone costs the word index a millisecond: asked here, it
            # is painted with the key itself, a frame sooner than from the worker.
            first = next(search.run(self.library))
            self._show(first)
            if self.live.result is not first:
                return  # `_show` asked again (the word being typed, as the start of a word)
            if first.complete:
                self.workers.cancel_group(self, "filter")
                return
            painted = threading.Event()
            self.call_after_refresh(painted.set)
            self._run_search(replace(search, first_page=0), painted)
        else:
            self._run_search(search)

    @work(thread=True, exclusive=True, group="filter")
    def _run_search(self, search: Search, painted: threading.Event | None = None) -> None:
        if painted is not None:
            painted.wait(PAINT_WAIT)  # counting meanwhile would take the GIL from the painting
        try:
            for result in search.run(self.library):
                applied = FilterApplied(result)
                self.post_message(applied)
                if not result.complete:
                    # The rest is counted once the first screenful is on screen: counting
                    # meanwhile took the GIL from the painting.
                    applied.painted.wait(PAINT_WAIT)
        except Exception as error:
            if get_current_worker().is_cancelled:
                return  # interrupted for a newer one: nothing to say
            if not isinstance(error, StoreError):
                raise
            self.post_message(FilterFailed(str(error)))

    @on(FilterApplied)
    def _filtered(self, event: FilterApplied) -> None:
        if event.stale:
            return
        result = event.result
        self._show(result)
        self.call_after_refresh(event.painted.set)
        for_you = self.ranking.for_you
        if result.complete and self.live.for_you_shown and for_you is not None:
            if for_you.tags != tuple(result.search.query.tags):
                self._rank_for_you()  # a `tag:` filter ranks by that tag's papers

    @on(FilterFailed)
    def _filter_failed(self, event: FilterFailed) -> None:
        if not event.stale:
            self.notify(f"Could not filter: {event.why}", severity="error", markup=False)

    def _show(self, result: Result) -> None:
        if result.complete and not result.rowids:
            if self.focused is self.filter_input and self.live.ask_word_start():
                # No paper has the word being typed: what starts with it, or, for a word of
                # a letter or two, what the words before it find (asked again: the library,
                # the rules or the marks may have changed since the list shown was asked).
                self._refilter()
                return
            if self.live.word_start:
                self.live.type(self.live.text)  # nor does any start with it: what was typed
        keep = self._keep
        if result.complete:
            self._keep = None
        self.live.accept(result)
        if self.ranking.like is None:
            plist = self.paper_list
            if keep is None:
                keep = self._anchor if self._anchor is not None else plist.highlighted_rowid
            plist.set_rows(result.rowids, self.live.query, keep)
            if result.complete and self.focused is not self.filter_input:
                self._anchor = None  # the filter is done with: the cursor is the reader's
        self._refresh()

    def _refresh(self, keep_scroll: bool = False) -> None:
        """The empty state, the pane and the status line, after the rows or marks changed."""
        plist = self.paper_list
        empty = plist.row_count == 0 and not self.live.counting
        self.query_one("#list-column").set_class(empty, "-empty")
        if empty:
            total = len(self.live.scope) if self.live.scope is not None else len(self.library)
            self.query_one("#empty", EmptyState).show(
                library_empty=not total, query=self.live.fallback
            )
        self._refresh_pane(keep_scroll)
        self._refresh_status()

    def _refresh_pane(self, keep_scroll: bool = False) -> None:
        paper = self.paper_list.highlighted
        state = self.marks.get(paper.id if paper is not None else None)
        rule = self.live.rule_for(paper, state)
        shares, forms = self.ranking.shares(paper, self.live.for_you_shown and not state.read)
        terms = [] if self.ranking.like is not None else self.live.query.terms
        self.pane.show(
            paper,
            state,
            terms,
            keep_scroll=keep_scroll,
            shares=shares,
            share_forms=forms,
            muted=rule.label if rule is not None else None,
            changed=self.paper_changes.get(paper.id) if paper is not None else None,
        )

    def _refresh_status(self) -> None:
        rowids = self.paper_list.rowids
        live, like = self.live, self.ranking.like
        counts = self._counts
        if counts is None or counts[0] is not rowids or counts[1] != self.marks.version:
            marked = (*self.marks.counts(rowids), self.marks.later_among(rowids))
            counts = self._counts = (rowids, self.marks.version, marked)
        read, starred, later = counts[2]
        result = live.result
        latest = live.latest
        self.query_one("#status", StatusBar).show(
            shown=len(rowids),
            counting=live.counting and like is None,
            total=len(live.scope) if live.scope is not None else len(self.library),
            unread=len(rowids) - read,
            starred=starred,
            sort=live.label(self.ranking),
            query=live.described,
            fallback=live.fallback if live.incomplete else None,
            scope=live.scope_name,
            busy=self.network.busy
            or self.ranking.pending
            or ("counting…" if live.counting else ""),
            new=latest.new if latest is not None else None,
            muted=result.muted if result is not None else 0,
            news=self.news,
            later=later,
        )

    @on(PaperList.Highlighted)
    def _highlighted(self) -> None:
        self._refresh_pane()

    # -- another process ---------------------------------------------------------------------

    def poll(self) -> None:
        """Marks, mute rules and papers another reader or the CLI changed since the last look
        (also every POLL_SECONDS)."""
        if self.marks.poll():
            if self.live.set_rules(self.state.mute_rules()):
                self._refilter()
            self._marks_shown()
            self.count_news()  # follows may have changed too
        if not self.network.busy and self.library.stale():
            self._library_changed()

    def _report_warnings(self) -> None:
        """What the library found wrong since (a damaged file moved aside), once each."""
        for warning in self.library.warnings[self._warned :]:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        self._warned = len(self.library.warnings)

    def _library_changed(self, keep: int | None = None) -> None:
        self._report_warnings()
        self._read_library()
        self.count_news()
        self.marks.library_changed()
        self.paper_list.forget_papers()
        self._refilter(keep)

    # -- the filter ----------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _typed(self, event: Input.Changed) -> None:
        if self._anchor is None:
            self._anchor = self.paper_list.highlighted_rowid
        asked = self.live.query
        self.live.type(event.value)
        self.query_one("#filter-bar", FilterBar).show_error(self.live.error)
        if self.ranking.like is not None:
            self._leave_like(restore=False)  # filtering is about the whole list again
        result = self.live.result
        if self.live.query.root != asked.root or result is None:
            self._refilter()
        elif result.complete and not result.rowids and self.live.ask_word_start():
            self._refilter()  # `memor ` back to `memor`: the same words, a word being typed
        else:
            self._refresh_status()  # the same question: only the status line changes

    @on(FilterInput.Done)
    def _filter_done(self, event: FilterInput.Done) -> None:
        if event.clear:
            self.set_filter("")
        self.paper_list.focus()
        if not event.clear:
            self._drop_anchor()

    def set_filter(self, text: str) -> None:
        """Filter by `text` (the command palette, the mute rules screen); "" clears it."""
        if self.filter_input.value != text:
            self.filter_input.value = text  # posts Changed, which asks again
        self.paper_list.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_filter = isinstance(self.focused, Input)
        if action in ("leave_filter", "save_search"):
            return in_filter or action == "save_search"
        # Keys typed in the filter are text: neither `/` nor the list's keys (nor the footer).
        return not in_filter

    def action_focus_filter(self) -> None:
        # set_focus now, not focus() (deferred): keys typed right after `/` must land in the filter.
        self.set_focus(self.filter_input)

    def action_leave_filter(self) -> None:
        # Enter: as for `/`, at once (a priority key), so the key typed next reaches the list.
        self.set_focus(self.paper_list)
        self._drop_anchor()

    def _drop_anchor(self) -> None:
        """The filter left: once its last result is shown, the cursor is the reader's again."""
        if not any(w.group == "filter" and w.is_running for w in self.workers):
            self._anchor = None

    async def from_palette(self, action: str) -> None:
        """A palette entry acts on the list, also when the filter had the focus."""
        self.set_focus(self.paper_list)
        await self.run_action(action)

    def action_back_out(self) -> None:
        """Escape: back from full-screen reading, else stop a fetch or a linking under way, else
        back from "more like this", else clear the filter."""
        if self.leave_reading():
            return
        if self.network.stop():
            self._refresh_status()
            return
        if self.ranking.like is not None or self.ranking.pending.startswith("finding"):
            self._leave_like()
        elif self.filter_input.value:
            self.set_filter("")
        self.paper_list.focus()

    def _after_change(self, outcome: Outcome, keep: int | None) -> bool:
        if outcome.follows:
            self.follows_changed()
        if outcome.removed or outcome.restored:
            self._library_changed(keep or self._keep)
            return True
        if outcome.rules:
            self.live.set_rules(self.state.mute_rules())
            self._refilter()
            self._update_mutes_screen()
            return True
        return False

    # -- the order, similar papers -------------------------------------------------------------

    def action_cycle_sort(self) -> None:
        if self.ranking.like is not None:
            self._leave_like(restore=False)
        self.live.cycle()
        if self.live.for_you_shown:
            self.ranking.for_you = None  # the order before stays until ranked
            self._rank_for_you()
            self._refresh_status()
            return
        self.ranking.for_you = None
        self.workers.cancel_group(self, "ranking")
        self.ranking.pending = ""
        self.notify(f"Sorted by {self.live.order.label}", timeout=2)
        self._refilter()

    def _rank_for_you(self) -> None:
        self.ranking.pending = "ranking for you…"
        self._refresh_status()
        self._compute_for_you(self.live.scope, dict(self.marks.states), self.live.query.tags)

    @work(thread=True, exclusive=True, group="ranking")
    def _compute_for_you(
        self, scope: Sequence[int] | None, states: dict[str, PaperState], tags: list[str]
    ) -> None:
        try:
            self.post_message(Ranked(self.ranking.compute_for_you(scope, states, tags)))
        except (StoreError, OSError, ValueError, MemoryError) as error:
            self.post_message(Ranked(None, str(error)))

    @on(Ranked)
    def _ranked(self, event: Ranked) -> None:
        if event.stale or not self.live.for_you_shown:
            return
        self.ranking.pending = ""
        result = event.for_you
        if result is None:
            self._refresh_status()
            self.notify(f"Could not rank: {event.error}", severity="error", markup=False)
            return
        self.ranking.for_you = result
        self.notify(result.message(self.live.before_label), timeout=4, markup=False)
        if result.ranks is None:
            self._refresh_status()  # the order before stays
        else:
            self._refilter()  # the cursor stays on its paper

    def action_more_like_this(self) -> None:
        if (current := self._current()) is None:
            return
        rowid, paper = current
        like, plist = self.ranking.like, self.paper_list
        back_to = like.back_to if like is not None else rowid
        back_scroll = like.back_scroll if like is not None else plist.scroll_y
        self.ranking.pending = f"finding papers like {like_title(paper.title)}…"
        self._refresh_status()
        leave_out = None
        live = self.live
        if live.query.hides_muted and live.mutes:
            # Muted papers stay out, as they do from the list, unless the filter asks for them.
            states = dict(self.marks.states)
            leave_out = live.mutes.leave_out(self.library.get, states, live.new_batch)
        self._find_like(paper, back_to, back_scroll, leave_out)

    @work(thread=True, exclusive=True, group="ranking")
    def _find_like(
        self,
        paper: Paper,
        back_to: int | None,
        back_scroll: float,
        leave_out: Callable[[str], bool] | None,
    ) -> None:
        scope = self.live.scope
        try:
            candidates = None if scope is None else list(self.library.ids_of_rows(scope).values())
            like = self.ranking.compute_like(paper, candidates, back_to, back_scroll, leave_out)
        except (StoreError, OSError, ValueError, MemoryError) as error:
            self.post_message(SimilarFound(None, str(error)))
            return
        self.post_message(SimilarFound(like))

    @on(SimilarFound)
    def _similar_found(self, event: SimilarFound) -> None:
        if event.stale:
            return
        self.ranking.pending = ""
        like = event.like
        if like is None or not like.rowids:
            self._refresh_status()
            if like is None:
                self.notify(f"Could not rank: {event.error}", severity="error", markup=False)
            else:
                self.notify("No paper shares a word that matters with this one.", timeout=3)
            return
        self.ranking.like = like
        self.paper_list.set_rows(like.rowids, None, TOP)
        self.paper_list.focus()
        self._refresh()

    def _leave_like(self, restore: bool = True) -> None:
        """Back from "more like this" to the list as it was: same rows, paper and scroll."""
        like = self.ranking.like
        self.ranking.like = None
        self.ranking.pending = ""
        self.workers.cancel_group(self, "ranking")
        plist = self.paper_list
        if like is not None:
            plist.set_rows(self.live.rowids, self.live.query, like.back_to if restore else None)
            if restore:
                plist.scroll_to(y=like.back_scroll, animate=False, immediate=True)
                plist.move_to(like.back_to or TOP)
        self._refresh()

    # -- the network ---------------------------------------------------------------------------

    def _start_network(self, what: str) -> bool:
        if not self.network.start(what):
            self.notify(f"Busy: {self.network.busy}")
            return False
        self._refresh_status()
        return True

    @on(NetworkStarted)
    def _network_started(self, event: NetworkStarted) -> None:
        if not event.stale:
            self.network.started(event.client)

    def action_fetch(self) -> None:
        if self._start_network("fetching…"):
            self.news_before_fetch = self.news
            self._fetch()

    @work(thread=True, exclusive=True, group="network")
    def _fetch(self) -> None:
        network.fetch_sources(self.library, self.post_message)

    def action_enrich(self) -> None:
        if self._start_network("linking to arXiv…"):
            self._enrich(list(self.paper_list.rowids), quiet=False)

    @work(thread=True, exclusive=True, group="network")
    def _enrich(self, rowids: list[int], quiet: bool) -> None:
        """`quiet`: unasked, after opening files: say nothing when there is nothing to do."""
        network.enrich_rows(self.library, self.state, rowids, self.post_message, quiet=quiet)

    @on(NetworkProgress)
    def _network_progress(self, event: NetworkProgress) -> None:
        if not event.stale and self.network.progress(event.text):
            self._refresh_status()

    @on(NetworkDone)
    def _network_done(self, event: NetworkDone) -> None:
        if event.stale:
            return
        self.network.done()
        if event.lines:
            text = "\n".join(event.lines)
            self.notify(text, title=event.title, severity=event.severity, timeout=10, markup=False)
        if event.changed:
            if self.live.scope is not None:
                self.live.add_to_scope(list(self.library.rowids_of(event.ids).values()))
            self.marks.load()  # a linked paper may have been folded into another, marks too
            self._library_changed()
        else:
            self._refresh_status()
        if event.then_watch:
            self.watch_after_fetch()
