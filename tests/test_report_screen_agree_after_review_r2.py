"""The report and the results page say the same thing of the same visit (review r2, D1, D3, D6,
D9, D11, D12, D13): an old visit graded with unvalidated weights reprints with the amber box; the
method line of a reopened visit is the stored one; no measured grade is worded alike; the
negative eye closure is explained by one function; a lost part names the photo that lost it and
an old visit's flag is reworded from its stored regions; the just-under-50 bar reads "<50"."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from pypdf import PdfReader

from app.analysis import RegionRow
from app.pages.results_logic import NO_MEASURED_GRADE, method_line, wider_than_rest
from app.reopen import result_from_record
from app.report.charts import bar_label
from app.report.model_cautions import CAUTIONS_TITLE, cautions_box, record_cautions
from app.report.pdf import ReportContext, write_report
from models.labels import CLASS_INDEX
from models.pipeline.measures import (
    REGION_BY_NAME,
    MeasuredFunction,
    house_basis,
    judge_region,
    measure_function,
    not_found_text,
    restated_flags,
)
from models.resources import UNVALIDATED_CAUTION
from tests.assess.masks import paint_patient

# A visit stored before today: House's measure rests on the commissure, the brow's right side lost
# by the parser, the flag still in the old words.
OLD_FLAG = {"code": "partial_measure", "message": "the measured grade rests on commissure excursion alone: "
            "brow elevation moved too little to judge"}
OLD_VISIT = {
    "grade": "III",
    "probabilities": {"II": 0.3, "III": 0.7},
    "affected_side": "left",
    "measured": {
        "grade": "II", "function_percent": 80.0, "affected_side": "left", "weaker_side": "left",
        "method": "House's measure: per side, commissure travel / 0.25 D: left 0.800, right 1.000; "
                  "function = 0.800 / 1.000 = 80 %. Bands (stored)",
        "regions": {
            "brow": {"label": "Brow elevation", "expression": "raise_eyebrows", "unit": "D", "left": 0.08,
                     "right": None, "ratio": None, "percent": None, "weaker_side": None, "judged": False,
                     "note": "movement too small to judge"},
            "commissure": {"label": "Commissure excursion", "expression": "open_mouth", "unit": "D", "left": 0.2,
                           "right": 0.25, "ratio": 0.8, "percent": 80.0, "weaker_side": "left", "judged": True,
                           "note": ""},
        },
    },
    "flags": [OLD_FLAG],
    "model": {"name": "research.pt", "sha256": "ab" * 32, "demo": False},
}


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages)


def test_an_old_visit_with_unvalidated_weights_reprints_with_the_amber_box(tmp_path: Path) -> None:
    record = {"name": "research.pt", "sha256": "ab" * 32, "demo": False}  # no `cautions`: graded before today
    assert record_cautions(record) == [UNVALIDATED_CAUTION]
    assert cautions_box(record, 400) is not None
    text = _pdf_text(write_report(tmp_path / "r.pdf", {**OLD_VISIT, "model": record}, ReportContext(patient_id="P1")))
    assert CAUTIONS_TITLE in text
    # a network of no file (tests' in-memory weights) and the demonstration weights get none
    assert cautions_box({"name": "net", "demo": False}, 400) is None
    assert cautions_box({"name": "demo.pt", "sha256": "cd" * 32, "demo": True}, 400) is None


def test_no_measured_grade_reads_alike_on_screen_and_in_the_report(tmp_path: Path) -> None:
    visit = {**OLD_VISIT, "measured": {"grade": None, "function_percent": None, "regions": {},
                                       "notes": ["rest photo: both eyes must be visible in the rest mask"]}}
    text = _pdf_text(write_report(tmp_path / "r.pdf", visit, ReportContext(patient_id="P1")))
    assert f"Measured grade {NO_MEASURED_GRADE}" in text
    assert method_line([], None, None) == ""  # no method under an empty table on screen either


def test_a_reopened_visits_method_line_is_the_stored_one() -> None:
    result = result_from_record(SimpleNamespace(result=OLD_VISIT, captures={}, assessment_id=1), None)
    line = method_line(result.regions, result.measured_grade, result.function_percent, result.raw,
                       result.stored_method)
    assert OLD_VISIT["measured"]["method"] in line
    rows = [RegionRow("Commissure excursion", 0.2, 0.25, 80.0)]
    assert "left 0.800, right 1.000" in method_line(rows, "II", 80.0)  # rebuilt only without a stored one


def test_the_negative_eye_closure_is_explained_by_one_function() -> None:
    assert wider_than_rest("eye", -0.12, 0.95) == "negative: the left eye opened wider than at rest"
    assert wider_than_rest("Eye closure", -0.1, -0.2) == "negative: the left and right eyes opened wider than at rest"
    assert wider_than_rest("Brow elevation", -0.1, 0.2) == ""


def test_a_part_lost_on_the_rest_photo_names_the_rest_photo() -> None:
    masks = paint_patient((0.6, 1.0))
    masks["rest"] = masks["rest"].copy()
    masks["rest"][masks["rest"] == CLASS_INDEX["right_brow"]] = CLASS_INDEX["skin"]  # lost on rest only
    measured = measure_function(masks)
    assert measured.regions["brow"].missing_in == ("rest",)
    assert house_basis(measured).endswith("brow elevation: part not found on the Rest photo (retake it)")
    assert "Raise eyebrows" not in house_basis(measured)
    both = not_found_text(REGION_BY_NAME["brow"], ("rest", "raise_eyebrows"))
    assert both == "brow elevation: part not found on the Rest and the Raise eyebrows photos (retake them)"


def test_a_lost_part_on_the_expression_photo_names_it() -> None:
    masks = paint_patient((0.6, 1.0))
    raised = masks["raise_eyebrows"].copy()
    raised[raised == CLASS_INDEX["right_brow"]] = CLASS_INDEX["skin"]
    masks["raise_eyebrows"] = raised
    measured = measure_function(masks)
    assert measured.regions["brow"].missing_in == ("raise_eyebrows",)
    assert measured.regions["brow"].to_dict()["missing_in"] == ["raise_eyebrows"]  # stored as JSON


def test_an_old_visits_flag_is_reworded_from_its_stored_regions(tmp_path: Path) -> None:
    flags = restated_flags([OLD_FLAG], OLD_VISIT["measured"])
    assert "moved too little" not in flags[0]["message"]
    assert "brow elevation: part not found" in flags[0]["message"]
    result = result_from_record(SimpleNamespace(result=OLD_VISIT, captures={}, assessment_id=1), None)
    assert "part not found" in result.flags[0].text and "too little" not in result.flags[0].text
    text = _pdf_text(write_report(tmp_path / "r.pdf", OLD_VISIT, ReportContext(patient_id="P1")))
    assert "moved too little" not in text and "brow elevation: part not found" in text
    # a brow that did move too little keeps its words
    small = MeasuredFunction("II", 80.0, "left", "left", {
        "brow": judge_region(REGION_BY_NAME["brow"], 0.01, 0.02),
        "commissure": judge_region(REGION_BY_NAME["commissure"], 0.2, 0.25)})
    assert house_basis(small).endswith("brow elevation moved too little to judge")


def test_the_just_under_50_bar_reads_less_than_50() -> None:
    assert bar_label(49.9999) == "<50"
    assert bar_label(49.96) == "49.96" and bar_label(70.0) == "70"


def test_a_visit_stored_before_the_measure_was_renamed_reads_alike_on_screen_and_paper() -> None:
    from app.pages.results_logic import method_line
    from app.report.pdf import _method

    old = ("House (brow + commissure): per side, brow rise / 10 D + commissure travel / 20 D: left 1.2, right 0.6; "
           "function = 0.600 / 1.200 = 50 %")
    screen = method_line(["a stored region row"], "III", 50.0, None, old)
    assert "House's measure (brow + commissure): per side" in screen and "House (brow" not in screen
    assert _method(old) in screen
