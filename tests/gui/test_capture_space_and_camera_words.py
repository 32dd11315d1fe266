"""Space at the capture station: a second press just after a capture (a double tap, a bouncing
key) takes nothing, with a word, rather than the next step's photo from the same expression; a
press while the camera is down or still opening is said, never silent. A camera that never
opens, or opens and gives no picture, is said as such (not blamed on the cable). The live checks
include "Resolution" for the loaded model, and a photo no different from another expression's
is flagged on its step."""

from __future__ import annotations

import numpy as np

from app.camera.demo_source import DemoPatientSource
from app.pages import capture as capture_page
from app.pages.capture_logic import SPACE_PAUSE_S, SPACE_TOO_SOON
from tests.gui.camera_fakes import AbsentCamera
from tests.gui.capture_helpers import fed_by_hand, pull, said, start
from tests.gui.gui_helpers import WAIT_MS


def test_space_just_after_a_capture_or_a_step_change_takes_nothing(qtbot, open_window) -> None:
    page = start(open_window()).capture
    words = said(page)
    now = [1000.0]
    page._space_pause.clock = lambda: now[0]  # the time stands still unless the test moves it
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert page.space_pressed() and page.session.expression == "close_eyes"
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)  # a frame of the new step
    assert not page.space_pressed()  # the second tap: the same expression would be Close eyes' photo
    assert words[-1] == SPACE_TOO_SOON and set(page.session.photos) == {"rest"}
    now[0] += SPACE_PAUSE_S
    assert page.space_pressed() and set(page.session.photos) == {"rest", "close_eyes"}
    now[0] += SPACE_PAUSE_S  # the capture's own pause is over: only the step change below can start one
    page.next_step()  # a step chosen by hand starts the pause too
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert not page.space_pressed() and words[-1] == SPACE_TOO_SOON
    assert page.capture_now()  # the button and the menu are not keys that bounce


def test_space_with_the_camera_down_says_so(qtbot, open_window) -> None:
    page = start(open_window(source_factory=AbsentCamera)).capture
    qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
    words = said(page)
    assert not page.space_pressed() and not page.session.photos
    assert words == ["Nothing taken: the camera is not delivering pictures (see above); press F5 to reconnect"]


def test_a_camera_that_does_not_open_is_said_after_the_first_frames_wait(qtbot, open_window, camera_gates,
                                                                        monkeypatch) -> None:
    monkeypatch.setattr(capture_page, "FIRST_FRAME_S", 0.3)
    camera_gates.reads.set()
    page = start(open_window(source_factory=camera_gates.camera)).capture
    words = said(page)
    assert not page.space_pressed()  # at once: the display timer has not looked yet
    assert words[-1].startswith("Nothing taken: the camera is still opening")
    qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)  # it was "Opening camera…" for ever
    text = page.error_label.text()
    assert text.startswith("Camera 0 has not opened after ") and "in use by another program" in text
    assert text.endswith("press Retry") and page.retry_button.isVisible()
    assert not page.space_pressed()
    assert words[-1] == "Nothing taken: the camera is not delivering pictures (see above); press F5 to reconnect"
    camera_gates.opens.set()  # it opens, late: the page goes on by itself
    qtbot.waitUntil(lambda: page._last_packet is not None and not page.error_box.isVisible(), timeout=WAIT_MS)
    assert page.capture_now()


def test_a_camera_that_opens_but_gives_no_picture_is_not_blamed_on_the_cable(qtbot, open_window, camera_gates,
                                                                             monkeypatch) -> None:
    monkeypatch.setattr(capture_page, "FIRST_FRAME_S", 0.3)
    camera_gates.opens.set()
    page = start(open_window(source_factory=camera_gates.camera)).capture
    qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
    text = page.error_label.text()
    assert text.startswith("Camera 0 opened but gives no picture after ")
    assert "close any other program that may use it" in text and "press Retry" in text
    camera_gates.reads.set()
    qtbot.waitUntil(lambda: page._last_packet is not None and not page.error_box.isVisible(), timeout=WAIT_MS)


def test_the_live_checks_and_each_photos_own_include_resolution(qtbot, open_window) -> None:
    page = start(open_window()).capture
    qtbot.waitUntil(lambda: page._quality is not None, timeout=WAIT_MS)
    badges = {b.name: b for b in page._quality.badges}
    assert badges["face_resolution"].label == "Resolution" and badges["face_resolution"].passed
    assert page.capture_now()
    qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)
    assert page.session.photos["rest"].quality["checks"]["face_resolution"]["passed"]


def test_a_photo_the_same_as_another_expressions_is_flagged_on_its_step(qtbot, open_window) -> None:
    page = start(open_window()).capture
    fed_by_hand(qtbot, page)
    words = said(page)
    rest = page._last_packet.frame
    assert page.capture_now()
    stuck = np.ascontiguousarray(np.roll(rest, 24, axis=1))  # not rest, but the same picture for two steps
    for expression in ("close_eyes", "raise_eyebrows"):
        pull(page, stuck, expression)
        assert page.capture_now()
    qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)  # "saving…" until then
    item = page.steps.item(2)
    assert item.text() == "Raise eyebrows\n\u26a0 same as\nClose eyes \u2013 retake?"
    assert "Space pressed twice" in item.toolTip()
    assert words[-1] == "Raise eyebrows: same as Close eyes \u2013 retake? (select the step and press R)"
    assert "same as" not in page.steps.item(1).text()


class CappedCamera(DemoPatientSource):
    """The demo patient behind a lens cap: black frames."""

    def read(self) -> np.ndarray:
        return np.zeros_like(super().read())


def test_a_black_picture_is_not_taken(qtbot, open_window) -> None:
    page = start(open_window(source_factory=lambda: CappedCamera(grade=4, side="left", seed=3,
                                                                  frame_size=(320, 240)))).capture
    words = said(page)
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert not page.capture_now() and not page.session.photos  # it was stored, flagged "no face" only after
    assert words == ["Nothing taken: the picture is black: open the camera's privacy shutter or remove the lens cap"]
