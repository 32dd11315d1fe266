"""Cancel during analysis, a camera that dies mid-capture, resuming a draft after a crash,
keyboard shortcuts."""

from __future__ import annotations

import time
from pathlib import Path

from gui_helpers import WAIT_MS, capture_all, close_window, make_window
from PySide6.QtCore import Qt

from app.analysis import run_analysis
from app.camera.demo_source import DemoPatientSource
from app.records_gateway import PatientInfo


def _new_patient(window, patient_id: str = "MRN-1") -> None:
    window.gateway.save_patient(PatientInfo(patient_id, "Test Person"), is_new=True)
    window.patients.refresh()


def slow_analysis(photos, handle, progress):
    """The real analysis after 300 cancellable steps of 10 ms (so a test can cancel it)."""
    for i in range(300):
        progress.check()
        progress.report(i / 600, "warming up")
        time.sleep(0.01)
    return run_analysis(photos, handle, progress)


def test_cancel_during_analysis_keeps_photos_and_draft(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, analyse=slow_analysis)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        frames_before = window.capture.display_frames
        with qtbot.waitSignal(window.capture.progress.valueChanged, timeout=WAIT_MS):
            window.capture.analyse_button.click()
        assert window.analysing and window.capture.cancel_button.isVisible()
        qtbot.wait(200)
        # the preview keeps painting while the model runs
        assert window.capture.display_frames > frames_before
        window.capture.cancel_button.click()
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        assert "cancelled" in window.capture.progress_label.text()
        assert window.stack.currentWidget() is window.capture
        assert window.result is None
        info = window.gateway.assessment(window.assessment_id)
        assert info.status == "draft" and len(info.captures) == 6
        assert window.capture.analyse_button.isEnabled()  # can analyse again
    finally:
        close_window(window)


def test_camera_dying_mid_capture_shows_retry_and_recovers(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    made: list[DemoPatientSource] = []

    def factory() -> DemoPatientSource:
        # the first camera dies after 8 frames; the one Retry opens works
        source = DemoPatientSource(grade=2, side="right", seed=1, frame_size=(320, 240), fail_after=8 if not made else None)
        made.append(source)
        return source

    window = make_window(qtbot, data_folder, tiny_weights, source_factory=factory)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        page = window.capture
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        assert "disconnected" in page.error_label.text()
        assert not page.capture_button.isEnabled()
        assert not page.camera.running  # the camera thread ended and closed the source
        assert not made[0]._open
        page.retry_button.click()
        qtbot.waitUntil(lambda: page.capture_button.isEnabled(), timeout=WAIT_MS)
        assert not page.error_box.isVisible()
        assert page.capture_now()
        assert "rest" in window.gateway.assessment(window.assessment_id).captures
    finally:
        close_window(window)


def test_draft_is_offered_and_resumed_after_a_crash(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window, "MRN-CRASH")
        window.start_assessment("MRN-CRASH")
        page = window.capture
        for _ in range(3):
            qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
            assert page.capture_now()
        draft_id = window.assessment_id
    finally:
        # a crash: the window goes away without finishing or discarding the assessment
        close_window(window)

    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assert window.patients.resume_box.isVisible()
        assert "MRN-CRASH" in window.patients.resume_label.text()
        window.patients.resume_button.click()
        assert window.stack.currentWidget() is window.capture
        session = window.capture.session
        assert window.assessment_id == draft_id
        assert sorted(session.photos) == ["close_eyes", "raise_eyebrows", "rest"]
        assert session.expression == "open_mouth"
        capture_all_remaining = 3
        for _ in range(capture_all_remaining):
            qtbot.waitUntil(lambda: window.capture.capture_button.isEnabled() and window.capture._last_packet is not None, timeout=WAIT_MS)
            assert window.capture.capture_now()
        assert session.complete
    finally:
        close_window(window)


def test_keyboard_shortcuts_capture_retake_and_step(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        page = window.capture
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert "rest" in page.session.photos and page.session.expression == "close_eyes"
        qtbot.keyClick(window, Qt.Key.Key_Left)
        assert page.session.expression == "rest"
        qtbot.keyClick(window, Qt.Key.Key_R)
        assert "rest" not in page.session.photos
        qtbot.keyClick(window, Qt.Key.Key_Right)
        assert page.session.expression == "close_eyes"
    finally:
        close_window(window)


def test_full_capture_then_history_and_read_only_reopen(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        window.start_analysis()
        qtbot.waitUntil(lambda: window.result is not None, timeout=WAIT_MS)
        window.show_history("MRN-1")
        assert window.history.table.rowCount() == 1
        assert window.history.table.item(0, 1).text() == "analysed"
        window.history.open_button.click()
        assert window.stack.currentWidget() is window.results
        assert window.results.read_only and not window.results.confirm_button.isEnabled()
        assert window.results.expression_combo.count() == 6
    finally:
        close_window(window)
