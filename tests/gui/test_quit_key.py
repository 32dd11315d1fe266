"""File -> Quit says Ctrl+Q on every platform: Qt's standard Quit key is empty on Windows (and
offscreen), where the menu showed no key and Ctrl+Q did nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence

from app.window_actions import platform_key
from tests.gui.gui_helpers import close_window, make_window


def test_a_platform_without_a_standard_key_gets_the_fallback(qtbot) -> None:
    # UnknownKey maps to nothing on every platform, as Quit does on Windows (and offscreen)
    assert platform_key(QKeySequence.StandardKey.UnknownKey, "Ctrl+Q") == QKeySequence("Ctrl+Q")
    # a platform's own key is kept
    copy = QKeySequence(QKeySequence.StandardKey.Copy)
    assert not copy.isEmpty() and platform_key(QKeySequence.StandardKey.Copy, "Ctrl+Q") == copy


def test_the_window_quits_with_ctrl_q_and_opens_settings_with_ctrl_comma(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        # offscreen (as the tests run) maps no Quit key, as Windows does: the fallback is used
        assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
        assert window.settings_action.shortcut() == QKeySequence("Ctrl+,")
    finally:
        close_window(window)
