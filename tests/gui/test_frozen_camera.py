"""A camera whose read blocks (a driver stuck after an unplug) is said to be frozen: the page
stops offering its last frame, says so with Retry (announced), refuses to capture it, and goes on
by itself when frames come again. A photo folder's still photo, and a step it has no photo
for, never look frozen."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource
from app.pages.capture import FROZEN_S
from app.records_gateway import PatientInfo
from app.widgets.announce import ANNOUNCED
from app.workers import FramePacket
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window
from tests.gui.test_capture_guards import _photo_folder


class FreezingCamera(DemoPatientSource):
    """The demo patient as camera 0, whose read blocks while `frozen` is set."""

    def __init__(self, frozen: threading.Event) -> None:
        super().__init__(grade=4, side="left", seed=3, frame_size=(320, 240))
        self.name = "camera 0"
        self._frozen = frozen

    def read(self) -> np.ndarray:
        while self._frozen.is_set():
            time.sleep(0.02)
        return super().read()


def _start(window) -> None:
    window.gateway.save_patient(PatientInfo("MRN-1", "Ada Test"), is_new=True)
    window.patients.refresh()
    window.start_assessment("MRN-1")


def _frozen_box(page) -> bool:
    return page.error_box.isVisible() and page.error_label.text().startswith("No new picture")


def test_a_frozen_camera_is_said_and_its_last_frame_never_captured(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    frozen = threading.Event()
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: FreezingCamera(frozen))
    page = window.capture
    try:
        _start(window)
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
        ANNOUNCED.clear()
        frozen.set()
        since = time.monotonic()
        qtbot.waitUntil(lambda: _frozen_box(page), timeout=WAIT_MS)
        assert time.monotonic() - since >= FROZEN_S - 0.2  # a frame every 33 ms is no freeze
        text = page.error_label.text()
        assert text.startswith("No new picture from camera 0 for ") and text.endswith("check its cable, then press Retry")
        assert page.retry_button.isVisible() and (text, True) in ANNOUNCED
        assert not page.capture_button.isEnabled()
        assert not page.capture_now() and "rest" not in page.session.photos
        qtbot.waitUntil(lambda: page.error_label.text() != text, timeout=WAIT_MS)  # the seconds count on
        assert sum(said.startswith("No new picture") for said, _ in ANNOUNCED) == 1  # announced once
        frozen.clear()
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and not page.error_box.isVisible(), timeout=WAIT_MS)
        assert page.capture_now() and "rest" in page.session.photos
    finally:
        frozen.clear()
        page.stop_camera(wait=True)
        close_window(window)


def test_capture_refuses_a_frame_older_than_the_limit(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    page = window.capture
    try:
        _start(window)
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        page.timer.stop()  # the display timer has not looked yet
        said: list[str] = []
        page.notify.connect(said.append)
        old = page._last_packet
        page._last_packet = FramePacket(frame=old.frame, index=old.index, timestamp=time.monotonic() - FROZEN_S - 1,
                                        expression=old.expression)
        assert not page.capture_now() and "rest" not in page.session.photos
        assert said and said[-1].startswith("Nothing taken: No new picture from ")
    finally:
        close_window(window)


def test_a_photo_folder_never_looks_frozen(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    _photo_folder(folder, ("rest",))
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: PhotoFolderSource(folder))
    page = window.capture
    try:
        _start(window)
        qtbot.waitUntil(lambda: page.capture_button.isEnabled(), timeout=WAIT_MS)
        qtbot.wait(int((FROZEN_S + 1) * 1000))  # the same still photo all along
        assert page.capture_button.isEnabled() and not page.error_box.isVisible()
        page.next_step()  # no close_eyes photo: the source reads nothing for this step
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        qtbot.wait(int((FROZEN_S + 1) * 1000))
        assert page.error_label.text().startswith("No picture for this step: no close_eyes photo")
        page.previous_step()  # the time spent on that step is no wait for a frame
        qtbot.waitUntil(lambda: page.capture_button.isEnabled(), timeout=WAIT_MS)
        qtbot.wait(300)
        assert not page.error_box.isVisible()
    finally:
        page.stop_camera(wait=True)
        close_window(window)
