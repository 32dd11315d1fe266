"""Measured function on hand-made masks with known per-side movement."""

from __future__ import annotations

import numpy as np
import pytest

from models.labels import GRADES
from models.pipeline.measures import (
    GRADE_BOUNDS,
    REGION_BY_NAME,
    REGIONS,
    MeasuredFunction,
    RegionResult,
    face_frame,
    grade_from_percent,
    house_basis,
    measure_function,
    side_doubt,
)
from tests.assess.masks import paint_face, paint_patient


def test_healthy_face_is_grade_one_with_full_function_both_sides() -> None:
    m = measure_function(paint_patient((1.0, 1.0)))
    assert m.grade == "I"
    assert m.function_percent == pytest.approx(100.0, abs=5.0)
    assert m.affected_side == "none"
    assert set(m.regions) == {r.name for r in REGIONS}
    for region in m.regions.values():
        assert region.judged
        assert region.percent > 80.0
        assert region.left == pytest.approx(region.right, rel=0.25)


@pytest.mark.parametrize("side", ["left", "right"])
def test_function_falls_with_weakness_on_the_affected_side(side: str) -> None:
    percents, grades = [], []
    for strength in (1.0, 0.8, 0.7, 0.4, 0.1):  # 0.8 measures grade II
        function = (strength, 1.0) if side == "left" else (1.0, strength)
        m = measure_function(paint_patient(function))
        percents.append(m.function_percent)
        grades.append(m.grade)
        # Every grade worse than I names the weaker side, grade II included.
        assert m.affected_side == ("none" if m.grade == "I" else side), (strength, m.grade)
        if strength < 0.7:
            assert m.affected_side == side
            for region in m.regions.values():
                weak = region.left if side == "left" else region.right
                strong = region.right if side == "left" else region.left
                assert weak < strong
    assert percents == sorted(percents, reverse=True)
    assert percents[0] > 90 and percents[-1] < 25
    assert grades[:2] == ["I", "II"]


def test_grades_follow_the_measured_percent() -> None:
    grades = [measure_function(paint_patient((s, 1.0))).grade for s in (1.0, 0.6, 0.35, 0.0)]
    assert grades[0] == "I"
    assert grades[-1] == "VI"
    assert [GRADES.index(g) for g in grades] == sorted(GRADES.index(g) for g in grades)
    assert len(set(grades)) == 4


def test_frame_removes_shift_roll_and_scale() -> None:
    plain = measure_function(paint_patient((0.5, 1.0)))
    moved = measure_function({
        e: paint_face(e, (0.5, 1.0), size=320, shift=(9, -6), roll_degrees=7.0) for e in paint_patient((1, 1))
    })
    assert moved.affected_side == plain.affected_side == "left"
    assert moved.function_percent == pytest.approx(plain.function_percent, abs=10.0)
    frame = face_frame(paint_face("rest", roll_degrees=7.0))
    assert abs(frame.roll_degrees) == pytest.approx(7.0, abs=1.5)


def test_missing_rest_gives_no_measured_grade() -> None:
    masks = paint_patient((0.5, 1.0))
    del masks["rest"]
    m = measure_function(masks)
    assert m.grade is None and m.function_percent is None
    assert "rest" in m.notes[0]


def test_rest_without_eyes_is_reported() -> None:
    masks = paint_patient((0.5, 1.0))
    masks["rest"] = np.zeros_like(masks["rest"])
    m = measure_function(masks)
    assert m.grade is None
    assert "rest photo" in m.notes[0]


def test_movement_too_small_to_judge_is_flagged_and_left_out() -> None:
    masks = paint_patient((1.0, 1.0))
    # The patient barely raised the brows: use rest-like brows at 10 % effort.
    masks["raise_eyebrows"] = paint_face("raise_eyebrows", (0.1, 0.1))
    m = measure_function(masks)
    brow = m.regions["brow"]
    assert not brow.judged and brow.ratio is None
    assert "too small to judge" in brow.note
    assert m.grade == "I"  # judged on the commissure alone
    assert any("Brow elevation" in n for n in m.notes)


def test_missing_expression_is_noted() -> None:
    masks = paint_patient((1.0, 1.0))
    del masks["puff_cheeks"]
    m = measure_function(masks)
    assert "cheek" not in m.regions
    assert any("no puff cheeks photo" in n for n in m.notes)  # in words, not the code


def test_closed_eye_that_vanishes_from_the_mask_counts_as_closed() -> None:
    masks = paint_patient((1.0, 1.0))
    closed = masks["close_eyes"].copy()
    closed[np.isin(closed, (4, 5))] = 1  # both eyes fully closed: no eye pixels at all
    masks["close_eyes"] = closed
    eye = measure_function(masks).regions["eye"]
    assert eye.judged and eye.left == pytest.approx(1.0) and eye.right == pytest.approx(1.0)


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_corner_dragged_only_down_by_the_jaw_is_no_commissure_movement(side: str) -> None:
    """The commissure's own movement is out and up; a paralysed corner the jaw drags down has none."""
    function = (0.0, 1.0) if side == "left" else (1.0, 0.0)
    drop = (8.0, 0.0) if side == "left" else (0.0, 8.0)
    m = measure_function({"rest": paint_face("rest"), "open_mouth": paint_face("open_mouth", function, corner_drop=drop)})
    commissure = m.regions["commissure"]
    assert commissure.judged
    assert (commissure.left if side == "left" else commissure.right) == 0.0
    assert (commissure.right if side == "left" else commissure.left) > 0.1
    assert m.function_percent == 0.0 and m.grade == "VI" and m.affected_side == side


def test_both_corners_dragged_only_down_leave_the_commissure_unjudged() -> None:
    m = measure_function({"rest": paint_face("rest"), "open_mouth": paint_face("open_mouth", (0.0, 0.0), corner_drop=(8.0, 8.0))})
    commissure = m.regions["commissure"]
    assert not commissure.judged and commissure.left == 0.0 and commissure.right == 0.0
    assert m.grade is None


def _composite_patient(brow: tuple[float, float] = (0.7, 1.0),
                       commissure: tuple[float, float] = (0.7, 1.0)) -> dict[str, np.ndarray]:
    """Brow and commissure as given (by default 70 % on the left), eye, ala and cheek 10 % on the right."""
    masks = {
        "rest": paint_face("rest"),
        "raise_eyebrows": paint_face("raise_eyebrows", brow),
        "open_mouth": paint_face("open_mouth", commissure),
    }
    for expression in ("close_eyes", "wrinkle_nose", "puff_cheeks"):
        masks[expression] = paint_face(expression, (1.0, 0.1))
    return masks


def test_the_affected_side_is_decided_over_every_judged_region() -> None:
    """House's regions set the grade; the side is the one weaker over all judged regions (docs/assess.md)."""
    m = measure_function(_composite_patient())
    assert m.grade == "III"
    assert {n: r.weaker_side for n, r in m.regions.items()} == {
        "brow": "left", "commissure": "left", "eye": "right", "ala": "right", "cheek": "right"
    }
    assert m.affected_side == "right"


def test_a_side_that_house_regions_measured_the_other_way_is_doubted() -> None:
    """The grade III comes from the brow and the commissure, weaker on the left; the side printed
    beside it (right) comes from the other regions: the report must ask for an examination."""
    m = measure_function(_composite_patient())
    assert side_doubt(m) == (
        "the regions disagree on the weaker side: those that set the measured grade (commissure excursion: "
        "left, brow elevation: left) measured the left side weaker together, all judged regions the right; "
        "confirm the affected side by examination"
    )
    # House's regions agreeing with the side printed raise no doubt from them
    agreeing = measure_function(paint_patient((0.7, 1.0)))
    assert agreeing.affected_side == "left" and side_doubt(agreeing) == ""


def test_house_regions_that_split_are_each_named_with_their_side() -> None:
    """Brow weaker on the left, commissure a little on the right: both set the grade, so the
    doubt names both with the side each measured (review: it named the brow alone)."""
    m = measure_function(_composite_patient(brow=(0.4, 1.0), commissure=(1.0, 0.9)))
    assert m.affected_side == "right"
    assert side_doubt(m) == (
        "the regions disagree on the weaker side: those that set the measured grade (brow elevation: left, "
        "commissure excursion: right) measured the left side weaker together, all judged regions the right; "
        "confirm the affected side by examination"
    )


def test_grade_bands() -> None:
    assert [grade_from_percent(p) for p in (100, 90, 89.4, 75, 74.4, 50, 49.4, 25, 24.4, 5, 4.4, 0)] == [
        "I", "I", "II", "II", "III", "III", "IV", "IV", "V", "V", "VI", "VI"
    ]
    assert len(GRADE_BOUNDS) == len(GRADES) - 1


@pytest.mark.parametrize("percent", [89.5, 89.4, 75.0, 74.6, 74.5, 74.4, 50.4, 49.6, 25.5, 24.5, 5.4, 4.6, 4.4, 0.4])
def test_the_grade_is_the_one_of_the_percent_as_shown(percent: float) -> None:
    """A shown "75 %" is grade II and a shown "74 %" grade III, whatever the decimals behind it."""
    shown = int(f"{percent:.0f}")
    assert grade_from_percent(percent) == grade_from_percent(shown)
    expected = next((g for g, bound in zip(GRADES[:-1], GRADE_BOUNDS, strict=True) if shown >= bound), "VI")
    assert grade_from_percent(percent) == expected


def test_affected_side_correct_for_most_random_patients() -> None:
    """Grades III and worse (affected side at most 60 % of the healthy side's movement),
    random effort, head position, roll and speckle: the weaker side is found >= 95 %."""
    rng = np.random.default_rng(3)
    correct, total = 0, 20
    for _ in range(total):
        side = str(rng.choice(["left", "right"]))
        healthy = float(rng.uniform(0.7, 1.0))
        weak = healthy * float(rng.uniform(0.0, 0.6))
        function = (weak, healthy) if side == "left" else (healthy, weak)
        shift = (int(rng.integers(-10, 11)), int(rng.integers(-10, 11)))
        roll = float(rng.uniform(-6, 6))
        masks = {}
        for e in paint_patient((1, 1)):
            mask = paint_face(e, function, shift=shift, roll_degrees=roll)
            speckle = rng.random(mask.shape) < 0.002
            mask[speckle] = rng.integers(0, 11, int(speckle.sum()))
            masks[e] = mask
        correct += measure_function(masks).affected_side == side
    assert correct / total >= 0.95


def test_healthy_asymmetry_maps_to_grade_one_or_two() -> None:
    rng = np.random.default_rng(5)
    for _ in range(8):
        function = (float(rng.uniform(0.8, 1.0)), float(rng.uniform(0.8, 1.0)))
        assert measure_function(paint_patient(function)).grade in ("I", "II")


# -- synthetic patients (models.data.synthetic renders exact masks) --------------------


def _synthetic_measure(seed: int, grade: str, side: str | None = None):
    from models.data.synthetic import make_patient, render_patient

    patient = make_patient(seed, grade=grade, side=side)
    rendered = render_patient(patient, size=160, frame_seed=0)
    return patient, measure_function({e: mask for e, (_, mask) in rendered.items()})


def test_synthetic_grade_one_measures_near_full_function() -> None:
    results = [_synthetic_measure(seed, "I")[1] for seed in range(100, 106)]
    assert all(m.grade in ("I", "II") for m in results)
    assert float(np.median([m.function_percent for m in results])) >= 88.0
    for m in results:
        assert m.regions["brow"].percent >= 65.0 and m.regions["eye"].percent >= 65.0
        assert m.regions["commissure"].percent >= 50.0


def test_synthetic_function_falls_with_grade() -> None:
    medians = []
    for grade in ("I", "III", "V"):
        medians.append(float(np.median([_synthetic_measure(seed, grade)[1].function_percent for seed in range(200, 204)])))
    assert medians[0] > medians[1] > medians[2]
    assert medians[2] < 30.0


def test_synthetic_affected_side_found_for_grades_three_to_six() -> None:
    correct = 0
    seeds = range(300, 320)
    for seed in seeds:
        grade = ("III", "IV", "V", "VI")[seed % 4]
        patient, m = _synthetic_measure(seed, grade)
        correct += m.affected_side == patient.side
    assert correct / len(seeds) >= 0.95


def test_mirrored_rest_mask_is_reported() -> None:
    masks = paint_patient((0.5, 1.0))
    rest = masks["rest"].copy()
    left, right = rest == 4, rest == 5
    rest[left], rest[right] = 5, 4  # eye labels swapped, as in a mirrored photo
    masks["rest"] = rest
    m = measure_function(masks)
    assert m.grade is None and "swapped" in m.notes[0]


def _region(name: str, judged: bool) -> RegionResult:
    spec = REGION_BY_NAME[name]
    return RegionResult(name, spec.label, spec.expression, spec.unit, 0.1, 0.05, 0.5, 50.0 if judged else None,
                        "right", judged, "" if judged else "movement too small to judge")


def test_a_measured_grade_from_one_house_region_says_so() -> None:
    # "III (54 % function)" read like any measured grade while the commissure was too small
    # to judge: 54 % was the brow alone
    both = MeasuredFunction("III", 54.0, "right", "right", {"brow": _region("brow", True), "commissure": _region("commissure", True)})
    assert house_basis(both) == ""
    small = MeasuredFunction("III", 54.0, "right", "right", {"brow": _region("brow", True), "commissure": _region("commissure", False)})
    assert house_basis(small) == "the measured grade rests on brow elevation alone: commissure excursion moved too little to judge"
    unmeasured = MeasuredFunction("III", 54.0, "right", "right", {"commissure": _region("commissure", True)})
    assert house_basis(unmeasured) == "the measured grade rests on commissure excursion alone: brow elevation was not measured"
