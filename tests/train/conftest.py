"""Fixtures for the training tests: a tiny hand-drawn patient set (the real data folder is
tests/conftest.py's `shared_data`: ../shared beside the checkout, where CI puts it)."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from models.cascade import build_model
from models.checkpoint import save_checkpoint
from models.config import get_config
from models.labels import CLASS_INDEX, EXPRESSIONS, GRADES


def draw_face(size: int, droop: float, side: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A cartoon face with its mask; `droop` lowers the affected side's mouth corner and brow."""
    mask = np.zeros((size, size), np.uint8)
    c = size // 2
    cv2.ellipse(mask, (c, c), (int(size * 0.32), int(size * 0.42)), 0, 0, 360, CLASS_INDEX["skin"], -1)
    cv2.ellipse(mask, (c, int(size * 0.12)), (int(size * 0.34), int(size * 0.12)), 0, 0, 360, CLASS_INDEX["hair"], -1)
    # Subject's left is on the image's right.
    shift = {"left": (0, 1), "right": (1, 0), "none": (0, 0)}[side]
    for name, x, s in (("right", int(size * 0.36), shift[0]), ("left", int(size * 0.64), shift[1])):
        d = int(round(droop * s * size * 0.08))
        cv2.ellipse(mask, (x, int(size * 0.30) + d), (int(size * 0.09), 2), 0, 0, 360, CLASS_INDEX[f"{name}_brow"], -1)
        cv2.ellipse(mask, (x, int(size * 0.40)), (int(size * 0.07), 3), 0, 0, 360, CLASS_INDEX[f"{name}_eye"], -1)
    cv2.ellipse(mask, (c, int(size * 0.55)), (int(size * 0.05), int(size * 0.09)), 0, 0, 360, CLASS_INDEX["nose"], -1)
    dl, dr = (int(round(droop * s * size * 0.06)) for s in (shift[1], shift[0]))
    pts = np.array([[int(size * 0.38), int(size * 0.72) + dr], [int(size * 0.62), int(size * 0.72) + dl]])
    cv2.line(mask, tuple(pts[0]), tuple(pts[1]), CLASS_INDEX["upper_lip"], 3)
    cv2.line(mask, tuple(pts[0] + [0, 3]), tuple(pts[1] + [0, 3]), CLASS_INDEX["lower_lip"], 3)
    palette = rng.integers(40, 220, size=(11, 3)).astype(np.uint8)
    image = palette[mask]
    noise = rng.normal(0, 4, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8), mask


def draw_patients(root: Path, n: int, seed: int, size: int = 64, split_column: bool = False) -> Path:
    """A patient data set (DESIGN §4) of `n` cartoon patients, grades cycling I..VI."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        pid = f"p{seed:03d}_{i:03d}"
        grade = i % 6
        side = "none" if grade == 0 else ("left" if rng.random() < 0.5 else "right")
        folder = root / pid
        (folder / "masks").mkdir(parents=True)
        for expression in EXPRESSIONS:
            image, mask = draw_face(size, grade / 5.0, side, rng)
            cv2.imwrite(str(folder / f"{expression}.png"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
            cv2.imwrite(str(folder / "masks" / f"{expression}.png"), mask)
        rows.append({"patient_id": pid, "grade": GRADES[grade], "side": side, **({"split": ["train", "val", "test"][i % 3]} if split_column else {})})
    with (root / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root


@pytest.fixture
def tiny_patients(tmp_path: Path) -> Path:
    """18 cartoon patients at 64 px with masks."""
    return draw_patients(tmp_path / "patients", 18, seed=1)


@pytest.fixture
def tiny_weights(tmp_path: Path) -> Path:
    """An untrained compact checkpoint at 64 px (seed 0)."""
    path = tmp_path / "tiny.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), path)
    return path


@pytest.fixture
def one_thread():
    """One torch thread for the test (restored after); modules opt in with usefixtures."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def whole_photo_preparation(recorded: str | None, started: bool) -> str:
    """`clinic.clinic_preparation` for the hand-drawn sets: whole photos (letterbox), not the
    app's face crop, since 64-px cartoon faces are no faces to OpenCV's face finder (the crop
    is tested on its own, tests/train/test_photo_preparation.py)."""
    return recorded or "letterbox"


@pytest.fixture
def whole_photos(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clinic runs of this test on whole photos (`whole_photo_preparation`)."""
    import models.train.clinic as clinic

    monkeypatch.setattr(clinic, "clinic_preparation", whole_photo_preparation)
