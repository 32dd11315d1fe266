"""The camera rig of one photo: framing (small yaw and roll), light and sensor.

A patient sits in a head-restraining rig (paper Fig. 3): the face is frontal and centred,
so yaw and roll stay small. `FrameParams` varies per photo; the lighting set-up belongs to
the patient's session and only jitters between photos.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_YAW_DEG = 5.0
MAX_ROLL_DEG = 4.0


@dataclass(frozen=True)
class Rig:
    """Per-patient session: lighting direction and strength, exposure, colour balance."""

    light_dir: tuple[float, float]  # (x, y) of the key light in face units, z = 1
    ambient: float
    background_gradient: tuple[float, float]
    white_balance: tuple[float, float, float]
    exposure: float
    face_scale: float  # face half-width as a fraction of the image size


@dataclass(frozen=True)
class FrameParams:
    """One photo: pose, framing, lighting jitter, sensor noise, optical blur, effort."""

    yaw: float  # radians, positive turns the nose towards the image's right
    roll: float  # radians
    scale: float  # face half-width as a fraction of the image size
    centre: tuple[float, float]  # face origin as a fraction of the image size
    light_dir: tuple[float, float]
    ambient: float
    background_gradient: tuple[float, float]
    white_balance: tuple[float, float, float]
    exposure: float
    noise_sigma: float  # sensor noise, in 8-bit grey levels
    blur_sigma: float  # optical blur, in pixels at 256 px
    effort: float  # how hard the patient performs the expression (0.85 .. 1)
    gaze: tuple[float, float]  # small iris offsets (face units)


def sample_rig(rng: np.random.Generator) -> Rig:
    """Draw a patient's session lighting."""
    angle = rng.uniform(0, 2 * np.pi)
    strength = rng.uniform(0.25, 0.6)
    return Rig(
        light_dir=(float(np.cos(angle) * strength), float(np.sin(angle) * strength * 0.6 - 0.25)),
        ambient=float(rng.uniform(0.35, 0.55)),
        background_gradient=(float(rng.uniform(-0.25, 0.25)), float(rng.uniform(-0.2, 0.2))),
        white_balance=tuple(float(v) for v in rng.uniform(0.94, 1.06, size=3)),
        exposure=float(rng.uniform(0.92, 1.1)),
        face_scale=float(rng.uniform(0.27, 0.3)),
    )


def sample_frame(rng: np.random.Generator, rig: Rig) -> FrameParams:
    """Draw one photo's framing and sensor settings around the patient's rig."""
    return FrameParams(
        yaw=float(np.deg2rad(rng.uniform(-MAX_YAW_DEG, MAX_YAW_DEG))),
        roll=float(np.deg2rad(rng.uniform(-MAX_ROLL_DEG, MAX_ROLL_DEG))),
        scale=float(rig.face_scale * rng.uniform(0.96, 1.04)),
        centre=(float(0.5 + rng.uniform(-0.025, 0.025)), float(0.47 + rng.uniform(-0.02, 0.02))),
        light_dir=(
            rig.light_dir[0] + float(rng.normal(0, 0.04)),
            rig.light_dir[1] + float(rng.normal(0, 0.04)),
        ),
        ambient=float(np.clip(rig.ambient + rng.normal(0, 0.02), 0.3, 0.6)),
        background_gradient=rig.background_gradient,
        white_balance=tuple(float(v * rng.uniform(0.99, 1.01)) for v in rig.white_balance),
        exposure=float(rig.exposure * rng.uniform(0.97, 1.03)),
        noise_sigma=float(rng.uniform(1.0, 4.5)),
        blur_sigma=float(rng.uniform(0.2, 0.8)),
        effort=float(rng.uniform(0.85, 1.0)),
        gaze=(float(rng.normal(0, 0.008)), float(rng.normal(0, 0.006))),
    )


def neutral_frame(rig: Rig) -> FrameParams:
    """A frame with no pose, jitter, noise or blur, and full effort (for measurements)."""
    return FrameParams(
        yaw=0.0,
        roll=0.0,
        scale=rig.face_scale,
        centre=(0.5, 0.47),
        light_dir=rig.light_dir,
        ambient=rig.ambient,
        background_gradient=rig.background_gradient,
        white_balance=rig.white_balance,
        exposure=rig.exposure,
        noise_sigma=0.0,
        blur_sigma=0.0,
        effort=1.0,
        gaze=(0.0, 0.0),
    )


class Camera:
    """Projects face coordinates (x, y, z) to pixel coordinates of a `size` x `size` image."""

    def __init__(self, frame: FrameParams, size: int) -> None:
        self.size = size
        self.frame = frame
        self._cy, self._sy = np.cos(frame.yaw), np.sin(frame.yaw)
        self._cr, self._sr = np.cos(frame.roll), np.sin(frame.roll)
        self.px_per_unit = frame.scale * size
        self._ox = frame.centre[0] * size - 0.5
        self._oy = frame.centre[1] * size - 0.5

    def project(self, pts: np.ndarray) -> np.ndarray:
        """(N, 3) face points -> (N, 2) pixel coordinates (pixel centres at integers)."""
        x = pts[:, 0] * self._cy + pts[:, 2] * self._sy
        y = pts[:, 1]
        u = (x * self._cr - y * self._sr) * self.px_per_unit + self._ox
        v = (x * self._sr + y * self._cr) * self.px_per_unit + self._oy
        return np.column_stack([u, v])

    def unproject_grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Face coordinates (x, y) of every pixel centre, ignoring depth (for shading)."""
        idx = np.arange(self.size, dtype=np.float32)
        u, v = np.meshgrid(idx - self._ox, idx - self._oy)
        u /= self.px_per_unit
        v /= self.px_per_unit
        x = u * self._cr + v * self._sr
        y = -u * self._sr + v * self._cr
        # Undo the yaw for points near the face's mid-depth.
        x = (x - 0.55 * self._sy) / self._cy
        return x, y
