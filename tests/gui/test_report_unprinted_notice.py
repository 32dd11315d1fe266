"""The window's "Report saved" line says when the report printed a name as "?" (a script its
fonts lack), and what still identifies the patient on it."""

from __future__ import annotations

from pathlib import Path

from models.labels import GRADES
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window


def _saved_line(qtbot, data_folder: Path, tiny_weights: Path, patient_id: str, name: str) -> str:
    """The status line after confirming and exporting the report of a new patient."""
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window, patient_id, name)
        window.results.clinician_edit.setText("Dr T")
        window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
        window.results.confirm_button.click()
        window.export_pdf()
        qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)
        return window.statusBar().current_details()  # with the path the bar leaves to its tooltip
    finally:
        close_window(window)


def test_a_report_that_prints_the_name_as_question_marks_says_so(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    message = _saved_line(qtbot, data_folder, tiny_weights, "IN-01", "राहुल शर्मा")
    assert message.startswith("Report saved for राहुल शर्मा (IN-01): ")
    assert message.endswith(". The report could not print the patient's name (Devanagari) with the fonts it carries: "
                            "it shows ? there; the patient ID IN-01 on it identifies the patient; the records keep "
                            "the text as typed")


def test_a_report_that_prints_every_letter_says_only_where_it_is(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    message = _saved_line(qtbot, data_folder, tiny_weights, "MÜ-1", "Jürgen Müller")
    assert message.startswith("Report saved for Jürgen Müller (MÜ-1): ") and message.endswith(".pdf")
