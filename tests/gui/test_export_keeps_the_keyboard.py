"""Ctrl+E from the focused Export PDF keeps the keyboard there: the button is off while the
report is written, Qt moved the keyboard on to Back to patients and left it there, where the
next Space or Return left the results page. "Report saved" is said without its path."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.widgets.announce import ANNOUNCED
from models.labels import GRADES
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window


def test_the_keyboard_comes_back_to_export_once_the_report_is_written(qtbot, data_folder: Path,
                                                                      tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        analysed_assessment(qtbot, window)
        page = window.results
        page.clinician_edit.setText("Dr T")
        page.grade_buttons.button(GRADES.index(page.result.grade)).click()
        page.confirm_button.click()
        page.export_button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: page.export_button.hasFocus(), timeout=WAIT_MS)
        window.export_pdf()
        assert not page.export_button.isEnabled()  # off while it is written
        qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)
        assert window.statusBar().currentMessage() == "Report saved for Ada Lovelace (MRN-1)"
        assert window.statusBar().current_details().startswith("Report saved for Ada Lovelace (MRN-1): ")
        # a screen reader is told it without the stored file's path, which it spelt out
        assert ("Report saved for Ada Lovelace (MRN-1)", False) in ANNOUNCED
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.export_button, timeout=WAIT_MS)
    finally:
        close_window(window)
