"""Confirm stays in view below the scrolling review form: it names the grade it will
confirm, and a confirmed decision's line is scrolled into view."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from app.pages.results import ResultsPage
from tests.gui.gui_helpers import WAIT_MS
from tests.gui.test_small_screens import _in_view, _result


def _page(qtbot) -> ResultsPage:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result(), "Ada Lovelace (MRN-1)", "analysed", clinician="Dr Kim")
    page.resize(1000, 460)  # small: the review form scrolls, Confirm stays below it
    page.show()
    qtbot.waitExposed(page)
    QApplication.processEvents()
    return page


def test_confirm_names_the_ticked_grade(qtbot) -> None:
    page = _page(qtbot)
    button = page.confirm_button
    assert button.text() == "Confirm grade III"  # the network's grade, ticked
    assert button.accessibleName() == "Confirm grade III"
    page.grade_buttons.button(3).setChecked(True)  # grade IV
    assert button.text() == "Confirm grade IV" and button.accessibleName() == "Confirm grade IV"
    page.show_result(_result(), "Ada Lovelace (MRN-1)", "confirmed", confirmed="II", clinician="Dr Kim",
                     read_only=True)
    assert button.text() == "Confirm grade II"
    page.show_result(_result(), "Ada Lovelace (MRN-1)", "analysed", read_only=True)  # nothing ticked
    assert button.text() == "Confirm grade"
    page.close()


@pytest.mark.parametrize("focused", ["confirm_button", "expression_combo"])
def test_the_confirmed_line_is_scrolled_into_view(qtbot, focused: str) -> None:
    """Confirm clicked, or Ctrl+Shift+Return in the photo choice at the top of the page."""
    page = _page(qtbot)
    area = page.body_area
    assert area.verticalScrollBar().maximum() > 0
    getattr(page, focused).setFocus()
    area.verticalScrollBar().setValue(0)  # the user looks at the photo and confirms
    page.mark_confirmed("III", "Dr Kim", "")
    assert page.decision_label.isVisible() and page.decision_label.text().startswith("\u2713")
    qtbot.waitUntil(lambda: _in_view(area, page.decision_label), timeout=WAIT_MS)  # left below the view
    qtbot.wait(50)  # and it stays there
    assert _in_view(area, page.decision_label)
    page.close()
