"""Helpers of the layout tests: a history page shown at a size, and a screen of a given room."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from app.pages.history import HistoryPage
from tests.gui.test_small_screens import _visits


def shown_history(qtbot: Any, width: int, height: int, visits: int = 5, settles: int = 3) -> HistoryPage:
    """A history page `width`×`height`, shown, with Jane Doe's `visits` visits, after `settles`
    rounds of events (its layout follows the size in more than one)."""
    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(width, height)
    page.show()
    qtbot.waitExposed(page)
    page.show_history("Jane Doe (MRN-1)", _visits(visits))
    for _ in range(settles):
        QApplication.processEvents()
    return page


class FakeScreen:
    """A screen with `width`×`height` to draw on (1280x800 at 150 %: 853x533)."""

    def __init__(self, width: int, height: int) -> None:
        self.room = QRect(0, 0, width, height)

    def availableGeometry(self) -> QRect:  # noqa: N802 - Qt naming
        return self.room
