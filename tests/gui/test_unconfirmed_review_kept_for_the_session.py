"""A review typed but not confirmed is kept for the session: leaving it (to compare with the
last visit in the history) and reopening the visit brings the grade, clinician and notes back,
still to be confirmed. The results page names the patient's last confirmed visit."""

from __future__ import annotations

from pathlib import Path

from app.pages.results_logic import KeptReviews, ReviewForm, last_visit_text
from app.records_gateway import AssessmentInfo
from tests.gui.gui_helpers import (
    WAIT_MS,
    analysed_assessment,
    capture_all,
    close_window,
    make_window,
)

NOTES = "Brow weaker on the left than at the last visit"


def _visit(number: int, status: str, grade: str | None = None, clinician: str = "", percent: float | None = None) -> AssessmentInfo:
    result = {"measured": {"function_percent": percent}} if percent is not None else {}
    return AssessmentInfo(number, "MRN-1", status, f"2026-0{number}-15T10:00:00", confirmed_grade=grade,
                          clinician=clinician, result=result)


def test_the_last_confirmed_visit_before_the_one_shown() -> None:
    visits = [_visit(1, "confirmed", "V", "Dr Lee", 20.0), _visit(2, "confirmed", "IV", "Dr Kim", 41.4),
              _visit(3, "analysed"), _visit(4, "analysed")]
    assert last_visit_text(visits, 4) == "Last confirmed visit 2026-02-15: grade IV (Dr Kim), measured function 41 %"
    assert last_visit_text(visits, 2) == "Last confirmed visit 2026-01-15: grade V (Dr Lee), measured function 20 %"
    assert last_visit_text(visits, 1) == ""  # the first visit has none before it
    assert last_visit_text([_visit(1, "confirmed", "II")], 9) == "Last confirmed visit 2026-01-15: grade II"
    assert last_visit_text([_visit(1, "analysed")], 2) == ""


def test_kept_reviews_by_assessment() -> None:
    kept = KeptReviews()
    kept.keep(3, ReviewForm("III", "Dr Kim", NOTES))
    assert kept.get(3) == ReviewForm("III", "Dr Kim", NOTES) and kept.get(4) is None and kept.get(None) is None
    kept.drop(3)
    assert kept.get(3) is None


def _type_review(page) -> None:
    page.grade_buttons.button(2).setChecked(True)
    page.clinician_edit.setText("Dr. Therapist")
    page.notes_edit.setPlainText(NOTES)


def test_leaving_and_reopening_brings_the_review_back(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        today = analysed_assessment(qtbot, window)
        page = window.results
        assert not page.kept_note.isVisibleTo(page)
        _type_review(page)
        window.history_action.trigger()  # to compare with the history (the question is answered Yes)
        assert window.stack.currentWidget() is window.history
        window.open_read_only(today)
        assert window.stack.currentWidget() is page and not page.read_only
        assert (page.selected_grade(), page.clinician_edit.text(), page.notes_edit.toPlainText()) == ("III", "Dr. Therapist", NOTES)
        assert page.kept_note.isVisibleTo(page) and page.status == "analysed"  # still to be confirmed
        qtbot.waitUntil(lambda: not page.overlays_pending, timeout=WAIT_MS)
        page.confirm()
        assert window.gateway.assessment(today).status == "confirmed"
        assert not page.kept_note.isVisibleTo(page) and page.kept_reviews.get(today) is None
    finally:
        close_window(window)


def test_a_returning_patient_sees_the_last_confirmed_visit(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        first = analysed_assessment(qtbot, window)
        percent = window.result.function_percent  # None when the tiny network measured nothing
        measured = f", measured function {percent:.0f} %" if percent is not None else ""
        page = window.results
        assert not page.last_visit_label.isVisibleTo(page)  # a first visit has nothing to compare with
        window.gateway.confirm(first, "IV", "Dr Kim", "")
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        window.start_analysis()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is page and window.assessment_id != first
                        and page.result is window.result, timeout=WAIT_MS)
        assert page.last_visit_label.isVisibleTo(page)
        assert page.last_visit_label.text().startswith("Last confirmed visit ")
        assert page.last_visit_label.text().endswith(f": grade IV (Dr Kim){measured}")
        assert page.kept_reviews.get(first) is None and page.clinician_edit.text() == ""  # a new review
    finally:
        close_window(window)
