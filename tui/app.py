"""The papertray reader: a filterable paper list beside the abstract pane, with keyboard triage.

The app is thin: it composes the widgets, binds keys (from `keys.py`) and routes widget messages
and actions to the engines it holds, each in its own module: `ShownPapers` (the papers and the
preview → library swap), `LiveFilter` and `FilterRuns` (the query and its matches), `SortCycle`
(the order), `StatusLine` (the bar under the list), `Marks` (the user's marks, kept in step with
the file), `Triage` and `TriageActions` (writes with undo), `Muting` and `MuteActions` (mute
rules), `Ranking` and `RankingActions` ("for you", "more like this"), `Removals`, `PaperLinks`
and `LinkWorkers` (links, the paper's page, citations), `NetworkWorkers` (fetch, linking to
arXiv, papers another process imported) and `Loader` (the work after the first frame). The
store's `Library` and `State` are given to it (tests pass temporary ones).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input

from papertray.store import give_back_memory, settle_heap
from papertray.tui.commands import PapertrayCommands
from papertray.tui.filter_runs import FilterRuns
from papertray.tui.filtering import LiveFilter
from papertray.tui.keys import app_bindings
from papertray.tui.link_actions import LinkWorkers
from papertray.tui.loading import BACKGROUND_INDEX_LIMIT, LOAD_AT_ONCE_LIMIT, Loader
from papertray.tui.marks import POLL_SECONDS, Marks
from papertray.tui.mute_actions import MuteActions
from papertray.tui.muting import Muting
from papertray.tui.navigation import unread_from
from papertray.tui.network import NetworkWorkers
from papertray.tui.paper_links import PaperLinks
from papertray.tui.papers import ShownPapers
from papertray.tui.ranking import Ranking, RankingActions
from papertray.tui.removal import Removals
from papertray.tui.signals import install_exit_signals
from papertray.tui.sort_cycle import SortCycle
from papertray.tui.status_line import StatusLine
from papertray.tui.triage import Triage
from papertray.tui.triage_actions import TriageActions
from papertray.tui.widgets.abstract_pane import AbstractPane
from papertray.tui.widgets.empty_state import EmptyState
from papertray.tui.widgets.filter_bar import FilterBar, FilterInput
from papertray.tui.widgets.paper_list import PaperList
from papertray.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from papertray.store import Library, Paper, State
    from papertray.tui.screens.mutes import MutesScreen

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
        self.scope = scope
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
        self.filter_runs = FilterRuns(self)
        self.marks = Marks(state)
        self.triage = Triage(self.marks)
        self.triage_actions = TriageActions(self)
        self.loader = Loader(self, library)
        self.links = LinkWorkers(self)
        self.paper_links = PaperLinks(self)
        self.removals = Removals(self)
        self.muting = Muting(state, library, loading=self.shown.loading)
        self.filter.set_context(self.muting.context())
        if self.muting.active:
            self.filter.hold()  # no row until the rules are applied: none muted, ever
        self.mutes = MuteActions(self)
        self.network = NetworkWorkers(self, paper_ids, link_new=link_new)
        # "For you" and "more like this": nothing is loaded until one is asked for.
        self.ranking = Ranking(library)
        self.ranked = RankingActions(self)
        self.sorting = SortCycle(self)
        self.status_line = StatusLine(self)

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

    @property
    def highlighted_id(self) -> str | None:
        return self.paper_list.highlighted_id

    def on_mount(self) -> None:
        self.screen.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        if self.loading and self.muting.active and len(self.shown) <= LOAD_AT_ONCE_LIMIT:
            self.loader.load_now(self._swap_library)  # the first frame's rows, rules applied
        self.show_rows(keep_id=None)
        if self.muting.active and not self.loading:
            self.mutes.refilter()
        self.paper_list.focus()
        for warning in self._warnings:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        self.set_interval(POLL_SECONDS, self.poll_other_instances)
        install_exit_signals(self)

    def on_resize(self, event: events.Resize) -> None:
        # event.size: self.size is still the old one while this runs.
        self.screen_stack[0].set_class(event.size.width < NARROW_WIDTH, "-narrow")

    # -- the rows shown ------------------------------------------------------------------------

    def show_rows(
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
            rows = self.sorting.sorted(self.filter.matches)
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
        self.refresh_status()

    def show_ranked(self, keep_id: str | None) -> None:
        """The rows again after a ranking came in or "more like this" opened or closed."""
        self.show_rows(keep_id=keep_id)

    def refresh_status(self) -> None:
        self.status_line.update()

    def marks_changed(self) -> None:
        """Marks were written (here or elsewhere): redraw the rows' marks, the pane, the status."""
        self.paper_list.update_states(self.marks.states)
        self._update_pane(keep_scroll=True)
        self.refresh_status()

    def replace_papers(self, papers: Sequence[Paper], keep_id: str | None) -> None:
        """Other papers than before (a removal or its undo, a fetch): the filter runs again."""
        self.shown.replace(papers)
        self.filter.reset(papers)
        self.show_rows(keep_id=keep_id)
        if self.filter.text.strip() or self.muting.active:
            self.mutes.refilter()

    def _update_empty(self) -> None:
        empty = self.paper_list.row_count == 0 and not self.filter.held
        self.query_one("#list-column").set_class(empty, "-empty")
        if empty:
            self.query_one("#empty", EmptyState).show(
                library_empty=not len(self.shown), query=self.filter.fallback
            )

    def _update_pane(self, keep_scroll: bool = False, terms: list[str] | None = None) -> None:
        paper = self.paper_list.highlighted_paper
        paper_id = paper.id if paper is not None else None
        state = self.marks.get(paper_id)
        rule = None if self.loading else self.muting.rule_for(paper, state)
        shares, forms = self.ranking.shares(paper, self.sorting.for_you_shown and not state.read)
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

    @on(PaperList.Highlighted)
    def _highlighted(self) -> None:
        self._update_pane()

    @on(PaperList.Selected)
    def _selected(self, event: PaperList.Selected) -> None:
        self.triage_actions.open(event.paper_id)

    # -- filtering -----------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_query(event.value)

    @on(FilterInput.Done)
    def _filter_done(self, event: FilterInput.Done) -> None:
        if event.clear:
            self.clear_filter()
        self.paper_list.focus()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.paper_list.focus()

    def clear_filter(self) -> None:
        field = self.query_one("#filter", FilterInput)
        if field.value:
            field.value = ""  # posts Changed, which re-applies the empty query

    def apply_query(self, text: str) -> None:
        self.filter_runs.apply(text)

    def set_filter(self, text: str) -> None:
        """Used by the command palette and the mute rules screen."""
        field = self.query_one("#filter", FilterInput)
        field.value = text
        self.paper_list.focus()

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
        self.network.after_load()

    def _library_loaded(self, papers: list[Paper]) -> None:
        self._swap_library(papers)
        self._after_load()

    def _swap_library(self, papers: list[Paper]) -> None:
        """The whole library replaces the preview: everything derived from the papers (the
        search index, the title order, the id look-up) is rebuilt with them."""
        keep = self.paper_list.highlighted_id
        self.shown.swap(papers)
        self.filter.reset(papers)
        self.muting.loaded()
        self.filter.set_context(self.muting.context())
        if self.muting.active:
            self.filter.hold()
        self.show_rows(keep_id=keep)
        if self.filter.text.strip() or self.muting.active:
            self.mutes.refilter()
        give_back_memory()  # the parse's garbage, before the search index needs its own

    def poll_other_instances(self) -> None:
        """Show marks another reader or the CLI wrote since (also every POLL_SECONDS), and
        papers another process imported."""
        if self.marks.poll():
            if self.muting.read():
                self.mutes.refilter()
            self.marks_changed()
        if not self.loading:
            self.network.reload_if_stale()

    # -- actions: triage -------------------------------------------------------------------------

    def action_toggle_read(self) -> None:
        self.triage_actions.toggle_read()

    def action_toggle_star(self) -> None:
        self.triage_actions.toggle_star()

    def action_edit_tags(self) -> None:
        self.triage_actions.edit_tags()

    def action_edit_note(self) -> None:
        self.triage_actions.edit_note()

    def action_mark_all_read(self) -> None:
        self.triage_actions.mark_all_read()

    def action_undo(self) -> None:
        self.triage_actions.undo()

    def action_remove(self, every_shown: bool = False) -> None:
        self.removals.ask(every_shown)

    def known_tags(self) -> list[tuple[str, int]]:
        """Every tag in use with its count (the tags editor and the command palette)."""
        return self.store_state.all_tags()

    # -- actions: order, mutes, similar papers ---------------------------------------------------

    def action_cycle_sort(self) -> None:
        self.sorting.cycle()

    def action_mute_filter(self) -> None:
        self.mutes.mute_filter()

    def action_show_mutes(self) -> None:
        self.mutes.show_mutes()

    def on_mutes_screen_unmute(self, event: MutesScreen.Unmute) -> None:
        # Named, not `@on(MutesScreen.Unmute)`: the rules screen is imported when it opens.
        self.mutes.unmute(event.rule)

    def action_more_like_this(self) -> None:
        if (paper := self.paper(self.paper_list.highlighted_id)) is not None:
            self.ranked.more_like_this(paper)

    # -- actions: moving -------------------------------------------------------------------------

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
            self.triage_actions.open(target)
        else:
            self.notify("You have read everything shown.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        on_main = self.screen is self.screen_stack[0]
        if action == "focus_filter":
            # `/` is a priority key only on the main screen outside its one text field, the
            # filter (the tags and note editors and the palette are modals).
            return on_main and not isinstance(self.focused, Input)
        if action in _MAIN_ONLY and not on_main:
            return False  # a modal's footer shows the modal's keys, not the list's
        if action == "quit_reader" and not on_main:
            # The note editor's TextArea is imported with a modal open, not at start (~7 ms).
            from textual.widgets import TextArea

            return not isinstance(self.focused, (Input, TextArea))  # there q is text
        return True

    async def action_quit_reader(self) -> None:
        """q or ctrl+c: every mark is already on disk."""
        await self.action_quit()

    def action_focus_filter(self) -> None:
        # set_focus now, not focus() (deferred): keys typed right after `/` must land in the filter.
        self.screen.set_focus(self.query_one("#filter", FilterInput))

    def action_back_out(self) -> None:
        if self.network.cancel():  # a fetch or a linking under way stops first
            return
        if self.ranking.like is not None or self.ranking.pending.startswith("finding"):
            self.ranked.leave_like()
            self.paper_list.focus()
            return
        if self.query_one("#filter", FilterInput).value:
            self.clear_filter()
        self.paper_list.focus()

    def action_help(self) -> None:
        from papertray.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    # -- actions: links, the paper itself, the network -------------------------------------------

    def action_copy_link(self, number: int) -> None:
        self.paper_links.copy_link(number)

    def action_open_link(self) -> None:
        self.paper_links.open_link()

    def action_open_paper(self) -> None:
        self.paper_links.open_paper()

    def action_copy_citation(self, bibtex: bool) -> None:
        self.paper_links.copy_citation(bibtex)

    def action_fetch(self) -> None:
        self.network.fetch()

    def action_enrich(self) -> None:
        self.network.enrich_shown()
