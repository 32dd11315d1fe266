"""The window's shortcuts win over a review text field's own editing keys (Linux's X11 bindings
make Ctrl+E "end of line" in a text field: Export PDF did nothing from the Clinician field), and
after Confirm the keyboard is on Export, where Return or Ctrl+E writes the report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window

K = Qt.Key
M = Qt.KeyboardModifier


def _override(key: Qt.Key, modifiers: Qt.KeyboardModifier = M.NoModifier) -> QKeyEvent:
    event = QKeyEvent(QEvent.Type.ShortcutOverride, key, modifiers)
    event.ignore()  # as Qt sends it: a field that wants the key accepts it
    return event


def test_each_window_shortcut_passes_the_review_fields(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window)
        page = window.results
        keys = [key for action in window.actions() if action.isEnabled() for key in action.shortcuts()
                if key[0].keyboardModifiers() & M.ControlModifier]
        assert QKeySequence("Ctrl+E") in keys and QKeySequence("Ctrl+H") in keys
        for field in (page.clinician_edit, page.notes_edit):
            for key in keys:
                combination = key[0]
                event = _override(combination.key(), combination.keyboardModifiers())
                assert page.keys_filter.eventFilter(field, event), key.toString()
                assert not event.isAccepted(), key.toString()  # not overridden: the window's action runs
            # typing and the field's own keys stay the field's
            for key, modifiers in ((K.Key_A, M.NoModifier), (K.Key_R, M.NoModifier), (K.Key_Space, M.NoModifier),
                                   (K.Key_End, M.NoModifier), (K.Key_Z, M.ControlModifier)):
                assert not page.keys_filter.eventFilter(field, _override(key, modifiers))
        window.export_action.setEnabled(False)  # a disabled action leaves the key to the field
        assert not page.keys_filter.eventFilter(page.clinician_edit, _override(K.Key_E, M.ControlModifier))
    finally:
        close_window(window)


def test_after_confirm_the_keyboard_is_on_export(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
        page = window.results
        page.grade_buttons.button(0).setChecked(True)
        page.notes_edit.setPlainText("Brow and mouth weaker on the left side")  # an override's reason
        page.clinician_edit.setFocus()
        qtbot.waitUntil(page.clinician_edit.hasFocus, timeout=WAIT_MS)
        QTest.keyClicks(page.clinician_edit, "Dr Kim")
        QTest.keyClick(page.clinician_edit, K.Key_Return, M.ControlModifier | M.ShiftModifier)  # Confirm
        assert window.gateway.assessment(window.assessment_id).status == "confirmed"
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.export_button, timeout=WAIT_MS)
        QTest.keyClick(page.export_button, K.Key_Return)  # the key pressed next, by habit
        qtbot.waitUntil(lambda: window._export_id is None and window.last_report is not None, timeout=WAIT_MS)
    finally:
        close_window(window)
