"""A minimal drawn face used by the demo source only while the synthetic generator is absent.

The real demo patient comes from `models.data.synthetic` (make_patient/render_expression);
this fallback keeps the app usable (and its tests fast) without it.
"""

from __future__ import annotations

import numpy as np

# Movement of each expression on a healthy side: brow lift, eye closure, mouth open,
# commissure pull, nose lift, cheek puff (all 0..1).
_MOVES: dict[str, tuple[float, ...]] = {
    "rest": (0, 0, 0, 0, 0, 0),
    "close_eyes": (0, 1, 0, 0, 0, 0),
    "raise_eyebrows": (1, 0, 0, 0, 0, 0),
    "open_mouth": (0, 0, 1, 1, 0, 0),
    "wrinkle_nose": (0, 0.3, 0, 0.2, 1, 0),
    "puff_cheeks": (0, 0, 0, 0, 0, 1),
}
_FUNCTION = {1: 1.0, 2: 0.85, 3: 0.6, 4: 0.35, 5: 0.12, 6: 0.0}


def draw_face(size: int, expression: str, intensity: float, grade: int, side: str, seed: int) -> np.ndarray:
    """An RGB uint8 frontal cartoon face (size x size) at `intensity` of `expression`."""
    import cv2

    rng = np.random.default_rng(seed)
    tone = rng.uniform(0.45, 0.9)
    skin = (int(235 * tone), int(190 * tone), int(160 * tone))
    image = np.full((size, size, 3), (200, 205, 210), np.uint8)
    s = size / 256.0
    cx, cy = size // 2, int(size * 0.52)
    moves = np.array(_MOVES.get(expression, _MOVES["rest"]), float) * float(np.clip(intensity, 0, 1))
    weak = _FUNCTION.get(grade, 1.0)
    cv2.ellipse(image, (cx, cy), (int(78 * s), int(100 * s)), 0, 0, 360, skin, -1, cv2.LINE_AA)
    # Subject's left is the image's right.
    for image_side, subject_side in ((-1, "right"), (1, "left")):
        gain = weak if subject_side == side else 1.0
        m = moves * gain
        ex = cx + image_side * int(32 * s)
        ey = cy - int(22 * s)
        puff = int(m[5] * 14 * s)
        cv2.ellipse(image, (cx + image_side * int(55 * s), cy + int(30 * s)), (int(25 * s) + puff, int(35 * s)), 0, 0, 360, skin, -1, cv2.LINE_AA)
        eye_h = max(1, int(9 * s * (1 - m[1])))
        cv2.ellipse(image, (ex, ey), (int(16 * s), eye_h), 0, 0, 360, (250, 250, 250), -1, cv2.LINE_AA)
        if eye_h > 3:
            cv2.circle(image, (ex, ey), max(1, min(eye_h, int(6 * s))), (60, 40, 30), -1, cv2.LINE_AA)
        by = ey - int((20 + 12 * m[0]) * s)
        cv2.line(image, (ex - int(18 * s), by + int(3 * s)), (ex + int(18 * s), by), (70, 45, 30), max(2, int(5 * s)), cv2.LINE_AA)
        mx = cx + image_side * int((28 + 10 * m[3]) * s)
        my = cy + int((50 - 4 * m[3]) * s)
        cv2.line(image, (cx, cy + int(52 * s)), (mx, my), (170, 60, 70), max(2, int(5 * s)), cv2.LINE_AA)
        nose_y = cy + int((18 - 5 * m[4]) * s)
        cv2.circle(image, (cx + image_side * int(9 * s), nose_y), max(2, int(5 * s)), tuple(int(c * 0.8) for c in skin), -1, cv2.LINE_AA)
    opening = int(moves[2] * 18 * s)
    if opening > 1:
        cv2.ellipse(image, (cx, cy + int(56 * s)), (int(18 * s), opening), 0, 0, 360, (90, 20, 30), -1, cv2.LINE_AA)
    noise = rng.normal(0, 2.0, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)
