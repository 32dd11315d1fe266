"""A rest photo of a beach passes the capture page's centre check (sand is skin-coloured and
textured); the analysis refuses it as the pipeline refuses noise: the Rest step is named and
marked, no result is shown, and the six photos taken are kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.camera.demo_source import DemoPatientSource
from app.pages.capture_logic import NO_FACE_NOTE
from app.records_gateway import PatientInfo
from models.labels import EXPRESSIONS
from models.resources import default_weights_path
from tests.assess.test_not_a_face_is_refused import scene
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window

pytestmark = pytest.mark.skipif(not default_weights_path().is_file(), reason="needs the shipped demo weights")


class BeachAtRest(DemoPatientSource):
    """The demo patient, but a beach in front of the camera for the rest photo."""

    def __init__(self) -> None:
        super().__init__(grade=4, side="left", seed=3, frame_size=(320, 240))
        self._now = ""

    def set_expression(self, expression: str) -> None:
        self._now = expression
        super().set_expression(expression)

    def read(self) -> np.ndarray:
        frame = super().read()
        return scene("beach", *frame.shape[:2]) if self._now == "rest" else frame


def test_an_analysis_with_a_beach_for_rest_names_the_step_and_keeps_the_photos(qtbot, data_folder: Path) -> None:
    window = make_window(qtbot, data_folder, default_weights_path(), source_factory=BeachAtRest)
    try:
        window.gateway.save_patient(PatientInfo("MRN-300", "Cy Beach"), is_new=True)
        window.patients.refresh()
        window.start_assessment("MRN-300")
        capture_all(qtbot, window)
        page = window.capture
        page.session.go_to(EXPRESSIONS.index("puff_cheeks"))
        window.start_analysis()
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        assert "no face found in the Rest photo" in page.progress_label.text()
        assert window.stack.currentWidget() is page and window.session.expression == "rest"
        assert f"\u26a0 {NO_FACE_NOTE}" in page.steps.item(EXPRESSIONS.index("rest")).text()
        assert set(window.session.photos) == set(EXPRESSIONS)
    finally:
        close_window(window)
