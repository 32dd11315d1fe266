"""The built-in demo patient: six expression photos rendered by the synthetic generator."""

from __future__ import annotations

import os
from pathlib import Path

from models.errors import InputError
from models.labels import GRADES
from models.pipeline.images import write_png

DEMO_SIZE = 384  # rendered photo side in pixels


def render_demo_patient(folder: str | os.PathLike, grade: str = "III", side: str = "left", seed: int = 7) -> Path:
    """Render one synthetic patient's six expressions as `folder`/EXPRESSION.png; returns `folder`."""
    from models.data.synthetic import make_patient, render_patient

    if grade not in GRADES:
        raise InputError(f"unknown grade {grade!r}; choose one of {', '.join(GRADES)}")
    patient = make_patient(seed, grade=grade, side="none" if grade == "I" else side)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for expression, (rgb, _mask) in render_patient(patient, size=DEMO_SIZE, frame_seed=0).items():
        write_png(folder / f"{expression}.png", rgb)
    return folder
