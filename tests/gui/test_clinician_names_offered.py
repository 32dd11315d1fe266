"""The Clinician field completes what one types with the names confirmed earlier in the session
(the name was typed for every patient), and never fills an empty field: a name filled in was
confirmed with one key. A name typed all in lower case is stored as offered: completion kept
the letters typed, and the same clinician was on record under two spellings. A name typed with
a capital letter is kept and offered from then on: the session's first, perhaps hasty, spelling
locked in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.analysis import AnalysisResult
from app.pages.results import ResultsPage
from app.pages.results_logic import offered_spelling, recent_names


def _result() -> AnalysisResult:
    return AnalysisResult("II", {"II": 0.8}, "left", "II", 80.0, [], [], {}, {}, {})


def _offered(page: ResultsPage, typed: str) -> list[str]:
    completer = page.clinician_edit.completer()
    completer.setCompletionPrefix(typed)
    model = completer.completionModel()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_recent_names_latest_first_once() -> None:
    assert recent_names(["Dr Kim", "Dr Lee"], " dr  lee ") == ["dr lee", "Dr Kim"]
    assert recent_names(["Dr Kim"], "") == ["Dr Kim"]
    assert recent_names([f"Dr {n}" for n in range(20)], "Dr X", limit=3) == ["Dr X", "Dr 0", "Dr 1"]


def test_a_name_typed_in_lower_case_is_spelt_as_offered() -> None:
    offered = ["Dr Kim", "Dr. Therapist"]
    assert offered_spelling(" dr.  therapist ", offered) == "Dr. Therapist"
    assert offered_spelling("DR. THERAPIST", offered) == "DR. THERAPIST"  # capitals: on purpose
    assert offered_spelling("Dr. McDonald", ["dr. mcdonald"]) == "Dr. McDonald"
    assert offered_spelling("dr. thera", offered) == "dr. thera"  # another name: as typed
    assert offered_spelling("", offered) == ""
    assert offered_spelling("Dr. de Vries", ["Dr. De Vries"]) == "Dr. de Vries"  # a correction, kept


def test_confirming_from_the_field_stores_the_offered_spelling(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result(), "Ada (MRN-1)", "analysed", assessment_id=1)
    page.mark_confirmed("II", "Dr. Therapist", "")
    page.show_result(_result(), "Bo (MRN-2)", "analysed", assessment_id=2)
    page.grade_buttons.button(1).setChecked(True)  # the network's grade II
    page.clinician_edit.setText("dr. therapist")  # confirmed before the field is left
    with qtbot.waitSignal(page.confirm_requested, timeout=1000) as confirmed:
        page.confirm()
    assert confirmed.args[0].clinician == "Dr. Therapist"


def test_the_next_review_offers_the_name_without_filling_it(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result(), "Ada (MRN-1)", "analysed", assessment_id=1)
    assert _offered(page, "d") == []
    page.mark_confirmed("II", "Dr. Therapist", "")
    page.show_result(_result(), "Bo (MRN-2)", "analysed", assessment_id=2)
    assert page.clinician_edit.text() == ""  # never filled in
    assert _offered(page, "dr. t") == ["Dr. Therapist"]  # any case
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    page.clinician_edit.setFocus()
    qtbot.waitUntil(page.clinician_edit.hasFocus)
    QTest.keyClicks(page.clinician_edit, "dr. t")
    assert page.clinician_edit.text() == "dr. therapist"  # the rest completed, selected: typing on replaces it
    assert page.clinician_edit.selectedText() == "herapist"
    QTest.keyClick(page.clinician_edit, Qt.Key.Key_End)  # takes the rest, in the letters typed
    assert page.clinician_edit.text() == "dr. therapist"
    QTest.keyClick(page.clinician_edit, Qt.Key.Key_Tab)  # on to Notes
    assert page.clinician_edit.text() == "Dr. Therapist"  # the name as offered, not as typed
    page.mark_confirmed("II", "Dr Kim", "")
    assert _offered(page, "dr") == ["Dr Kim", "Dr. Therapist"]  # the latest first


def test_a_name_on_record_stays_as_stored_when_the_field_is_left(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result(), "Ada (MRN-1)", "analysed", assessment_id=1)
    page.mark_confirmed("II", "Dr. Therapist", "")
    page.show_result(_result(), "Bo (MRN-2)", "confirmed", confirmed="II", clinician="dr. therapist", assessment_id=2)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    page.clinician_edit.setFocus()
    qtbot.waitUntil(page.clinician_edit.hasFocus)
    QTest.keyClick(page.clinician_edit, Qt.Key.Key_Tab)
    assert page.clinician_edit.text() == "dr. therapist"  # the record's, unedited: Export stays on
    assert not page.review_edited()


def _type_and_confirm(qtbot, page: ResultsPage, assessment_id: int, typed: str) -> str:
    """Types `typed` in the Clinician field, leaves it and confirms: the name the page stores."""
    page.show_result(_result(), f"Patient {assessment_id}", "analysed", assessment_id=assessment_id)
    page.grade_buttons.button(1).setChecked(True)  # the network's grade II
    page.clinician_edit.setFocus()
    qtbot.waitUntil(page.clinician_edit.hasFocus)
    QTest.keyClicks(page.clinician_edit, typed)
    QTest.keyClick(page.clinician_edit, Qt.Key.Key_End)  # takes any completed rest
    QTest.keyClick(page.clinician_edit, Qt.Key.Key_Tab)  # on to Notes
    with qtbot.waitSignal(page.confirm_requested, timeout=1000) as confirmed:
        page.confirm()
    page.mark_confirmed("II", confirmed.args[0].clinician, "")  # as the window does once stored
    return confirmed.args[0].clinician


def test_a_name_typed_with_capitals_is_kept_and_offered_from_then_on(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    assert _type_and_confirm(qtbot, page, 1, "dr. mcdonald") == "dr. mcdonald"  # the hasty first
    assert _type_and_confirm(qtbot, page, 2, "Dr. McDonald") == "Dr. McDonald"  # not rewritten
    assert _offered(page, "dr") == ["Dr. McDonald"]  # the latest spelling, once
    assert _type_and_confirm(qtbot, page, 3, "dr. mcdonald") == "Dr. McDonald"  # hasty again: as offered
