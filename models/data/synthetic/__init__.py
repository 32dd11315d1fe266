"""Synthetic House-Brackmann graded patients with exact face-parsing masks (numpy + OpenCV).

from models.data.synthetic import make_patient, render_expression
patient = make_patient(seed=7, grade="IV", side="left")
rgb, mask = render_expression(patient, "raise_eyebrows", size=256, frame_seed=0)
"""

from models.data.synthetic.palsy import GRADE_FUNCTION_RANGE
from models.data.synthetic.patient import (
    SyntheticPatient,
    make_patient,
    render_expression,
    render_patient,
)

__all__ = [
    "GRADE_FUNCTION_RANGE",
    "SyntheticPatient",
    "make_patient",
    "render_expression",
    "render_patient",
]
