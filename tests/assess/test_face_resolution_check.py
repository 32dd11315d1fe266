""""face_resolution": a face with fewer pixels than the network reads (a 64 x 90 px photo was
graded with no warning) fails with what to do; without the network's input size the checks
are the six they were."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from models.pipeline import face
from models.pipeline.quality import QualityThresholds, check_quality

PHOTO = Path(__file__).resolve().parents[3] / "shared" / "data" / "fasseg" / "images" / "v2_train_01.jpg"
SIX = ["one_face", "face_size", "centring", "sharpness", "exposure", "head_roll"]


def _photo(width: int) -> np.ndarray:
    photo = Image.open(PHOTO).convert("RGB")
    return np.asarray(photo.resize((width, round(width * photo.height / photo.width))))


@pytest.mark.skipif(not face.face_detector_available(), reason="needs OpenCV's face cascade")
def test_a_face_of_too_few_pixels_fails_the_resolution_check():
    small = _photo(100)  # the face is found, and the right share of the frame
    report = check_quality(small, face.detect_faces(small), input_size=256, estimate_roll=False)
    assert report.get("face_size").passed
    check = report.get("face_resolution")
    assert not check.passed and check.threshold == ">= 128 px" and "face_resolution" in report.failed
    assert check.message == f"the face is only {check.value:.0f} px across: move closer or use a higher resolution"
    full = _photo(363)
    assert check_quality(full, face.detect_faces(full), input_size=256, estimate_roll=False).get("face_resolution").passed
    assert check_quality(small, face.detect_faces(small), input_size=128, estimate_roll=False).get("face_resolution").passed


def test_the_check_is_listed_after_the_face_size_and_only_with_the_input_size():
    rgb = np.zeros((120, 160, 3), np.uint8)
    box = [(40, 20, 80, 80)]
    assert [c.name for c in check_quality(rgb, box, estimate_roll=False).checks] == SIX
    assert [c.name for c in check_quality(rgb, [], input_size=256).checks] == [*SIX[:2], "face_resolution", *SIX[2:]]
    report = check_quality(rgb, box, input_size=64, estimate_roll=False)
    assert [c.name for c in report.checks] == [*SIX[:2], "face_resolution", *SIX[2:]]
    assert report.get("face_resolution").passed  # 80 px >= 0.5 x 64


def test_the_resolution_threshold_has_a_range():
    assert QualityThresholds(min_face_resolution=1.0).min_face_resolution == 1.0
    with pytest.raises(ValueError, match="min_face_resolution"):
        QualityThresholds(min_face_resolution=5.0)
