"""The capture wizard never stores the wrong picture: a folder without a step's photo, a
frame of the step before, and photos changed while an analysis reads them."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image

from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource
from app.records_gateway import PatientInfo
from app.workers import FramePacket
from models.labels import EXPRESSIONS
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window
from tests.gui.test_flow_edges import slow_analysis


def _start(window, patient_id: str = "MRN-1") -> None:
    window.gateway.save_patient(PatientInfo(patient_id, "Test Person"), is_new=True)
    window.patients.refresh()
    window.start_assessment(patient_id)


def _photo_folder(folder: Path, expressions: tuple[str, ...]) -> None:
    folder.mkdir()
    source = DemoPatientSource(grade=3, side="right", seed=3, frame_size=(320, 240), clock=lambda: 1000.0)
    source.open()
    for expression in expressions:
        source.set_expression(expression)
        Image.fromarray(source.read()).save(folder / f"{expression}.png")
    source.close()


def test_a_folder_without_a_steps_photo_blocks_that_step_only(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    _photo_folder(folder, EXPRESSIONS[:-1])  # no puff_cheeks photo
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: PhotoFolderSource(folder))
    try:
        _start(window)
        page = window.capture
        for _ in EXPRESSIONS[:-1]:
            qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
            assert page.capture_now()
        assert page.session.expression == "puff_cheeks"
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        assert "no puff_cheeks photo" in page.error_label.text()
        reports: list[str] = []
        page.camera.step_failed.connect(lambda expression, message: reports.append(expression))
        qtbot.wait(300)
        assert reports == []  # said once per visit to the step, not over and over
        # nothing to capture: no other expression's photo stands in for it
        assert page._last_packet is None and not page.capture_button.isEnabled() and not page.capture_now()
        assert page.camera.running  # the source runs on for the other steps
        page.previous_step()
        qtbot.waitUntil(lambda: not page.error_box.isVisible(), timeout=WAIT_MS)
        page.next_step()
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        assert "puff_cheeks" not in page.session.photos
    finally:
        close_window(window)


def test_a_frame_of_the_step_before_is_never_captured(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _start(window)
        page = window.capture
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        page.timer.stop()  # this test feeds the page by hand
        page.camera.stop()
        assert page.capture_now()  # rest
        assert page.session.expression == "close_eyes" and page._last_packet is None
        frame = np.zeros((240, 320, 3), np.uint8)
        page.camera.mailbox.put(FramePacket(frame=frame, index=1, timestamp=time.monotonic(), expression="rest"))
        page._pull_frame()
        assert page._last_packet is None and not page.capture_now()
        page.camera.mailbox.put(FramePacket(frame=frame, index=2, timestamp=time.monotonic(), expression="close_eyes"))
        page._pull_frame()
        assert page._last_packet is not None
        # a held Space key takes one photo, not one per key repeat
        assert not window.capture_action.autoRepeat() and not window.retake_action.autoRepeat()
    finally:
        close_window(window)


def test_photos_cannot_change_while_an_analysis_reads_them(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, analyse=slow_analysis)
    try:
        _start(window)
        capture_all(qtbot, window)
        page = window.capture
        page.previous_step()
        taken = page.session.photos[page.session.expression]
        with qtbot.waitSignal(page.progress.valueChanged, timeout=WAIT_MS):
            page.analyse_button.click()
        assert window.analysing
        assert not page.retake_button.isEnabled() and not page.capture_button.isEnabled()
        page.retake()
        assert page.session.photos[page.session.expression] is taken and not page.capture_now()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        info = window.gateway.assessment(window.assessment_id)
        assert info.status == "analysed" and len(info.captures) == 6
        window.stack.setCurrentWidget(page)
        assert page.retake_button.isEnabled()  # editable again once the analysis is over
    finally:
        close_window(window)
