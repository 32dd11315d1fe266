"""The results page says what the report says (audits a3 F1, F3, F6.7, F6.9 and a6 item 8): a
region whose part the face parser lost is "not found", not "too small", and its flag says so; the
page opens on the attention map the report prints; the measured grade's line stays when none was
measured; the measure's method is printed under the regions table; the probability bars have a
text alternative."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from app.analysis import AnalysisResult, Flag, RegionRow, result_from_assessment
from app.pages.results import ResultsPage
from app.pages.results_logic import method_line
from models.pipeline.measures import (
    REGION_BY_NAME,
    MeasuredFunction,
    house_basis,
    judge_region,
    method_text,
)
from models.pipeline.overlays import REPORT_ATTENTION

LABEL = "Ada (MRN-1)"


@pytest.fixture
def page(qtbot) -> ResultsPage:
    page = ResultsPage()
    qtbot.addWidget(page)
    return page


def _measured(brow_left: float | None = None) -> MeasuredFunction:
    """A lost brow (found on one side only: `judge_region(spec, None, 0.16)`), a judged
    commissure and a nasal ala that moved too little."""
    regions = {
        "brow": judge_region(REGION_BY_NAME["brow"], brow_left, 0.16),
        "commissure": judge_region(REGION_BY_NAME["commissure"], 0.20, 0.25),
        "ala": judge_region(REGION_BY_NAME["ala"], 0.005, 0.01),
    }
    return MeasuredFunction("II", 80.0, "left", "left", regions)


def _live(measured: MeasuredFunction, expressions: dict | None = None,
          probabilities: tuple[float, ...] = (0.1, 0.6, 0.1, 0.1, 0.05, 0.05)) -> AnalysisResult:
    """What the page gets after an analysis (`result_from_assessment` of the pipeline's result)."""
    flags = [SimpleNamespace(code="partial_measure", message=house_basis(measured), expression=None)]
    assessment = SimpleNamespace(grade="II", probabilities=probabilities, affected_side="left", measured=measured,
                                 expressions=expressions or {}, flags=flags, model={}, timings_ms={})
    return result_from_assessment(assessment)


def _row(page: ResultsPage, label: str) -> list:
    rows = [[page.regions.item(r, c) for c in range(4)] for r in range(page.regions.rowCount())]
    return next(row for row in rows if row[0].text() == label)


def test_a_region_the_parser_lost_reads_not_found_on_screen_and_in_its_flag(page) -> None:
    page.show_result(_live(_measured()), LABEL, "analysed")
    brow = _row(page, "Brow elevation")
    assert brow[3].text() == "not found" and brow[3].toolTip() == "part not found in the mask"
    assert _row(page, "Nasal ala lift")[3].text() == "too small"  # the too-small case keeps its words
    assert _row(page, "Commissure excursion")[3].text() == "80 %"
    flags = page.flags.text()
    assert "brow elevation: part not found in the mask (retake the Raise eyebrows photo)" in flags
    assert "too little" not in flags and "too small" not in flags


def _with_maps(*names: str) -> dict:
    heat = {name: np.zeros((8, 8), np.float32) for name in names}
    return {"rest": SimpleNamespace(photo=np.zeros((8, 8, 3), np.uint8), mask=np.zeros((8, 8), np.uint8),
                                    attention=heat, probabilities=np.full(6, 1 / 6))}


def test_the_page_opens_on_the_attention_map_the_report_prints_and_says_so(page) -> None:
    page.show_result(_live(_measured(0.15), _with_maps("spatial_3", "spatial_5", "channel")), LABEL, "analysed")
    assert page.attention_combo.currentData() == REPORT_ATTENTION == "spatial_5"
    assert "The PDF report prints Spatial 5\u00d75" in page.attention_combo.toolTip()
    assert page.heat_key.isVisibleTo(page)  # a map is on the photo
    # without that map the report prints the first one there is: so does the page, and says so
    page.show_result(_live(_measured(0.15), _with_maps("spatial_3", "channel")), LABEL, "analysed")
    assert page.attention_combo.currentData() == "spatial_3"
    assert "The PDF report prints Spatial 3\u00d73" in page.attention_combo.toolTip()


def test_without_a_measured_grade_the_line_says_it_is_not_available(page) -> None:
    result = AnalysisResult("II", {"II": 0.6}, "left", None, None, [], [Flag("no_measured_grade", "why")], {}, {}, {})
    page.show_result(result, LABEL, "analysed")
    assert "<br>Measured grade: not available (see the flags)<br>" in page.grade_label.text()


def test_the_measures_method_is_printed_under_the_regions_table(qtbot, page) -> None:
    measured = _measured(0.15)
    page.show_result(_live(measured), LABEL, "analysed")
    text = page.method_label.text()
    assert "the weaker side's movement as a percentage of the stronger side's" in text
    assert method_text(measured) in text  # the line the report prints under its table
    page.show()
    qtbot.waitExposed(page)
    assert page.method_label.isVisible() and page.method_label.parentWidget() is page.regions.parentWidget()
    assert page.method_label.geometry().top() >= page.regions.geometry().bottom()


def test_a_reopened_visits_method_line_is_rebuilt_from_its_stored_rows() -> None:
    measured = _measured(0.15)
    stored = [RegionRow(r.label, round(r.left, 4), round(r.right, 4), r.percent, r.note, r.unit, r.judged, r.expression)
              for r in measured.regions.values()]
    assert method_line(stored, "II", 80.0) == method_line([], "II", 80.0, SimpleNamespace(measured=measured))


def test_the_probability_bars_are_given_in_words(page) -> None:
    # 0.4996 must not read "50 %" beside the low-confidence flag's "< 50 %"
    result = AnalysisResult("III", {"I": 0.03, "II": 0.12, "III": 0.4996, "IV": 0.3504}, "left", None, None,
                            [], [], {}, {}, {})
    page.show_result(result, LABEL, "analysed")
    words = "I 3 %, II 12 %, III 49.96 % (network's grade), IV 35 %, V 0 %, VI 0 %"
    assert page.chart.accessibleDescription() == words
    assert page.chart.toolTip() == f"Network grade probabilities: {words}"
    assert page.chart.accessibleName() == "Network grade probabilities"
