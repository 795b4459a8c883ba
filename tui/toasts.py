"""The reader's toasts kept within the screen (issue 23): they stack, the newest at the bottom,
and those the screen cannot hold go, oldest first, so none is ever drawn over (or under)
another. A part of the App (`app.py`), as Textual's own notifications are."""

from __future__ import annotations

from textual.app import App
from textual.notifications import Notify

__all__ = ["FittedToasts"]


class FittedToasts(App[int]):
    """The App's handling of its notifications: each new one fits the rack to the screen."""

    def on_notify(self, event: Notify) -> None:
        self.call_after_refresh(self._fit_toasts)

    def _fit_toasts(self, tries: int = 10) -> None:
        from textual.widgets._toast import Toast  # Textual names no public way to ask

        screen = self.screen.region
        shown = list(self._notifications)
        toasts = list(self.screen.query(Toast))
        if len(toasts) < len(shown) or any(not toast.region for toast in toasts):
            if tries:  # the rack has yet to mount or lay out the newest: look again after
                self.call_after_refresh(self._fit_toasts, tries - 1)
            return
        cut = any(not screen.contains_region(toast.region) for toast in toasts)
        if cut and len(shown) > 1:  # the rack grows upwards: the oldest is the one cut off
            self._unnotify(shown[0])
            self.call_after_refresh(self._fit_toasts)
