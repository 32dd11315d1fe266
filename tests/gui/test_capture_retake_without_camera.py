"""R (Retake) while the camera gives no picture (it stopped, or is still opening after F5)
keeps the step's photo and says why: it took the photo off with "take it again", which no
camera could then do."""

from __future__ import annotations

import pytest

from tests.gui.capture_helpers import said, start
from tests.gui.gui_helpers import WAIT_MS

KEPT = ("The camera is not delivering pictures: the Rest photo is kept until it is back "
        "(press F5 to reconnect)")


@pytest.mark.parametrize("camera", ["stopped", "opening"])
def test_retake_keeps_the_photo_while_the_camera_gives_no_picture(qtbot, open_window, camera: str) -> None:
    window = start(open_window(), name="Ann Example")
    page = window.capture
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert page.capture_now()
    qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)
    page.session.go_to(0)  # back on Rest
    words = said(page)
    retaken: list[str] = []
    page.retaken.connect(lambda _session, text: retaken.append(text))
    if camera == "stopped":
        page.camera.failed.emit("camera 0 stopped delivering frames")
    else:
        page.retry_camera()  # F5: the camera opens again, no picture yet
    page.retake()
    assert "rest" in page.session.photos and not page.session.busy  # nor taken off the record
    assert words[-1] == KEPT and retaken == []
    assert "rest" in window.gateway.assessment(page.session.assessment_id).captures
