"""The GUI names grades as the report does: the network's grade is "Network grade" (the page
said "Model grade", the history "Model", though the measured grade comes from the model too),
and the House-Brackmann words are the report's Table 1 words ("III – moderate" on screen was
"Moderate dysfunction" on paper)."""

from __future__ import annotations

import pytest

from app.analysis import AnalysisResult
from app.pages.history_logic import HISTORY_COLUMNS
from app.pages.results import ResultsPage
from app.pages.results_logic import decision_text, grade_label, review_decision
from app.report.hb_table import HB_TABLE
from models.errors import InputError
from models.labels import GRADES


def test_the_grade_words_are_the_reports_table() -> None:
    assert grade_label("III") == "III \u2013 moderate dysfunction"
    assert grade_label("IV") == "IV \u2013 moderately severe dysfunction"
    for grade, description, *_ in HB_TABLE:
        assert grade_label(grade).lower() == f"{grade} \u2013 {description}".lower()
    assert {row[0] for row in HB_TABLE} == set(GRADES)


def test_the_networks_grade_is_called_so_everywhere() -> None:
    assert "Network" in HISTORY_COLUMNS and "Model" not in HISTORY_COLUMNS
    assert decision_text("V", "Dr A", "IV").endswith("overriding the network's grade IV")
    with pytest.raises(InputError, match="overrides the network's grade III"):
        review_decision("IV", "Dr A", "", "III")


def test_the_results_page_says_network_grade_in_the_reports_words(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(AnalysisResult("III", {"III": 0.6}, "left", "IV", 40.0, [], [], {}, {}, {}), "Ada (MRN-1)", "analysed")
    text = page.grade_label.text()
    assert text.startswith("Network grade: <b>III \u2013 moderate dysfunction</b>")
    assert "Measured grade: <b>IV \u2013 moderately severe dysfunction</b>" in text
    assert "model" not in text.lower()
    assert "network's grade" in page.confirm_button.toolTip() and "of the model" not in page.confirm_button.toolTip()
