"""Space at the capture station: a second press just after a capture (a double tap, a bouncing
key) takes nothing, with a word, rather than the next step's photo from the same expression; a
press while the camera is down or still opening is said, never silent. A camera that never
opens, or opens and gives no picture, is said as such (not blamed on the cable). The live checks
include "Resolution" for the loaded model, and a photo no different from another expression's
is flagged on its step."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from app.camera.demo_source import DemoPatientSource
from app.camera.source import CameraError
from app.pages import capture as capture_page
from app.pages.capture_logic import SPACE_PAUSE_S, SPACE_TOO_SOON
from app.workers import FramePacket
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window
from tests.gui.test_capture_guards import _start


class GatedCamera(DemoPatientSource):
    """The demo patient as camera 0, whose open (`open_gate`) or read (`read_gate`) waits
    until its gate is set."""

    def __init__(self, open_gate: threading.Event, read_gate: threading.Event) -> None:
        super().__init__(grade=4, side="left", seed=3, frame_size=(320, 240))
        self.name = "camera 0"
        self._open_gate, self._read_gate = open_gate, read_gate

    def open(self) -> None:
        self._open_gate.wait(WAIT_MS / 1000)
        super().open()

    def read(self) -> np.ndarray:
        while not self._read_gate.is_set():
            time.sleep(0.02)
        return super().read()


class NoCamera(DemoPatientSource):
    name = "camera 0"

    def open(self) -> None:
        raise CameraError("camera 0 could not be opened; check that it is connected")


def _said(page) -> list[str]:
    said: list[str] = []
    page.notify.connect(said.append)
    return said


def test_space_just_after_a_capture_or_a_step_change_takes_nothing(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _start(window)
        page = window.capture
        said = _said(page)
        now = [1000.0]
        page._space_pause.clock = lambda: now[0]  # the time stands still unless the test moves it
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert page.space_pressed() and page.session.expression == "close_eyes"
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)  # a frame of the new step
        assert not page.space_pressed()  # the second tap: the same expression would be Close eyes' photo
        assert said[-1] == SPACE_TOO_SOON and set(page.session.photos) == {"rest"}
        now[0] += SPACE_PAUSE_S
        assert page.space_pressed() and set(page.session.photos) == {"rest", "close_eyes"}
        page.next_step()  # a step chosen by hand starts the pause too
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert not page.space_pressed() and said[-1] == SPACE_TOO_SOON
        assert page.capture_now()  # the button and the menu are not keys that bounce
    finally:
        close_window(window)


def test_space_with_the_camera_down_says_so(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=NoCamera)
    try:
        _start(window)
        page = window.capture
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        said = _said(page)
        assert not page.space_pressed() and not page.session.photos
        assert said == ["Nothing taken: the camera is not delivering pictures (see above); press F5 to reconnect"]
    finally:
        close_window(window)


def test_a_camera_that_does_not_open_is_said_after_the_first_frames_wait(qtbot, data_folder: Path, tiny_weights: Path,
                                                                        monkeypatch) -> None:
    monkeypatch.setattr(capture_page, "FIRST_FRAME_S", 0.3)
    open_gate, read_gate = threading.Event(), threading.Event()
    read_gate.set()
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: GatedCamera(open_gate, read_gate))
    page = window.capture
    try:
        _start(window)
        said = _said(page)
        assert not page.space_pressed()  # at once: the display timer has not looked yet
        assert said[-1].startswith("Nothing taken: the camera is still opening")
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)  # it was "Opening camera…" for ever
        text = page.error_label.text()
        assert text.startswith("Camera 0 has not opened after ") and "in use by another program" in text
        assert text.endswith("press Retry") and page.retry_button.isVisible()
        assert not page.space_pressed()
        assert said[-1] == "Nothing taken: the camera is not delivering pictures (see above); press F5 to reconnect"
        open_gate.set()  # it opens, late: the page goes on by itself
        qtbot.waitUntil(lambda: page._last_packet is not None and not page.error_box.isVisible(), timeout=WAIT_MS)
        assert page.capture_now()
    finally:
        open_gate.set()
        page.stop_camera(wait=True)
        close_window(window)


def test_a_camera_that_opens_but_gives_no_picture_is_not_blamed_on_the_cable(qtbot, data_folder: Path,
                                                                             tiny_weights: Path, monkeypatch) -> None:
    monkeypatch.setattr(capture_page, "FIRST_FRAME_S", 0.3)
    open_gate, read_gate = threading.Event(), threading.Event()
    open_gate.set()
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: GatedCamera(open_gate, read_gate))
    page = window.capture
    try:
        _start(window)
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        text = page.error_label.text()
        assert text.startswith("Camera 0 opened but gives no picture after ")
        assert "close any other program that may use it" in text and "press Retry" in text
        read_gate.set()
        qtbot.waitUntil(lambda: page._last_packet is not None and not page.error_box.isVisible(), timeout=WAIT_MS)
    finally:
        read_gate.set()
        page.stop_camera(wait=True)
        close_window(window)


def test_the_live_checks_and_each_photos_own_include_resolution(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _start(window)
        page = window.capture
        qtbot.waitUntil(lambda: page._quality is not None, timeout=WAIT_MS)
        badges = {b.name: b for b in page._quality.badges}
        assert badges["face_resolution"].label == "Resolution" and badges["face_resolution"].passed
        assert page.capture_now()
        qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)
        assert page.session.photos["rest"].quality["checks"]["face_resolution"]["passed"]
    finally:
        close_window(window)


def test_a_photo_the_same_as_another_expressions_is_flagged_on_its_step(qtbot, data_folder: Path,
                                                                         tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _start(window)
        page = window.capture
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        page.timer.stop()  # this test feeds the page by hand
        page.camera.stop()
        said = _said(page)
        rest = page._last_packet.frame
        assert page.capture_now()
        stuck = np.ascontiguousarray(np.roll(rest, 24, axis=1))  # not rest, but the same picture for two steps
        for expression in ("close_eyes", "raise_eyebrows"):
            page.camera.mailbox.put(FramePacket(frame=stuck, index=1, timestamp=time.monotonic(), expression=expression))
            page._pull_frame()
            assert page.capture_now()
        qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)  # "saving…" until then
        item = page.steps.item(2)
        assert item.text() == "Raise eyebrows\n\u26a0 same as\nClose eyes \u2013 retake?"
        assert "Space pressed twice" in item.toolTip()
        assert said[-1] == "Raise eyebrows: same as Close eyes \u2013 retake? (select the step and press R)"
        assert "same as" not in page.steps.item(1).text()
    finally:
        close_window(window)


class CappedCamera(DemoPatientSource):
    """The demo patient behind a lens cap: black frames."""

    def read(self) -> np.ndarray:
        return np.zeros_like(super().read())


def test_a_black_picture_is_not_taken(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights,
                         source_factory=lambda: CappedCamera(grade=4, side="left", seed=3, frame_size=(320, 240)))
    try:
        _start(window)
        page = window.capture
        said = _said(page)
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert not page.capture_now() and not page.session.photos  # it was stored, flagged "no face" only after
        assert said == ["Nothing taken: the picture is black: open the camera's privacy shutter or remove the lens cap"]
    finally:
        close_window(window)
