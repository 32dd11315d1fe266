"""The Clinician field completes what one types with the names confirmed earlier in the session
(the name was typed for every patient), and never fills an empty field: a name filled in was
confirmed with one key."""

from __future__ import annotations

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.analysis import AnalysisResult
from app.pages.results import ResultsPage
from app.pages.results_logic import recent_names


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
    page.mark_confirmed("II", "Dr Kim", "")
    assert _offered(page, "dr") == ["Dr Kim", "Dr. Therapist"]  # the latest first
