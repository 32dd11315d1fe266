"""The history table gives each visit's measured function (House's measure) as text, as the
report's history table does: the function plot alone left a screen reader without it."""

from __future__ import annotations

from app.pages.history import HistoryPage
from app.pages.history_logic import HISTORY_COLUMNS, history_row
from app.records_gateway import AssessmentInfo

MEASURED = {"measured": {"function_percent": 41.4, "regions": {"brow": {"percent": 30.0}}}, "affected_side": "left"}


def test_history_row_gives_the_function_spaced_or_a_dash() -> None:
    function = HISTORY_COLUMNS.index("Function")
    assert HISTORY_COLUMNS[function - 1] == "Measured"  # beside the grade it measures
    measured = AssessmentInfo(1, "P", "analysed", "2026-03-01T10:00:00+00:00", "III", "II", result=MEASURED)
    unmeasured = AssessmentInfo(2, "P", "analysed", "2026-03-02T10:00:00+00:00", "III", None, result={"measured": {}})
    draft = AssessmentInfo(3, "P", "draft", "2026-03-03T10:00:00+00:00")
    assert history_row(measured)[function] == "41 %"
    assert history_row(unmeasured)[function] == "\u2013" and history_row(draft)[function] == "\u2013"
    assert len(history_row(measured)) == len(HISTORY_COLUMNS)


def test_history_page_shows_the_function_column(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("P", [AssessmentInfo(1, "P", "analysed", "2026-03-01T10:00:00+00:00", "III", "II", result=MEASURED)])
    function = HISTORY_COLUMNS.index("Function")
    header = page.table.horizontalHeaderItem(function)
    assert header.text() == "Function" and "House's measure" in header.toolTip()
    assert page.table.item(0, function).text() == "41 %"


def test_the_table_is_named_for_its_patient(qtbot) -> None:
    # a screen reader reached it as "Assessments of this patient"
    from app.pages.patient_label import PatientLabel

    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history(PatientLabel("Jane Doe", " (MRN-2041)"), [])
    assert page.table.accessibleName() == "Assessments of Jane Doe (MRN-2041)"
