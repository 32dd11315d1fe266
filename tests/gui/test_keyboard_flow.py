"""A visit by keyboard alone: the focus starts where the work is on each page (new patient ->
list, capture -> steps, results -> the grades), Space presses a focused box instead of
capturing, A toggles auto-capture, F5 reconnects the camera, Ctrl+keypad Enter analyses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.camera.demo_source import DemoPatientSource
from models.labels import GRADES
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window

K = Qt.Key
M = Qt.KeyboardModifier


def _focused(qtbot, widget) -> None:
    qtbot.waitUntil(lambda: widget.window().focusWidget() is widget, timeout=WAIT_MS)


def _activate(qtbot, window) -> None:
    """The offscreen platform drops the window's activation when the deleted dialog goes;
    activated again, the window gives the keys to its own focus widget."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_a_visit_by_keyboard(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    opened = []

    def source():
        opened.append(1)
        return DemoPatientSource(grade=4, side="left", seed=3, frame_size=(320, 240))

    window = make_window(qtbot, data_folder, tiny_weights, source_factory=source)
    try:
        _activate(qtbot, window)
        window.new_patient_action.trigger()
        dialog = window.patients.dialog
        dialog.id_edit.setText("KB-1")
        dialog.name_edit.setText("Key Board")
        dialog.accept()
        page = window.patients
        assert page.selected() == "KB-1"
        _focused(qtbot, page.table)  # not left on the New patient button or the search field
        QTest.keyClick(page.table, K.Key_Return)
        assert window.stack.currentWidget() is window.capture

        capture = window.capture
        _focused(qtbot, capture.steps)  # the steps, not a widget of the hidden patients page
        qtbot.waitUntil(lambda: capture._last_packet is not None, timeout=WAIT_MS)
        capture.auto_box.setChecked(False)
        _activate(qtbot, window)
        capture.auto_box.setFocus()
        _focused(qtbot, capture.auto_box)
        QTest.keyClick(capture.auto_box, K.Key_Space)  # ticks the focused box, as Space does in Qt
        qtbot.waitUntil(capture.auto_box.isChecked, timeout=WAIT_MS)
        assert window.auto_capture_action.isChecked()  # the menu shows the box's state
        assert not window.session.photos  # and no photo was taken
        QTest.keyClick(capture.auto_box, K.Key_A)
        assert not capture.auto_box.isChecked() and not window.auto_capture_action.isChecked()

        capture.steps.setFocus()
        _focused(qtbot, capture.steps)
        QTest.keyClick(capture.steps, K.Key_Space)  # elsewhere Space captures
        assert "rest" in window.session.photos

        before = len(opened)
        QTest.keyClick(capture.steps, K.Key_F5)  # reconnect the camera
        assert len(opened) == before + 1 and capture.camera.running

        while window.session.missing:  # Space for each step (a capture moves on to the next)
            qtbot.waitUntil(capture.capture_button.isEnabled, timeout=WAIT_MS)
            QTest.keyClick(capture.steps, K.Key_Space)
        qtbot.waitUntil(lambda: window.session.complete, timeout=WAIT_MS)  # the photos are written
        QTest.keyClick(capture.steps, K.Key_Enter, M.ControlModifier | M.KeypadModifier)  # Ctrl + keypad Enter
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)

        results = window.results
        assert results.flagged  # the untrained network's grade is of low confidence: nothing is ticked
        first = results.grade_buttons.button(0)
        _focused(qtbot, first)  # the review starts on grade I
        assert results.selected_grade() is None
        QTest.keyClick(first, K.Key_Space)  # Space ticks it
        assert results.selected_grade() == GRADES[0]
        QTest.keyClick(first, K.Key_Right)  # an arrow chooses the next grade
        assert results.selected_grade() == GRADES[1]
    finally:
        close_window(window)

