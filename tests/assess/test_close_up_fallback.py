"""Extreme close-ups (the face filling more than the frame) get the centre fallback, as before
the small-face search, not "the face is too small... move the camera closer": that search finds
a small false box inside the face. Small faces on a wall or in a corner are still refused."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from models.pipeline import face
from models.pipeline.face import FaceTooSmallError, crop_face

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # CI puts it beside the checkout

pytestmark = pytest.mark.skipif(not face.face_detector_available(), reason="needs OpenCV's face cascade")


def _lfw_closeup(name: str) -> np.ndarray:
    """The central 40 % of an LFW photo (250 px) upscaled to 640 px: the face fills more than the frame."""
    rgb = np.asarray(Image.open(DATA / "lfw_parts" / "images" / name).convert("RGB"))
    return cv2.resize(rgb[75:175, 75:175], (640, 640), interpolation=cv2.INTER_CUBIC)


def _fasseg_closeup(name: str) -> np.ndarray:
    """The central half of a FASSEG photo, doubled."""
    rgb = np.asarray(Image.open(DATA / "fasseg" / "images" / name).convert("RGB"))
    h, w = rgb.shape[:2]
    centre = rgb[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4]
    return cv2.resize(centre, (centre.shape[1] * 2, centre.shape[0] * 2))


@pytest.mark.parametrize("rgb", [_lfw_closeup("ali_hammoud_0001.jpg"), _lfw_closeup("anastasia_myskina_0001.jpg"),
                                 _fasseg_closeup("v3_personne07241_panm75.jpg")], ids=["ali", "anastasia", "fasseg"])
def test_an_extreme_closeup_gets_the_centre_not_too_small(rgb):
    assert face.detect_small_faces(rgb)  # the false box that made it "too small"
    crop = crop_face(rgb, 64, name="rest.jpg")
    assert not crop.detected and "used the centre of the frame" in crop.warning


def _small_in_corner() -> np.ndarray:
    """The audit's photo: a 150 px FASSEG face near the top-right corner of a 1600 x 1200 grey wall."""
    photo = Image.open(DATA / "fasseg" / "images" / "v2_train_01.jpg").convert("RGB")
    wall = Image.new("RGB", (1600, 1200), (180, 180, 170))
    wall.paste(photo.resize((150, round(150 * photo.height / photo.width))), (1300, 100))
    return np.asarray(wall)


def test_a_small_face_in_a_corner_is_still_too_small():
    with pytest.raises(FaceTooSmallError, match="move the camera closer"):
        crop_face(_small_in_corner(), 64, name="rest.jpg")
