"""A camera whose read blocks (a driver stuck after an unplug) is said to be frozen: the page
stops offering its last frame, says so with Retry (announced), refuses to capture it, and goes on
by itself when frames come again. A photo folder's still photo, and a step it has no photo
for, never look frozen."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app.camera.file_sources import PhotoFolderSource
from app.pages.capture import FROZEN_S
from app.widgets.announce import ANNOUNCED
from app.workers import FramePacket
from tests.gui.camera_fakes import FreezingCamera
from tests.gui.capture_helpers import capture_ready, photo_folder, said, seconds_until, start
from tests.gui.gui_helpers import WAIT_MS


def _frozen_box(page) -> bool:
    return page.error_box.isVisible() and page.error_label.text().startswith("No new picture")


def test_a_frozen_camera_is_said_and_its_last_frame_never_captured(qtbot, open_window) -> None:
    frozen = threading.Event()
    page = start(open_window(source_factory=lambda: FreezingCamera(frozen)), name="Ada Test").capture
    try:
        capture_ready(qtbot, page)
        ANNOUNCED.clear()
        assert seconds_until(qtbot, frozen, lambda: _frozen_box(page)) >= FROZEN_S - 0.2  # a frame every 33 ms is no freeze
        text = page.error_label.text()
        assert text.startswith("No new picture from camera 0 for ") and text.endswith("check its cable, then press Retry")
        assert page.retry_button.isVisible() and (text, True) in ANNOUNCED
        assert not page.capture_button.isEnabled()
        assert not page.capture_now() and "rest" not in page.session.photos
        qtbot.waitUntil(lambda: page.error_label.text() != text, timeout=WAIT_MS)  # the seconds count on
        assert sum(words.startswith("No new picture") for words, _ in ANNOUNCED) == 1  # announced once
        frozen.clear()
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and not page.error_box.isVisible(), timeout=WAIT_MS)
        assert page.capture_now() and "rest" in page.session.photos
    finally:
        frozen.clear()  # its read returns: the camera can stop


def test_capture_refuses_a_frame_older_than_the_limit(qtbot, open_window) -> None:
    page = start(open_window(), name="Ada Test").capture
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    page.timer.stop()  # the display timer has not looked yet
    words = said(page)
    old = page._last_packet
    page._last_packet = FramePacket(frame=old.frame, index=old.index, timestamp=time.monotonic() - FROZEN_S - 1,
                                    expression=old.expression)
    assert not page.capture_now() and "rest" not in page.session.photos
    assert words and words[-1].startswith("Nothing taken: No new picture from ")


def test_a_photo_folder_never_looks_frozen(qtbot, open_window, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    photo_folder(folder, ("rest",))
    page = start(open_window(source_factory=lambda: PhotoFolderSource(folder)), name="Ada Test").capture
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
