"""A contact sheet of synthetic patients: one row per patient, one column per expression."""

from __future__ import annotations

import cv2
import numpy as np

from models.data.synthetic.patient import SyntheticPatient, render_expression
from models.labels import CLASS_COLOURS, EXPRESSIONS

_PALETTE = np.array(CLASS_COLOURS + ((0, 0, 0),) * (256 - len(CLASS_COLOURS)), np.uint8)


def overlay(rgb: np.ndarray, mask: np.ndarray, alpha: float = 0.55) -> np.ndarray:
    """Blend the class colours of `mask` over `rgb` (background left as it is)."""
    colours = _PALETTE[mask].astype(np.float32)
    out = rgb.astype(np.float32)
    fg = (mask > 0)[:, :, None]
    out = np.where(fg, out * (1 - alpha) + colours * alpha, out)
    return out.astype(np.uint8)


def contact_sheet(
    patients: list[SyntheticPatient], size: int = 192, overlay_rows: tuple[int, ...] = (0,)
) -> np.ndarray:
    """RGB sheet: a header row of expression names, then each patient's six photos; rows in
    `overlay_rows` are repeated with the mask drawn over the photo."""
    pad = 4
    label_w = 110
    rows = []
    header = np.full((28, label_w + len(EXPRESSIONS) * (size + pad), 3), 255, np.uint8)
    for j, e in enumerate(EXPRESSIONS):
        cv2.putText(
            header,
            e,
            (label_w + j * (size + pad) + 4, 20),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
    rows.append(header)
    for i, patient in enumerate(patients):
        shots = [render_expression(patient, e, size, frame_seed=i) for e in EXPRESSIONS]
        variants = [("photo", [s[0] for s in shots])]
        if i in overlay_rows:
            variants.append(("masks", [overlay(*s) for s in shots]))
        for kind, images in variants:
            row = np.full((size + pad, header.shape[1], 3), 255, np.uint8)
            text = [
                f"grade {patient.grade}",
                f"side {patient.side}",
                f"type {patient.face.fitzpatrick:.1f}",
                kind,
            ]
            for k, t in enumerate(text):
                cv2.putText(
                    row,
                    t,
                    (4, 20 + 18 * k),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    0.45,
                    (0, 0, 0),
                    1,
                    cv2.LINE_AA,
                )
            for j, img in enumerate(images):
                x = label_w + j * (size + pad)
                row[:size, x : x + size] = img
            rows.append(row)
    return np.vstack(rows)
