"""Synthetic patient sets whose faces OpenCV's face finder finds (128-px faces in 200 x 260
grey frames), for clinic runs on the app's face crop; and photos made faceless."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from models.data.synthetic.dataset import write_patient_dataset

FRAME = (200, 260)


def framed_set(root: Path, patients: int, seed: int = 7) -> Path:
    """`write_patient_dataset` (128 px, with a split column), each photo and mask framed."""
    write_patient_dataset(root, patients=patients, seed=seed, size=128)
    for path in root.glob("*/*.png"):
        frame = np.full((*FRAME, 3), 128, np.uint8)
        frame[40:168, 90:218] = cv2.imread(str(path))
        cv2.imwrite(str(path), frame)
    for path in root.glob("*/masks/*.png"):
        mask = np.zeros(FRAME, np.uint8)
        mask[40:168, 90:218] = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        cv2.imwrite(str(path), mask)
    return root


def faceless(photo: Path) -> None:
    """Turn a photo into a blank grey frame: no face, the app refuses it."""
    cv2.imwrite(str(photo), np.full((*FRAME, 3), 128, np.uint8))
