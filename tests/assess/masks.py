"""Hand-made parsing masks of a cartoon face whose expressions move each side by a known amount.

`paint_face(expression, function=(left, right))` draws the face in the project's label set;
`function` is the share (0..1) of a full healthy movement each side makes.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.labels import CLASS_INDEX

C = CLASS_INDEX


def paint_face(
    expression: str = "rest",
    function: tuple[float, float] = (1.0, 1.0),
    size: int = 256,
    shift: tuple[int, int] = (0, 0),
    roll_degrees: float = 0.0,
    corner_drop: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """A size x size uint8 mask; `function` = (left, right) movement share of the subject.
    `corner_drop` = (left, right) pixels (at 256) each mouth corner is dragged down on open_mouth,
    as the jaw drags a paralysed corner: movement that is not the commissure's own."""
    s = size / 256.0
    mask = np.zeros((size, size), np.uint8)
    cx, cy = 128 * s, 128 * s
    fl, fr = function
    move = {"left": fl, "right": fr}
    # Subject's left is the image's right (+x).
    sign = {"left": 1, "right": -1}
    cheek = {side: (12 * s * move[side] if expression == "puff_cheeks" else 0.0) for side in move}
    # Face outline: an ellipse; a puffed cheek adds a half ellipse below the nose per side.
    cv2.ellipse(mask, (int(cx), int(cy + 10 * s)), (int(62 * s), int(88 * s)), 0, 0, 360, C["skin"], -1)
    cols = np.arange(size)[None, :]
    rows = np.arange(size)[:, None]
    for side in ("left", "right"):
        if cheek[side] <= 0:
            continue
        half = np.zeros_like(mask)
        cv2.ellipse(half, (int(cx), int(cy + 10 * s)), (int(62 * s + cheek[side]), int(88 * s)), 0, 0, 360, 1, -1)
        keep = (cols >= cx if side == "left" else cols < cx) & (rows > cy + 12 * s) & (rows < cy + 80 * s)
        mask[(half == 1) & keep] = C["skin"]
    cv2.ellipse(mask, (int(cx), int(cy - 70 * s)), (int(66 * s), int(30 * s)), 0, 180, 360, C["hair"], -1)
    for side in ("left", "right"):
        x = cx + sign[side] * 30 * s
        brow_up = 9 * s * move[side] if expression == "raise_eyebrows" else 0.0
        cv2.ellipse(mask, (int(x), int(cy - 34 * s - brow_up)), (int(16 * s), int(4 * s)), 0, 0, 360, C[f"{side}_brow"], -1)
        eye_h = 7 * s * (1.0 - 0.9 * move[side]) if expression == "close_eyes" else 7 * s
        if eye_h >= 0.5:
            cv2.ellipse(mask, (int(x), int(cy - 18 * s)), (int(12 * s), max(1, int(round(eye_h)))), 0, 0, 360, C[f"{side}_eye"], -1)
    # Nose: a triangle whose lateral corners (alae) lift per side.
    lift = {side: (6 * s * move[side] if expression == "wrinkle_nose" else 0.0) for side in move}
    nose = np.array([
        [cx, cy - 16 * s],
        [cx + 14 * s, cy + 18 * s - lift["left"]],
        [cx, cy + 22 * s],
        [cx - 14 * s, cy + 18 * s - lift["right"]],
    ], np.int32)
    cv2.fillPoly(mask, [nose], C["nose"])
    # Mouth: corners move out and up per side on open_mouth; the lower lip drops.
    open_ = expression == "open_mouth"
    down = {"left": corner_drop[0] * s, "right": corner_drop[1] * s}
    corner = {side: (cx + sign[side] * (24 * s + (12 * s * move[side] if open_ else 0)),
                     cy + 46 * s - ((8 * s * move[side] - down[side]) if open_ else 0)) for side in move}
    drop = 14 * s if open_ else 0
    upper = np.array([corner["right"], (cx, cy + 40 * s), corner["left"], (cx, cy + 46 * s)], np.int32)
    inner = np.array([corner["right"], (cx, cy + 46 * s), corner["left"], (cx, cy + 46 * s + drop)], np.int32)
    lower = np.array([corner["right"], (cx, cy + 46 * s + drop), corner["left"], (cx, cy + 54 * s + drop)], np.int32)
    cv2.fillPoly(mask, [upper], C["upper_lip"])
    if open_:
        cv2.fillPoly(mask, [inner], C["inner_mouth"])
    cv2.fillPoly(mask, [lower], C["lower_lip"])
    if roll_degrees or shift != (0, 0):
        m = cv2.getRotationMatrix2D((cx, cy), roll_degrees, 1.0)
        m[:, 2] += shift
        mask = cv2.warpAffine(mask, m, (size, size), flags=cv2.INTER_NEAREST, borderValue=0)
    return mask


def paint_patient(function: tuple[float, float], **kwargs) -> dict[str, np.ndarray]:
    """All six expressions of one cartoon patient."""
    from models.labels import EXPRESSIONS

    return {e: paint_face(e, function, **kwargs) for e in EXPRESSIONS}
