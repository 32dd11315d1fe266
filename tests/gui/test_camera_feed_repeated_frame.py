"""A live camera that repeats its last frame (OpenCV on several back-ends after an unplug: read()
answers True with the same pixels) sends no new packet, so the capture page calls it frozen and
refuses to capture it. Sources whose frames repeat by nature (a still photo, a video's still
scene, the demo patient's pre-rendered frames) say so (`repeats_frames`) and are never called
frozen; nor is a blank frame (a lens cap) held back, so that the page can say it is black."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource, VideoFileSource
from app.pages.capture import FROZEN_S
from app.records_gateway import PatientInfo
from app.workers import CameraWorker, FramePacket, LatestFrame, retire_worker, start_worker
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window

PICTURE = np.random.default_rng(1).integers(0, 256, (120, 160, 3), np.uint8)  # anything but blank


class CountingMailbox(LatestFrame):
    """Counts the packets the camera thread delivers."""

    def __init__(self) -> None:
        super().__init__()
        self.puts = 0

    def put(self, packet: FramePacket) -> None:
        self.puts += 1
        super().put(packet)


class SameFrameCamera:
    """A live camera (no `repeats_frames`) whose every read answers with the same pixels."""

    name = "camera 0"
    fps = 200.0  # read 200 times a second: the test need not wait

    def __init__(self, frame: np.ndarray) -> None:
        self.frame, self.reads = frame, 0

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        self.reads += 1
        time.sleep(0.005)
        return self.frame.copy()

    def close(self) -> None:
        pass


class RepeatingStill(SameFrameCamera):
    repeats_frames = True


def _packets(qtbot, source: object, reads: int = 40) -> int:
    """How many packets the camera thread delivers while `source` is read `reads` times."""
    mailbox = CountingMailbox()
    worker = CameraWorker(source, mailbox)
    thread = start_worker(worker)
    try:
        qtbot.waitUntil(lambda: source.reads >= reads, timeout=WAIT_MS)
    finally:
        worker.stop()
        assert retire_worker(worker, thread, WAIT_MS)
    return mailbox.puts


def test_a_live_camera_repeating_its_frame_delivers_it_once(qtbot) -> None:
    assert _packets(qtbot, SameFrameCamera(PICTURE)) == 1


def test_a_source_that_repeats_by_nature_delivers_every_frame(qtbot) -> None:
    assert _packets(qtbot, RepeatingStill(PICTURE)) >= 40
    assert PhotoFolderSource.repeats_frames and VideoFileSource.repeats_frames and DemoPatientSource.repeats_frames


def test_a_blank_frame_is_delivered_though_it_repeats(qtbot) -> None:
    # a lens cap or a privacy shutter: the page must get it to say the picture is black
    assert _packets(qtbot, SameFrameCamera(np.zeros((120, 160, 3), np.uint8))) >= 40


class StaleAfterUnplug(DemoPatientSource):
    """The demo patient as live camera 0 with sensor noise; while `stale` is set, its read
    answers at once with its last frame again, as OpenCV does after an unplug."""

    repeats_frames = False

    def __init__(self, stale: threading.Event) -> None:
        super().__init__(grade=4, side="left", seed=3, frame_size=(320, 240))
        self.name = "camera 0"
        self._stale = stale
        self._noise = np.random.default_rng(0)
        self._last: np.ndarray | None = None

    def read(self) -> np.ndarray:
        if self._stale.is_set() and self._last is not None:
            return self._last.copy()
        frame = super().read().copy()
        frame ^= self._noise.integers(0, 2, frame.shape, np.uint8)  # a real sensor's noise
        self._last = frame
        return frame


def test_a_camera_repeating_its_last_frame_is_said_frozen_and_not_captured(qtbot, data_folder: Path,
                                                                           tiny_weights: Path) -> None:
    stale = threading.Event()
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: StaleAfterUnplug(stale))
    page = window.capture
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Test"), is_new=True)
        window.patients.refresh()
        window.start_assessment("MRN-1")
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
        stale.set()
        since = time.monotonic()
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        assert time.monotonic() - since >= FROZEN_S - 0.2
        assert page.error_label.text().startswith("No new picture from camera 0 for ")
        assert not page.capture_button.isEnabled()
        assert not page.capture_now() and "rest" not in page.session.photos
        stale.clear()  # plugged back in: new pictures, and the page goes on by itself
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and not page.error_box.isVisible(), timeout=WAIT_MS)
        assert page.capture_now() and "rest" in page.session.photos
    finally:
        stale.clear()
        page.stop_camera(wait=True)
        close_window(window)
