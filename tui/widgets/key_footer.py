"""The footer of keys: Textual's `Footer`, rebuilt only when the keys it shows change.

Textual's footer rebuilds all its keys (a widget each, their styles worked out again) on every
change of the screen's bindings, once per change even when several come together. A change of
focus is two (the old widget's and the new one's), and the reader's start is nine: each
rebuild took 30-40 ms on the UI thread, so keys typed just after the first frame waited for
the rebuilds. Here a burst of changes rebuilds once, after the next refresh, and only when
what the footer would show differs from what it shows.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """`Footer`, rebuilt once for a burst of binding changes, and not when nothing it shows
    changed."""

    _due = False
    """A rebuild is waiting for the next refresh."""
    _shows: Hashable = None
    """What the footer was last built from (`_what_it_shows`)."""

    def bindings_changed(self, screen: Screen) -> None:
        if self._due:
            return
        self._due = True
        self.call_after_refresh(self._rebuild, screen)

    async def _rebuild(self, screen: Screen) -> None:
        self._due = False
        if not self.is_attached or screen is not self.screen:
            return
        shows = self._what_it_shows()
        if self._bindings_ready and shows == self._shows:
            return
        self._shows = shows
        # Textual's own: marks the bindings ready, then rebuilds after the next refresh.
        super().bindings_changed(screen)

    def _what_it_shows(self) -> Hashable:
        """Everything `Footer.compose` reads: the keys shown, as shown, and the footer's own
        settings."""
        app = self.app
        keys = tuple(
            (
                binding.action,
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.tooltip,
                binding.group,
                enabled,
                tooltip,
            )
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return (keys, app.app_focus, self.compact, self.show_command_palette, self.combine_groups)
