"""A frame with nothing in it (a lens cap, a privacy shutter, a covered lens) is said so by the
exposure check, measured over the whole picture, where it said "no face to measure" and sent
the therapist to the patient's position."""

from __future__ import annotations

import numpy as np
import pytest

from models.pipeline.quality import BLANK_TEXTS, blank_kind, check_quality

RNG = np.random.default_rng(0)


def _noisy(mean: float, sd: float) -> np.ndarray:
    """One shade of grey with a sensor's noise (standard deviation `sd` grey levels)."""
    grey = np.clip(RNG.normal(mean, sd, (480, 640, 1)), 0, 255).astype(np.uint8)
    return grey.repeat(3, axis=2)


@pytest.mark.parametrize(("frame", "kind"), [
    (np.zeros((480, 640, 3), np.uint8), "black"),
    (RNG.integers(0, 6, (480, 640, 3)).astype(np.uint8), "black"),  # a noisy black sensor
    (np.full((480, 640, 3), 255, np.uint8), "white"),
    (np.full((720, 1280, 3), 128, np.uint8), "even"),
    # not at the far ends, where the spread decides: a covered lens with a sensor's noise (a spread
    # of about 1.5 grey levels) is one even shade, not "no face to measure"; a lens cap that leaks
    # a little light is black, a bright cover white, each with its advice, not "one even shade"
    (_noisy(128, 1.5), "even"),
    (_noisy(40, 1.0), "black"),
    (_noisy(220, 1.0), "white"),
])
def test_a_blank_frame_says_what_the_picture_is(frame: np.ndarray, kind: str) -> None:
    report = check_quality(frame)  # the live check: the detector finds no face in it
    assert report.get("one_face").message == "no face found"
    exposure = report.get("exposure")
    assert not exposure.passed and exposure.message == BLANK_TEXTS[kind]
    assert exposure.value is not None and report.to_dict()["checks"]["exposure"]["message"] == BLANK_TEXTS[kind]


def test_the_words_for_black_and_white() -> None:
    assert BLANK_TEXTS["black"] == "the picture is black: open the camera's privacy shutter or remove the lens cap"
    assert BLANK_TEXTS["white"] == "the picture is white: too much light or a covered lens"


def test_a_picture_without_a_face_is_not_blank() -> None:
    scene = RNG.integers(0, 256, (480, 640, 3)).astype(np.uint8)
    assert blank_kind(scene) is None
    exposure = check_quality(scene, faces=[]).get("exposure")
    assert not exposure.passed and exposure.message == "no face to measure"


def test_a_face_is_measured_as_before() -> None:
    frame = np.zeros((400, 400, 3), np.uint8)  # black but for the face the detector found
    frame[100:300, 100:300] = RNG.integers(60, 200, (200, 200, 3))
    exposure = check_quality(frame, faces=[(100, 100, 200, 200)], estimate_roll=False).get("exposure")
    assert exposure.passed and exposure.message == "well exposed"
