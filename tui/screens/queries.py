"""The queries kept in the state file that the palette and keys 1-9 reach: mute rules (the
filter made a rule that leaves its papers out of the default view; the rules' list) and saved
searches (the filter kept under a name, on a key 1-9, listed in the palette with its unread
papers). The base of the main screen, which says what a query shows (`set_filter`) and holds
the live query (`live`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from papertray.store import following
from papertray.tui.screens.papers import PapersScreen

if TYPE_CHECKING:
    from papertray.store import MuteSet, following, types
    from papertray.tui.live_query import LiveQuery

__all__ = ["QueriesScreen"]


class QueriesScreen(PapersScreen):
    live: LiveQuery

    def set_filter(self, text: str) -> None:
        """Filter by `text`; "" clears it (the main screen does)."""
        raise NotImplementedError

    def _filter_to_keep(self, verb: str) -> str | None:
        """The filter as typed, when it is one to keep (mute, save), else None (and why not)."""
        why = self.live.not_kept(verb)
        if why is not None:
            self.notify(why, severity="warning", markup=False)  # it quotes the filter
            return None
        return self.live.text.strip()

    # -- mute rules (palette entries) ----------------------------------------------------------

    def action_mute_filter(self) -> None:
        from papertray.tui.screens.mute import MuteScreen  # imported when first used

        if (text := self._filter_to_keep("mute the papers like it")) is None:
            return
        count = self.paper_list.row_count

        def done(why: str | None) -> None:
            if why is not None:
                self._submit(partial(self.changes.add_mute, text, why, count))
                self.set_filter("")

        self.app.push_screen(MuteScreen(text, count), done)

    def action_show_mutes(self) -> None:
        from papertray.tui.screens.mutes import MutesScreen

        live, marks = self.live, self.marks
        live.set_rules(self.state.mute_rules())
        states, version = dict(marks.states), marks.version

        def count(mutes: MuteSet) -> dict[int, int]:  # run by the rules screen, in a worker
            return mutes.counts(self.library, states, live.new_batch, version)

        self.app.push_screen(MutesScreen(live.mutes, count), self.set_filter_to)

    def set_filter_to(self, query: str | None) -> None:
        if query is not None:
            self.set_filter(query)

    def unmute(self, rule: types.MuteRule) -> None:
        """Remove a rule (the rules screen asked for it, through the app), with undo."""
        self._submit(partial(self.changes.remove_mute, rule))

    def _update_mutes_screen(self) -> None:
        from papertray.tui.screens.mutes import MutesScreen

        if isinstance(self.app.screen, MutesScreen):
            self.app.screen.show_rules(self.live.mutes)

    # -- saved searches: keys 1-9, the palette (issue 23) --------------------------------------

    def action_saved_search(self, slot: int) -> None:
        search = self.state.search_in_slot(slot)
        if search is None:
            self.notify(f"No saved search on key {slot}: ctrl+s saves the filter as one.")
        else:
            self.set_filter(search.query)

    def action_save_search(self) -> None:
        from papertray.tui.screens.search_name import SearchNameScreen  # imported when first used

        if (text := self._filter_to_keep("save it as a search")) is None:
            return

        def done(name: str | None) -> None:
            if name:
                self._submit(partial(self.changes.save_search, name, text))

        names = [search.name for search in self.state.searches()]
        self.app.push_screen(SearchNameScreen(text, names), done)

    def remove_search(self, name: str) -> None:
        """The palette's "Remove saved search", with undo."""
        self._submit(partial(self.changes.remove_search, name))

    def saved_searches(self) -> list[tuple[following.SavedSearch, int | None]]:
        """Each saved search with its unread papers, for the palette (which asks from a
        thread: a count is a query of the library)."""
        counts = following.unread_counts(self.library, self.state)
        return [(search, counts.get(search.id)) for search in self.state.searches()]
