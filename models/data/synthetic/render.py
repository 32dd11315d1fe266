"""Rasterise a `FaceGeometry` into an RGB photo and its exact label mask.

Each region is a filled polygon. The mask is drawn at the output resolution with
nearest (pixel-centre) sampling; the photo is drawn antialiased at `SUPERSAMPLE` times the
resolution from the same polygons and reduced by area averaging, so both agree. Shading
(light on an ellipsoid head, soft shadows, wrinkles, skin and hair texture), optical blur
and sensor noise are applied to the photo only.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.data.synthetic.camera import Camera, FrameParams
from models.data.synthetic.face import SIDE_SIGN, FaceParams
from models.data.synthetic.geometry import FaceGeometry
from models.labels import CLASS_INDEX

SUPERSAMPLE = 2
_SHIFT = 4  # fixed-point bits for sub-pixel polygon vertices
_ONE = 1 << _SHIFT
# Internal label of clothing: background in the project's label set, but shaded like cloth.
_CLOTHING = 20
_TO_PROJECT = np.arange(256, dtype=np.uint8)
_TO_PROJECT[_CLOTHING] = CLASS_INDEX["background"]

SKIN = CLASS_INDEX["skin"]
HAIR = CLASS_INDEX["hair"]
NOSE = CLASS_INDEX["nose"]
UPPER_LIP = CLASS_INDEX["upper_lip"]
LOWER_LIP = CLASS_INDEX["lower_lip"]
INNER_MOUTH = CLASS_INDEX["inner_mouth"]
# Side index 0 is the subject's right, 1 the subject's left.
BROW_CLASS = (CLASS_INDEX["right_brow"], CLASS_INDEX["left_brow"])
EYE_CLASS = (CLASS_INDEX["right_eye"], CLASS_INDEX["left_eye"])


class _Canvas:
    """The supersampled colour image, the label image and the shading layers."""

    def __init__(self, camera: Camera, size: int, background: tuple[int, int, int]) -> None:
        self.camera = camera
        self.size = size
        big = size * SUPERSAMPLE
        self.colour = np.empty((big, big, 3), np.uint8)
        cv2.rectangle(self.colour, (0, 0), (big - 1, big - 1), _bgr(background), -1)
        self.label = np.zeros((size, size), np.uint8)
        self.lo = max(16, size // 4)
        self.broad = np.zeros((self.lo, self.lo), np.float32)  # large shadows/highlights, quarter res
        self.soft = np.zeros((size, size), np.float32)  # small shadows/highlights (log gain)
        self.fine = np.zeros((size, size), np.float32)  # lines: creases, wrinkles
        self.tint = np.zeros((max(16, size // 4),) * 2, np.float32)  # redness, quarter resolution
        self.unit = camera.px_per_unit

    def _pts(self, pts3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p1 = self.camera.project(pts3)
        p_big = (p1 + 0.5) * SUPERSAMPLE - 0.5
        return (
            np.round(p1 * _ONE).astype(np.int32),
            np.round(p_big * _ONE).astype(np.int32),
        )

    def fill(self, pts3: np.ndarray, rgb, cls: int | None) -> None:
        """Fill a polygon: antialiased colour, nearest-sampled label (None: colour only)."""
        p1, pb = self._pts(pts3)
        cv2.fillPoly(self.colour, [pb], _bgr(rgb), cv2.LINE_AA, _SHIFT)
        if cls is not None:
            cv2.fillPoly(self.label, [p1], int(cls), cv2.LINE_8, _SHIFT)

    def line(self, pts3: np.ndarray, rgb, width_units: float) -> None:
        """An antialiased open polyline on the colour image only."""
        _, pb = self._pts(pts3)
        w = max(1, int(round(width_units * self.unit * SUPERSAMPLE)))
        cv2.polylines(self.colour, [pb], False, _bgr(rgb), w, cv2.LINE_AA, _SHIFT)

    def disc(self, centre3: np.ndarray, radius_units: float, rgb) -> None:
        """An antialiased filled circle on the colour image only."""
        _, pb = self._pts(centre3[None, :])
        r = int(round(radius_units * self.unit * SUPERSAMPLE * _ONE))
        cv2.circle(self.colour, (int(pb[0, 0]), int(pb[0, 1])), max(r, 1), _bgr(rgb), -1, cv2.LINE_AA, _SHIFT)

    def shade_blob(self, centre: tuple[float, float], axes: tuple[float, float], angle_deg: float, gain: float, broad: bool = False) -> None:
        """A soft elliptical shadow (gain < 0) or highlight (gain > 0) in face units;
        `broad` blobs are blurred much more (cheeks, jaw, eye sockets)."""
        layer = self.broad if broad else self.soft
        k = layer.shape[0] / self.size
        c = (self.camera.project(np.array([[centre[0], centre[1], 0.6]]))[0] + 0.5) * k - 0.5
        ax = (max(1, int(axes[0] * self.unit * k)), max(1, int(axes[1] * self.unit * k)))
        ang = angle_deg + np.rad2deg(self.camera.frame.roll)
        cv2.ellipse(layer, (int(round(c[0])), int(round(c[1]))), ax, ang, 0, 360, float(gain), -1)

    def tint_blob(self, centre: tuple[float, float], axes: tuple[float, float], amount: float) -> None:
        """A soft reddening of the skin (cheeks)."""
        k = self.tint.shape[0] / self.size
        c = (self.camera.project(np.array([[centre[0], centre[1], 0.6]]))[0] + 0.5) * k - 0.5
        ax = (max(1, int(axes[0] * self.unit * k)), max(1, int(axes[1] * self.unit * k)))
        cv2.ellipse(self.tint, (int(round(c[0])), int(round(c[1]))), ax, 0, 0, 360, float(amount), -1)

    def shade_poly(self, pts3: np.ndarray, gain: float) -> None:
        """Fill a polygon into the soft shading layer."""
        p1, _ = self._pts(pts3)
        cv2.fillPoly(self.soft, [p1], float(gain), cv2.LINE_8, _SHIFT)

    def shade_line(self, pts3: np.ndarray, gain: float, width_units: float) -> None:
        """A crease or wrinkle in the fine shading layer."""
        if abs(gain) < 1e-3:
            return
        p1, _ = self._pts(pts3)
        w = max(1, int(round(width_units * self.unit)))
        cv2.polylines(self.fine, [p1], False, float(gain), w, cv2.LINE_8, _SHIFT)


def _bgr(rgb) -> tuple[float, float, float]:
    # The canvas holds RGB in channel order 0..2; OpenCV just writes the tuple as given.
    return (float(rgb[0]), float(rgb[1]), float(rgb[2]))


def _mix(a, b, t: float) -> tuple[float, float, float]:
    return tuple(float(x) * (1 - t) + float(y) * t for x, y in zip(a, b, strict=True))


def _scaled(rgb, k: float) -> tuple[float, float, float]:
    return tuple(float(np.clip(v * k, 0, 255)) for v in rgb)


def _z(xy: list[tuple[float, float]] | np.ndarray, z: float = 0.6) -> np.ndarray:
    a = np.asarray(xy, dtype=np.float64)
    return np.column_stack([a, np.full(len(a), z)])


def _draw_eye(cv: _Canvas, face: FaceParams, geom: FaceGeometry, side: int, skin) -> None:
    eye = geom.eyes[side]
    s = SIDE_SIGN[side]
    sclera = _mix((238, 234, 228), skin, 0.08)
    if eye.opening is not None:
        cv.fill(eye.opening, sclera, EYE_CLASS[side])
        r = eye.iris_radius
        c = eye.iris_centre.copy()
        c[0] += cv.camera.frame.gaze[0]
        c[1] += cv.camera.frame.gaze[1]
        cv.disc(c, r, _scaled(face.iris_rgb, 0.6))
        cv.disc(c, r * 0.86, face.iris_rgb)
        cv.disc(c + np.array([0.0, 0.25 * r, 0.0]), r * 0.5, _scaled(face.iris_rgb, 1.25))
        cv.disc(c, r * 0.42, (12, 10, 10))
        cv.disc(c + np.array([-0.3 * r * s, -0.35 * r, 0.0]), r * 0.16, (250, 250, 250))
    cv.fill(eye.upper_cover, skin, SKIN)
    cv.fill(eye.lower_cover, skin, SKIN)
    lash = _mix(face.brow_rgb, (15, 12, 10), 0.6)
    cv.line(eye.upper_lid, lash, 0.018 if face.sex == "female" else 0.013)
    if eye.closure < 0.99:
        cv.line(eye.lower_lid, _scaled(skin, 0.75), 0.006)
    # Eye socket shadow under the brow and the lid crease.
    ex = s * face.eye_x
    cv.shade_blob((ex, face.eye_y - 0.05), (face.eye_half_width * 1.3, 0.13), 0, -0.22, broad=True)
    cv.shade_blob((ex - s * 0.03, face.eye_y + 0.1), (face.eye_half_width * 0.9, 0.04), 0, -0.06 - 0.1 * face.age)
    if eye.opening is not None:
        # The upper lid shades the top of the eyeball.
        top = float(eye.upper_lid[:, 1].mean())
        cv.shade_blob((ex, top), (face.eye_half_width * 0.9, 0.025), 0, -0.25)
    cv.shade_line(eye.crease, -0.35 * (1 - 0.5 * eye.closure), 0.012)


def _draw_nose(cv: _Canvas, face: FaceParams, geom: FaceGeometry, skin) -> None:
    nose_col = _mix(skin, (200, 110, 100), 0.06)
    cv.fill(geom.nose, nose_col, NOSE)
    nb = face.nose_bottom
    for side in (0, 1):
        s = SIDE_SIGN[side]
        n = geom.nostrils[side]
        _, pb = cv._pts(n[None, :])
        ax = geom.nostril_size[side] * cv.unit * SUPERSAMPLE
        ang = np.rad2deg(cv.camera.frame.roll) + s * 25
        cv2.ellipse(cv.colour, (int(pb[0, 0] / _ONE), int(pb[0, 1] / _ONE)), (max(1, int(ax * 0.6)), max(1, int(ax * 0.28))), ang, 0, 360, _bgr(_scaled(skin, 0.35)), -1, cv2.LINE_AA)
        # Shadow along the side of the bridge, deeper on the side away from the light.
        away = max(0.0, -s * cv.camera.frame.light_dir[0])
        crease = geom.ala_creases[side]
        outer = crease[1] + np.array([s * 0.06, 0.0, 0.0])
        cv.shade_poly(
            np.vstack([_z([(s * face.bridge_half_width * 0.7, face.eye_y + 0.02)]), crease[:2], outer[None, :], _z([(s * face.bridge_half_width * 1.8, face.eye_y + 0.02)])]),
            -0.08 - 0.3 * away,
        )
        cv.shade_line(geom.ala_creases[side], -0.35, 0.016)
    cv.shade_blob((0.0, nb + 0.07), (face.ala_half_width * 0.8, 0.035), 0, -0.22)  # under the nose
    cv.shade_blob((0.0, nb - 0.07), (0.06, 0.045), 0, 0.16)  # tip highlight
    cv.shade_blob((0.0, (face.eye_y + nb) * 0.5), (0.03, 0.16), 0, 0.08)  # bridge highlight
    for k in range(4):
        y = face.eye_y + 0.03 + 0.035 * k
        w = face.bridge_half_width * (1.6 + 0.25 * k)
        cv.shade_line(_z([(-w, y + 0.01), (-0.3 * w, y - 0.01), (0.3 * w, y - 0.01), (w, y + 0.01)]), -0.5 * geom.nose_wrinkles, 0.012)


def _draw_mouth(cv: _Canvas, face: FaceParams, geom: FaceGeometry, skin) -> None:
    lip = face.lip_rgb
    if geom.inner_mouth is not None:
        cv.fill(geom.inner_mouth, (70, 22, 28), INNER_MOUTH)
        if geom.teeth is not None:
            cv.fill(geom.teeth, (228, 222, 206), None)
    cv.fill(geom.upper_lip, _scaled(lip, 0.9), UPPER_LIP)
    cv.fill(geom.lower_lip, lip, LOWER_LIP)
    if geom.inner_mouth is None:
        cv.line(geom.mouth_line, _scaled(lip, 0.45), 0.01)
    top = float(geom.upper_lip[:, 1].min())
    for k in (-1, 1):
        cv.shade_line(_z([(0.035 * k, face.nose_bottom + 0.05), (0.045 * k, top + 0.005)]), -0.12, 0.012)
    ly = float(geom.lower_lip[:, 1].mean())
    cv.shade_blob((0.0, ly + 0.01), (face.mouth_half_width * 0.45, 0.025), 0, 0.12)  # lower-lip sheen
    cv.shade_blob((0.0, ly + face.lower_lip * 0.9 + 0.04), (face.mouth_half_width * 0.6, 0.04), 0, -0.14)
    for side in (0, 1):
        cv.shade_line(geom.folds[side], -0.32 * geom.fold_strength[side], 0.024)


def _draw_brows_and_wrinkles(cv: _Canvas, face: FaceParams, geom: FaceGeometry) -> None:
    for side in (0, 1):
        s = SIDE_SIGN[side]
        cv.fill(geom.brows[side], face.brow_rgb, BROW_CLASS[side])
        # Forehead lines appear on the side whose frontalis contracts.
        top = float(geom.brows[side][:, 1].min())
        for k in range(3):
            y = top - 0.09 - 0.075 * k
            xs = np.linspace(0.0, 0.62, 8) * s
            pts = _z(np.column_stack([xs, y - 0.02 * np.sin(np.linspace(0, np.pi, 8))]))
            cv.shade_line(pts, -0.32 * geom.forehead_lines[side] - 0.12 * face.age, 0.012)
        cf = geom.crows_feet[side]
        xc = s * (face.eye_x + face.eye_half_width + 0.04)
        for k in (-1, 0, 1):
            pts = _z([(xc, face.eye_y + 0.03 * k), (xc + s * 0.08, face.eye_y + 0.06 * k)])
            cv.shade_line(pts, -0.3 * cf - 0.1 * face.age, 0.01)
    for k in (-1, 1):
        x = 0.04 * k
        cv.shade_line(_z([(x, face.eye_y - face.brow_gap + 0.02), (x * 1.3, face.eye_y - 0.06)]), -0.3 * geom.glabella, 0.012)


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
        _bank = np.random.default_rng(20261124).standard_normal((_BANK_ROWS, _BANK_COLS), dtype=np.float32)
    r = int(rng.integers(0, _BANK_ROWS - rows + 1))
    c = int(rng.integers(0, _BANK_COLS - cols + 1))
    return _bank[r : r + rows, c : c + cols]


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


def _hair_texture(face: FaceParams, fx: np.ndarray, fy: np.ndarray, pores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Relative brightness of hair: strands fanning from above the crown (or curls), a sheen.

    `fx`, `fy` are face coordinates on a coarse grid; the smooth angle and distance fields
    are computed there and enlarged, only the strand lookup runs at full resolution.
    """
    size = pores.shape[0]
    full = (size, size)
    cx, cy = 0.5 * face.hair_part, face.skull_top - 0.6
    dx, dy = fx - cx, fy - cy
    dist = np.sqrt(dx * dx + dy * dy)
    sheen = cv2.resize(0.22 * np.exp(-(((dist - 0.95) / 0.18) ** 2)), full, interpolation=cv2.INTER_LINEAR)
    if face.hair_style == "curly":
        curls = cv2.resize(noise(rng, max(4, size // 3), max(4, size // 3)), full, interpolation=cv2.INTER_CUBIC)
        return 0.28 * curls + 0.1 * pores + 0.5 * sheen - 0.1
    k = 1024
    angle = cv2.resize(np.arctan2(dx, dy).astype(np.float32), full, interpolation=cv2.INTER_LINEAR)
    idx = ((angle + np.pi) * (k / (2 * np.pi))).astype(np.int32) % k
    fine = noise(rng, 1, k)[0]
    coarse = cv2.resize(noise(rng, 1, k // 16), (k, 1), interpolation=cv2.INTER_LINEAR)[0]
    return 0.13 * fine[idx] + 0.12 * coarse[idx] + 0.04 * pores + sheen - 0.06


def _smooth_gain(face: FaceParams, frame: FrameParams, chin_y: float, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
    below = fy > chin_y
    cyl_x = np.clip(fx / (face.neck_width * 1.4), -0.99, 0.99)
    nx = np.where(below, cyl_x, nx * 1.3)
    ny = np.where(below, 0.0, ny * 1.3)
    nz = np.where(below, np.sqrt(1.0 - cyl_x * cyl_x), nz)
    norm = np.sqrt(nx * nx + ny * ny + nz * nz)
    lambert = np.clip((nx * lx + ny * ly + nz) / (norm * lnorm), 0.0, 1.0)
    lit = (frame.ambient + (1.0 - frame.ambient) * lambert) / (frame.ambient + (1.0 - frame.ambient) / lnorm)
    # The head's shadow on the neck.
    lit *= 1.0 - np.clip(1.0 - (fy - chin_y) / 0.35, 0.0, 1.0) * below * 0.35
    gx, gy = frame.background_gradient
    idx = np.linspace(-0.5, 0.5, lo, dtype=np.float32)
    bg = 1.0 + gx * idx[None, :] + gy * idx[:, None] - 0.25 * (idx[None, :] ** 2 + idx[:, None] ** 2)
    up = (size, size)
    return (
        cv2.resize(lit.astype(np.float32), up, interpolation=cv2.INTER_LINEAR),
        cv2.resize(bg.astype(np.float32), up, interpolation=cv2.INTER_LINEAR),
        fx,
        fy,
    )


def _shading(cv: _Canvas, face: FaceParams, frame: FrameParams, geom: FaceGeometry, rng: np.random.Generator) -> np.ndarray:
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
    brow_strands = cv2.resize(noise(rng, size, max(4, size // 20)), (size, size), interpolation=cv2.INTER_LINEAR)
    tex = _SKIN_TEXTURE[label] * (0.014 * blotch + 0.014 * pores) + _BROW_TEXTURE[label] * (0.18 * brow_strands)
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


def _redness(cv: _Canvas) -> np.ndarray:
    """Blurred blush layer restricted to skin, as an RGB offset image."""
    k = max(3, int(0.3 * cv.unit * cv.tint.shape[0] / cv.size) | 1)
    red = cv2.resize(cv2.GaussianBlur(cv.tint, (k, k), 0), (cv.size, cv.size), interpolation=cv2.INTER_LINEAR)
    red *= _SKIN_TEXTURE[cv.label]
    return red[:, :, None] * np.array([2.0, -10.0, -8.0], np.float32)


def render_geometry(geom: FaceGeometry, face: FaceParams, frame: FrameParams, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw `geom` seen through `frame`: (RGB uint8 size x size x 3, mask uint8 size x size)."""
    camera = Camera(frame, size)
    cv = _Canvas(camera, size, face.background_rgb)
    skin = face.skin_rgb
    cv.fill(geom.clothing, face.clothing_rgb, _CLOTHING)
    if geom.back_hair is not None:
        cv.fill(geom.back_hair, _scaled(face.hair_rgb, 0.8), HAIR)
    cv.fill(geom.neck, _scaled(skin, 0.93), SKIN)
    for side in (0, 1):
        ear = geom.ears[side]
        cv.fill(ear, _scaled(skin, 0.97), SKIN)
        centre = ear.mean(axis=0)
        inner = centre + (ear - centre) * 0.55
        inner[:, 0] += SIDE_SIGN[side] * 0.01
        cv.fill(inner, _scaled(skin, 0.82), None)
    cv.fill(geom.outline, skin, SKIN)
    # Cheekbone highlights and soft jaw shadow, cheek puff highlights.
    for side in (0, 1):
        s = SIDE_SIGN[side]
        cv.shade_blob((s * 0.55, 0.1), (0.22, 0.12), -s * 20, 0.08, broad=True)
        cv.shade_blob((s * 0.7, face.mouth_y - 0.1), (0.18, 0.22), 0, 0.14 * geom.cheek_puff[side], broad=True)
        cv.shade_blob((s * 0.85, face.mouth_y + 0.2), (0.25, 0.35), 0, -0.12, broad=True)
        cv.shade_blob((s * 0.75, -0.05), (0.12, 0.25), 0, -0.08, broad=True)  # temples/cheek hollows
        cv.tint_blob((s * 0.55, 0.25), (0.2, 0.14), face.blush)
    cv.shade_blob((0.0, face.mouth_y + 0.38), (0.16, 0.09), 0, 0.08, broad=True)  # chin
    cv.shade_blob((0.0, -0.62), (0.35, 0.15), 0, 0.08, broad=True)  # forehead
    for side in (0, 1):
        _draw_eye(cv, face, geom, side, skin)
    _draw_nose(cv, face, geom, skin)
    _draw_brows_and_wrinkles(cv, face, geom)
    _draw_mouth(cv, face, geom, skin)
    if geom.hair_cap is not None:
        cv.fill(geom.hair_cap, face.hair_rgb, HAIR)
        if geom.hair_part is not None:
            cv.line(geom.hair_part, _mix(face.hair_rgb, skin, 0.35), 0.012)
        if face.hair_style != "buzz":
            # Hairline shadow on the forehead.
            cv.shade_poly(geom.hair_cap, -0.12)
    gain = _shading(cv, face, frame, geom, rng)
    image = cv2.resize(cv.colour, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32)
    wb = np.asarray(frame.white_balance, np.float32) * frame.exposure
    image += _redness(cv)
    image *= gain[:, :, None]
    image *= wb[None, None, :]
    if frame.blur_sigma > 0:
        sigma = frame.blur_sigma * size / 256.0
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    if frame.noise_sigma > 0:
        image += noise(rng, size, size * 3).reshape(size, size, 3) * frame.noise_sigma
    rgb = np.clip(image, 0, 255).astype(np.uint8)
    mask = _TO_PROJECT[cv.label]
    return rgb, mask
