"""The papertray reader: a filterable paper list beside the abstract pane, with keyboard triage.

The app is thin: it composes the widgets, binds keys, and turns widget messages into calls on the
store's `Library` and `State`, which it is given (tests pass temporary ones).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static, TextArea
from textual.worker import get_current_worker

from papertray.store import (
    SORT_ORDERS,
    UNTOUCHED,
    Library,
    Paper,
    PaperState,
    Query,
    QueryError,
    SearchIndex,
    State,
    StoreError,
    give_back_memory,
    id_positions,
    parse_query,
    settle_heap,
    sorted_rows,
    title_ranks,
)
from papertray.tui.clipboard import BrowserError, ClipboardError, open_url, system_copy
from papertray.tui.commands import PapertrayCommands
from papertray.tui.fetching import (
    Cancelled,
    Fetched,
    abandonable,
    enrich_in_background,
    fetch_configured,
)
from papertray.tui.paper_actions import NoPaperPage, citation, paper_page
from papertray.tui.safe_text import safe_links, shown, shown_state
from papertray.tui.screens.confirm import ConfirmScreen
from papertray.tui.screens.help import HelpScreen
from papertray.tui.screens.note import NoteScreen
from papertray.tui.screens.tags import TagsScreen
from papertray.tui.signals import install_exit_signals
from papertray.tui.widgets.abstract_pane import AbstractPane
from papertray.tui.widgets.filter_bar import FilterBar, FilterInput
from papertray.tui.widgets.paper_list import PaperList
from papertray.tui.widgets.status_bar import StatusBar

SORTS = tuple(SORT_ORDERS)
UNDO_DEPTH = 200
# Below this many papers a filter runs inline (instant and deterministic); above, in a worker.
SYNC_FILTER_LIMIT = 20_000
# Above this many papers the search index (~40 ms at 10k) is built in the background at start.
BACKGROUND_INDEX_LIMIT = 2_000
# Papers searched between two checks for a newer keystroke (about 5 ms of work).
FILTER_CHUNK = 4_096
PAINT_PAUSE = 0.03
NARROW_WIDTH = 100
POLL_SECONDS = 2.0


class PapertrayApp(App[int]):
    """`PapertrayApp(library, state)`: the whole library; `paper_ids=[...]`: just those papers."""

    CSS_PATH = "app.tcss"
    TITLE = "papertray"
    COMMANDS = App.COMMANDS | {PapertrayCommands}

    BINDINGS = [
        # priority: handled as the key arrives, so keys typed right after it (while earlier ones
        # are still on their way) already land in the filter and are not lost.
        Binding("slash", "focus_filter", "Filter", priority=True),
        Binding("r", "toggle_read", "Read"),
        Binding("s", "toggle_star", "Star"),
        Binding("t", "edit_tags", "Tags"),
        Binding("N", "edit_note", "Note"),
        Binding("n", "next_unread", "Next unread"),
        Binding("p", "previous_unread", "Prev unread", show=False),
        Binding("space", "page_abstract", "Page", show=False),
        Binding("c", "copy_link(0)", "Copy repo"),
        Binding("o", "open_link", "Open"),
        # Kept out of the footer: at 120 columns it is full already (help and palette list them).
        Binding("O", "open_paper", "Open paper", show=False),
        Binding("y", "copy_citation(False)", "Copy arXiv id", show=False),
        Binding("Y", "copy_citation(True)", "Copy BibTeX", show=False),
        Binding("F", "fetch", "Fetch", show=False),
        Binding("E", "enrich", "Link to arXiv", show=False),
        Binding("A", "mark_all_read", "All read", show=False),
        Binding("u", "undo", "Undo"),
        Binding("x", "remove", "Remove", show=False),
        Binding("X", "remove(True)", "Remove shown", show=False),
        Binding("S", "cycle_sort", "Sort", show=False),
        Binding("escape", "back", "Back", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        # A reader is quit with ctrl+c as often as with q; every mark is already on disk.
        Binding("ctrl+c", "quit", "Quit", show=False),
        *[Binding(str(n), f"copy_link({n})", f"Copy link {n}", show=False) for n in range(1, 10)],
    ]

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
        self._loading = paper_ids is None and bool(preview)
        self._save_preview = False
        self.papers: Sequence[Paper]
        if self._loading:
            assert preview is not None
            self.papers = preview
        elif paper_ids is None:
            self.papers = library.papers()
            self._save_preview = bool(self.papers)
        else:
            found = (library.get(pid) for pid in paper_ids)
            self.papers = [paper for paper in found if paper is not None]
        self._index_of = id_positions(self.papers)
        self.states: dict[str, PaperState] = state.all()
        self._index: SearchIndex | None = None
        self._search_lock = threading.Lock()  # SearchIndex keeps caches: one search at a time
        self._query: Query = parse_query("")
        self._query_text = ""
        self._matches: list[int] = list(range(len(self.papers)))
        self._filter_generation = 0
        self._filtering = False
        self._sort = 0
        self._title_rank: list[int] | None = None
        # Each step: a label and, per paper, its marks (before, after) the action; or, for a
        # removal, the papers taken out of the library with their places in the list.
        self._undo: list[tuple[str, dict[str, tuple[PaperState, PaperState]] | _Removed]] = []
        # Opened on files: those papers (and what a fetch from here adds), not the library.
        self._paper_ids = list(paper_ids) if paper_ids is not None else None
        self._network = ""  # what a fetch or enrich running now says in the status line
        self._link_new = link_new
        self._reloading = False

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        with Horizontal(id="main"):
            with Vertical(id="list-column"):
                yield PaperList(id="papers")
                yield Static(id="empty")
            yield AbstractPane(id="pane")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def paper_list(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    @property
    def pane(self) -> AbstractPane:
        return self.query_one("#pane", AbstractPane)

    def on_mount(self) -> None:
        self._show_rows(keep_id=None)
        self.paper_list.focus()
        for warning in self._warnings:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        self.set_interval(POLL_SECONDS, self._poll_other_instances)
        install_exit_signals(self)

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width < NARROW_WIDTH, "-narrow")

    # -- the rows shown ------------------------------------------------------------------------

    def _sorted(self, matches: list[int]) -> list[int]:
        name = SORTS[self._sort]
        if name == "title" and self._title_rank is None:
            self._title_rank = title_ranks(self.papers)
        return sorted_rows(name, self.papers, matches, self.states, ranks=self._title_rank)

    def _show_rows(
        self, keep_id: str | None, rows: list[int] | None = None, terms: list[str] | None = None
    ) -> None:
        """Show the current result (or `rows` matching `terms`, a result still being counted)."""
        rows = self._sorted(self._matches) if rows is None else rows
        terms = self._query.terms if terms is None else terms
        self.paper_list.set_rows(
            self.papers, rows, self.states, terms, keep_id=keep_id, index_of=self._index_of
        )
        self._update_empty()
        self._update_pane(terms=terms)
        self._update_status()

    def _update_empty(self) -> None:
        empty = self.query_one("#empty", Static)
        self.query_one("#list-column").set_class(not self.paper_list.row_count, "-empty")
        if self.paper_list.row_count:
            return
        if not self.papers:
            message = Content.assemble(
                ("No papers yet.\n\n", "bold"),
                "Import a digest (a Hugging Face Papers page copy, an arXiv email, a feed, "
                "BibTeX or JSON; see the README's input formats):\n\n",
                ("  papertray import FILE\n", "$accent"),
                ("  papertray FILE", "$accent"),
                "   opens it right away",
            )
        else:
            message = Content.assemble(
                ("No paper matches\n\n", "bold"),
                (f"  {self._query_text.strip()}\n\n", "italic $warning"),
                "Press ",
                ("escape", "bold $accent"),
                " to clear the filter, or ",
                ("?", "bold $accent"),
                " for the query syntax.",
            )
        empty.update(message)

    def _update_pane(self, keep_scroll: bool = False, terms: list[str] | None = None) -> None:
        paper_id = self.paper_list.highlighted_id
        paper = self._paper(paper_id)
        self.pane.show(
            paper,
            self.states.get(paper_id or "", UNTOUCHED),
            self._query.terms if terms is None else terms,
            keep_scroll=keep_scroll,
            loading=self._loading,
        )

    def _update_status(self) -> None:
        states = self.states
        shown = self._index_of
        read = sum(1 for pid, s in states.items() if s.read and pid in shown)
        starred = sum(1 for pid, s in states.items() if s.starred and pid in shown)
        self.query_one("#status", StatusBar).show(
            shown=self.paper_list.row_count,
            total=len(self.papers),
            unread=len(self.papers) - read,
            starred=starred,
            sort=SORT_ORDERS[SORTS[self._sort]].label,
            query=self._query_text,
            scope=self._scope,
            busy=self._busy(),
        )

    def _busy(self) -> str:
        if self._loading:
            return "loading the library…"
        if self._network:
            return self._network
        return "filtering…" if self._filtering else ""

    @on(PaperList.Highlighted)
    def _highlighted(self) -> None:
        self._update_pane()

    @on(PaperList.Selected)
    def _selected(self, event: PaperList.Selected) -> None:
        self._open(event.paper_id)

    def _open(self, paper_id: str) -> None:
        if not self.states.get(paper_id, UNTOUCHED).read:
            self._change("mark read", [paper_id], lambda: self.store_state.set_read(paper_id, True))
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
        bar = self.query_one("#filter-bar", FilterBar)
        try:
            query = parse_query(text)
        except QueryError as error:
            # Keep the last good result on screen while the user is mid-way through typing.
            bar.show_error(error.message)
            return
        bar.show_error(None)
        self._query_text = text
        if self._loading:
            self._update_status()  # applied as soon as the abstracts are in
            return
        self._filter_generation += 1
        generation = self._filter_generation
        if query.is_empty:
            self._finish_filter(generation, query, list(range(len(self.papers))))
            return
        # Narrow from the last *complete* result when the new query can only match fewer papers.
        previous, previous_matches = self._query, self._matches
        refines = not previous.is_empty and query.narrows(previous)
        candidates = previous_matches if refines else None
        states = dict(self.states)  # a snapshot: triage may change self.states meanwhile
        if len(self.papers) <= SYNC_FILTER_LIMIT:
            with self._search_lock:
                matches = self._search_index().search(query, states, candidates)
            self._finish_filter(generation, query, matches)
        else:
            self._filtering = True
            self._update_status()
            self._filter_worker(generation, query, candidates, states)

    def _search_index(self) -> SearchIndex:
        """The index over the papers' text, built once (call with `_search_lock` held)."""
        if self._index is None:
            self._index = SearchIndex(self.papers)
        return self._index

    def on_ready(self) -> None:
        # The first frame is on screen: only now start the heavy work, which holds the GIL.
        # (A moment later: the output thread needs the GIL to write that frame out.)
        self.set_timer(0.1, self._load_library if self._loading else self._after_load)

    def _after_load(self) -> None:
        settle_heap()
        if len(self.papers) > BACKGROUND_INDEX_LIMIT:
            # Build the search index while the user reads the first screen, not on the first key.
            self._build_index()
        if self._save_preview:
            self._save_preview = False
            self._write_preview()
        if self._link_new:
            self._link_new = False
            self.action_enrich(quiet=True)

    @work(thread=True, group="library")
    def _write_preview(self) -> None:
        # A library written before previews existed: make the next start draw from one.
        try:
            self.library.save_preview()
        except StoreError:
            pass

    @work(thread=True, exclusive=True, group="library")
    def _load_library(self) -> None:
        known = len(self.library.warnings)
        try:
            papers = self.library.papers()
        except StoreError as error:
            self.call_from_thread(
                self.notify, f"Could not load the library: {error}", severity="error", markup=False
            )
            papers = []
        # The file is first read here (the start drew from the preview): a damaged one is only
        # found now, moved aside, and must still be reported.
        for warning in self.library.warnings[known:]:
            self.call_from_thread(self.notify, warning, severity="warning", timeout=8, markup=False)
        self.call_from_thread(self._library_loaded, papers)

    def _library_loaded(self, papers: list[Paper]) -> None:
        """The whole library replaces the preview: same papers in the same order (the preview
        matched the file), now with abstracts, authors and links."""
        keep = self.paper_list.highlighted_id
        same = [p.id for p in papers] == list(self._index_of)
        self.papers = papers
        self._index_of = id_positions(papers)
        self._title_rank = None
        self._loading = False
        if not same:
            self._matches = list(range(len(papers)))
        self._show_rows(keep_id=keep)
        if self._query_text.strip():
            self.apply_query(self._query_text)
        give_back_memory()  # the parse's garbage, before the search index needs its own
        self._after_load()

    @work(thread=True, exclusive=True, group="index")
    def _build_index(self) -> None:
        with self._search_lock:
            self._search_index()
        settle_heap()

    @work(thread=True, exclusive=True, group="filter")
    def _filter_worker(
        self,
        generation: int,
        query: Query,
        candidates: list[int] | None,
        states: dict[str, PaperState],
    ) -> None:
        """Search in chunks, in digest order: the first screenful of matches is final as soon as
        it is found, so it is shown at once while the rest is counted; a newer keystroke stops
        this search at the next chunk."""
        pool: Sequence[int] = candidates if candidates is not None else range(len(self.papers))
        first_page = max(2 * self.size.height, 60)
        partial_shown = SORTS[self._sort] != "digest"  # other sorts need every match first
        matches: list[int] = []
        for start in range(0, len(pool), FILTER_CHUNK):
            if generation != self._filter_generation:
                return
            with self._search_lock:
                index = self._search_index()
                matches += index.search(query, states, pool[start : start + FILTER_CHUNK])
            if not partial_shown and len(matches) >= first_page:
                partial_shown = True
                if start + FILTER_CHUNK < len(pool):
                    self.call_from_thread(self._show_partial, generation, query, list(matches))
                    # Let the UI thread paint that page without competing for the GIL.
                    time.sleep(PAINT_PAUSE)
        self.call_from_thread(self._finish_filter, generation, query, matches)

    def _show_partial(self, generation: int, query: Query, matches: list[int]) -> None:
        """The first rows of a result still being counted: drawn now, completed shortly."""
        if generation != self._filter_generation:
            return
        self._show_rows(self.paper_list.highlighted_id, rows=matches, terms=query.terms)

    def _finish_filter(self, generation: int, query: Query, matches: list[int]) -> None:
        if generation != self._filter_generation:
            return  # a newer keystroke already asked for another result
        self._filtering = False
        self._query = query
        self._matches = matches
        self._show_rows(keep_id=self.paper_list.highlighted_id)

    # -- triage --------------------------------------------------------------------------------

    def _current(self) -> Paper | None:
        paper_id = self.paper_list.highlighted_id
        return self._paper(paper_id)

    def _paper(self, paper_id: str | None) -> Paper | None:
        index = self._index_of.get(paper_id) if paper_id else None
        return None if index is None else self.papers[index]

    def _change(self, label: str, paper_ids: list[str], operation: Callable[[], object]) -> bool:
        """Run one store operation, remember how to undo it, and redraw what it touched."""
        get = self.store_state.get
        before = {pid: get(pid) for pid in paper_ids}  # from the file, not our copy
        try:
            operation()
        except StoreError as error:
            self.notify(f"Not saved: {error}", severity="error", timeout=8, markup=False)
            return False
        self._undo.append((label, {pid: (before[pid], get(pid)) for pid in paper_ids}))
        del self._undo[:-UNDO_DEPTH]
        self._reload_states(paper_ids)
        return True

    def _fresh(self, paper_id: str) -> PaperState:
        """A paper's marks as they are on disk now: another instance may have changed them."""
        self._poll_other_instances()
        return self.states.get(paper_id, UNTOUCHED)

    def _reload_states(self, paper_ids: Iterable[str]) -> None:
        for pid in paper_ids:
            state = self.store_state.get(pid)
            if state.untouched:
                self.states.pop(pid, None)
            else:
                self.states[pid] = state
        self.paper_list.update_states(self.states)
        self._update_pane(keep_scroll=True)
        self._update_status()

    def action_toggle_read(self) -> None:
        if paper := self._current():
            now = not self._fresh(paper.id).read
            self._change(
                f"mark {'read' if now else 'unread'}",
                [paper.id],
                lambda: self.store_state.set_read(paper.id, now),
            )

    def action_toggle_star(self) -> None:
        if paper := self._current():
            now = not self._fresh(paper.id).starred
            self._change(
                "star" if now else "unstar",
                [paper.id],
                lambda: self.store_state.set_starred(paper.id, now),
            )

    def action_edit_tags(self) -> None:
        paper = self._current()
        if paper is None:
            return
        state = shown_state(self.states.get(paper.id, UNTOUCHED))

        def done(tags: list[str] | None) -> None:
            if tags is not None and tuple(tags) != state.tags:
                self._change(
                    "edit tags", [paper.id], lambda: self.store_state.set_tags(paper.id, tags)
                )

        known = [(shown(tag), n) for tag, n in self.store_state.all_tags()]
        self.push_screen(TagsScreen(shown(paper.title), state.tags, known), done)

    def action_edit_note(self) -> None:
        paper = self._current()
        if paper is None:
            return
        state = shown_state(self.states.get(paper.id, UNTOUCHED))

        def done(note: str | None) -> None:
            if note is not None and note.strip() != state.note:
                self._change(
                    "edit note", [paper.id], lambda: self.store_state.set_note(paper.id, note)
                )

        self.push_screen(NoteScreen(shown(paper.title), state.note), done)

    def action_mark_all_read(self) -> None:
        ids = [pid for pid in self.paper_list.shown_ids if not self.states.get(pid, UNTOUCHED).read]
        if not ids:
            self.notify("Every paper shown is already read.")
            return

        def done(yes: bool | None) -> None:
            if yes and self._change(
                f"mark {len(ids):,} read", ids, lambda: self.store_state.set_read_many(ids, True)
            ):
                self.notify(f"Marked {len(ids):,} papers read (u undoes it).")

        self.push_screen(
            ConfirmScreen(f"Mark {len(ids):,} papers shown as read?", "Mark read"), done
        )

    def action_undo(self) -> None:
        if not self._undo:
            self.notify("Nothing to undo.")
            return
        label, changes = self._undo.pop()
        if isinstance(changes, _Removed):
            self._restore(label, changes)
            return
        try:
            # Only the marks this step set go back: marks made since, here or by another
            # instance or the CLI, stay.
            self.store_state.revert(changes)
        except StoreError as error:
            self._undo.append((label, changes))
            self.notify(f"Undo not saved: {error}", severity="error", markup=False)
            return
        self._reload_states(changes)
        if len(changes) == 1:
            self.paper_list.move_to(next(iter(changes)))
        self.notify(f"Undone: {label}", timeout=3, markup=False)

    # -- removing papers from the library ------------------------------------------------------

    def action_remove(self, shown: bool = False) -> None:
        """Take the highlighted paper (or every paper shown) out of the library, after asking.
        Marks stay in the state file; `u` puts the papers back."""
        if self._loading:
            self.notify("The library is still loading: remove papers in a moment.")
            return
        if shown:
            ids = list(self.paper_list.shown_ids)
        else:
            ids = [pid for pid in [self.paper_list.highlighted_id] if pid is not None]
        if not ids:
            self.notify("No paper to remove.")
            return
        if len(ids) == 1:
            what = f"“{shown_title(self._paper(ids[0]))}”"
        else:
            what = f"{len(ids):,} papers shown"

        def done(yes: bool | None) -> None:
            if yes:
                self._remove_worker(ids)

        self.push_screen(
            ConfirmScreen(
                f"Remove {what} from the library? Your marks are kept; u undoes it.", "Remove"
            ),
            done,
        )

    @work(thread=True, exclusive=True, group="library")
    def _remove_worker(self, ids: list[str]) -> None:
        # A thread: removing rewrites the library file (a second or two at 100k papers).
        try:
            gone = self.library.remove(ids)
        except StoreError as error:
            self.call_from_thread(
                self.notify, f"Not removed: {error}", severity="error", timeout=8, markup=False
            )
            return
        self.call_from_thread(self._removed, gone)

    def _removed(self, gone: list[str]) -> None:
        gone_set = set(gone)
        places = [(i, p) for i, p in enumerate(self.papers) if p.id in gone_set]
        keep = self._next_kept(gone_set)
        self._set_papers([p for p in self.papers if p.id not in gone_set], keep)
        label = f"remove {len(places):,} paper{'s' if len(places) != 1 else ''}"
        self._undo.append((label, _Removed(places)))
        del self._undo[:-UNDO_DEPTH]
        self.notify(f"Removed {len(places):,} from the library (u undoes it).", timeout=4)

    def _restore(self, label: str, removed: _Removed) -> None:
        try:
            self.library.add([paper for _, paper in removed.places])
        except StoreError as error:
            self._undo.append((label, removed))
            self.notify(f"Undo not saved: {error}", severity="error", markup=False)
            return
        papers = list(self.papers)
        for index, paper in removed.places:  # back in their places, in order
            papers.insert(min(index, len(papers)), paper)
        self._set_papers(papers, removed.places[0][1].id if removed.places else None)
        self.notify(f"Undone: {label}", timeout=3, markup=False)

    def _next_kept(self, gone: set[str]) -> str | None:
        """The paper to highlight once `gone` are out: the next one shown, else the one before."""
        ids = self.paper_list.shown_ids
        cursor = self.paper_list.cursor
        after = (pid for pid in ids[cursor:] if pid not in gone)
        before = (pid for pid in reversed(ids[:cursor]) if pid not in gone)
        return next(after, None) or next(before, None)

    def _set_papers(self, papers: list[Paper], keep_id: str | None) -> None:
        """A new list of papers (after a removal or its undo): indexes and the filter result
        are rebuilt, the current query applied again."""
        with self._search_lock:
            self.papers = papers
            self._index = None
        self._index_of = id_positions(papers)
        self._title_rank = None
        self._filter_generation += 1  # a filter still running was over the old list
        self._filtering = False
        self._query = parse_query("")
        self._matches = list(range(len(papers)))
        self._show_rows(keep_id=keep_id)
        if self._query_text.strip():
            self.apply_query(self._query_text)

    def action_cycle_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        self._show_rows(keep_id=self.paper_list.highlighted_id)
        self.notify(f"Sorted by {SORT_ORDERS[SORTS[self._sort]].label}", timeout=2)

    # -- moving --------------------------------------------------------------------------------

    def _unread_from(self, step: int) -> str | None:
        ids = self.paper_list.shown_ids
        start = self.paper_list.cursor
        positions = range(start + 1, len(ids)) if step > 0 else range(start - 1, -1, -1)
        for position in positions:
            if not self.states.get(ids[position], UNTOUCHED).read:
                return ids[position]
        return None

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
        if action == "focus_filter":
            # `/` is a priority key only on the main screen outside a text field: in the filter,
            # the tags or note editor and the palette it is text.
            return self.screen is self.screen_stack[0] and not isinstance(
                self.focused, (Input, TextArea)
            )
        return True

    def action_focus_filter(self) -> None:
        # set_focus now, not focus() (deferred): keys typed right after `/` must land in the filter.
        self.screen.set_focus(self.query_one("#filter", FilterInput))

    async def action_back(self) -> None:
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
        # Only safe http(s) links, numbered as the pane shows them: a `javascript:` or `file:`
        # URL written into library.json by hand is never copied, opened or offered as the repo.
        links, repo = safe_links(paper)
        if number == 0:
            url = repo or (links[0] if links else None)
            if url is None:
                self.notify("This paper has no links.", severity="warning")
            return url
        if number > len(links):
            self.notify(
                f"This paper has {_count(len(links), 'link')}.",
                severity="warning",
            )
            return None
        return links[number - 1]

    def action_copy_link(self, number: int) -> None:
        if url := self._link(number):
            self._copy_worker(url)

    @work(thread=True, group="clipboard")
    def _copy_worker(self, url: str, what: str = "Link") -> None:
        try:
            mechanism = system_copy(url)
        except ClipboardError as error:
            self.call_from_thread(self._copy_fallback, url, str(error), what)
            return
        self.call_from_thread(
            self.notify,
            f"Copied {_first_line(url)}\n(system clipboard: {mechanism})",
            title=f"{what} copied",
            markup=False,
        )

    def _copy_fallback(self, url: str, why: str, what: str = "Link") -> None:
        # OSC 52 asks the terminal itself to set the clipboard: works over SSH and in tmux.
        self.copy_to_clipboard(url)
        self.notify(
            f"Copied {_first_line(url)}\n(via the terminal, OSC 52: {why})",
            title=f"{what} copied",
            markup=False,
        )

    def action_open_link(self) -> None:
        if url := self._link(0):
            self._open_worker(url)

    @work(thread=True, group="browser")
    def _open_worker(self, url: str) -> None:
        try:
            name = open_url(url)
        except BrowserError as error:
            self.call_from_thread(
                self.notify,
                f"Could not open {url}\n({error})",
                title="Not opened",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        self.call_from_thread(self.notify, f"Opened {url} in {name}", markup=False)

    # -- the paper itself ------------------------------------------------------------------------

    def _current_whole(self) -> Paper | None:
        """The highlighted paper, once the whole library is in (a preview paper has no id)."""
        if self._loading:
            self.notify("The library is still loading; try again in a moment.")
            return None
        return self._current()

    def action_open_paper(self) -> None:
        paper = self._current_whole()
        if paper is None:
            return
        try:
            url = paper_page(paper)
        except NoPaperPage as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self._open_worker(url)

    def action_copy_citation(self, bibtex: bool) -> None:
        paper = self._current_whole()
        if paper is None:
            return
        try:
            text = citation(paper, bibtex=bibtex)
        except NoPaperPage as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self._copy_worker(text, "BibTeX entry" if bibtex else "arXiv id")

    # -- fetching and enriching ------------------------------------------------------------------

    def action_fetch(self) -> None:
        if self._network:
            self.notify(f"Busy: {self._network}")
            return
        self._network = "fetching…"
        self._update_status()
        self._fetch_worker()

    @work(thread=True, exclusive=True, group="network")
    def _fetch_worker(self) -> None:
        def progress(line: str) -> None:
            self.call_from_thread(self._network_progress, f"fetching {line}…")

        worker = get_current_worker()
        try:
            done = abandonable(
                lambda: fetch_configured(self.library, progress), lambda: worker.is_cancelled
            )
        except Cancelled:
            return
        try:
            papers = self.library.papers() if done.changed else None
        except StoreError as error:
            done.lines.append(f"Could not read the library: {error}")
            done.failed, papers = True, None
        self.call_from_thread(self._fetch_done, done, papers)

    def _network_progress(self, line: str) -> None:
        self._network = line
        self._update_status()

    def _fetch_done(self, done: Fetched, papers: list[Paper] | None) -> None:
        self._network = ""
        self.notify(
            "\n".join(done.lines),
            title="Fetch failed" if done.failed else "Fetched",
            severity="error" if done.failed else "information",
            timeout=10,
            markup=False,
        )
        if papers is not None:
            self._papers_changed(papers, added=done.ids)
        else:
            self._update_status()

    def action_enrich(self, quiet: bool = False) -> None:
        """Link the papers shown that have no arXiv id; `quiet`: unasked (after an import), so
        say nothing when there is nothing to do."""
        if self._network or self._loading:
            if not quiet:
                self.notify(f"Busy: {self._busy()}")
            return
        papers = [p for p in map(self._paper, self.paper_list.shown_ids) if p and not p.arxiv_id]
        if not papers:
            if not quiet:
                self.notify("Every paper shown has its arXiv id already.")
            return
        self._network = "linking to arXiv…"
        self._update_status()
        self._enrich_worker(papers)

    @work(thread=True, exclusive=True, group="network")
    def _enrich_worker(self, papers: list[Paper]) -> None:
        def progress(n: int, total: int) -> None:
            self.call_from_thread(self._network_progress, f"linking to arXiv {n} of {total}…")

        worker = get_current_worker()
        try:
            report = abandonable(
                lambda: enrich_in_background(self.library, self.store_state, papers, progress),
                lambda: worker.is_cancelled,
            )
            lines, failed = [report.line()], report.error is not None
            if report.error:
                lines.append(report.error)
            fresh = self.library.papers() if report.linked else None
            linked = list(report.linked)
        except Cancelled:
            return
        except StoreError as error:
            lines, failed, fresh, linked = [f"Could not save: {error}"], True, None, []
        self.call_from_thread(self._enrich_done, lines, failed, fresh, linked)

    def _enrich_done(
        self, lines: list[str], failed: bool, papers: list[Paper] | None, linked: list[str]
    ) -> None:
        self._network = ""
        self.notify(
            "\n".join(lines),
            title="Linking to arXiv",
            severity="warning" if failed else "information",
            timeout=10,
            markup=False,
        )
        if papers is not None:
            # A paper folded into one already here under its arXiv id goes on under that id.
            self._papers_changed(papers, added=linked)
        else:
            self._update_status()

    def _papers_changed(self, papers: list[Paper], added: Sequence[str] = ()) -> None:
        """The library changed under the reader (a fetch here, an import elsewhere): show its
        papers now, the cursor on the paper it was on, the filter applied again."""
        if self._loading:
            return  # the load under way reads the new file anyway
        if self._paper_ids is not None:
            self._paper_ids = list(dict.fromkeys([*self._paper_ids, *added]))
            by_id = {p.id: p for p in papers}
            papers = [by_id[pid] for pid in self._paper_ids if pid in by_id]
        self.states = self.store_state.all()
        self._set_papers(papers, self.paper_list.highlighted_id)

    # -- other instances -------------------------------------------------------------------------

    def _poll_other_instances(self) -> None:
        try:
            changed = self.store_state.refresh()
        except StoreError:
            return
        if changed:
            self.states = self.store_state.all()
            self.paper_list.update_states(self.states)
            self._update_pane(keep_scroll=True)
            self._update_status()
        # Papers another process imported (papertray fetch from cron, say): read in a worker.
        if not (self._loading or self._network or self._reloading) and self.library.stale():
            self._reloading = True
            self._reload_worker()

    @work(thread=True, exclusive=True, group="reload")
    def _reload_worker(self) -> None:
        try:
            papers: list[Paper] | None = self.library.papers()
        except StoreError:
            papers = None
        self.call_from_thread(self._reloaded, papers)

    def _reloaded(self, papers: list[Paper] | None) -> None:
        self._reloading = False
        if papers is not None:
            self._papers_changed(papers)

    # -- used by the command palette -------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        field = self.query_one("#filter", FilterInput)
        field.value = text
        self.paper_list.focus()


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] + (" …" if len(lines) > 1 else "") if lines else ""


def _count(n: int, noun: str) -> str:
    return f"{n or 'no'} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class _Removed:
    """An undo step of a removal: each removed paper with its index in the list it was in."""

    places: list[tuple[int, Paper]]


def shown_title(paper: Paper | None) -> str:
    title = "" if paper is None else shown(paper.title)
    return title if len(title) <= 60 else title[:59] + "…"
