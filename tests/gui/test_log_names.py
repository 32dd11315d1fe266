"""Logs carry no names (DESIGN §9): the status bar names the confirming clinician, the log does not."""

from __future__ import annotations

import logging
from pathlib import Path

from models.labels import GRADES
from tests.gui.gui_helpers import analysed_assessment, close_window, make_window


def test_confirming_and_overriding_a_grade_log_no_clinician_name(
    qtbot, caplog, data_folder: Path, tiny_weights: Path
) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window, "MRN-7", "Person MRN-7")
        page = window.results
        page.clinician_edit.setText("Dr Hildegard Kim")
        page.grade_buttons.button(GRADES.index(page.result.grade)).click()  # flagged: none is ticked
        with caplog.at_level(logging.INFO):
            page.confirm_button.click()
        # the clinician still reads the name in the status bar ...
        assert "Dr Hildegard Kim" in window.statusBar().currentMessage()
        logged = "\n".join(record.getMessage() for record in caplog.records)
        # ... the log says what happened, without the name
        assert "confirmed (clinician's name not logged)" in logged or "overridden (clinician's name not logged)" in logged
        assert "Hildegard" not in logged and "Kim" not in logged
    finally:
        close_window(window)
