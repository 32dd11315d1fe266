"""The built-in demo patient: a synthetic camera whose patient performs the requested expression.

The patient (grade, affected side, seed) is rendered by `models.data.synthetic` when that
package is installed, else by a small drawn face (`demo_face`). The source animates from
rest to the peak of the current expression and back, so live quality checks and
auto-capture of the peak-intensity frame behave as with a real patient.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from app.camera.source import CameraError
from models.labels import EXPRESSIONS, GRADES

# Animation: rest -> peak -> hold -> back to rest, seconds per cycle.
CYCLE_S = 2.4
LEVELS = 9  # pre-rendered intensity levels per expression


def _synthetic_renderer(grade: int, side: str, seed: int, size: int) -> Callable[[str, float], np.ndarray] | None:
    """A renderer over the synthetic generator, or None when it is not available.

    Intensity is the patient's effort: the generator's frame carries an `effort` that scales
    every action, so partial expressions are real faces, not cross-fades. Should those
    internals change, it falls back to blending rest and peak photos.
    """
    try:
        from models.data.synthetic import make_patient, render_expression
    except ImportError:
        return None
    patient = make_patient(seed, grade=GRADES[grade - 1], side=None if side == "none" else side)
    effort_render = _effort_renderer(patient, size)

    def render(expression: str, intensity: float) -> np.ndarray:
        if effort_render is not None:
            return effort_render("rest" if intensity <= 0.0 else expression, max(intensity, 1.0 if expression == "rest" else 0.0))
        if expression == "rest" or intensity <= 0.0:
            return render_expression(patient, "rest", size=size, frame_seed=0)[0]
        peak, _ = render_expression(patient, expression, size=size, frame_seed=0)
        rest, _ = render_expression(patient, "rest", size=size, frame_seed=0)
        return (rest * (1 - intensity) + peak * intensity).astype(np.uint8)

    return render


def _effort_renderer(patient: object, size: int) -> Callable[[str, float], np.ndarray] | None:
    try:
        from dataclasses import replace

        from models.data.synthetic.camera import sample_frame
        from models.data.synthetic.expressions import expression_actions
        from models.data.synthetic.geometry import build_geometry
        from models.data.synthetic.palsy import apply_palsy
        from models.data.synthetic.render import render_geometry
    except ImportError:
        return None
    base = sample_frame(np.random.default_rng(patient.seed), patient.rig)

    def render(expression: str, intensity: float) -> np.ndarray:
        frame = replace(base, effort=float(max(0.05, min(1.0, intensity))))
        actions = apply_palsy(expression_actions(expression, frame.effort), patient.palsy, expression)
        bell = (0.0, 0.0)
        if expression == "close_eyes":
            bell = tuple(1.0 - actions.get("eye_close", i) for i in (0, 1))
        geom = build_geometry(patient.face, actions, patient.palsy.rest, bell)
        return render_geometry(geom, patient.face, frame, size, np.random.default_rng(patient.seed))[0]

    try:
        render("open_mouth", 0.5)
    except (TypeError, AttributeError, ValueError, KeyError):
        return None
    return render


class DemoPatientSource:
    """Synthetic camera: 4:3 frames with a centred face performing the current expression."""

    repeats_frames = True  # LEVELS pre-rendered frames: a held peak repeats byte for byte

    def __init__(
        self,
        grade: int = 3,
        side: str = "left",
        seed: int = 7,
        frame_size: tuple[int, int] = (480, 360),
        fps: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        fail_after: int | None = None,
    ) -> None:
        if not 1 <= grade <= 6:
            raise CameraError(f"demo grade must be 1..6, got {grade}")
        if grade == 1:
            side = "none"
        self.grade, self.side, self.seed = grade, side, seed
        self.frame_size = frame_size
        self.fps = fps
        self.name = f"demo patient (grade {GRADES[grade - 1]}, {side} side)"
        self._clock = clock
        self._fail_after = fail_after  # tests: simulate a camera unplugged after N frames
        self._frames_read = 0
        self._open = False
        self._expression = EXPRESSIONS[0]
        self._cache: dict[tuple[str, int], np.ndarray] = {}
        self._render: Callable[[str, float], np.ndarray] | None = None
        self._t0 = 0.0
        self._last_read = 0.0

    def open(self) -> None:
        face = min(self.frame_size[1], self.frame_size[0])
        self._render = _synthetic_renderer(self.grade, self.side, self.seed, face)
        if self._render is None:
            from app.camera.demo_face import draw_face

            def fallback(expression: str, intensity: float) -> np.ndarray:
                return draw_face(face, expression, intensity, self.grade, self.side, self.seed)

            self._render = fallback
        self._t0 = self._clock()
        self._open = True

    def set_expression(self, expression: str) -> None:
        """Start animating `expression` from rest."""
        if expression not in EXPRESSIONS:
            raise CameraError(f"unknown expression {expression!r}")
        if expression != self._expression:
            self._expression = expression
            self._t0 = self._clock()

    def intensity_at(self, t: float) -> float:
        """Expression intensity 0..1 at `t` seconds into the cycle (rest for `rest`)."""
        if self._expression == "rest":
            return 0.0
        phase = (t % CYCLE_S) / CYCLE_S
        # rise over 40 %, hold 30 %, fall 30 %
        if phase < 0.4:
            return 0.5 - 0.5 * math.cos(math.pi * phase / 0.4)
        if phase < 0.7:
            return 1.0
        return 0.5 + 0.5 * math.cos(math.pi * (phase - 0.7) / 0.3)

    def _face(self, level: int) -> np.ndarray:
        key = (self._expression, level)
        if key not in self._cache:
            assert self._render is not None
            self._cache[key] = self._render(self._expression, level / (LEVELS - 1))
        return self._cache[key]

    def read(self) -> np.ndarray:
        if not self._open:
            raise CameraError(f"{self.name} is not open")
        if self._fail_after is not None and self._frames_read >= self._fail_after:
            raise CameraError("demo camera disconnected (simulated); press Retry")
        self._frames_read += 1
        # pace like a camera: at most `fps` frames per second
        now = self._clock()
        wait = self._last_read + 1.0 / self.fps - now
        if wait > 0 and self._clock is time.monotonic:
            time.sleep(wait)
            now = self._clock()
        self._last_read = now
        level = round(self.intensity_at(now - self._t0) * (LEVELS - 1))
        face = self._face(level)
        width, height = self.frame_size
        if face.shape[1] == width:
            return face.copy()
        import cv2

        left = (width - face.shape[1]) // 2
        # widen the square render to the camera's aspect by mirroring its edge columns
        return cv2.copyMakeBorder(face, 0, 0, left, width - face.shape[1] - left, cv2.BORDER_REFLECT_101)

    def close(self) -> None:
        self._open = False
        self._cache.clear()
