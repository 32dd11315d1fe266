"""Overlay images (RGB uint8 numpy) for reports and PNG export.

- `segmentation_overlay`: the photo with the parsing mask blended in the fixed
  CLASS_COLOURS of models/labels.py, and a legend panel of the classes present.
- `attention_overlay`: the photo with one attention map as a colour heat map (`heat_colours`:
  the results page's 'hot' ramp, black -> red -> yellow -> white, dark = little attention),
  titled with the map's name.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from models.labels import CLASS_COLOURS, CLASSES
from models.pipeline.images import write_png

# The attention map the PDF report prints (all are saved as PNG), and the one the results page
# opens on: the clinician reviews the picture the report shows.
REPORT_ATTENTION = "spatial_5"

PALETTE = np.array(CLASS_COLOURS, dtype=np.uint8)
LEGEND_WIDTH = 150
# What an attention heat map is, beside every one the app and the report show: the hot spot
# often lies off the face (the demonstration weights' maps do), and a therapist read it as
# "the network looked at the wall" or as a finding (evaluator's audit, 2026-12-07). docs/gui.md,
# "What the attention heat maps show", says why.
ATTENTION_NOTE = ("Attention heat: where the network's attention layer looked, not why it graded. A reading "
                  "aid, not evidence; it may lie off the face.")
FONT = cv2.FONT_HERSHEY_SIMPLEX


def colour_mask(mask: np.ndarray) -> np.ndarray:
    """Label mask (H x W, class indices) -> RGB image in the fixed class colours."""
    return PALETTE[np.clip(mask, 0, len(PALETTE) - 1)]


def _fit(photo: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if photo.shape[:2] == shape:
        return photo
    return cv2.resize(photo, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def segmentation_overlay(photo: np.ndarray, mask: np.ndarray, alpha: float = 0.45, legend: bool = True) -> np.ndarray:
    """Photo with the mask's classes blended in (background left clear) plus a legend panel."""
    photo = _fit(photo, mask.shape[:2])
    colours = colour_mask(mask).astype(np.float32)
    blend = photo.astype(np.float32)
    fg = (mask > 0)[..., None]
    blend = np.where(fg, (1.0 - alpha) * blend + alpha * colours, blend)
    out = np.clip(blend + 0.5, 0, 255).astype(np.uint8)
    if not legend:
        return out
    present = [i for i in range(1, len(CLASSES)) if np.any(mask == i)]
    return np.hstack([out, legend_panel(out.shape[0], present)])


def legend_panel(height: int, classes: list[int]) -> np.ndarray:
    """A white panel listing class colour swatches and names."""
    panel = np.full((height, LEGEND_WIDTH, 3), 255, np.uint8)
    row = max(14, min(22, height // max(1, len(classes) + 1)))
    scale = min(row / 40.0, 0.42)
    cv2.putText(panel, "classes", (6, row - 4), FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)
    for n, index in enumerate(classes, start=1):
        y = row * n + 2
        if y + row > height:
            break
        colour = tuple(int(c) for c in CLASS_COLOURS[index])
        cv2.rectangle(panel, (6, y + 2), (6 + row - 4, y + row - 2), colour, -1)
        cv2.rectangle(panel, (6, y + 2), (6 + row - 4, y + row - 2), (90, 90, 90), 1)
        cv2.putText(panel, CLASSES[index].replace("_", " "), (row + 6, y + row - 5), FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)
    return panel


def heat_colours(heat: np.ndarray) -> np.ndarray:
    """A [0, 1] map -> RGB uint8 in the 'hot' ramp the results page draws (results_logic.heat_lut):
    its lightness rises with the heat, so it reads in grey and with red-green colour blindness,
    which OpenCV's JET (light in the middle) did not, and paper and screen show one scale."""
    t = np.clip(np.asarray(heat, dtype=np.float64), 0.0, 1.0)[..., None]
    rgb = np.clip(3.0 * t - np.array([0.0, 1.0, 2.0]), 0.0, 1.0)
    return (rgb * 255.0).round().astype(np.uint8)


HEAT_OPACITY = 0.6  # the results page's default heat opacity


def heat_alpha(heat: np.ndarray, opacity: float = HEAT_OPACITY) -> np.ndarray:
    """How much of the heat colour covers the photo, rising with the heat as on the results
    page (results_logic.heat_lut): cold areas stay see-through, so the face remains visible
    (a fixed half blend printed a dark skin's face at half its brightness, black where cold)."""
    return np.clip(np.asarray(heat, dtype=np.float64) * 1.4, 0.0, 1.0) * float(opacity)


def heat_blend(under: np.ndarray, heat: np.ndarray, opacity: float = HEAT_OPACITY) -> np.ndarray:
    """`under` (RGB uint8, H x W x 3) with the heat's colours laid over it by `heat_alpha`."""
    alpha = heat_alpha(heat, opacity)[..., None]
    out = under.astype(np.float64) * (1.0 - alpha) + heat_colours(heat).astype(np.float64) * alpha
    return out.round().astype(np.uint8)


def attention_overlay(photo: np.ndarray, heat: np.ndarray, name: str = "", opacity: float = HEAT_OPACITY) -> np.ndarray:
    """Photo with a heat map in [0, 1] (resized to the photo) laid over it as the results page
    lays it (see-through where cold), titled `name`."""
    if heat.shape[:2] != photo.shape[:2]:
        heat = cv2.resize(heat.astype(np.float32), (photo.shape[1], photo.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = heat_blend(photo, heat, opacity)
    if name:
        scale = max(0.35, photo.shape[0] / 600.0)
        cv2.putText(out, name, (6, int(22 * scale / 0.45)), FONT, scale, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(out, name, (6, int(22 * scale / 0.45)), FONT, scale, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def save_png(image: np.ndarray, path: str | os.PathLike) -> Path:
    """Write an RGB uint8 array as PNG (creating the folder); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_png(path, image)
