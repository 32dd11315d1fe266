"""Restarting the camera while the old one is stuck in its driver: nothing the old camera reads
late is shown or captured, another source does not wait for it for ever, the same source says
why it waits, and a camera thread stuck at shutdown is handed over to be kept referenced."""

from __future__ import annotations

import threading
import time

import numpy as np

from app.camera_controller import CameraController
from tests.gui.gui_helpers import WAIT_MS


class StuckSource:
    """Frames filled with `value`; once `hang` is set, a read waits for `release`, then returns
    one more frame (a slow driver that answers late)."""

    def __init__(self, value: int, name: str = "usb cam", hang: threading.Event | None = None,
                 release: threading.Event | None = None, close_s: float = 0.0) -> None:
        self.value, self.name, self.close_s = value, name, close_s
        self.hang, self.release = hang or threading.Event(), release or threading.Event()
        self.hanging = threading.Event()

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        if self.hang.is_set():
            self.hanging.set()
            self.release.wait(20)
        else:
            time.sleep(0.005)
        return np.full((8, 8, 3), self.value, np.uint8)

    def close(self) -> None:
        time.sleep(self.close_s)


def _values(controller: CameraController, seconds: float, qtbot) -> set[int]:
    seen: set[int] = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        packet = controller.take()
        if packet is not None:
            seen.add(int(packet.frame[0, 0, 0]))
        qtbot.wait(10)
    return seen


def _stuck_old(qtbot, controller: CameraController, release: threading.Event, name: str = "usb cam",
               close_s: float = 0.0) -> StuckSource:
    """A camera started on `controller`, delivering frames, then stuck in read() until `release`."""
    hang = threading.Event()
    old = StuckSource(1, name=name, hang=hang, release=release, close_s=close_s)
    controller.start(old)
    qtbot.waitUntil(lambda: controller.take() is not None, timeout=WAIT_MS)
    hang.set()
    assert old.hanging.wait(10)
    return old


def test_a_frame_the_old_camera_reads_late_is_never_taken(qtbot, camera_controller, driver_release) -> None:
    # the old worker, stuck in read() when F5 was pressed, put one more frame in the shared slot,
    # and Capture stored it
    controller = camera_controller
    _stuck_old(qtbot, controller, driver_release, close_s=0.5)  # and closes slowly
    controller.start(StuckSource(2))
    assert controller.waiting
    driver_release.set()  # the old read returns its frame now, while the new camera waits
    assert _values(controller, 1.5, qtbot) == {2}  # the page takes frames all the while


def test_another_source_opens_at_once_when_the_old_camera_stays_stuck(qtbot, stuck_ms: int) -> None:
    # a driver stuck in read() held up every new source for ever behind "Reconnecting…", then
    # every start by STUCK_MS
    release = threading.Event()
    controller = CameraController()
    failures: list[str] = []
    controller.failed.connect(failures.append)
    try:
        _stuck_old(qtbot, controller, release)
        controller.start(StuckSource(3, name="video.mp4"))
        assert not controller.waiting  # another device: nothing to wait for
        assert 3 in _values(controller, 0.2, qtbot) and failures == []
        controller.start(StuckSource(5, name="photos in /p"))  # and again, the stuck one still there
        assert not controller.waiting and 5 in _values(controller, 0.2, qtbot)
    finally:
        release.set()
        controller.stop(wait=True)
    assert controller.unfinished() == []


def test_the_same_camera_waits_and_says_why(qtbot, stuck_ms: int, camera_controller, driver_release) -> None:
    controller = camera_controller
    failures: list[str] = []
    waits: list[str] = []
    controller.failed.connect(failures.append)
    controller.still_waiting.connect(waits.append)
    _stuck_old(qtbot, controller, driver_release, name="camera 0")
    controller.start(StuckSource(4, name="camera 0"))  # the same device: never opened twice
    qtbot.waitUntil(lambda: bool(waits), timeout=WAIT_MS)
    assert controller.waiting and "The previous connection to camera 0 has not closed" in waits[0]
    assert "unplug the camera" in waits[0]  # a camera has a plug; a video or a folder not
    assert failures == []  # not a failure: the page would stop the camera waiting to open
    driver_release.set()
    qtbot.waitUntil(lambda: not controller.waiting, timeout=WAIT_MS)
    assert 4 in _values(controller, 0.3, qtbot)


def test_a_camera_stuck_at_shutdown_is_handed_over(qtbot) -> None:
    # its QThread was destroyed while running at exit: the process aborted
    release = threading.Event()
    controller = CameraController()
    _stuck_old(qtbot, controller, release)
    controller.stop(wait=True, timeout_ms=100)
    stuck = controller.unfinished()
    assert len(stuck) == 1 and stuck[0][0].isRunning()
    release.set()
    assert stuck[0][0].wait(10000)
    controller.stop(wait=True)
    assert controller.unfinished() == []


def test_the_capture_page_keeps_waiting_for_a_stuck_camera_and_says_why(qtbot, data_folder, tiny_weights,
                                                                        stuck_ms: int) -> None:
    # the wait was reported as a failure: the page stopped the camera, which then never reopened
    from app.records_gateway import PatientInfo
    from tests.gui.gui_helpers import close_window, make_window

    hang, release = threading.Event(), threading.Event()
    made: list[StuckSource] = []

    def factory() -> StuckSource:
        made.append(StuckSource(len(made) + 1, hang=hang if not made else None, release=release))
        return made[-1]

    window = make_window(qtbot, data_folder, tiny_weights, source_factory=factory)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        window.start_assessment("MRN-1")
        page = window.capture
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        hang.set()
        assert made[0].hanging.wait(10)
        page.retry_camera()  # F5: the same camera
        qtbot.waitUntil(lambda: "has not closed" in window.statusBar().currentMessage(), timeout=WAIT_MS)
        assert page.camera.waiting and not page.error_box.isVisible()
        release.set()
        qtbot.waitUntil(lambda: len(made) == 2 and page.camera.running and not page.camera.waiting
                        and page._last_packet is not None and int(page._last_packet.frame[0, 0, 0]) == 2,
                        timeout=WAIT_MS)
    finally:
        release.set()
        close_window(window)


def test_the_waiting_message_of_a_video_has_no_plug_to_pull(qtbot) -> None:
    controller = CameraController()
    waits: list[str] = []
    controller.still_waiting.connect(waits.append)
    controller._pending = (StuckSource(1, name="video clip.mp4"), None)
    controller._still_waiting(controller._pending)
    assert "video clip.mp4 has not closed" in waits[0] and "unplug" not in waits[0]
    controller._pending = None
