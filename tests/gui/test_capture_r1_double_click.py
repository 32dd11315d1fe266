"""A double click on Capture (or two quick clicks) stored the last expression as the next step's
photo: the pause after a capture or a step change covered Space only. A click within it takes
nothing and says to press Capture again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.pages.capture_logic import BUTTON_TOO_SOON, SPACE_PAUSE_S
from tests.gui.capture_helpers import said, start
from tests.gui.gui_helpers import WAIT_MS


def test_a_second_click_on_capture_just_after_a_capture_takes_nothing(qtbot, open_window) -> None:
    page = start(open_window()).capture
    words = said(page)
    now = [1000.0]
    page._space_pause.clock = lambda: now[0]  # the time stands still unless the test moves it
    qtbot.waitUntil(lambda: page.capture_button.isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(page.capture_button, Qt.MouseButton.LeftButton)
    assert set(page.session.photos) == {"rest"} and page.session.expression == "close_eyes"
    qtbot.waitUntil(lambda: page.capture_button.isEnabled(), timeout=WAIT_MS)  # a frame of the new step
    qtbot.mouseClick(page.capture_button, Qt.MouseButton.LeftButton)  # the double click's second
    assert set(page.session.photos) == {"rest"} and words[-1] == BUTTON_TOO_SOON
    assert BUTTON_TOO_SOON == "Nothing taken: the step just changed; press Capture again"
    now[0] += SPACE_PAUSE_S
    qtbot.mouseClick(page.capture_button, Qt.MouseButton.LeftButton)
    assert set(page.session.photos) == {"rest", "close_eyes"}
