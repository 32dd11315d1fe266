"""The report shows what is on record: Export waits for a confirmed, unedited review and for
the recomputed overlays; a reopened assessment never shows another patient's photos."""

from __future__ import annotations

import shutil
from pathlib import Path

from models.labels import GRADES
from tests.gui.gui_helpers import (
    WAIT_MS,
    analysed_assessment,
    close_window,
    make_window,
    user_close,
)


def test_export_waits_until_a_changed_review_is_confirmed_again(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assessment_id = analysed_assessment(qtbot, window, "MRN-1", "Person MRN-1")
        page = window.results
        page.clinician_edit.setText("Dr. Test")
        assert page.decision_label.isHidden()
        page.grade_buttons.button(GRADES.index(page.result.grade)).click()  # flagged: none is ticked
        page.confirm_button.click()
        assert page.export_button.isEnabled() and not page.review_edited()
        # the decision on record stays in view (only an 8-second status message said so)
        assert page.decision_label.isVisible() and "Confirmed: grade" in page.decision_label.text()
        assert "confirmed by Dr. Test" in page.decision_label.text()
        page.notes_edit.setPlainText("changed my mind")
        assert page.review_edited() and not page.export_button.isEnabled()
        assert "Confirm grade again" in page.export_button.toolTip()
        window.export_pdf()  # the shortcut is refused too: the report would not show the change
        assert window._export_id is None and "Confirm grade again" in window.statusBar().currentMessage()
        page.notes_edit.setPlainText("")  # back to what is on record
        assert page.export_button.isEnabled()
        page.notes_edit.setPlainText("changed my mind")
        page.confirm_button.click()
        assert page.export_button.isEnabled()
        assert window.gateway.assessment(assessment_id).notes == "changed my mind"
    finally:
        close_window(window)


def test_reopening_without_its_photos_shows_none_of_another_patients(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        first = analysed_assessment(qtbot, window, "MRN-1", "Person MRN-1")
        window.results.clinician_edit.setText("Dr. Test")
        window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
        window.results.confirm_button.click()
        window.show_patients()
        analysed_assessment(qtbot, window, "MRN-2", "Person MRN-2")  # its photos are now on screen
        overlay = window.results.overlay
        assert overlay.photo.image is not None
        for folder in data_folder.rglob("*"):
            if folder.is_dir() and folder.name == f"{first:06d}":
                shutil.rmtree(folder)
        window.show_history("MRN-1")
        window.history.open_button.click()
        assert window.results.result.expressions == {}
        assert overlay.photo.image is None and overlay.segmentation.image is None
        assert overlay.placeholder.isVisible() and "could not be read" in overlay.placeholder.textItem.toPlainText()
        assert "missing or damaged" in window.results.flags.text()
        assert window.results.expression_combo.count() == 0
    finally:
        close_window(window)


def test_leaving_an_unconfirmed_result_says_where_it_waits(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window, "MRN-5", "Person MRN-5")
        window.results.back_button.click()
        assert window.stack.currentWidget() is window.patients
        assert "Not confirmed yet" in window.statusBar().currentMessage() and "MRN-5" in window.statusBar().currentMessage()
        assert window.statusBar().toolTip() == window.statusBar().currentMessage()  # read in full when cut off
    finally:
        close_window(window)


def test_leaving_a_review_changed_after_confirming_asks_first(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # a grade ticked after confirming was dropped without a word by Back, Ctrl+1, the history
    # or closing the window
    answers: list[bool] = []
    asked: list[str] = []

    def ask(parent, title, text):
        asked.append(text)
        return answers.pop(0)

    window = make_window(qtbot, data_folder, tiny_weights, ask=ask)
    try:
        analysed_assessment(qtbot, window, "MRN-1", "Person MRN-1")
        page = window.results
        page.clinician_edit.setText("Dr. Test")
        page.grade_buttons.button(GRADES.index(page.result.grade)).click()  # flagged: none is ticked
        page.confirm_button.click()
        page.back_button.click()  # nothing changed since confirming: no question
        assert window.stack.currentWidget() is window.patients and asked == []

        assessment_id = analysed_assessment(qtbot, window, "MRN-2", "Person MRN-2")
        page.clinician_edit.setText("Dr. Test")
        page.grade_buttons.button(GRADES.index(page.result.grade)).click()  # flagged: none is ticked
        page.confirm_button.click()
        confirmed = window.gateway.assessment(assessment_id).confirmed_grade
        next(b for b in page.grade_buttons.buttons() if not b.isChecked()).setChecked(True)
        assert page.review_edited() and page.selected_grade() != confirmed
        answers[:] = [False] * 4  # No: stay, each time
        page.back_button.click()
        window.patients_action.trigger()
        window.show_history("MRN-2")
        user_close(window)
        assert window.stack.currentWidget() is window.results and window.isVisible() and page.review_edited()
        assert len(asked) == 4 and f"after grade {confirmed} was confirmed" in asked[0]
        answers[:] = [True]
        page.back_button.click()  # Yes: leave, asked once (Back asked twice, and a second No kept the page)
        assert window.stack.currentWidget() is window.patients and answers == [] and len(asked) == 5
        assert window.gateway.assessment(assessment_id).confirmed_grade == confirmed
    finally:
        close_window(window)


def test_a_stale_overlay_worker_does_not_release_export(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        first = analysed_assessment(qtbot, window, "MRN-6", "Person MRN-6")
        window.results.clinician_edit.setText("Dr. Test")
        window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
        window.results.confirm_button.click()
        window.show_history("MRN-6")
        window.history.open_button.click()
        assert window.results.overlays_pending
        # answers of a worker started for an assessment opened before this one are ignored
        window._overlays_recomputed(None, first + 1000)
        window._overlays_failed("boom", first + 1000)
        assert window.results.overlays_pending and not window.results.export_button.isEnabled()
        qtbot.waitUntil(lambda: not window.results.overlays_pending, timeout=WAIT_MS)
        assert window.results.export_button.isEnabled()
    finally:
        close_window(window)
