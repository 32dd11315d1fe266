"""Races around the capture page (audit "capturerace"): another patient's analysis running
while the page shows a new patient, results that cannot be saved, a camera restarted while
the old one still hangs, auto-capture across a camera failure."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from app import analysis as analysis_module
from app.camera.source import CameraError
from app.camera_controller import CameraController
from app.records.errors import StorageError
from app.records_gateway import PatientInfo
from models.errors import InputError
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window


class Gate:
    """An analysis that waits until `release` (cancellable meanwhile), then fails or grades."""

    def __init__(self, fail: str = "") -> None:
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, photos, handle, progress):
        while not self.release.wait(0.01):
            progress.check()
        if self.fail:
            raise InputError(self.fail)
        return analysis_module.run_analysis(photos, handle, progress)


def _patients(window) -> None:
    window.gateway.save_patient(PatientInfo("MRN-A", "Alice A"), is_new=True)
    window.gateway.save_patient(PatientInfo("MRN-B", "Bob B"), is_new=True)
    window.patients.refresh()


def _analyse_a_then_open_b(qtbot, window) -> int:
    """Alice's six photos and her analysis started; Back; Bob's capture page. Alice's assessment."""
    window.start_assessment("MRN-A")
    capture_all(qtbot, window)
    window.start_analysis()
    a_id = window.assessment_id
    assert window.analysing and window.capture.cancel_button.isVisible()
    window.capture.back_requested.emit()
    window.start_assessment("MRN-B")
    assert window.stack.currentWidget() is window.capture and window.assessment_id != a_id
    return a_id


def test_another_patients_analysis_does_not_take_over_the_capture_page(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # Bob's page showed Alice's progress and Cancel, Capture was off with no reason given, Esc
    # there cancelled Alice's analysis, and her outcome was written on Bob's page
    gate = Gate(fail="the model found no face")
    window = make_window(qtbot, data_folder, tiny_weights, analyse=gate)
    try:
        _patients(window)
        a_id = _analyse_a_then_open_b(qtbot, window)
        page = window.capture
        qtbot.wait(100)  # Alice's progress keeps coming
        assert page.progress.isHidden() and page.cancel_button.isHidden() and page.progress_label.text() == ""
        window.cancel_action.trigger()  # Esc on Bob's page
        qtbot.wait(100)
        assert window.analysing and window._analysed_id == a_id
        assert "Alice A (MRN-A) goes on" in window.statusBar().currentMessage()
        capture_all(qtbot, window)  # Bob's six photos while Alice's analysis runs
        window.start_analysis()  # one at a time: it says whose runs
        assert window._analysed_id == a_id
        assert "Alice A (MRN-A) is still running" in window.statusBar().currentMessage()
        assert "Alice A (MRN-A)" in page.analyse_button.toolTip()
        gate.release.set()
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        message = window.statusBar().currentMessage()
        assert "Analysis of Alice A (MRN-A) failed: the model found no face" in message
        assert page.progress_label.text() == "" and page.progress_label.isHidden()  # not on Bob's page
        assert page.analyse_button.isEnabled() and page.retake_button.isEnabled()
        assert window.gateway.assessment(a_id).status == "draft"
    finally:
        gate.release.set()
        close_window(window)


def test_leaving_another_patients_empty_draft_during_an_analysis_discards_it(
    qtbot, data_folder: Path, tiny_weights: Path
) -> None:
    # Bob's empty draft was kept (offered as "0 of 6 photos") because Alice's analysis ran
    gate = Gate()
    window = make_window(qtbot, data_folder, tiny_weights, analyse=gate)
    try:
        _patients(window)
        a_id = _analyse_a_then_open_b(qtbot, window)
        b_id = window.assessment_id
        window.capture.back_requested.emit()
        assert window.gateway.assessment(b_id).status == "discarded"
        assert window.gateway.assessment(a_id).status == "draft"  # the analysed one is kept
        assert all(d.assessment_id != b_id for d in window.gateway.unfinished())
        window.cancel_analysis()
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        assert "Analysis of Alice A (MRN-A) cancelled" in window.statusBar().currentMessage()
    finally:
        gate.release.set()
        close_window(window)


def test_results_that_cannot_be_saved_stay_on_the_capture_page(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # the results page opened showing "analysed", and Confirm then failed "it is draft"
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        record = window.gateway.record_results

        def disk_full(*args, **kwargs):
            raise StorageError("the disk is full")

        window.gateway.record_results = disk_full
        window.start_analysis()
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        qtbot.wait(50)  # a results page would open in the next event-loop turn
        page = window.capture
        assert window.stack.currentWidget() is page and window.result is None
        assert page.progress_label.text() == "The results could not be saved: the disk is full. Press Analyse to try again."
        assert page.analyse_button.isEnabled() and window.gateway.assessment(window.assessment_id).status == "draft"
        window.gateway.record_results = record
        window.start_analysis()  # and again, now stored
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        assert window.gateway.assessment(window.assessment_id).status == "analysed"
    finally:
        close_window(window)


class HangingSource:
    """A camera whose read can hang (a slow USB driver) and then fail; counts how many are open."""

    name = "slow usb cam"
    open_now = 0
    most_open = 0

    def __init__(self, hang: threading.Event, release: threading.Event) -> None:
        self.hang, self.release = hang, release
        self.hanging = threading.Event()

    def open(self) -> None:
        HangingSource.open_now += 1
        HangingSource.most_open = max(HangingSource.most_open, HangingSource.open_now)

    def read(self) -> np.ndarray:
        if self.hang.is_set():
            self.hanging.set()
            self.release.wait(10)
            raise CameraError("USB read timed out")
        time.sleep(0.005)
        return np.zeros((8, 8, 3), np.uint8)

    def close(self) -> None:
        HangingSource.open_now -= 1


def test_a_restart_waits_for_the_old_camera_without_blocking_and_ignores_its_late_failure(qtbot) -> None:
    # F5 blocked the GUI 3 s, both sources were open at once, and the old worker's failure,
    # arriving late, stopped the freshly reconnected camera
    HangingSource.open_now = HangingSource.most_open = 0
    hang, release = threading.Event(), threading.Event()
    controller = CameraController()
    failures: list[str] = []
    controller.failed.connect(failures.append)
    try:
        old = HangingSource(hang, release)
        controller.start(old)
        qtbot.waitUntil(lambda: controller.take() is not None, timeout=WAIT_MS)
        hang.set()
        assert old.hanging.wait(10)  # the old worker now hangs in read()
        started = time.monotonic()
        controller.start(HangingSource(threading.Event(), threading.Event()))
        assert time.monotonic() - started < 1.0
        assert controller.waiting and controller.running and HangingSource.open_now == 1
        release.set()  # the old read fails now, late, and the old camera closes
        qtbot.waitUntil(lambda: not controller.waiting and controller.take() is not None, timeout=WAIT_MS)
        qtbot.wait(100)
        assert failures == [] and controller.running and HangingSource.most_open == 1
    finally:
        release.set()
        controller.stop(wait=True)
    assert controller._retiring == []


def test_auto_capture_and_the_banner_start_afresh_after_a_camera_failure(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # a frame from before the failure was stored after the reconnect, and the banner said
    # "The camera stopped: The camera stopped: …"
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        window.start_assessment("MRN-1")
        page = window.capture
        auto = page.session.auto
        old = np.zeros((240, 320, 3), np.uint8)
        auto.feed(old, True, 0.5, {}, time.monotonic())
        assert auto._best is not None
        page._on_camera_failed("The camera stopped: cam delivered no image instead of a colour image; press Retry")
        assert auto._best is None and auto._start is None
        assert page.error_label.text().count("The camera stopped") == 1
        assert window.statusBar().currentMessage() == "Camera problem: cam delivered no image instead of a colour image; press Retry"
        auto.feed(old, True, 0.5, {}, time.monotonic())
        page.start_camera()  # and when the camera starts
        assert auto._best is None
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert not page.error_box.isVisible()
    finally:
        close_window(window)


def test_esc_on_the_analysed_patients_own_page_still_cancels(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    gate = Gate()
    window = make_window(qtbot, data_folder, tiny_weights, analyse=gate)
    try:
        _patients(window)
        window.start_assessment("MRN-A")
        capture_all(qtbot, window)
        window.start_analysis()
        window.cancel_action.trigger()  # Esc
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        label = window.capture.progress_label
        assert label.text() == "Analysis cancelled; the photos are kept." and not label.isHidden()
        assert window.capture.cancel_button.isHidden()
        assert window.capture.retake_button.isEnabled()
    finally:
        gate.release.set()
        close_window(window)

