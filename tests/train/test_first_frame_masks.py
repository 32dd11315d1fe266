"""Patient masks of several frames (DESIGN §4): `masks/EXPRESSION.png` as the contract writes
it is read for the expression's first frame; a frame's own `masks/EXPRESSION_N.png` wins."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.data.patients import PatientDataset
from models.errors import InputError

from .conftest import draw_patients

PID = "p005_000"


def _frames(folder: Path, expression: str, names: tuple[str, ...]) -> None:
    """`expression`'s photo copied to each of `names` (the single photo removed)."""
    for name in names:
        shutil.copy(folder / f"{expression}.png", folder / name)
    (folder / f"{expression}.png").unlink()


def _masks(root: Path) -> dict[str, Path | None]:
    return {image.name: mask for _, image, mask in PatientDataset(root).photos(PID)}


def test_the_design_layout_of_frames_with_one_expression_mask_is_read(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / PID
    _frames(folder, "rest", ("rest_1.png", "rest_2.png"))
    masks = _masks(root)
    assert masks["rest_1.png"] == folder / "masks" / "rest.png"  # the first frame: the mask was drawn on one photo
    assert masks["rest_2.png"] is None
    assert all(mask is not None for name, mask in masks.items() if name != "rest_2.png")
    dataset = PatientDataset(root)
    assert len([s for s in dataset.samples("all") if s.mask is not None]) == 6  # what evaluate parsing scores
    assert dataset.check_files() == 7


def test_the_unnumbered_photo_is_the_first_frame(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / PID
    shutil.copy(folder / "open_mouth.png", folder / "open_mouth_2.png")
    masks = _masks(root)
    assert masks["open_mouth.png"] == folder / "masks" / "open_mouth.png"
    assert masks["open_mouth_2.png"] is None


def test_the_lowest_frame_number_is_the_first_frame(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / PID
    _frames(folder, "close_eyes", ("close_eyes_10.png", "close_eyes_3.png"))  # 3 before 10, not by name
    masks = _masks(root)
    assert masks["close_eyes_3.png"] == folder / "masks" / "close_eyes.png"
    assert masks["close_eyes_10.png"] is None


def test_per_frame_masks_win_over_the_expression_mask(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / PID
    _frames(folder, "rest", ("rest_1.png", "rest_2.png"))
    for name in ("rest_1.png", "REST_2.PNG"):
        shutil.copy(folder / "masks" / "rest.png", folder / "masks" / name)
    masks = _masks(root)
    assert masks["rest_1.png"] == folder / "masks" / "rest_1.png"
    assert masks["rest_2.png"] == folder / "masks" / "REST_2.PNG"


def test_single_frame_sets_are_unchanged(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / PID
    masks = _masks(root)
    assert masks == {f"{name}.png": folder / "masks" / f"{name}.png" for name in
                     ("close_eyes", "open_mouth", "puff_cheeks", "raise_eyebrows", "rest", "wrinkle_nose")}


def test_the_expression_mask_is_checked_against_the_first_frames_size(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / PID
    _frames(folder, "rest", ("rest_1.png", "rest_2.png"))
    cv2.imwrite(str(folder / "masks" / "rest.png"), np.zeros((80, 64), np.uint8))  # the photos are 64 x 64
    with pytest.raises(InputError, match=r"masks/rest\.png is 64 x 80 pixels but its photo .*rest_1\.png is 64 x 64"):
        PatientDataset(root).check_files()
