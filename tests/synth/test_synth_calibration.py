"""House-Brackmann calibration of the generator, measured from the masks alone."""

from __future__ import annotations

import numpy as np
import pytest

from models.data.synthetic import GRADE_FUNCTION_RANGE, make_patient, render_expression
from models.data.synthetic.mask_measures import (
    brow_height,
    centroid,
    commissures,
    movement,
    rest_reference,
)
from models.labels import CLASS_INDEX, GRADES

SIZE = 192
SEEDS = (101, 102, 103, 104)
MOVES = ("close_eyes", "raise_eyebrows", "open_mouth", "wrinkle_nose", "puff_cheeks")
_cache: dict[tuple[int, str, str, str], np.ndarray] = {}


def _mask(seed: int, grade: str, side: str, expression: str) -> np.ndarray:
    key = (seed, grade, side, expression)
    if key not in _cache:
        _cache[key] = render_expression(
            make_patient(seed, grade, side), expression, SIZE, neutral=True
        )[1]
    return _cache[key]


def _side_of(grade: str, seed: int) -> str:
    return "none" if grade == "I" else ("left", "right")[seed % 2]


def _ratio(seed: int, grade: str, expression: str) -> float:
    """Affected-side movement over healthy-side movement (grade I: right over left)."""
    side = _side_of(grade, seed)
    right, left = movement(
        _mask(seed, grade, side, "rest"), _mask(seed, grade, side, expression), expression
    )
    affected, healthy = (left, right) if side == "left" else (right, left)
    assert healthy > 0, (seed, grade, expression)
    return affected / healthy


@pytest.mark.parametrize("expression", MOVES)
def test_grade_one_moves_both_sides_alike(expression: str) -> None:
    for seed in SEEDS:
        right, left = movement(
            _mask(seed, "I", "none", "rest"), _mask(seed, "I", "none", expression), expression
        )
        assert min(right, left) / max(right, left) > 0.8, (seed, right, left)


@pytest.mark.parametrize(
    "expression", ("raise_eyebrows", "open_mouth", "wrinkle_nose", "puff_cheeks")
)
def test_affected_side_moves_less_as_grade_rises(expression: str) -> None:
    means = [float(np.mean([_ratio(seed, g, expression) for seed in SEEDS])) for g in GRADES]
    assert all(a > b for a, b in zip(means, means[1:], strict=False)), means
    for grade, mean in zip(GRADES, means, strict=True):
        lo, hi = GRADE_FUNCTION_RANGE[grade]
        assert lo - 0.15 <= mean <= hi + 0.15, (grade, mean)


def test_eye_closure_follows_table_one() -> None:
    # Complete closure for I-III; incomplete, and less with each grade, for IV-VI.
    means = {g: float(np.mean([_ratio(seed, g, "close_eyes") for seed in SEEDS])) for g in GRADES}
    for grade in ("I", "II", "III"):
        assert means[grade] > 0.97, means
    assert 0.97 > means["IV"] > means["V"] > means["VI"], means
    assert means["VI"] < 0.05, means


def _rest_asymmetry(seed: int, grade: str) -> tuple[float, float]:
    """(brow drop, commissure drop) of the affected side relative to the other, in eye distances."""
    side = _side_of(grade, seed)
    rest = _mask(seed, grade, side, "rest")
    eyes = [centroid(rest, CLASS_INDEX[n]) for n in ("right_eye", "left_eye")]
    scale = abs(eyes[1][0] - eyes[0][0])
    brows = brow_height(rest)
    corners = commissures(rest, rest_reference(rest))
    a = 1 if side == "left" else 0
    h = 1 - a
    brow_drop = (brows[h] - brows[a]) / scale
    mouth_drop = (corners[a][1] - corners[h][1]) / scale
    return brow_drop, mouth_drop


def test_rest_asymmetry_only_for_grades_five_and_six() -> None:
    for grade in GRADES:
        drops = np.array([_rest_asymmetry(seed, grade) for seed in SEEDS])
        if grade in ("V", "VI"):
            assert (drops[:, 0] > 0.02).all() and (drops[:, 1] > 0.02).all(), (grade, drops)
        else:
            assert (np.abs(drops) < 0.02).all(), (grade, drops)


def test_expressions_change_their_own_regions() -> None:
    must = {
        "close_eyes": ("left_eye", "right_eye"),
        "raise_eyebrows": ("left_brow", "right_brow"),
        "open_mouth": ("inner_mouth", "upper_lip", "lower_lip"),
        "wrinkle_nose": ("nose",),
        "puff_cheeks": ("skin",),
    }
    must_not = {
        "close_eyes": ("nose", "upper_lip", "lower_lip", "inner_mouth"),
        "raise_eyebrows": ("nose", "upper_lip", "lower_lip", "inner_mouth"),
        "open_mouth": ("left_brow", "right_brow", "left_eye", "right_eye"),
        "wrinkle_nose": ("inner_mouth", "hair"),
        "puff_cheeks": ("left_eye", "right_eye", "left_brow", "right_brow", "nose"),
    }
    for seed in SEEDS[:2]:
        rest = _mask(seed, "I", "none", "rest")
        for expression in MOVES:
            moved = _mask(seed, "I", "none", expression)
            changed = rest != moved
            for name in must[expression]:
                c = CLASS_INDEX[name]
                involved = (changed & ((rest == c) | (moved == c))).sum()
                area = max(1, (rest == c).sum(), (moved == c).sum())
                # Skin is large: a cheek bulge changes a few percent of it.
                assert involved / area > (0.02 if name == "skin" else 0.1), (seed, expression, name)
            for name in must_not[expression]:
                c = CLASS_INDEX[name]
                involved = (changed & ((rest == c) | (moved == c))).sum()
                area = max(1, (rest == c).sum())
                assert involved / area < 0.03, (seed, expression, name, involved, area)


def test_open_mouth_shows_inner_mouth_and_puff_widens_cheeks() -> None:
    seed = SEEDS[0]
    assert (_mask(seed, "I", "none", "rest") == CLASS_INDEX["inner_mouth"]).sum() == 0
    assert (_mask(seed, "I", "none", "open_mouth") == CLASS_INDEX["inner_mouth"]).sum() > 20
    right, left = movement(
        _mask(seed, "I", "none", "rest"), _mask(seed, "I", "none", "puff_cheeks"), "puff_cheeks"
    )
    assert right > 1.0 and left > 1.0


def test_synkinesis_moves_only_the_affected_side_from_grade_three() -> None:
    # Closing the eye lifts the affected mouth corner; smiling narrows the affected eye.
    from models.data.synthetic.mask_measures import eye_area

    for grade, expect in (("I", False), ("III", True)):
        for seed in SEEDS:
            side = _side_of(grade, seed)
            patient = make_patient(seed, grade, side)
            rest, closed, smile = (
                render_expression(patient, e, 256, neutral=True)[1]
                for e in ("rest", "close_eyes", "open_mouth")
            )
            ref = rest_reference(rest)
            before, after = commissures(rest, ref), commissures(closed, ref)
            shift = [float(np.linalg.norm(after[i] - before[i])) for i in (0, 1)]
            narrowing = [1.0 - s / r for s, r in zip(eye_area(smile), eye_area(rest), strict=True)]
            if not expect:
                assert max(shift) == 0 and max(narrowing) < 0.01, (seed, shift, narrowing)
                continue
            a = 1 if side == "left" else 0
            assert shift[a] >= 1.0 and shift[1 - a] == 0, (seed, shift)
            assert narrowing[a] > 0.04 and narrowing[1 - a] < 0.01, (seed, narrowing)
