"""A photo that failed the quality check is flagged in the check's own words, which say what to
do ("Rest: the face is only 123 px across: move closer or use a higher resolution"), not
"Rest: check not met: face of enough pixels"; "face the right size" said neither too big nor
too small. The failed photos share one line, as the report's first page has room for."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from models.labels import GRADES
from models.pipeline.assess import build_flags
from models.pipeline.flag_wording import flag_detail, worded_flags
from models.pipeline.measures import MeasuredFunction
from models.pipeline.quality import (
    QualityReport,
    QualityThresholds,
    check_quality,
    face_resolution_check,
)

FUSED = np.array([0.9] + [0.02] * (len(GRADES) - 1))
NO_MEASURE = MeasuredFunction(None, None, "none", None)


def _result(quality: QualityReport) -> SimpleNamespace:
    return SimpleNamespace(quality=quality, crop=SimpleNamespace(detected=True, warning=""))


def _flags(**qualities: QualityReport) -> list:
    results = {e: _result(q) for e, q in qualities.items()}
    return [f for f in build_flags("I", FUSED, results, NO_MEASURE) if f.code == "failed_quality"]


def test_a_face_of_too_few_pixels_is_flagged_with_the_remedy() -> None:
    small = QualityReport((face_resolution_check(123, 256, QualityThresholds()),))
    [flag] = _flags(rest=small)
    expected = "Rest: the face is only 123 px across: move closer or use a higher resolution"
    assert flag_detail(flag.code, flag.message, flag.expression) == expected  # the command line's summary
    assert worded_flags([flag]) == [("Photo failed the quality check", expected)]  # the report and the results page
    assert worded_flags([flag.to_dict()]) == [("Photo failed the quality check", expected)]  # a reopened record


def test_a_face_too_big_or_too_small_says_which() -> None:
    frame = np.full((400, 400, 3), 128, np.uint8)
    big = check_quality(frame, faces=[(10, 10, 380, 380)], estimate_roll=False)
    small = check_quality(frame, faces=[(180, 180, 60, 60)], estimate_roll=False)
    assert big.get("face_size").message == "the face fills too much of the photo: move back"
    assert small.get("face_size").message == "the face is small in the photo: move closer"
    details = dict(worded_flags(_flags(rest=big)))["Photo failed the quality check"]
    assert details.startswith("Rest: the face fills too much of the photo: move back")


def test_failed_photos_share_one_line_and_no_face_is_said_once() -> None:
    small = QualityReport((face_resolution_check(100, 256, QualityThresholds()),))
    scene = np.random.default_rng(0).integers(0, 256, (120, 160, 3)).astype(np.uint8)  # a picture, no face (a black one says so)
    no_face = check_quality(scene, faces=[], input_size=256)
    lines = worded_flags(_flags(rest=small, open_mouth=small, puff_cheeks=no_face))
    assert lines == [
        ("Photo failed the quality check", "Rest, Open mouth: the face is only 100 px across: move closer or use a "
                                           "higher resolution. Puff cheeks: no face found; no face to measure"),
    ]


def test_a_record_stored_before_keeps_its_wording() -> None:
    # assessment.json written before 2026-12-07 names the checks, not what to do
    stored = {"code": "failed_quality", "message": "rest: quality check(s) failed: exposure", "expression": "rest"}
    assert worded_flags([stored]) == [("Photo failed the quality check", "Rest: check not met: face well lit")]
