"""Shared fixtures: a cartoon patient folder and a small untrained checkpoint."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from models.labels import EXPRESSIONS
from tests.assess.fakes import cartoon_photo
from tests.assess.masks import paint_patient


def write_rgb(path: Path, rgb: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture
def patient_dir(tmp_path: Path) -> Path:
    """Six cartoon expression photos of a patient whose left side moves 35 %."""
    folder = tmp_path / "patient"
    for expression, mask in paint_patient((0.35, 1.0)).items():
        write_rgb(folder / f"{expression}.png", cartoon_photo(mask))
    return folder


@pytest.fixture(scope="session")
def small_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained compact network at 64 px input saved with save_checkpoint."""
    from models.cascade import build_model
    from models.checkpoint import save_checkpoint
    from models.config import COMPACT

    path = tmp_path_factory.mktemp("weights") / "tiny.pt"
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=0), path, training={"data": "none (untrained test network)"})
    return path


@pytest.fixture
def expressions() -> tuple[str, ...]:
    return EXPRESSIONS
