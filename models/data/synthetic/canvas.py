"""The drawing surface of one synthetic photo: supersampled colour, labels, shading layers.

Polygons are filled antialiased into the colour image at `SUPERSAMPLE` times the output
resolution, and with nearest (pixel-centre) sampling into the label image at the output
resolution, from the same vertices, so photo and mask agree. Shading layers hold log-gains
that `shading.py` blurs and applies to the photo only.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.data.synthetic.camera import Camera
from models.labels import CLASS_INDEX

SUPERSAMPLE = 2
SHIFT = 4  # fixed-point bits for sub-pixel polygon vertices
ONE = 1 << SHIFT
# Internal label of clothing: background in the project's label set, but shaded like cloth.
CLOTHING = 20
TO_PROJECT = np.arange(256, dtype=np.uint8)
TO_PROJECT[CLOTHING] = CLASS_INDEX["background"]

SKIN = CLASS_INDEX["skin"]
HAIR = CLASS_INDEX["hair"]
NOSE = CLASS_INDEX["nose"]
UPPER_LIP = CLASS_INDEX["upper_lip"]
LOWER_LIP = CLASS_INDEX["lower_lip"]
INNER_MOUTH = CLASS_INDEX["inner_mouth"]
# Side index 0 is the subject's right, 1 the subject's left.
BROW_CLASS = (CLASS_INDEX["right_brow"], CLASS_INDEX["left_brow"])
EYE_CLASS = (CLASS_INDEX["right_eye"], CLASS_INDEX["left_eye"])


class Canvas:
    """The supersampled colour image, the label image and the shading layers."""

    def __init__(self, camera: Camera, size: int, background: tuple[int, int, int]) -> None:
        self.camera = camera
        self.size = size
        big = size * SUPERSAMPLE
        self.colour = np.empty((big, big, 3), np.uint8)
        cv2.rectangle(self.colour, (0, 0), (big - 1, big - 1), bgr(background), -1)
        self.label = np.zeros((size, size), np.uint8)
        self.lo = max(16, size // 4)
        self.broad = np.zeros(
            (self.lo, self.lo), np.float32
        )  # large shadows/highlights, quarter res
        self.soft = np.zeros((size, size), np.float32)  # small shadows/highlights (log gain)
        self.fine = np.zeros((size, size), np.float32)  # lines: creases, wrinkles
        self.tint = np.zeros((max(16, size // 4),) * 2, np.float32)  # redness, quarter resolution
        self.unit = camera.px_per_unit

    def _pts(self, pts3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p1 = self.camera.project(pts3)
        p_big = (p1 + 0.5) * SUPERSAMPLE - 0.5
        return (
            np.round(p1 * ONE).astype(np.int32),
            np.round(p_big * ONE).astype(np.int32),
        )

    def fill(self, pts3: np.ndarray, rgb, cls: int | None) -> None:
        """Fill a polygon: antialiased colour, nearest-sampled label (None: colour only)."""
        p1, pb = self._pts(pts3)
        cv2.fillPoly(self.colour, [pb], bgr(rgb), cv2.LINE_AA, SHIFT)
        if cls is not None:
            cv2.fillPoly(self.label, [p1], int(cls), cv2.LINE_8, SHIFT)

    def line(self, pts3: np.ndarray, rgb, width_units: float) -> None:
        """An antialiased open polyline on the colour image only."""
        _, pb = self._pts(pts3)
        w = max(1, int(round(width_units * self.unit * SUPERSAMPLE)))
        cv2.polylines(self.colour, [pb], False, bgr(rgb), w, cv2.LINE_AA, SHIFT)

    def disc(self, centre3: np.ndarray, radius_units: float, rgb) -> None:
        """An antialiased filled circle on the colour image only."""
        _, pb = self._pts(centre3[None, :])
        r = int(round(radius_units * self.unit * SUPERSAMPLE * ONE))
        cv2.circle(
            self.colour,
            (int(pb[0, 0]), int(pb[0, 1])),
            max(r, 1),
            bgr(rgb),
            -1,
            cv2.LINE_AA,
            SHIFT,
        )

    def shade_blob(
        self,
        centre: tuple[float, float],
        axes: tuple[float, float],
        angle_deg: float,
        gain: float,
        broad: bool = False,
    ) -> None:
        """A soft elliptical shadow (gain < 0) or highlight (gain > 0) in face units;
        `broad` blobs are blurred much more (cheeks, jaw, eye sockets)."""
        layer = self.broad if broad else self.soft
        k = layer.shape[0] / self.size
        c = (self.camera.project(np.array([[centre[0], centre[1], 0.6]]))[0] + 0.5) * k - 0.5
        ax = (max(1, int(axes[0] * self.unit * k)), max(1, int(axes[1] * self.unit * k)))
        ang = angle_deg + np.rad2deg(self.camera.frame.roll)
        cv2.ellipse(layer, (int(round(c[0])), int(round(c[1]))), ax, ang, 0, 360, float(gain), -1)

    def tint_blob(
        self, centre: tuple[float, float], axes: tuple[float, float], amount: float
    ) -> None:
        """A soft reddening of the skin (cheeks)."""
        k = self.tint.shape[0] / self.size
        c = (self.camera.project(np.array([[centre[0], centre[1], 0.6]]))[0] + 0.5) * k - 0.5
        ax = (max(1, int(axes[0] * self.unit * k)), max(1, int(axes[1] * self.unit * k)))
        cv2.ellipse(
            self.tint, (int(round(c[0])), int(round(c[1]))), ax, 0, 0, 360, float(amount), -1
        )

    def shade_poly(self, pts3: np.ndarray, gain: float, broad: bool = False) -> None:
        """Fill a polygon into the soft (or broad) shading layer."""
        layer = self.broad if broad else self.soft
        k = layer.shape[0] / self.size
        p = (self.camera.project(pts3) + 0.5) * k - 0.5
        cv2.fillPoly(layer, [np.round(p * ONE).astype(np.int32)], float(gain), cv2.LINE_8, SHIFT)

    def shade_line(self, pts3: np.ndarray, gain: float, width_units: float) -> None:
        """A crease or wrinkle in the fine shading layer."""
        if abs(gain) < 1e-3:
            return
        p1, _ = self._pts(pts3)
        w = max(1, int(round(width_units * self.unit)))
        cv2.polylines(self.fine, [p1], False, float(gain), w, cv2.LINE_8, SHIFT)


Colour = tuple[float, float, float]


def bgr(rgb: Colour) -> Colour:
    """A colour as OpenCV's drawing functions take it (the canvas holds RGB in channel
    order 0..2, and OpenCV writes the tuple as given)."""
    return (float(rgb[0]), float(rgb[1]), float(rgb[2]))


def mix(a: Colour, b: Colour, t: float) -> Colour:
    """The colour `t` of the way from `a` to `b`."""
    return tuple(float(x) * (1 - t) + float(y) * t for x, y in zip(a, b, strict=True))


def scaled(rgb: Colour, k: float) -> Colour:
    """`rgb` brightened (k > 1) or darkened (k < 1), clipped to 0..255."""
    return tuple(float(np.clip(v * k, 0, 255)) for v in rgb)


def at_depth(xy: list[tuple[float, float]] | np.ndarray, z: float = 0.6) -> np.ndarray:
    """(N, 2) face points with a constant depth added, as (N, 3)."""
    a = np.asarray(xy, dtype=np.float64)
    return np.column_stack([a, np.full(len(a), z)])


_BANK_ROWS, _BANK_COLS = 1024, 3072
_bank: np.ndarray | None = None


def noise(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """Standard normal noise (rows x cols float32), cut at a random place from a fixed bank.

    Drawing fresh normal numbers costs several ms per image on a slow CPU; a window of a
    fixed bank chosen by `rng` is deterministic and nearly free.
    """
    global _bank
    if rows > _BANK_ROWS or cols > _BANK_COLS:
        return rng.standard_normal((rows, cols), dtype=np.float32)
    if _bank is None:
        _bank = np.random.default_rng(20261124).standard_normal(
            (_BANK_ROWS, _BANK_COLS), dtype=np.float32
        )
    r = int(rng.integers(0, _BANK_ROWS - rows + 1))
    c = int(rng.integers(0, _BANK_COLS - cols + 1))
    return _bank[r : r + rows, c : c + cols]
