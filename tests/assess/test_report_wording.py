"""The report in words: flags and quality checks in plain English (models.pipeline.flag_wording),
one name for House's measure, and the registered and measured affected sides."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from app.report.pdf import HOUSE_MEASURE, ReportContext, write_report
from models.pipeline import flag_wording
from models.pipeline.flag_wording import (
    CHECK_LABELS,
    FLAG_TITLES,
    check_label,
    flag_detail,
    flag_title,
    side_disagreement,
    worded_flags,
)
from models.pipeline.quality import check_quality

ROOT = Path(__file__).resolve().parents[2]
# Every file that raises a flag: the pipeline's review flags and the reopened record's.
FLAG_SOURCES = ("models/pipeline/assess.py", "app/reopen.py")
INTERNAL = re.compile(r"\b(?:low_confidence|grade_disagreement|missing_rest|missing_expressions|no_measured_grade|"
                      r"failed_quality|face_not_detected|one_face|face_size|head_roll|close_eyes|raise_eyebrows|"
                      r"open_mouth|wrinkle_nose|puff_cheeks)\b")


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def _body(**extra: object) -> dict:
    body = {
        "grade": "III",
        "probabilities": {"II": 0.3, "III": 0.7},
        "affected_side": "left",
        "measured": {"grade": "IV", "function_percent": 38.0, "method": "House (brow + commissure), regions weighted by the "
                     "stronger side's movement", "regions": {"brow": {"label": "Brow elevation", "expression": "raise_eyebrows",
                                                                       "left": 0.07, "right": 0.15, "ratio": 0.44,
                                                                       "percent": 44.0}}},
        "expressions": {"close_eyes": {"probabilities": {"III": 0.7},
                                       "quality": {"passed": False, "checks": {"one_face": {"passed": True},
                                                                               "centring": {"passed": False},
                                                                               "head_roll": {"passed": False}}}}},
        "flags": [],
    }
    body.update(extra)
    return body


def test_every_flag_code_the_program_raises_has_words() -> None:
    codes = set()
    for source in FLAG_SOURCES:
        codes |= set(re.findall(r"Flag\(\s*\"([a-z_]+)\"", (ROOT / source).read_text(encoding="utf-8")))
    assert {"low_confidence", "failed_quality", "face_not_detected", "photos_unreadable"} <= codes  # the scan works
    assert codes <= set(FLAG_TITLES), codes - set(FLAG_TITLES)
    assert flag_title("low_confidence") == "Low network confidence"
    assert flag_title("failed_quality") == "Photo failed the quality check"
    assert flag_title("face_not_detected") == "No face found"
    assert flag_title("something_new") == "Something new"  # an unknown code: spaces for underscores


def test_every_quality_check_has_words() -> None:
    # no face: every check, "face_resolution" with the network's input size (as `assess` asks it)
    names = {c.name for c in check_quality(np.zeros((120, 160, 3), np.uint8), faces=[], input_size=256).checks}
    assert names == set(CHECK_LABELS)
    assert [check_label(n) for n in ("one_face", "face_size", "centring", "head_roll")] == [
        "one face in view", "face the right size", "face centred", "head level"]
    assert check_label("new_check") == "new check"


def test_messages_lose_their_internal_names_but_not_file_names() -> None:
    assert flag_detail("failed_quality", "close_eyes: centre the face in the guide", "close_eyes") == (
        "Close eyes: centre the face in the guide")
    # a record stored before the flag carried the checks' own words
    assert flag_detail("failed_quality", "close_eyes: quality check(s) failed: centring, head_roll", "close_eyes") == (
        "Close eyes: check not met: face centred, head level")
    assert flag_detail("missing_expressions", "not photographed: close_eyes, puff_cheeks") == (
        "not photographed: close eyes, puff cheeks")
    assert flag_detail("face_not_detected", "close_eyes.jpg: no face detected; used the centre") == (
        "close_eyes.jpg: no face detected; used the centre")  # the file the user named stays as it is
    lines = worded_flags([
        {"code": "failed_quality", "message": "rest: too dark: add light", "expression": "rest"},
        {"code": "low_confidence", "message": "review carefully"},
        {"code": "failed_quality", "message": "open_mouth: too dark: add light", "expression": "open_mouth"},
        {"code": "failed_quality", "message": "puff_cheeks: 2 faces found: only the patient in view", "expression": "puff_cheeks"},
    ])
    assert lines == [
        ("Photo failed the quality check", "Rest, Open mouth: too dark: add light. Puff cheeks: 2 faces found: only the "
                                           "patient in view"),
        ("Low network confidence", "review carefully"),
    ]
    # the results page's flag objects (code, text, expression) read the same
    from app.analysis import Flag

    assert worded_flags([Flag("failed_quality", "rest: too dark: add light", "rest")]) == [
        ("Photo failed the quality check", "Rest: too dark: add light")]


def test_the_pdf_words_flags_and_checks_without_internal_codes(tmp_path: Path) -> None:
    flags = [
        {"code": "low_confidence", "message": "the network's top probability is 27% (< 50%): review carefully"},
        {"code": "failed_quality", "message": "close_eyes: centre the face in the guide; head tilted: keep the eyes level",
         "expression": "close_eyes"},
        {"code": "face_not_detected", "message": "close_eyes: no face detected; used the centre of the frame", "expression": "close_eyes"},
        {"code": "missing_expressions", "message": "not photographed: wrinkle_nose, puff_cheeks"},
        {"code": "grade_disagreement", "message": "the network's grade III and the measured grade V differ"},
    ]
    text = _text(write_report(tmp_path / "r.pdf", _body(flags=flags), ReportContext(assessment_date="2026-11-24")))
    for needle in ("Low network confidence:", "Photo failed the quality check: Close eyes: centre the face in the guide; head "
                   "tilted: keep the eyes level",
                   "No face found: close eyes: no face detected", "Expressions not photographed: not photographed: wrinkle nose, "
                   "puff cheeks", "Network and measured grades disagree", "quality: face centred; head level"):
        assert needle in text, needle
    assert not INTERNAL.search(text), INTERNAL.search(text)


def test_gui_flags_stored_with_text_are_printed(tmp_path: Path) -> None:
    # the GUI's own assessment.json (no pipeline object) keeps "text", not "message"
    body = _body(flags=[{"code": "low_confidence", "text": "review carefully"}])
    text = _text(write_report(tmp_path / "r.pdf", body, ReportContext()))
    assert "Low network confidence: review carefully" in text


def test_the_attention_panel_is_titled_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the PDF's attention picture was titled with the code name "spatial_5"
    from types import SimpleNamespace

    from app.report import outputs

    assert outputs.attention_title("spatial_5") == "Spatial attention 5x5"  # OpenCV's font has no "\u00d7"
    assert outputs.attention_title("channel") == "Channel attention"
    titles: list[str] = []
    real = outputs.attention_overlay
    monkeypatch.setattr(outputs, "attention_overlay", lambda photo, heat, name="": titles.append(name) or real(photo, heat, name))
    photo = np.full((64, 64, 3), 128, np.uint8)
    expression = SimpleNamespace(photo=photo, mask=np.zeros((64, 64), np.uint8),
                                 attention={"spatial_5": np.zeros((8, 8), np.float32), "channel": np.ones((8, 8), np.float32)})
    paths = outputs.write_overlays({"rest": expression}, tmp_path)
    assert titles == ["Spatial attention 5x5", "Channel attention"]
    assert outputs.report_images(paths, tmp_path)["rest"]["attention"].name == "rest_attention_spatial_5.png"


def test_house_measure_has_one_name(tmp_path: Path) -> None:
    text = _text(write_report(tmp_path / "r.pdf", _body(), ReportContext()))
    assert HOUSE_MEASURE == "House's measure"
    assert f"(38 % function by {HOUSE_MEASURE})" in text
    assert f"{HOUSE_MEASURE} (brow + commissure), regions weighted" in text
    assert "House (brow" not in text  # measures.py's own short name is not printed


@pytest.mark.parametrize(("registered", "measured", "shown", "differ"), [
    ("right", "left", "right (registered), left (measured)", True),
    ("left", "left", "left (registered), left (measured)", False),
    ("unknown", "right", "not registered, right (measured)", False),
    ("none", "left", "none (registered), left (measured)", False),  # none is no side to disagree with
    ("left", "none", "left (registered), none (measured)", False),
])
def test_registered_and_measured_affected_sides(tmp_path: Path, registered: str, measured: str, shown: str, differ: bool) -> None:
    text = _text(write_report(tmp_path / "r.pdf", _body(affected_side=measured), ReportContext(registered_side=registered)))
    assert f"Affected side {shown}" in text
    assert ("Affected side differs from the patient record" in text) == differ
    if differ:
        assert f"the patient record says the {registered} side is affected, the photos measured the {measured} side weaker" in text
    assert (side_disagreement(registered, measured) is not None) == differ


def test_wording_module_imports_no_qt_or_torch() -> None:
    import subprocess
    import sys

    code = ("import sys, models.pipeline.flag_wording; "
            "print(sorted(m for m in ('torch', 'PySide6', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
    assert flag_wording.__doc__


def test_a_side_that_was_not_measured_is_not_printed_as_none(tmp_path: Path) -> None:
    # without a rest photo the pipeline stores affected side "none", which read as "no palsy"
    body = _body(affected_side="none", measured={"grade": None, "function_percent": None, "regions": {}})
    text = _text(write_report(tmp_path / "r.pdf", body, ReportContext(registered_side="left")))
    assert "Affected side left (registered), not measured" in text
    assert "Measured side not measured" in text and "none (measured)" not in text
    measured_grade_i = _text(write_report(tmp_path / "i.pdf", _body(affected_side="none", measured={"grade": "I"}),
                                          ReportContext(registered_side="unknown")))
    assert "not registered, none (measured)" in measured_grade_i  # measured, and no weaker side


def test_review_flags_are_the_pipelines_and_the_side_disagreement() -> None:
    from models.pipeline.flag_wording import measured_side, review_flags

    flags = [{"code": "low_confidence", "message": "top probability 0.42"}]
    assert [t for t, _ in review_flags(flags, "left", "left")] == ["Low network confidence"]
    titles = [t for t, _ in review_flags(flags, "left", "right")]
    assert titles == ["Low network confidence", "Affected side differs from the patient record"]
    assert review_flags([], "unknown", "right") == []
    assert measured_side("none", None) is None and measured_side("none", "I") == "none"
    assert measured_side("left", "IV") == "left"
