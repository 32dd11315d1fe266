"""Synthetic patients: a face, a House-Brackmann profile and a camera rig, all from a seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.data.synthetic.camera import Rig, neutral_frame, sample_frame, sample_rig
from models.data.synthetic.expressions import expression_actions
from models.data.synthetic.face import FaceParams, sample_face
from models.data.synthetic.geometry import build_geometry
from models.data.synthetic.palsy import PalsyProfile, apply_palsy, sample_palsy
from models.data.synthetic.render import render_geometry
from models.labels import EXPRESSIONS, GRADES

MIN_SIZE = 32
MAX_SIZE = 2048


@dataclass(frozen=True)
class SyntheticPatient:
    """A patient fully determined by `seed` (and the optional grade/side it was made with)."""

    seed: int
    grade: str  # "I".."VI"
    side: str  # "left", "right" or "none" (grade I)
    face: FaceParams
    palsy: PalsyProfile
    rig: Rig


def make_patient(seed: int, grade: str | None = None, side: str | None = None) -> SyntheticPatient:
    """Create patient `seed`; a grade or side left as None is drawn from the seed.

    Grade I always has side "none"; other grades get "left" or "right" (a side given
    without a grade draws a grade that fits it). The face and the camera rig depend on
    the seed only, not on the grade asked for.
    """
    if grade is not None and grade not in GRADES:
        raise ValueError(f"unknown grade {grade!r}; expected one of {', '.join(GRADES)}")
    if side is not None and side not in ("left", "right", "none"):
        raise ValueError(f"unknown side {side!r}; expected left, right or none")
    face_ss, palsy_ss, rig_ss, choice_ss = np.random.SeedSequence(int(seed)).spawn(4)
    choice = np.random.default_rng(choice_ss)
    drawn_grade = GRADES[int(choice.integers(len(GRADES)))]
    drawn_palsy = GRADES[1 + int(choice.integers(len(GRADES) - 1))]
    drawn_side = "left" if choice.random() < 0.5 else "right"
    if grade is None:
        # A side asked for without a grade constrains the draw: "none" means grade I,
        # "left"/"right" a palsy grade II-VI.
        grade = {"none": "I", "left": drawn_palsy, "right": drawn_palsy}.get(
            side or "", drawn_grade
        )
    if grade == "I":
        if side not in (None, "none"):
            raise ValueError("grade I has no affected side: use side 'none'")
        side = "none"
    else:
        if side == "none":
            raise ValueError(f"grade {grade} needs an affected side: 'left' or 'right'")
        side = side or drawn_side
    return SyntheticPatient(
        seed=int(seed),
        grade=grade,
        side=side,
        face=sample_face(np.random.default_rng(face_ss)),
        palsy=sample_palsy(np.random.default_rng(palsy_ss), grade, side),
        rig=sample_rig(np.random.default_rng(rig_ss)),
    )


def render_expression(
    patient: SyntheticPatient,
    expression: str,
    size: int = 256,
    frame_seed: int = 0,
    neutral: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Photograph `patient` performing `expression`: (RGB uint8 H x W x 3, mask uint8 H x W).

    `frame_seed` varies pose, framing, light jitter, noise and effort between photos of the
    same expression. `neutral=True` gives a frontal, noise-free, full-effort photo (for
    measuring the calibration).
    """
    if expression not in EXPRESSIONS:
        raise ValueError(
            f"unknown expression {expression!r}; expected one of {', '.join(EXPRESSIONS)}"
        )
    if not MIN_SIZE <= int(size) <= MAX_SIZE:
        raise ValueError(f"size must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {size}")
    frame_ss, texture_ss = np.random.SeedSequence(
        [patient.seed, EXPRESSIONS.index(expression), int(frame_seed)]
    ).spawn(2)
    frame = (
        neutral_frame(patient.rig)
        if neutral
        else sample_frame(np.random.default_rng(frame_ss), patient.rig)
    )
    actions = apply_palsy(expression_actions(expression, frame.effort), patient.palsy, expression)
    bell = (0.0, 0.0)
    if expression == "close_eyes":
        bell = tuple(1.0 - actions.get("eye_close", i) for i in (0, 1))
    geom = build_geometry(patient.face, actions, patient.palsy.rest, bell)
    return render_geometry(geom, patient.face, frame, int(size), np.random.default_rng(texture_ss))


def render_patient(
    patient: SyntheticPatient, size: int = 256, frame_seed: int = 0, neutral: bool = False
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """All six expressions of `patient`: {expression: (rgb, mask)}."""
    return {e: render_expression(patient, e, size, frame_seed, neutral) for e in EXPRESSIONS}
