"""The synthetic patient generator: determinism, label set, sides, expressions."""

from __future__ import annotations

import numpy as np
import pytest

from models.data.synthetic import make_patient, render_expression
from models.data.synthetic.mask_measures import centroid, eye_area
from models.labels import CLASS_INDEX, EXPRESSIONS, GRADES, NUM_CLASSES

SIZE = 96
# Every hair style face.py picks (its style_weights) and geometry.py draws.
HAIR_STYLES = ("bald", "buzz", "short", "slicked", "medium", "long", "curtain", "fringe", "curly")


def test_same_seed_same_photo_and_mask() -> None:
    a = render_expression(make_patient(11, "III", "left"), "open_mouth", SIZE, frame_seed=2)
    b = render_expression(make_patient(11, "III", "left"), "open_mouth", SIZE, frame_seed=2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_other_seed_or_frame_gives_another_photo() -> None:
    base = render_expression(make_patient(11, "III", "left"), "rest", SIZE, frame_seed=0)
    other_frame = render_expression(make_patient(11, "III", "left"), "rest", SIZE, frame_seed=1)
    other_patient = render_expression(make_patient(12, "III", "left"), "rest", SIZE, frame_seed=0)
    assert not np.array_equal(base[0], other_frame[0])
    assert not np.array_equal(base[1], other_patient[1])


def test_face_does_not_depend_on_requested_grade() -> None:
    a = make_patient(5, "I")
    b = make_patient(5, "VI", "right")
    assert a.face == b.face and a.rig == b.rig
    assert (a.grade, a.side, b.grade, b.side) == ("I", "none", "VI", "right")


def test_grade_and_side_drawn_from_seed_are_valid() -> None:
    grades = set()
    for seed in range(24):
        p = make_patient(seed)
        grades.add(p.grade)
        assert (p.grade == "I") == (p.side == "none")
        assert make_patient(seed, side="left").grade != "I"
        assert make_patient(seed, side="none").grade == "I"
    assert grades == set(GRADES)


def test_bad_grade_or_side_is_refused() -> None:
    with pytest.raises(ValueError):
        make_patient(1, "VII")
    with pytest.raises(ValueError):
        make_patient(1, "I", "left")
    with pytest.raises(ValueError):
        make_patient(1, "IV", "none")
    with pytest.raises(ValueError):
        render_expression(make_patient(1), "smile", SIZE)


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_photo_and_mask_shapes_and_label_set(expression: str) -> None:
    rgb, mask = render_expression(make_patient(3, "IV", "right"), expression, SIZE, frame_seed=1)
    assert rgb.shape == (SIZE, SIZE, 3) and rgb.dtype == np.uint8
    assert mask.shape == (SIZE, SIZE) and mask.dtype == np.uint8
    assert int(mask.max()) < NUM_CLASSES
    present = set(np.unique(mask).tolist())
    for name in ("background", "skin", "left_brow", "right_brow", "nose", "upper_lip", "lower_lip"):
        assert CLASS_INDEX[name] in present, name


def test_subject_left_classes_lie_on_the_image_right() -> None:
    for seed in range(4):
        _, mask = render_expression(make_patient(seed), "rest", SIZE, frame_seed=seed)
        for part in ("brow", "eye"):
            left = centroid(mask, CLASS_INDEX[f"left_{part}"])
            right = centroid(mask, CLASS_INDEX[f"right_{part}"])
            assert left is not None and right is not None
            assert left[0] > SIZE / 2 > right[0], (seed, part)


def test_affected_left_eye_stays_open_on_the_image_right() -> None:
    # Grade V: incomplete closure on the affected (subject's left = image right) side.
    for seed in range(3):
        _, mask = render_expression(
            make_patient(seed, "V", "left"), "close_eyes", 128, neutral=True
        )
        right_area, left_area = eye_area(mask)
        assert right_area == 0 and left_area > 0
        ys, xs = np.nonzero(mask == CLASS_INDEX["left_eye"])
        assert xs.mean() > 64


def test_photo_edges_follow_mask_edges() -> None:
    # Where the mask changes class the photo changes colour; inside regions it is smooth.
    import cv2

    for seed in range(3):
        rgb, mask = render_expression(
            make_patient(seed, "III", "right"), "open_mouth", 192, neutral=True
        )
        grey = rgb.astype(np.float32).mean(axis=2)
        grad = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
        kernel = np.ones((3, 3), np.uint8)
        edge = cv2.dilate(mask, kernel) != cv2.erode(mask, kernel)
        far = cv2.dilate(edge.astype(np.uint8), np.ones((7, 7), np.uint8)) == 0
        assert grad[edge].mean() > 2.0 * grad[far].mean(), seed


def test_hair_never_hides_a_brow() -> None:
    # A receding or low hairline must stay above the brows even when they are raised.
    for seed in range(40):
        patient = make_patient(seed)
        _, rest = render_expression(patient, "rest", 64, neutral=True)
        _, raised = render_expression(patient, "raise_eyebrows", 64, neutral=True)
        for name in ("left_brow", "right_brow"):
            c = CLASS_INDEX[name]
            assert (raised == c).sum() >= 0.8 * (rest == c).sum(), (
                seed,
                name,
                patient.face.hair_style,
            )


def test_every_hair_style_renders_with_face_regions_intact() -> None:
    from dataclasses import replace

    from models.data.synthetic.expressions import EXPRESSION_ACTIONS
    assert set(EXPRESSION_ACTIONS) == set(EXPRESSIONS)
    base = make_patient(30, "II", "left")
    for style in HAIR_STYLES:
        patient = replace(base, face=replace(base.face, hair_style=style))
        _, mask = render_expression(patient, "raise_eyebrows", 96, neutral=True)
        assert (mask == CLASS_INDEX["hair"]).sum() > 0, style  # bald keeps a rim at the sides
        for name in ("left_brow", "right_brow", "left_eye", "right_eye", "nose", "upper_lip"):
            assert (mask == CLASS_INDEX[name]).sum() > 0, (style, name)
