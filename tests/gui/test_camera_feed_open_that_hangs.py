"""F5 while the first try to open a camera still hangs in its driver: the wait is said as a
camera still opening (perhaps held by another program), not as a "previous connection" that
never was."""

from __future__ import annotations

import threading
import time

import numpy as np

from tests.gui.gui_helpers import WAIT_MS


class HangingOpen:
    """Camera 0 whose open waits for `release` (a busy camera, a slow Media Foundation open)."""

    name = "camera 0"

    def __init__(self, release: threading.Event | None = None) -> None:
        self.release = release
        self.opening = threading.Event()

    def open(self) -> None:
        self.opening.set()
        if self.release is not None:
            self.release.wait(20)

    def read(self) -> np.ndarray:
        time.sleep(0.005)
        return np.zeros((8, 8, 3), np.uint8)

    def close(self) -> None:
        pass


def test_a_retry_behind_an_open_that_hangs_says_the_camera_is_still_opening(qtbot, stuck_ms: int, camera_controller,
                                                                           driver_release) -> None:
    controller = camera_controller
    waits: list[str] = []
    controller.still_waiting.connect(waits.append)
    first = HangingOpen(driver_release)
    controller.start(first)
    assert first.opening.wait(10)
    controller.start(HangingOpen())  # F5: the same camera, never opened twice
    qtbot.waitUntil(lambda: bool(waits), timeout=WAIT_MS)
    assert controller.waiting
    assert waits[0].startswith("Camera 0 is still opening from the earlier try and does not answer after ")
    assert "close any other program that may use it (video calls, the Camera app)" in waits[0]
    assert "previous connection" not in waits[0] and "unplug the camera" in waits[0]
    driver_release.set()  # the driver lets go: the first try ends, the new one opens
    qtbot.waitUntil(lambda: not controller.waiting and controller.take() is not None, timeout=WAIT_MS)
