"""Restarting the camera while the old one is stuck in its driver: nothing the old camera reads
late is shown or captured, another source does not wait for it for ever, the same source says
why it waits, and a camera thread stuck at shutdown is handed over to be kept referenced."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import app.camera_controller as controller_module
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


@pytest.fixture
def stuck_ms(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(controller_module, "STUCK_MS", 300)
    return 300


def test_a_frame_the_old_camera_reads_late_is_never_taken(qtbot) -> None:
    # the old worker, stuck in read() when F5 was pressed, put one more frame in the shared slot,
    # and Capture stored it
    hang, release = threading.Event(), threading.Event()
    controller = CameraController()
    try:
        old = StuckSource(1, hang=hang, release=release, close_s=0.5)  # and closes slowly
        controller.start(old)
        qtbot.waitUntil(lambda: controller.take() is not None, timeout=WAIT_MS)
        hang.set()
        assert old.hanging.wait(10)
        controller.start(StuckSource(2))
        assert controller.waiting
        release.set()  # the old read returns its frame now, while the new camera waits
        assert _values(controller, 1.5, qtbot) == {2}  # the page takes frames all the while
    finally:
        release.set()
        controller.stop(wait=True)


def test_another_source_opens_when_the_old_camera_stays_stuck(qtbot, stuck_ms: int) -> None:
    # a driver stuck in read() held up every new source for ever behind "Reconnecting…"
    hang, release = threading.Event(), threading.Event()
    controller = CameraController()
    failures: list[str] = []
    controller.failed.connect(failures.append)
    try:
        old = StuckSource(1, name="usb cam", hang=hang, release=release)
        controller.start(old)
        qtbot.waitUntil(lambda: controller.take() is not None, timeout=WAIT_MS)
        hang.set()
        assert old.hanging.wait(10)
        controller.start(StuckSource(3, name="video.mp4"))
        assert controller.waiting
        qtbot.waitUntil(lambda: not controller.waiting, timeout=WAIT_MS)
        assert _values(controller, 0.2, qtbot) == {3} and failures == []
    finally:
        release.set()
        controller.stop(wait=True)
    assert controller.unfinished() == []


def test_the_same_camera_waits_and_says_why(qtbot, stuck_ms: int) -> None:
    hang, release = threading.Event(), threading.Event()
    controller = CameraController()
    failures: list[str] = []
    controller.failed.connect(failures.append)
    try:
        old = StuckSource(1, hang=hang, release=release)
        controller.start(old)
        qtbot.waitUntil(lambda: controller.take() is not None, timeout=WAIT_MS)
        hang.set()
        assert old.hanging.wait(10)
        controller.start(StuckSource(4))  # the same device: never opened twice
        qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
        assert controller.waiting and "The previous connection to usb cam has not closed" in failures[0]
        release.set()
        qtbot.waitUntil(lambda: not controller.waiting, timeout=WAIT_MS)
        assert 4 in _values(controller, 0.3, qtbot)
    finally:
        release.set()
        controller.stop(wait=True)


def test_a_camera_stuck_at_shutdown_is_handed_over(qtbot) -> None:
    # its QThread was destroyed while running at exit: the process aborted
    hang, release = threading.Event(), threading.Event()
    controller = CameraController()
    source = StuckSource(1, hang=hang, release=release)
    controller.start(source)
    qtbot.waitUntil(lambda: controller.take() is not None, timeout=WAIT_MS)
    hang.set()
    assert source.hanging.wait(10)
    controller.stop(wait=True, timeout_ms=100)
    stuck = controller.unfinished()
    assert len(stuck) == 1 and stuck[0][0].isRunning()
    release.set()
    assert stuck[0][0].wait(10000)
    controller.stop(wait=True)
    assert controller.unfinished() == []
