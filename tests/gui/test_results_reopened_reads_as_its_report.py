"""A visit reopened on the results page reads as its report (review r2, D3, D6, D9, D11): the
method line is the stored one, a negative eye closure is explained in the row's tooltip, an old
visit's flag about a lost brow no longer says it "moved too little", and nothing measured prints
no method under the empty table."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.pages.results import ResultsPage
from app.reopen import result_from_record

LABEL = "Ada (MRN-1)"
METHOD = ("House's measure: per side, commissure travel / 0.25 D: left 0.800, right 1.000; "
          "function = 0.800 / 1.000 = 80 %. Bands (as stored)")


def _region(label: str, expression: str, left: float | None, right: float | None, percent: float | None,
            judged: bool, note: str = "") -> dict:
    return {"label": label, "expression": expression, "unit": "D", "left": left, "right": right,
            "ratio": None if percent is None else percent / 100, "percent": percent, "weaker_side": None,
            "judged": judged, "note": note}


STORED = {
    "grade": "III",
    "probabilities": {"II": 0.3, "III": 0.7},
    "affected_side": "left",
    "measured": {
        "grade": "II", "function_percent": 80.0, "affected_side": "left", "weaker_side": "left", "method": METHOD,
        "regions": {
            "brow": _region("Brow elevation", "raise_eyebrows", 0.08, None, None, False, "movement too small to judge"),
            "eye": {**_region("Eye closure", "close_eyes", -0.12, 0.95, 0.0, True), "unit": "fraction"},
            "commissure": _region("Commissure excursion", "open_mouth", 0.2, 0.25, 80.0, True),
        },
    },
    "flags": [{"code": "partial_measure", "message": "the measured grade rests on commissure excursion alone: "
               "brow elevation moved too little to judge"}],
    "model": {},
}


@pytest.fixture
def page(qtbot) -> ResultsPage:
    page = ResultsPage()
    qtbot.addWidget(page)
    return page


def _reopened(stored: dict):
    return result_from_record(SimpleNamespace(result=stored, captures={}, assessment_id=7), None)


def _row(page: ResultsPage, label: str) -> list:
    rows = [[page.regions.item(r, c) for c in range(4)] for r in range(page.regions.rowCount())]
    return next(row for row in rows if row[0].text() == label)


def test_a_reopened_visit_reads_as_its_report(page) -> None:
    page.show_result(_reopened(STORED), LABEL, "analysed", read_only=True, assessment_id=7)
    assert METHOD in page.method_label.text()
    eye = _row(page, "Eye closure")
    assert eye[1].text() == "-0.12 fraction"
    assert all("negative: the left eye opened wider than at rest" in item.toolTip() for item in eye)
    assert _row(page, "Brow elevation")[3].text() == "not found"
    flags = page.flags.text()
    assert "brow elevation: part not found" in flags and "too little" not in flags


def test_nothing_measured_prints_no_method_under_the_empty_table(page) -> None:
    stored = {**STORED, "flags": [], "measured": {"grade": None, "function_percent": None, "regions": {},
                                                  "notes": ["rest photo: both eyes must be visible in the rest mask"]}}
    page.show_result(_reopened(stored), LABEL, "analysed", read_only=True, assessment_id=7)
    assert page.method_label.text() == "" and not page.method_label.isVisibleTo(page)
    assert "Measured grade: not available (see the flags)" in page.grade_label.text()
