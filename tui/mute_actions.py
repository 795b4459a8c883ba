"""The reader's mute keys: `M` mutes papers like the filter, the rules screen lists them with
their counts and unmutes; `u` takes either back. And filtering afresh when the rules change
(here, by undo, or in another instance), with the muted count for the status line.

`Muting` holds the rules and the query context; this is the screen side: the dialogs, the
notifications, and counting the muted papers in a worker on a big library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store import StoreError

if TYPE_CHECKING:
    from papertray.store import MuteRule
    from papertray.tui.app import PapertrayApp
    from papertray.tui.muting import MuteStep

__all__ = ["MuteActions"]


class MuteActions:
    def __init__(self, app: PapertrayApp) -> None:
        self._app = app

    # -- filtering afresh ----------------------------------------------------------------------

    def rules_changed(self) -> None:
        """The rules changed (here, by undo, or in another instance): filter again afresh."""
        self._app.muting.read()
        self.refilter()

    def refilter(self) -> None:
        app = self._app
        app.filter.set_context(app.muting.context())
        self._count_muted()
        app.apply_query(app.filter.text)

    def _count_muted(self) -> None:
        app = self._app
        if not app.muting.active or app.loading:
            app.muting.muted_count = 0
        elif not app.filter.in_worker:
            app.muting.muted_count = app.filter.muted_count(dict(app.marks.states))
        else:
            context = app.filter.context

            def work() -> None:
                count = app.filter.muted_count(dict(app.marks.states))
                app.call_from_thread(self._muted_counted, context, count)

            app.run_worker(work, thread=True, exclusive=True, group="mutes")

    def _muted_counted(self, context: object, count: int) -> None:
        if context == self._app.filter.context:  # else the rules changed: a newer count comes
            self._app.muting.muted_count = count
            self._app.refresh_status()

    # -- the keys ------------------------------------------------------------------------------

    def mute_filter(self) -> None:
        # The rules and their dialogs are imported when first used, not at the reader's start.
        from papertray.store import MuteError
        from papertray.tui.screens.mute import MuteScreen

        app = self._app
        text = app.filter.text.strip()
        if not text or app.filter.error:
            app.notify("Filter first (/): then mute the papers like it.", severity="warning")
            return
        if app.loading:
            app.notify("The library is still loading: try again in a moment.")
            return
        count = app.paper_list.row_count

        def done(why: str | None) -> None:
            if why is None:
                return
            try:
                step = app.muting.add(text, why)
            except (MuteError, StoreError) as error:
                app.notify(f"Not muted: {error}", severity="error", timeout=8, markup=False)
                return
            app.triage.push_removal(step)
            app.clear_filter()
            self.refilter()
            label = step.added.label if step.added is not None else text
            papers = f"{count:,} paper{'' if count == 1 else 's'}"
            app.notify(f"Muted {papers} like {label} (u undoes it)", markup=False)

        app.push_screen(MuteScreen(text, count), done)

    def rule_counts(self) -> list[tuple[MuteRule, int | None]]:
        """Each rule with how many papers it mutes (None: the rule does not parse)."""
        app = self._app
        muting = app.muting
        broken = {r.number for r in muting.set.broken}
        counts: dict[int, int] = {}
        if not app.loading and muting.active:
            counts = app.filter.rule_counts(muting.set, dict(app.marks.states), muting.new_batch)
        return [(r, None if r.number in broken else counts.get(r.number, 0)) for r in muting.rules]

    def show_mutes(self) -> None:
        from papertray.tui.screens.mutes import MutesScreen

        app = self._app

        def done(query: str | None) -> None:
            if query is not None:
                app.set_filter(query)

        app.muting.read()
        app.push_screen(MutesScreen(self.rule_counts()), done)

    def unmute(self, rule: MuteRule) -> None:
        from papertray.store import MuteError
        from papertray.tui.screens.mutes import MutesScreen

        app = self._app
        try:
            step = app.muting.remove(rule.number)
        except (MuteError, StoreError) as error:
            app.notify(f"Not unmuted: {error}", severity="error", timeout=8, markup=False)
            return
        app.triage.push_removal(step)
        self.refilter()
        if isinstance(app.screen, MutesScreen):
            app.screen.show_rules(self.rule_counts())
        app.notify(f"Unmuted {rule.label} (u undoes it)", timeout=4, markup=False)

    def revert(self, step: MuteStep) -> None:
        """`u` on a mute or unmute: put the rules back as they were."""
        from papertray.store import MuteError

        app = self._app
        try:
            app.muting.revert(step)
        except (MuteError, StoreError) as error:
            app.triage.push_removal(step)
            app.notify(f"Undo not saved: {error}", severity="error", markup=False)
            return
        self.rules_changed()
        app.notify(f"Undone: {step.label}", timeout=3, markup=False)
