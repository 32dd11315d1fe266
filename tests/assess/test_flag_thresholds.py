"""The review flags' thresholds and the judgeable-movement threshold, just either side of
each boundary; and House's measure, which sums the brow and the commissure, not the eye."""

from __future__ import annotations

import numpy as np
import pytest

from models.labels import GRADES
from models.pipeline.assess import DISAGREEMENT, LOW_CONFIDENCE, build_flags
from models.pipeline.measures import (
    HOUSE_REGIONS,
    REGION_BY_NAME,
    FaceFeatures,
    MeasuredFunction,
    compare_region,
    measure_function,
)
from tests.assess.masks import paint_face, paint_patient


def _codes(grade: str, fused: np.ndarray, measured: MeasuredFunction) -> set[str]:
    return {f.code for f in build_flags(grade, fused, {}, measured)}


def _fused(top: float) -> np.ndarray:
    """Probabilities whose largest is `top` (on grade III), the rest spread evenly."""
    rest = (1.0 - top) / (len(GRADES) - 1)
    fused = np.full(len(GRADES), rest, dtype=np.float64)
    fused[GRADES.index("III")] = top
    assert float(fused.max()) == top
    return fused


NO_MEASURE = MeasuredFunction(None, None, "none", None)


def test_the_thresholds_are_the_documented_ones() -> None:
    assert LOW_CONFIDENCE == 0.5 and DISAGREEMENT == 2


@pytest.mark.parametrize(("top", "flagged"), [
    (0.3, True), (0.49, True), (0.4999, True), (0.5, False), (0.5001, False), (0.51, False), (0.9, False),
])
def test_low_confidence_is_flagged_below_one_half_only(top: float, flagged: bool) -> None:
    assert ("low_confidence" in _codes("III", _fused(top), NO_MEASURE)) is flagged


@pytest.mark.parametrize(("network", "measured", "flagged"), [
    ("III", "III", False),
    ("III", "II", False), ("III", "IV", False),  # one grade apart
    ("III", "I", True), ("III", "V", True),  # two apart
    ("I", "III", True), ("VI", "IV", True), ("II", "VI", True),
    ("V", "VI", False), ("I", "II", False),
])
def test_grade_disagreement_is_flagged_from_two_grades_apart(network: str, measured: str, flagged: bool) -> None:
    function = MeasuredFunction(measured, 50.0, "left", "left")
    assert ("grade_disagreement" in _codes(network, _fused(0.9), function)) is flagged


def _features(value: dict[str, float]) -> FaceFeatures:
    """Features whose every per-side value is `value[side]` (commissure: (x, 0))."""
    return FaceFeatures(
        brow_y=dict(value), eye_open=dict(value),
        commissure={side: (v, 0.0) for side, v in value.items()}, ala_y=dict(value), cheek_extent=dict(value),
        mouth_y=None, nose_bottom=None,
    )


def _movement_of(name: str, amount: float) -> tuple[FaceFeatures, FaceFeatures]:
    """Rest and expression features in which both sides move `amount` in `name`'s direction."""
    zero = {"left": 0.0, "right": 0.0}
    moved = {"left": amount, "right": amount}
    if name in ("brow", "ala"):  # up: rest y minus expression y
        return _features(moved), _features(zero)
    return _features(zero), _features(moved)  # commissure outwards, cheek wider


@pytest.mark.parametrize("name", ["brow", "commissure", "ala", "cheek"])
def test_movement_at_the_threshold_is_judged_and_just_below_is_not(name: str) -> None:
    spec = REGION_BY_NAME[name]
    at = compare_region(spec, *_movement_of(name, spec.min_movement))
    assert max(at.left, at.right) == spec.min_movement  # exactly the threshold
    assert at.judged and at.percent == 100.0 and at.note == ""
    above = compare_region(spec, *_movement_of(name, spec.min_movement * 1.001))
    assert above.judged
    below = compare_region(spec, *_movement_of(name, spec.min_movement * 0.999))
    assert not below.judged and below.percent is None
    assert below.note.startswith("movement too small to judge")


def test_house_measure_leaves_the_eye_out() -> None:
    assert HOUSE_REGIONS == ("brow", "commissure")
    masks = paint_patient((1.0, 1.0))
    masks["close_eyes"] = paint_face("close_eyes", (0.2, 1.0))  # the left eye barely closes
    measured = measure_function(masks)
    eye = measured.regions["eye"]
    assert eye.judged and eye.percent < 30.0
    assert measured.function_percent == pytest.approx(100.0, abs=1.0)
    assert measured.grade == "I"
