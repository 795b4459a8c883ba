"""The papertray reader: a filterable paper list beside the abstract pane, with keyboard triage.

The app is thin: it composes the widgets, binds keys (from `keys.py`) and routes widget messages
and actions to the engines it holds, each in its own module: `ShownPapers` (the papers and the
preview → library swap), `LiveFilter` (the query and its matches), `Marks` (the user's marks,
kept in step with the file), `Triage` (writes with undo). The store's `Library` and `State` are
given to it (tests pass temporary ones).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from functools import partial

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, TextArea

from papertray.store import (
    SORT_ORDERS,
    Library,
    MuteError,
    MuteRule,
    Paper,
    State,
    StoreError,
    give_back_memory,
    settle_heap,
)
from papertray.tui.commands import PapertrayCommands
from papertray.tui.filtering import FilterRun, LiveFilter
from papertray.tui.keys import app_bindings
from papertray.tui.link_actions import LinkWorkers, NoLink, pick_link
from papertray.tui.loading import BACKGROUND_INDEX_LIMIT, Loader
from papertray.tui.marks import POLL_SECONDS, Marks
from papertray.tui.muting import Muting
from papertray.tui.navigation import unread_from
from papertray.tui.network import NetworkWorkers
from papertray.tui.paper_actions import NoPaperPage, citation, paper_page
from papertray.tui.papers import SORTS, ShownPapers
from papertray.tui.ranking import Ranking, RankingActions
from papertray.tui.removal import Removals
from papertray.tui.safe_text import shown, shown_state
from papertray.tui.screens.confirm import ConfirmScreen
from papertray.tui.screens.help import HelpScreen
from papertray.tui.screens.mute import MuteScreen
from papertray.tui.screens.mutes import MutesScreen
from papertray.tui.screens.note import NoteScreen
from papertray.tui.screens.tags import TagsScreen
from papertray.tui.signals import install_exit_signals
from papertray.tui.triage import Triage
from papertray.tui.widgets.abstract_pane import AbstractPane
from papertray.tui.widgets.empty_state import EmptyState
from papertray.tui.widgets.filter_bar import FilterBar, FilterInput
from papertray.tui.widgets.paper_list import PaperList
from papertray.tui.widgets.status_bar import StatusBar

# After showing the first page of a long search, let the UI thread paint it without competing
# for the GIL.
PAINT_PAUSE = 0.03
NARROW_WIDTH = 100
# Actions that act on the main screen's list: hidden from the footer while a modal is open.
_MAIN_ONLY = {
    "focus_filter",
    "next_unread",
    "toggle_read",
    "toggle_star",
    "edit_tags",
    "undo",
    "remove",
    "more_like_this",
}
FOR_YOU = SORTS.index("foryou")


class PapertrayApp(App[int]):
    """`PapertrayApp(library, state)`: the whole library; `paper_ids=[...]`: just those papers."""

    CSS_PATH = "app.tcss"
    TITLE = "papertray"
    COMMANDS = App.COMMANDS | {PapertrayCommands}
    BINDINGS = app_bindings()

    def __init__(
        self,
        library: Library,
        state: State,
        *,
        paper_ids: Sequence[str] | None = None,
        warnings: Iterable[str] = (),
        preview: Sequence[Paper] | None = None,
        scope: str = "",
        link_new: bool = False,
    ) -> None:
        """`scope` names what `paper_ids` are (the digest files given), for the status line.
        `link_new`: once shown, link those papers to arXiv in the background (`enrich`): the
        CLI asks for it after importing files whose papers have no arXiv id (a page copy)."""
        super().__init__()
        self.library = library
        self.store_state = state
        self._warnings = list(warnings)
        self._scope = scope
        # With a preview (ids, titles, repos) the first frame comes before the whole library,
        # which loads in a worker; until then the pane says so and filtering waits.
        self._save_preview = False
        if paper_ids is None and preview:
            self.shown = ShownPapers(preview, loading=True)
        elif paper_ids is None:
            self.shown = ShownPapers(library.papers())
            self._save_preview = bool(self.shown)
        else:
            found = (library.get(pid) for pid in paper_ids)
            self.shown = ShownPapers([paper for paper in found if paper is not None])
        self.filter = LiveFilter(self.shown.papers)
        self.marks = Marks(state)
        self.triage = Triage(self.marks)
        self.loader = Loader(self, library)
        self.links = LinkWorkers(self)
        self.removals = Removals(self)
        self.muting = Muting(state, library, loading=self.shown.loading)
        self.filter.set_context(self.muting.context())
        self.network = NetworkWorkers(self)
        # Opened on files: those papers (and what a fetch from here adds), not the library.
        self._paper_ids = list(paper_ids) if paper_ids is not None else None
        self._link_new = link_new
        # "For you" and "more like this": nothing is loaded until one is asked for.
        self.ranking = Ranking(library)
        self.ranked = RankingActions(self)
        self._sort = 0
        self._sort_before = 0  # the order "for you" keeps while it has nothing to rank by

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        with Horizontal(id="main"):
            with Vertical(id="list-column"):
                yield PaperList(id="papers")
                yield EmptyState(id="empty")
            yield AbstractPane(id="pane")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def paper_list(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    @property
    def pane(self) -> AbstractPane:
        return self.query_one("#pane", AbstractPane)

    @property
    def loading(self) -> bool:
        """Whether the list still shows the preview while the library loads."""
        return self.shown.loading

    def paper(self, paper_id: str | None) -> Paper | None:
        return self.shown.get(paper_id)

    def on_mount(self) -> None:
        self.screen.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self._show_rows(keep_id=None)
        if self.muting.active and not self.loading:
            self._refilter()
        self.paper_list.focus()
        for warning in self._warnings:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        self.set_interval(POLL_SECONDS, self.poll_other_instances)
        install_exit_signals(self)

    def on_resize(self, event: events.Resize) -> None:
        # event.size: self.size is still the old one while this runs.
        self.screen_stack[0].set_class(event.size.width < NARROW_WIDTH, "-narrow")

    # -- the rows shown ------------------------------------------------------------------------

    def _show_rows(
        self, keep_id: str | None, rows: list[int] | None = None, terms: list[str] | None = None
    ) -> None:
        """Show the current result (or `rows` matching `terms`, a result still being counted),
        or the open "more like this" list."""
        like = self.ranking.like
        if like is not None:
            index_of = self.shown.index_of
            rows = [index_of[m.id] for m in like.matches if m.id in index_of]
            terms = []
        if rows is None:
            rows = self._sorted(self.filter.matches)
        terms = self.filter.query.terms if terms is None else terms
        self.paper_list.set_rows(
            self.shown.papers,
            rows,
            self.marks.states,
            terms,
            keep_id=keep_id,
            index_of=self.shown.index_of,
        )
        self._update_empty()
        self._update_pane(terms=terms)
        self._update_status()

    def _sorted(self, matches: list[int]) -> list[int]:
        name = SORTS[self._sort]
        ranks = None
        if self._sort == FOR_YOU:
            for_you = self.ranking.for_you
            if for_you is None or for_you.rank is None or len(for_you.rank) != len(self.shown):
                name = SORTS[self._sort_before]  # until ranked: as it was
            else:
                ranks = for_you.rank
        return self.shown.sorted(matches, name, self.marks.states, ranks)

    def show_ranked(self, keep_id: str | None) -> None:
        """The rows again after a ranking came in or "more like this" opened or closed."""
        self._show_rows(keep_id=keep_id)

    @property
    def highlighted_id(self) -> str | None:
        return self.paper_list.highlighted_id

    @property
    def for_you_shown(self) -> bool:
        return self._sort == FOR_YOU

    @property
    def sort_before_label(self) -> str:
        return SORT_ORDERS[SORTS[self._sort_before]].label

    def refresh_status(self) -> None:
        self._update_status()

    def _update_empty(self) -> None:
        empty = self.paper_list.row_count == 0
        self.query_one("#list-column").set_class(empty, "-empty")
        if empty:
            self.query_one("#empty", EmptyState).show(
                library_empty=not len(self.shown), query=self.filter.fallback
            )

    def _update_pane(self, keep_scroll: bool = False, terms: list[str] | None = None) -> None:
        paper_id = self.paper_list.highlighted_id
        paper, state = self.paper(paper_id), self.marks.get(paper_id)
        rule = None if self.loading else self.muting.rule_for(paper, state)
        shares, forms = self.ranking.shares(paper, self.for_you_shown and not state.read)
        like = self.ranking.like is not None
        self.pane.show(
            paper,
            state,
            [] if like else self.filter.query.terms if terms is None else terms,
            keep_scroll=keep_scroll,
            loading=self.loading,
            shares=shares,
            share_forms=forms,
            muted=rule.label if rule is not None else None,
        )

    def _update_status(self) -> None:
        rows = self.paper_list.rows
        # The same papers as `rows`, in digest order (other sorts only reorder the matches).
        ascending: Sequence[int]
        if self.ranking.like is not None:
            ascending = sorted(rows)
        else:
            ascending = rows if SORTS[self._sort] == "digest" else self.filter.matches
        read, starred = self.marks.count_among(self.shown.index_of, ascending)
        self.query_one("#status", StatusBar).show(
            shown=len(rows),
            total=len(self.shown),
            unread=len(rows) - read,
            starred=starred,
            sort=self._sort_label(),
            query=self.filter.text,
            fallback=self.filter.fallback if self.filter.error else None,
            scope=self._scope,
            busy=self._busy(),
            new=self.muting.latest.new if self.muting.latest is not None else None,
            muted=self.muting.muted_count,
        )

    def _busy(self) -> str:
        if self.loading:
            return "loading the library…"
        if self.network.busy:
            return self.network.busy
        if self.ranking.pending:
            return self.ranking.pending
        return "filtering…" if self.filter.running else ""

    def _sort_label(self) -> str:
        like = self.ranking.like
        if like is not None:
            return f"like “{shown(like.title)[:50]}” (escape: back)"
        label = SORT_ORDERS[SORTS[self._sort]].label
        for_you = self.ranking.for_you
        if self._sort == FOR_YOU and for_you is not None and for_you.rank is None:
            return f"{label}: no {for_you.what} yet, {self.sort_before_label}"
        return label

    def status_changed(self) -> None:
        self._update_status()

    @on(PaperList.Highlighted)
    def _highlighted(self) -> None:
        self._update_pane()

    @on(PaperList.Selected)
    def _selected(self, event: PaperList.Selected) -> None:
        self._open(event.paper_id)

    def _open(self, paper_id: str) -> None:
        if not self.marks.get(paper_id).read and (paper := self.paper(paper_id)):
            self._saved(self.triage.set_read(paper_id, shown(paper.title), True))
        if self.screen.has_class("-narrow"):
            self.pane.focus()

    # -- filtering -----------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_query(event.value)

    @on(FilterInput.Done)
    def _filter_done(self, event: FilterInput.Done) -> None:
        if event.clear:
            self._clear_filter()
        self.paper_list.focus()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.paper_list.focus()

    def _clear_filter(self) -> None:
        field = self.query_one("#filter", FilterInput)
        if field.value:
            field.value = ""  # posts Changed, which re-applies the empty query

    def apply_query(self, text: str) -> None:
        if self.loading:
            self.filter.text = text
            self._update_status()  # applied as soon as the abstracts are in
            return
        if self.ranking.like is not None:
            self.ranked.leave_like(keep=False)  # filtering is about the whole list again
        run = self.filter.start(text, self.marks.states)
        self.query_one("#filter-bar", FilterBar).show_error(self.filter.error)
        if run is None:
            self._show_rows(keep_id=self.paper_list.highlighted_id)
        elif not self.filter.in_worker:
            self._finish_filter(run.generation, run, self.filter.search(run))
        else:
            self._update_status()
            self._filter_worker(run)

    @work(thread=True, exclusive=True, group="filter")
    def _filter_worker(self, run: FilterRun) -> None:
        """Search in chunks: the first screenful of matches is shown at once while the rest is
        counted (in digest order only: other sorts need every match first)."""

        def show_first_page(matches: list[int]) -> None:
            self.call_from_thread(self._show_partial, run, matches)
            time.sleep(PAINT_PAUSE)

        first_page = max(2 * self.size.height, 60)
        digest = SORTS[self._sort] == "digest"
        matches = self.filter.search_chunks(run, first_page, show_first_page if digest else None)
        if matches is not None:
            self.call_from_thread(self._finish_filter, run.generation, run, matches)

    def _show_partial(self, run: FilterRun, matches: list[int]) -> None:
        """The first rows of a result still being counted: drawn now, completed shortly."""
        if self.filter.is_current(run.generation):
            self._show_rows(self.paper_list.highlighted_id, rows=matches, terms=run.query.terms)

    def _finish_filter(self, generation: int, run: FilterRun, matches: list[int]) -> None:
        tags_before = self.filter.query.tags
        if self.filter.finish(generation, run.query, matches):
            self._show_rows(keep_id=self.paper_list.highlighted_id)
            if run.query.tags != tags_before and self.for_you_shown:
                self.ranked.rank_for_you()  # a `tag:` filter ranks by that tag's papers

    # -- loading -------------------------------------------------------------------------------

    def on_ready(self) -> None:
        # The first frame is on screen: only now start the heavy work, which holds the GIL.
        # (A moment later: the output thread needs the GIL to write that frame out.)
        load = partial(self.loader.load, self._library_loaded)
        self.set_timer(0.1, load if self.loading else self._after_load)

    def _after_load(self) -> None:
        settle_heap()
        if len(self.shown) > BACKGROUND_INDEX_LIMIT:
            self.loader.build_index(self.filter.build_index)
        if self._save_preview:
            self._save_preview = False
            self.loader.write_preview()
        if self._link_new:
            self._link_new = False
            self.network.enrich(self._shown_papers(), quiet=True)

    def _library_loaded(self, papers: list[Paper]) -> None:
        """The whole library replaces the preview: everything derived from the papers (the
        search index, the title order, the id look-up) is rebuilt with them."""
        keep = self.paper_list.highlighted_id
        self.shown.swap(papers)
        self.filter.reset(papers)
        self.muting.loaded()
        self.filter.set_context(self.muting.context())
        self._show_rows(keep_id=keep)
        if self.filter.text.strip() or self.muting.active:
            self._refilter()
        give_back_memory()  # the parse's garbage, before the search index needs its own
        self._after_load()

    # -- triage --------------------------------------------------------------------------------

    def _current(self) -> Paper | None:
        return self.paper(self.paper_list.highlighted_id)

    def _saved(self, problem: str | None) -> bool:
        """After a triage operation: redraw what it touched, or say why it was not saved."""
        if problem:
            self.notify(problem, severity="error", timeout=8, markup=False)
            return False
        self._marks_changed()
        return True

    def _marks_changed(self) -> None:
        self.paper_list.update_states(self.marks.states)
        self._update_pane(keep_scroll=True)
        self._update_status()

    def action_toggle_read(self) -> None:
        if paper := self._current():
            self._saved(self.triage.set_read(paper.id, shown(paper.title)))

    def action_toggle_star(self) -> None:
        if paper := self._current():
            self._saved(self.triage.toggle_star(paper.id, shown(paper.title)))

    def action_edit_tags(self) -> None:
        if (paper := self._current()) is None:
            return
        title, state = shown(paper.title), shown_state(self.marks.get(paper.id))

        def done(tags: list[str] | None) -> None:
            if tags is not None and tuple(tags) != state.tags:
                self._saved(self.triage.set_tags(paper.id, title, tags))

        known = [(shown(tag), n) for tag, n in self.known_tags()]
        self.push_screen(TagsScreen(title, state.tags, known), done)

    def action_edit_note(self) -> None:
        if (paper := self._current()) is None:
            return
        title, state = shown(paper.title), shown_state(self.marks.get(paper.id))

        def done(note: str | None) -> None:
            if note is not None and note.strip() != state.note:
                self._saved(self.triage.set_note(paper.id, title, note))

        self.push_screen(NoteScreen(title, state.note), done)

    def action_mark_all_read(self) -> None:
        ids = [pid for pid in self.paper_list.shown_ids if not self.marks.get(pid).read]
        if not ids:
            self.notify("Every paper shown is already read.")
            return

        def done(yes: bool | None) -> None:
            if yes and self._saved(self.triage.mark_all_read(ids)):
                self.notify(f"Marked {len(ids):,} papers read (u undoes it).")

        question = f"Mark {len(ids):,} papers shown as read?"
        self.push_screen(ConfirmScreen(question, "Mark read"), done)

    def action_remove(self, every_shown: bool = False) -> None:
        self.removals.ask(every_shown)

    def replace_papers(self, papers: Sequence[Paper], keep_id: str | None) -> None:
        """Other papers than before (a removal or its undo): the filter runs again over them."""
        self.shown.replace(papers)
        self.filter.reset(papers)
        self._show_rows(keep_id=keep_id)
        if self.filter.text.strip() or self.muting.active:
            self._refilter()

    def action_undo(self) -> None:
        result = self.triage.undo()
        if result.removal is not None:
            self.notify(self.removals.restore(result.removal), timeout=3, markup=False)
            return
        if result.mute is not None:
            try:
                self.muting.revert(result.mute)
            except (MuteError, StoreError) as error:
                self.triage.push_removal(result.mute)
                self.notify(f"Undo not saved: {error}", severity="error", markup=False)
                return
            self._rules_changed()
            self.notify(f"Undone: {result.mute.label}", timeout=3, markup=False)
            return
        if result.error:
            self.notify(result.message, severity="error", markup=False)
            return
        if result.paper_ids:
            self._marks_changed()
            if len(result.paper_ids) == 1:
                self.paper_list.move_to(result.paper_ids[0])
        self.notify(result.message, timeout=3, markup=False)

    def action_cycle_sort(self) -> None:
        if self.ranking.like is not None:
            self.ranked.leave_like(keep=False)
        previous = self._sort
        self._sort = (self._sort + 1) % len(SORTS)
        if self._sort == FOR_YOU:
            self._sort_before = previous
            self.ranking.for_you = None
            self.ranked.rank_for_you()
            return
        self.ranking.cancel()
        self._show_rows(keep_id=self.paper_list.highlighted_id)
        self.notify(f"Sorted by {SORT_ORDERS[SORTS[self._sort]].label}", timeout=2)

    # -- mute rules ----------------------------------------------------------------------------

    def _rules_changed(self) -> None:
        """The rules changed (here, by undo, or in another instance): filter again afresh."""
        self.muting.read()
        self._refilter()

    def _refilter(self) -> None:
        self.filter.set_context(self.muting.context())
        self._count_muted()
        self.apply_query(self.filter.text)

    def _count_muted(self) -> None:
        if not self.muting.active or self.loading:
            self.muting.muted_count = 0
        elif not self.filter.in_worker:
            self.muting.muted_count = self.filter.muted_count(dict(self.marks.states))
        else:
            self._count_muted_worker(self.filter.context)

    @work(thread=True, exclusive=True, group="mutes")
    def _count_muted_worker(self, context: object) -> None:
        count = self.filter.muted_count(dict(self.marks.states))
        self.call_from_thread(self._muted_counted, context, count)

    def _muted_counted(self, context: object, count: int) -> None:
        if context == self.filter.context:  # else the rules changed: a newer count is coming
            self.muting.muted_count = count
            self._update_status()

    def action_mute_filter(self) -> None:
        text = self.filter.text.strip()
        if not text or self.filter.error:
            self.notify("Filter first (/): then mute the papers like it.", severity="warning")
            return
        if self.loading:
            self.notify("The library is still loading: try again in a moment.")
            return
        count = self.paper_list.row_count

        def done(why: str | None) -> None:
            if why is None:
                return
            try:
                step = self.muting.add(text, why)
            except (MuteError, StoreError) as error:
                self.notify(f"Not muted: {error}", severity="error", timeout=8, markup=False)
                return
            self.triage.push_removal(step)
            self._clear_filter()
            self._refilter()
            label = step.added.label if step.added is not None else text
            papers = f"{count:,} paper{'' if count == 1 else 's'}"
            self.notify(f"Muted {papers} like {label} (u undoes it)", markup=False)

        self.push_screen(MuteScreen(text, count), done)

    def _rule_counts(self) -> list[tuple[MuteRule, int | None]]:
        broken = {r.number for r in self.muting.set.broken}
        counts: dict[int, int] = {}
        if not self.loading and self.muting.active:
            counts = self.filter.rule_counts(
                self.muting.set, dict(self.marks.states), self.muting.new_batch
            )
        return [
            (r, None if r.number in broken else counts.get(r.number, 0)) for r in self.muting.rules
        ]

    def action_show_mutes(self) -> None:
        def done(query: str | None) -> None:
            if query is not None:
                self.set_filter(query)

        self.muting.read()
        self.push_screen(MutesScreen(self._rule_counts()), done)

    @on(MutesScreen.Unmute)
    def _unmute(self, event: MutesScreen.Unmute) -> None:
        try:
            step = self.muting.remove(event.rule.number)
        except (MuteError, StoreError) as error:
            self.notify(f"Not unmuted: {error}", severity="error", timeout=8, markup=False)
            return
        self.triage.push_removal(step)
        self._refilter()
        if isinstance(self.screen, MutesScreen):
            self.screen.show_rules(self._rule_counts())
        self.notify(f"Unmuted {event.rule.label} (u undoes it)", timeout=4, markup=False)

    # -- moving --------------------------------------------------------------------------------

    def _unread_from(self, step: int) -> str | None:
        return unread_from(
            self.paper_list.shown_ids, self.paper_list.cursor, step, self.marks.states
        )

    def action_next_unread(self) -> None:
        if (target := self._unread_from(+1)) is not None:
            self.paper_list.move_to(target)
        else:
            self.notify("No unread paper below this one.")

    def action_previous_unread(self) -> None:
        if (target := self._unread_from(-1)) is not None:
            self.paper_list.move_to(target)
        else:
            self.notify("No unread paper above this one.")

    def action_page_abstract(self) -> None:
        pane = self.pane
        if not pane.at_end:
            pane.page()
            return
        if (target := self._unread_from(+1)) is not None:
            self.paper_list.move_to(target)
            self._open(target)
        else:
            self.notify("You have read everything shown.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        on_main = self.screen is self.screen_stack[0]
        if action == "focus_filter":
            # `/` is a priority key only on the main screen outside a text field: in the filter,
            # the tags or note editor and the palette it is text.
            return on_main and not isinstance(self.focused, (Input, TextArea))
        if action in _MAIN_ONLY and not on_main:
            return False  # a modal's footer shows the modal's keys, not the list's
        if action == "quit_reader" and not on_main:
            return not isinstance(self.focused, (Input, TextArea))  # there q is text
        return True

    async def action_quit_reader(self) -> None:
        """q or ctrl+c: every mark is already on disk."""
        await self.action_quit()

    def action_focus_filter(self) -> None:
        # set_focus now, not focus() (deferred): keys typed right after `/` must land in the filter.
        self.screen.set_focus(self.query_one("#filter", FilterInput))

    def action_more_like_this(self) -> None:
        if (paper := self._current()) is not None:
            self.ranked.more_like_this(paper)

    def action_back_out(self) -> None:
        if self.ranking.like is not None or self.ranking.pending.startswith("finding"):
            self.ranked.leave_like()
            self.paper_list.focus()
            return
        if self.query_one("#filter", FilterInput).value:
            self._clear_filter()
        self.paper_list.focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # -- links ---------------------------------------------------------------------------------

    def _link(self, number: int) -> str | None:
        paper = self._current()
        if paper is None:
            return None
        try:
            return pick_link(paper, number)
        except NoLink as why:
            self.notify(str(why), severity="warning")
            return None

    def action_copy_link(self, number: int) -> None:
        if url := self._link(number):
            self.links.copy(url)

    def action_open_link(self) -> None:
        if url := self._link(0):
            self.links.open(url)

    # -- the paper itself, fetching, linking to arXiv ---------------------------------------------

    def _current_whole(self) -> Paper | None:
        """The highlighted paper, once the whole library is in (a preview paper has no id)."""
        if self.loading:
            self.notify("The library is still loading; try again in a moment.")
            return None
        return self._current()

    def action_open_paper(self) -> None:
        paper = self._current_whole()
        if paper is None:
            return
        try:
            self.links.open(paper_page(paper))
        except NoPaperPage as why:
            self.notify(str(why), severity="warning", markup=False)

    def action_copy_citation(self, bibtex: bool) -> None:
        paper = self._current_whole()
        if paper is None:
            return
        try:
            text = citation(paper, bibtex=bibtex)
        except NoPaperPage as why:
            self.notify(str(why), severity="warning", markup=False)
            return
        self.links.copy(text, what="BibTeX entry" if bibtex else "arXiv id")

    def action_fetch(self) -> None:
        self.network.fetch()

    def action_enrich(self) -> None:
        if self.loading:
            self.notify("The library is still loading; try again in a moment.")
            return
        self.network.enrich(self._shown_papers())

    def _shown_papers(self) -> list[Paper]:
        return [p for p in map(self.paper, self.paper_list.shown_ids) if p is not None]

    def papers_changed(self, papers: list[Paper], added: Sequence[str] = ()) -> None:
        """The library changed under the reader (a fetch here, an import elsewhere): show its
        papers now, the cursor on the paper it was on, the filter applied again."""
        if self.loading:
            return  # the load under way reads the new file anyway
        if self._paper_ids is not None:
            self._paper_ids = list(dict.fromkeys([*self._paper_ids, *added]))
            by_id = {p.id: p for p in papers}
            papers = [by_id[pid] for pid in self._paper_ids if pid in by_id]
        self.marks.poll()
        self.replace_papers(papers, self.paper_list.highlighted_id)

    # -- other instances -------------------------------------------------------------------------

    def poll_other_instances(self) -> None:
        """Show marks another reader or the CLI wrote since (also every POLL_SECONDS), and
        papers another process imported."""
        if self.marks.poll():
            if self.muting.read():
                self._refilter()
            self._marks_changed()
        if not self.loading:
            self.network.reload_if_stale()

    # -- used by the command palette -------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        field = self.query_one("#filter", FilterInput)
        field.value = text
        self.paper_list.focus()

    def known_tags(self) -> list[tuple[str, int]]:
        return self.store_state.all_tags()
