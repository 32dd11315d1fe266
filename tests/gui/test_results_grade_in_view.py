"""On a small screen or at a large font the results page opens with the network's and the
measured grade in view (HiDPI audit 2026-12-06: scrolled to the ticked grade, the body hid
the line stating them), and a page area scrolls to a control at once after its page grew
(it scrolled against the scroll bars' old range: QScrollArea's own event filter was not
called)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from app.widgets.page_stack import PageArea
from tests.gui.gui_helpers import analysed_assessment, close_window, make_window


def test_a_grown_page_scrolls_to_its_control_at_once(qtbot) -> None:
    page = QWidget()
    layout = QVBoxLayout(page)
    labels = [QLabel(f"row {i}") for i in range(5)]
    for label in labels:
        layout.addWidget(label)
    area = PageArea(page)
    qtbot.addWidget(area)
    area.resize(300, 200)
    area.show()
    QApplication.processEvents()
    page.setMinimumHeight(1000)  # the page's minimum grows (the results filled in)
    area.fit_page()
    assert area.verticalScrollBar().maximum() >= 1000 - area.viewport().height() - 1
    area.ensureVisible(0, 900, 10, 10)
    assert area.verticalScrollBar().value() > 0


def test_the_grades_stay_in_view_above_the_scrolling_body(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window)
        page = window.results
        assert not page.body_area.widget().isAncestorOf(page.grade_label)
        window.resize(1000, 560)  # a small laptop's room
        QApplication.processEvents()
        page.body_area.show_widget(page.grade_buttons.checkedButton())
        QApplication.processEvents()
        assert "Network grade" in page.grade_label.text() or "network" in page.grade_label.text().lower()
        assert page.grade_label.isVisible() and not page.grade_label.visibleRegion().isEmpty()
    finally:
        close_window(window)
