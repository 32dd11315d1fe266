"""Live quality badges from the pipeline's checks (no Qt)."""

from __future__ import annotations

import numpy as np

from app.camera.demo_source import CYCLE_S, DemoPatientSource
from app.pages.quality_logic import LABELS, check_frame


def _demo_frame(expression: str) -> np.ndarray:
    now = [0.0]
    source = DemoPatientSource(grade=4, side="left", seed=3, frame_size=(320, 240), clock=lambda: now[0])
    source.open()
    source.set_expression(expression)
    now[0] = CYCLE_S * 0.5
    frame = source.read()
    source.close()
    return frame


def test_demo_patient_passes_every_check_and_the_box_is_on_the_face() -> None:
    quality = check_frame(_demo_frame("rest"))
    live = [n for n in LABELS if n != "face_resolution"]  # that one needs the network's input size: the analysis checks it
    assert [b.name for b in quality.badges] == live
    assert quality.passed, [(b.name, b.detail) for b in quality.badges if not b.passed]
    x, y, w, h = quality.face_box
    assert abs((x + w / 2) - 160) < 40 and abs((y + h / 2) - 120) < 50
    stored = quality.to_dict()
    assert stored["passed"] and stored["face_box"] == [x, y, w, h]
    assert set(stored["checks"]) == set(live)


def test_a_blank_frame_fails_with_reasons() -> None:
    quality = check_frame(np.full((240, 320, 3), 128, np.uint8))
    assert not quality.passed and quality.face_box is None
    one_face = next(b for b in quality.badges if b.name == "one_face")
    assert not one_face.passed and "no face" in one_face.detail
