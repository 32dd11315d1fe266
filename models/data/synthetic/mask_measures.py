"""Region movements measured from label masks (the generator's calibration check).

Works in pixel coordinates of frontal, un-rolled photos (`render_expression(...,
neutral=True)`); the clinical measured-function module handles pose itself. Per-side
results are pairs (subject's right, subject's left); the subject's left is on the image's
right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.labels import CLASS_INDEX

_SIDE_CLASSES = {
    "brow": (CLASS_INDEX["right_brow"], CLASS_INDEX["left_brow"]),
    "eye": (CLASS_INDEX["right_eye"], CLASS_INDEX["left_eye"]),
}
LIP_CLASSES = (CLASS_INDEX["upper_lip"], CLASS_INDEX["inner_mouth"], CLASS_INDEX["lower_lip"])
_SIGN = (-1.0, 1.0)


@dataclass(frozen=True)
class RestReference:
    """Where to measure, taken from the rest photo: the midline, the cheek rows and the
    rows of the lower nose (alae)."""

    midline_x: float
    cheek_rows: tuple[int, int]
    ala_rows: tuple[int, int]


def centroid(mask: np.ndarray, cls: int) -> tuple[float, float] | None:
    """(x, y) centroid of class `cls`, or None when absent."""
    ys, xs = np.nonzero(mask == cls)
    if len(xs) == 0:
        return None
    return float(xs.mean()), float(ys.mean())


def rest_reference(rest: np.ndarray) -> RestReference:
    """Midline through the nose and the rows between the nose and the mouth at rest."""
    ys, xs = np.nonzero(rest == CLASS_INDEX["nose"])
    lips_y = np.nonzero(np.isin(rest, LIP_CLASSES))[0]
    if len(xs) == 0 or len(lips_y) == 0:
        raise ValueError("the rest mask needs a nose and lips")
    nose_top, nose_bottom = int(ys.min()), int(ys.max())
    ala_top = nose_bottom - int(round(0.45 * (nose_bottom - nose_top)))
    bottom = int(lips_y.max())
    return RestReference(
        midline_x=float(xs.mean()),
        cheek_rows=(nose_bottom, max(nose_bottom + 1, bottom)),
        ala_rows=(ala_top, nose_bottom + 1),
    )


def brow_height(mask: np.ndarray) -> tuple[float, float]:
    """Brow centroid heights above the image bottom (pixels), per side."""
    out = []
    for cls in _SIDE_CLASSES["brow"]:
        c = centroid(mask, cls)
        out.append(float("nan") if c is None else mask.shape[0] - c[1])
    return out[0], out[1]


def eye_area(mask: np.ndarray) -> tuple[float, float]:
    """Visible eye area (pixels), per side."""
    return tuple(float((mask == cls).sum()) for cls in _SIDE_CLASSES["eye"])  # type: ignore[return-value]


def commissures(mask: np.ndarray, ref: RestReference) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the most lateral lip pixel on each side."""
    ys, xs = np.nonzero(np.isin(mask, LIP_CLASSES))
    out = []
    for sign in _SIGN:
        d = (xs - ref.midline_x) * sign
        if len(d) == 0 or d.max() <= 0:
            out.append(np.array([np.nan, np.nan]))
            continue
        far = d >= d.max() - 0.5
        out.append(np.array([xs[far].mean(), ys[far].mean()]))
    return out[0], out[1]


def ala_height(mask: np.ndarray, ref: RestReference) -> tuple[float, float]:
    """Height (above the image bottom) of each half of the lower nose: the centroid of the
    nose pixels in the rest photo's ala rows, per side of the midline. A lifting ala moves
    its pixels up through these rows."""
    top, bottom = ref.ala_rows
    ys, xs = np.nonzero(mask[top:bottom] == CLASS_INDEX["nose"])
    ys = ys + top
    out = []
    for sign in _SIGN:
        half = (xs - ref.midline_x) * sign > 0
        out.append(float(mask.shape[0] - ys[half].mean()) if half.any() else float("nan"))
    return out[0], out[1]


def cheek_extent(mask: np.ndarray, ref: RestReference) -> tuple[float, float]:
    """Mean lateral extent of the skin from the midline over the cheek rows, per side."""
    top, bottom = ref.cheek_rows
    rows = mask[top:bottom] == CLASS_INDEX["skin"]
    xs = np.arange(mask.shape[1])
    out = []
    for sign in _SIGN:
        d = (xs - ref.midline_x) * sign
        extent = np.where(rows, d[None, :], 0.0).max(axis=1)
        out.append(float(extent.mean()))
    return out[0], out[1]


def movement(rest: np.ndarray, moved: np.ndarray, expression: str) -> tuple[float, float]:
    """How far each side moved from `rest` in `expression` (pixels, or a fraction for eyes)."""
    ref = rest_reference(rest)
    if expression == "raise_eyebrows":
        a, b = brow_height(rest), brow_height(moved)
        return b[0] - a[0], b[1] - a[1]
    if expression == "close_eyes":
        a, b = eye_area(rest), eye_area(moved)
        return 1.0 - b[0] / max(a[0], 1.0), 1.0 - b[1] / max(a[1], 1.0)
    if expression == "open_mouth":
        a, b = commissures(rest, ref), commissures(moved, ref)
        return float(np.linalg.norm(b[0] - a[0])), float(np.linalg.norm(b[1] - a[1]))
    if expression == "wrinkle_nose":
        a, b = ala_height(rest, ref), ala_height(moved, ref)
        return b[0] - a[0], b[1] - a[1]
    if expression == "puff_cheeks":
        a, b = cheek_extent(rest, ref), cheek_extent(moved, ref)
        return b[0] - a[0], b[1] - a[1]
    raise ValueError(f"no movement is measured for expression {expression!r}")
