"""Light, shadows and texture of a synthetic photo, as a per-pixel gain.

Lambert light on an ellipsoid head (a cylinder for the neck), the blurred shading layers
of the canvas, ambient occlusion towards the silhouette, skin, hair and brow texture,
stubble and blush. Nothing here changes the mask.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.data.synthetic.camera import Camera, FrameParams
from models.data.synthetic.canvas import (
    BROW_CLASS,
    HAIR,
    LOWER_LIP,
    NOSE,
    SKIN,
    UPPER_LIP,
    Canvas,
    noise,
)
from models.data.synthetic.face import FaceParams
from models.data.synthetic.geometry import FaceGeometry


def _lut(weights: dict[int, float]) -> np.ndarray:
    table = np.zeros(256, np.float32)
    for cls, w in weights.items():
        table[cls] = w
    return table


_SKIN_TEXTURE = _lut({SKIN: 1.0, NOSE: 1.0, UPPER_LIP: 0.6, LOWER_LIP: 0.6})
_HAIR_TEXTURE = _lut({HAIR: 1.0})
_BROW_TEXTURE = _lut({BROW_CLASS[0]: 1.0, BROW_CLASS[1]: 1.0})
_FACE_SHADE = _lut({c: 1.0 for c in range(1, 10)})
_BACKGROUND = _lut({0: 1.0})


def _hair_texture(
    face: FaceParams, fx: np.ndarray, fy: np.ndarray, pores: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Relative brightness of hair: strands fanning from above the crown (or curls), a sheen.

    `fx`, `fy` are face coordinates on a coarse grid; the smooth angle and distance fields
    are computed there and enlarged, only the strand lookup runs at full resolution.
    """
    size = pores.shape[0]
    full = (size, size)
    cx, cy = 0.5 * face.hair_part, face.skull_top - 0.6
    dx, dy = fx - cx, fy - cy
    dist = np.sqrt(dx * dx + dy * dy)
    sheen = cv2.resize(
        0.22 * np.exp(-(((dist - 0.95) / 0.18) ** 2)), full, interpolation=cv2.INTER_LINEAR
    )
    if face.hair_style == "curly":
        curls = cv2.resize(
            noise(rng, max(4, size // 2), max(4, size // 2)), full, interpolation=cv2.INTER_CUBIC
        )
        return 0.18 * curls + 0.08 * pores + 0.5 * sheen - 0.08
    k = 1024
    angle = cv2.resize(np.arctan2(dx, dy).astype(np.float32), full, interpolation=cv2.INTER_LINEAR)
    idx = ((angle + np.pi) * (k / (2 * np.pi))).astype(np.int32) % k
    fine = noise(rng, 1, k)[0]
    coarse = cv2.resize(noise(rng, 1, k // 16), (k, 1), interpolation=cv2.INTER_LINEAR)[0]
    return 0.13 * fine[idx] + 0.12 * coarse[idx] + 0.04 * pores + sheen - 0.06


def _smooth_gain(
    face: FaceParams, frame: FrameParams, chin_y: float, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Low-frequency gains (lit object, background) computed at a quarter resolution, and
    the face coordinates (x, y) of that coarse grid."""
    lo = max(16, size // 4)
    fx, fy = Camera(frame, lo).unproject_grid()
    lx, ly = frame.light_dir
    lnorm = np.sqrt(lx * lx + ly * ly + 1.0)
    # Head: ellipsoid normals; below the chin: a vertical cylinder (neck, shoulders).
    nx = fx / 1.05
    ny = (fy + 0.15) / 1.7
    nz = np.sqrt(np.clip(1.0 - nx * nx - ny * ny, 0.02, 1.0))
    # Blend from head to neck over a band around the chin so no seam shows on the neck.
    below = np.clip((fy - chin_y + 0.05) / 0.25, 0.0, 1.0)
    cyl_x = np.clip(fx / (face.neck_width * 1.4), -0.99, 0.99)
    nx = below * cyl_x + (1.0 - below) * nx * 1.3
    ny = (1.0 - below) * ny * 1.3
    nz = below * np.sqrt(1.0 - cyl_x * cyl_x) + (1.0 - below) * nz
    norm = np.sqrt(nx * nx + ny * ny + nz * nz)
    lambert = np.clip((nx * lx + ny * ly + nz) / (norm * lnorm), 0.0, 1.0)
    lit = (frame.ambient + (1.0 - frame.ambient) * lambert) / (
        frame.ambient + (1.0 - frame.ambient) / lnorm
    )
    gx, gy = frame.background_gradient
    idx = np.linspace(-0.5, 0.5, lo, dtype=np.float32)
    bg = (
        1.0 + gx * idx[None, :] + gy * idx[:, None] - 0.25 * (idx[None, :] ** 2 + idx[:, None] ** 2)
    )
    up = (size, size)
    return (
        cv2.resize(lit.astype(np.float32), up, interpolation=cv2.INTER_LINEAR),
        cv2.resize(bg.astype(np.float32), up, interpolation=cv2.INTER_LINEAR),
        fx,
        fy,
    )


def shading_gain(
    cv: Canvas, face: FaceParams, frame: FrameParams, geom: FaceGeometry, rng: np.random.Generator
) -> np.ndarray:
    """Per-pixel gain for the output image (H x W float32)."""
    size = cv.size
    label = cv.label
    lit, bg, fx_lo, fy_lo = _smooth_gain(face, frame, geom.chin_y, size)
    back = _BACKGROUND[label]
    gain = lit + (bg - lit) * back
    # Texture: skin blotches and pores, hair strands, stubble.
    small = max(4, size // 16)
    blotch = cv2.resize(noise(rng, small, small), (size, size), interpolation=cv2.INTER_CUBIC)
    pores = noise(rng, size, size)
    brow_strands = cv2.resize(
        noise(rng, size, max(4, size // 20)), (size, size), interpolation=cv2.INTER_LINEAR
    )
    tex = _SKIN_TEXTURE[label] * (0.014 * blotch + 0.014 * pores) + _BROW_TEXTURE[label] * (
        0.18 * brow_strands
    )
    tex += _BACKGROUND[label] * (0.012 * blotch)  # a wall is never perfectly even
    if geom.hair_cap is not None or geom.back_hair is not None:
        tex += _HAIR_TEXTURE[label] * _hair_texture(face, fx_lo, fy_lo, pores, rng)
    gain *= 1.0 + tex
    if face.stubble > 0:
        fy = cv2.resize(fy_lo, (size, size), interpolation=cv2.INTER_LINEAR)
        jaw = np.clip((fy - face.nose_bottom) / 0.3, 0.0, 1.0) * (fy < geom.chin_y + 0.05)
        gain *= 1.0 - (label == SKIN) * jaw * face.stubble * (0.08 + 0.015 * pores)
    u = cv.unit
    lo_u = u * cv.lo / size
    broad = cv2.GaussianBlur(cv.broad, (0, 0), 0.09 * lo_u)
    # Ambient occlusion: the face darkens towards its silhouette.
    solid = _FACE_SHADE[label[:: size // cv.lo, :: size // cv.lo][: cv.lo, : cv.lo]]
    broad += 0.3 * (cv2.GaussianBlur(solid, (0, 0), 0.07 * lo_u) - 1.0)
    shade = cv2.resize(broad, (size, size), interpolation=cv2.INTER_LINEAR)
    shade += cv2.GaussianBlur(cv.soft, (0, 0), 0.025 * u)
    shade += cv2.GaussianBlur(cv.fine, (0, 0), max(0.5, 0.007 * u))
    gain *= np.exp(shade * _FACE_SHADE[label])
    return gain


def redness(cv: Canvas) -> np.ndarray:
    """Blurred blush layer restricted to skin, as an RGB offset image."""
    k = max(3, int(0.3 * cv.unit * cv.tint.shape[0] / cv.size) | 1)
    red = cv2.resize(
        cv2.GaussianBlur(cv.tint, (k, k), 0), (cv.size, cv.size), interpolation=cv2.INTER_LINEAR
    )
    red *= _SKIN_TEXTURE[cv.label]
    return red[:, :, None] * np.array([2.0, -10.0, -8.0], np.float32)
