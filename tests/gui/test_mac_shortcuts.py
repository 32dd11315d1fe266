"""macOS: Qt maps Ctrl to Cmd, so Ctrl+H would be Cmd+H, the system's Hide, and a label that
says "[Ctrl+E]" names a key the Mac user does not press. History gets Cmd+Y there, and the
button labels and tooltips are written from the key sequence in the platform's own text
(app/help_dialogs.py `native_keys`). macOS is simulated: the platform name the shortcut
choice reads, and Qt's native text as macOS writes it."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence

import app.help_dialogs
from app.help_dialogs import history_keys
from tests.gui.gui_helpers import close_window, make_window

NATIVE = QKeySequence.SequenceFormat.NativeText
# keys macOS keeps for itself (Cmd+H hide, Cmd+M minimise, Cmd+Option+H hide others, ...)
MAC_SYSTEM_KEYS = {QKeySequence(k) for k in ("Ctrl+H", "Ctrl+M", "Ctrl+Alt+H", "Ctrl+Space", "Ctrl+Tab", "Ctrl+`")}


@pytest.fixture()
def on_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    """sys.platform as on a Mac for the shortcut choices, and Qt's NativeText as macOS writes
    it (Ctrl is Cmd there: "⌘E", "⌘↩")."""
    monkeypatch.setattr(app.help_dialogs, "sys", types.SimpleNamespace(platform="darwin"))
    portable = QKeySequence.toString

    def mac_text(self: QKeySequence, fmt: QKeySequence.SequenceFormat = QKeySequence.SequenceFormat.PortableText) -> str:
        text = portable(self, QKeySequence.SequenceFormat.PortableText)
        if fmt != NATIVE:
            return text
        for word, symbol in (("Ctrl+", "\u2318"), ("Shift+", "\u21e7"), ("Alt+", "\u2325"), ("Return", "\u21a9"),
                             ("Enter", "\u2324")):
            text = text.replace(word, symbol)
        return text

    monkeypatch.setattr(QKeySequence, "toString", mac_text)


def test_history_is_ctrl_h_except_on_macos() -> None:
    assert history_keys("win32") == QKeySequence("Ctrl+H")
    assert history_keys("linux") == QKeySequence("Ctrl+H")
    assert history_keys("darwin") == QKeySequence("Ctrl+Y")  # Cmd+Y: History in Safari and Chrome


def test_on_macos_no_shortcut_is_a_system_key_or_taken_twice(on_macos, qtbot, data_folder: Path,
                                                              tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assert window.history_action.shortcut() == QKeySequence("Ctrl+Y")
        keys = [k for a in window.actions() for k in a.shortcuts() if not k.isEmpty()]
        assert not MAC_SYSTEM_KEYS & set(keys)
        assert len(keys) == len(set(keys)), sorted(k.toString() for k in keys)
        text = window.show_shortcuts().browser.toPlainText()
        assert "History\n\u2318Y" in text and "(\u2318\u21e7\u21a9)" in text
    finally:
        close_window(window)


def test_on_macos_the_labels_name_the_mac_keys(on_macos, qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assert window.results.export_button.text() == "Export PDF  [\u2318E]"
        assert window.capture.analyse_button.text() == "Analyse  [\u2318\u21a9]"
        assert "\u2318\u21e7\u21a9" in window.results.confirm_button.toolTip()
        assert "Ctrl" not in window.capture.back_button.toolTip()
    finally:
        close_window(window)


def test_elsewhere_the_labels_are_unchanged(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assert window.history_action.shortcut() == QKeySequence("Ctrl+H")
        assert window.results.export_button.text() == "Export PDF  [Ctrl+E]"
        assert window.capture.analyse_button.text() == "Analyse  [Ctrl+Enter]"
    finally:
        close_window(window)
