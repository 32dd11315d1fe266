"""The built-in demo patient: six expression photos rendered by the synthetic generator."""

from __future__ import annotations

import os
from pathlib import Path

from models.errors import PalsyError


def render_demo_patient(folder: str | os.PathLike, grade: str = "III", side: str = "left", seed: int = 7) -> Path:
    """Render one synthetic patient's six expression photos into `folder`; returns it."""
    raise PalsyError("the synthetic demo patient generator (models.data.synthetic) is not installed in this build")
