"""A menu command whose shortcut key may mean something else than the menu item: Space presses
the focused button of the capture page (as everywhere in Qt), while Assessment > Capture,
chosen from the menu with that same button focused, must capture (it pressed "Back to
patients" and discarded the assessment)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QAction


class KeyAwareAction(QAction):
    """A QAction that knows whether the trigger in progress came from its shortcut key
    (`from_key`) or from the menu, a toolbar or code."""

    from_key = False

    def event(self, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Shortcut:
            return super().event(event)
        self.from_key = True
        try:
            return super().event(event)
        finally:
            self.from_key = False
