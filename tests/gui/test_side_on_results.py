"""The results page lists the side disagreement among its flags, as the report does, and a
side that was not measured reads "not measured", not "none"."""

from __future__ import annotations

from app.analysis import AnalysisResult
from app.pages.results import ResultsPage
from app.pages.results_logic import side_text


def _result(side: str, measured_grade: str | None) -> AnalysisResult:
    return AnalysisResult("V", {"V": 0.8}, side, measured_grade, None if measured_grade is None else 20.0,
                          [], [], {}, {}, {})


def test_a_side_disagreement_is_a_flag_on_the_results_page(qtbot) -> None:
    # the side line said "they differ" while the flags box below said "No flags: results are consistent."
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result("right", "V"), "Ada (MRN-1)", "analysed", registered_side="left")
    assert "Affected side differs from the patient record" in page.flags.text()
    assert "No flags" not in page.flags.text()
    page.show_result(_result("left", "V"), "Ada (MRN-1)", "analysed", registered_side="left")
    assert "No flags" in page.flags.text()


def test_a_side_that_was_not_measured_reads_not_measured(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result("none", None), "Ada (MRN-1)", "analysed", registered_side="left")
    assert "Affected side (patient&#x27;s): left (registered), not measured" in page.grade_label.text()
    assert side_text(None, "unknown") == "Affected side (patient's): not measured"
