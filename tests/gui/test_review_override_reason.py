"""Review-form findings of the therapist's-day walkthrough (headless logic first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.pages.results_logic import confirmed_notice, review_decision
from models.errors import InputError
from models.labels import GRADES
from tests.gui.gui_helpers import analysed_assessment, close_window, make_window


@pytest.mark.parametrize("notes", [" . ", "ok", "-- ? --", "x y z", "n/a"])
def test_an_override_reason_must_say_something(notes: str) -> None:
    # " . " was accepted and signed as the reason the clinician overrode the network
    with pytest.raises(InputError, match="at least 8 letters or digits"):
        review_decision("IV", "Sam Therapist", notes, "II")


def test_a_short_real_reason_is_enough_and_agreeing_needs_none() -> None:
    assert review_decision("IV", "Sam", "synkinesis", "II").notes == "synkinesis"
    assert review_decision("IV", "Sam", "brow weak", "II").is_override
    assert review_decision("II", "Sam", " . ", "II").notes == "."


@pytest.mark.parametrize("notes", ["眼睑闭合不全", "구안와사 심함", "顔面麻痺あり", "मुँह टेढ़ा है", "ตาปิดไม่ได้",
                                   "Ασυμμετρία"])
def test_a_real_reason_in_any_script_is_enough(notes: str) -> None:
    # six Chinese characters (incomplete eyelid closure) counted 6, Devanagari's vowel signs
    # counted nothing: full reasons were refused as too short
    assert review_decision("IV", "Sam", notes, "II").is_override
    with pytest.raises(InputError, match="at least 8 letters or digits"):
        review_decision("IV", "Sam", "好", "II")


def test_the_notice_after_an_override_names_the_grade_confirmed() -> None:
    text, logged = confirmed_notice(review_decision("IV", "Sam Therapist", "brow weaker on effort", "II"))
    assert text == "Grade IV confirmed by Sam Therapist (overriding the network's grade II)"
    assert logged == "Grade IV confirmed (overriding the network's grade II) (clinician's name not logged)"
    assert confirmed_notice(review_decision("II", "Sam", "", "II"))[0] == "Grade II confirmed by Sam"


def test_the_status_bar_after_an_override_says_confirmed(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window, "MRN-8", "Person MRN-8")
        page = window.results
        model = window.result.grade
        other = "VI" if model != "VI" else "I"
        page.grade_buttons.button(GRADES.index(other)).setChecked(True)
        page.clinician_edit.setText("Sam Therapist")
        page.notes_edit.setPlainText("brow weaker on effort")
        page.confirm_button.click()
        message = window.statusBar().currentMessage()
        assert message == f"Grade {other} confirmed by Sam Therapist (overriding the network's grade {model})"
        assert "overridden" not in message
    finally:
        close_window(window)


def test_the_grade_row_says_confirmed_only_once_it_is(qtbot) -> None:
    from app.analysis import AnalysisResult
    from app.pages.results import ResultsPage

    page = ResultsPage()
    qtbot.addWidget(page)
    result = AnalysisResult("II", {"II": 0.8}, "left", "II", 80.0, [], [], {}, {}, {})
    page.show_result(result, "Ada (P-1)", "analysed")
    assert page.grade_caption.text() == "Grade to confirm"  # the network's grade is only preselected
    page.mark_confirmed("II", "Sam", "")
    assert page.grade_caption.text() == "Confirmed grade"
    page.show_result(result, "Ada (P-1)", "confirmed", "IV", "Sam", "brow weaker", read_only=True)
    assert page.grade_caption.text() == "Confirmed grade"
    page.show_result(result, "Bo (P-2)", "analysed")  # the next review starts over
    assert page.grade_caption.text() == "Grade to confirm"


def test_a_dot_for_a_reason_is_refused_on_the_page_and_notes_get_the_keyboard(qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    from app.analysis import AnalysisResult
    from app.pages.results import ResultsPage

    page = ResultsPage()
    qtbot.addWidget(page)
    page.show()
    page.show_result(AnalysisResult("II", {"II": 0.8}, "left", "II", 80.0, [], [], {}, {}, {}), "Ada (P-1)", "analysed")
    page.grade_buttons.button(GRADES.index("IV")).setChecked(True)
    page.clinician_edit.setText("Sam Therapist")
    page.notes_edit.setPlainText(" . ")
    with qtbot.assertNotEmitted(page.confirm_requested):
        page.confirm()
    assert "at least 8 letters or digits" in page.review_error.text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.notes_edit, timeout=5000)
