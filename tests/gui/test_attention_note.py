"""Beside the attention heat maps, the results page says what they are (and are not): a
therapist read a hot spot off the face as "the network looked at the wall", or as a finding."""

from __future__ import annotations

from app.analysis import AnalysisResult
from app.pages.results import ResultsPage
from models.pipeline.overlays import ATTENTION_NOTE


def test_the_results_page_says_what_the_heat_map_shows(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(AnalysisResult("III", {"III": 0.6}, "left", "IV", 40.0, [], [], {}, {}, {}), "Ada (MRN-1)", "analysed")
    page.show()
    qtbot.waitExposed(page)
    assert page.attention_note.isVisible() and page.attention_note.text() == ATTENTION_NOTE
    assert "not why it graded" in ATTENTION_NOTE and "not evidence" in ATTENTION_NOTE
    assert page.attention_combo.toolTip() == ATTENTION_NOTE
