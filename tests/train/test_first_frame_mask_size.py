"""A first frame's masks/EXPRESSION.png of another size says how the mask pairs with the frames
(review: it said only that the sizes differ, though the mask may have been drawn on rest_2)."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from models.data.patients import PatientDataset
from models.errors import InputError

from .conftest import draw_patients

PID = "p005_000"


def test_the_size_refusal_explains_the_first_frame_pairing(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / PID
    shutil.copy(folder / "rest.png", folder / "rest_2.png")
    (folder / "rest.png").rename(folder / "rest_1.png")
    cv2.imwrite(str(folder / "masks" / "rest.png"), np.zeros((80, 64), np.uint8))  # the photos are 64 x 64
    with pytest.raises(InputError, match=r"a mask must match its photo's size; masks/rest\.png goes with the "
                                         r"expression's first frame, rest_1\.png: name it masks/rest_N\.png if it was "
                                         r"drawn on rest_N \(masks/rest_2\.png for rest_2\)"):
        PatientDataset(root).check_files()


def test_a_frames_own_mask_of_another_size_says_nothing_of_pairing(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    cv2.imwrite(str(root / PID / "masks" / "rest.png"), np.zeros((80, 64), np.uint8))
    with pytest.raises(InputError, match=r"a mask must match its photo's size") as caught:
        PatientDataset(root).check_files()
    assert "first frame" not in str(caught.value)
