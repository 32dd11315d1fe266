"""The Assessment menu by keyboard (a6 #10, #2; a1 D4): Capture chosen from the menu takes the
photo whatever capture-page button has the keyboard (it pressed the focused "Back to patients",
which left and discarded the assessment, or "Next →", which skipped a step), while the Space
key still presses a focused button; each menu item has its own Alt letter; and the status bar
names the source started, "(not open)" when it failed, not the camera used before."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.camera.demo_source import DemoPatientSource
from tests.gui.camera_fakes import AbsentCamera
from tests.gui.capture_helpers import start
from tests.gui.gui_helpers import WAIT_MS


def _live(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.capture._last_packet is not None, timeout=WAIT_MS)


def _focused(qtbot, widget) -> None:
    """`widget` given the keyboard, as Tab does."""
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=WAIT_MS)


def _demo_then_camera_2(qtbot, open_window):
    """A window on the capture page over the demo patient, whose next source is camera 2, which
    is not there (as Settings name it now)."""
    sources = [lambda: DemoPatientSource(grade=4, side="left", seed=3, frame_size=(320, 240))]
    window = start(open_window(source_factory=lambda: sources[-1]()))
    qtbot.waitUntil(lambda: window.source_label.full_text().startswith("source: demo patient"), timeout=WAIT_MS)
    sources.append(lambda: AbsentCamera("camera 2"))  # Settings now name a camera that is not there
    return window


def test_capture_from_the_menu_captures_whatever_button_has_the_keyboard(qtbot, open_window) -> None:
    window = start(open_window())
    page = window.capture
    _live(qtbot, window)
    _focused(qtbot, page.back_button)
    window.capture_action.trigger()  # as the menu item does (a click, or Return on it)
    assert window.stack.currentWidget() is page  # not sent back to the patients
    assert set(page.session.photos) == {"rest"}
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)  # a frame of Close eyes
    _focused(qtbot, page.next_button)
    page._space_pause.clock = lambda: 10.0**9  # long after the last capture (Space's pause, if any)
    window.capture_action.trigger()
    assert set(page.session.photos) == {"rest", "close_eyes"}  # taken, not skipped by "Next →"


def test_the_space_key_still_presses_the_focused_button(qtbot, open_window) -> None:
    window = start(open_window())
    page = window.capture
    _live(qtbot, window)
    page.auto_box.setChecked(False)
    _focused(qtbot, page.auto_box)
    QTest.keyClick(page.auto_box, Qt.Key.Key_Space)
    assert page.auto_box.isChecked() and not page.session.photos
    assert not window.capture_action.from_key  # only while the key's trigger runs


def test_each_menu_item_has_its_own_letter(qtbot, open_window) -> None:
    window = open_window()
    for top in window.menuBar().actions():
        letters = [m.group(1).lower() for a in top.menu().actions()
                   if (m := re.search(r"&([^&])", a.text().replace("&&", "")))]
        assert len(letters) == len(set(letters)), (top.text(), letters)


def test_the_status_bar_names_a_source_that_did_not_open(qtbot, open_window) -> None:
    window = _demo_then_camera_2(qtbot, open_window)
    window.reconnect_action.trigger()
    assert window.source_label.full_text() == "source: camera 2 (not open)"  # at once, as it opens
    qtbot.waitUntil(window.capture.error_box.isVisible, timeout=WAIT_MS)
    assert window.source_label.full_text() == "source: camera 2 (not open)"  # and after it failed


def test_space_on_the_status_bars_undo_puts_the_photo_back(qtbot, open_window) -> None:
    # the status bar's buttons are the window's, not the page's: Space there took a new photo
    window = start(open_window())
    page = window.capture
    _live(qtbot, window)
    window.capture_action.trigger()
    qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)
    page.session.go_to(0)
    page.retake()
    assert not page.session.photos
    undo = next(b for b in window.statusBar().offered if "Undo" in b.text())
    _focused(qtbot, undo)
    QTest.keyClick(undo, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: set(page.session.photos) == {"rest"}, timeout=WAIT_MS)


def test_a_source_that_failed_before_it_was_named_is_still_named(qtbot, open_window) -> None:
    # on a loaded machine the camera thread had failed and ended before the status bar was set:
    # "source: none open", as if Settings had refused the source
    window = _demo_then_camera_2(qtbot, open_window)
    window.capture.retry_camera()
    qtbot.waitUntil(lambda: not window.capture.camera.running, timeout=WAIT_MS)  # failed, its thread ended
    window.source_started()
    assert window.source_label.full_text() == "source: camera 2 (not open)"
