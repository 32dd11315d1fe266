"""Help menu: the model card of the configured weights and the keyboard shortcuts, both read
from what is there (the card file beside the weights, the window's own actions)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence

from app.help_dialogs import shortcut_rows
from app.weights_info import model_card
from models.resources import default_weights_path
from tests.gui.gui_helpers import close_window, make_window


def test_the_card_beside_the_weights_is_found(tmp_path: Path) -> None:
    card, text = model_card(str(default_weights_path()))
    assert card == default_weights_path().with_suffix(".md")
    assert "NOT for diagnosis" in text
    weights = tmp_path / "clinic.pt"
    weights.write_bytes(b"x")
    assert model_card(str(weights)) == (tmp_path / "clinic.md", None)
    (tmp_path / "clinic.md").write_bytes(b"\xff\xfe broken")  # not UTF-8: no card, no crash
    assert model_card(str(weights))[1] is None
    (tmp_path / "clinic.md").write_text("# Clinic weights\ntrained on 40 patients", encoding="utf-8")
    assert model_card(str(weights))[1].startswith("# Clinic weights")


def test_shortcut_rows_come_from_the_actions(qapp) -> None:
    plain, two, none = QAction("&Export PDF"), QAction("&Settings\u2026"), QAction("&About")
    plain.setShortcut(QKeySequence("Ctrl+E"))
    two.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    assert shortcut_rows([plain, two, none]) == [("Export PDF", "Ctrl+E"), ("Settings", "Ctrl+Return or Ctrl+Enter")]


def test_help_menu_shows_the_card_and_the_shortcuts(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        shortcuts = window.show_shortcuts()
        assert shortcuts.browser.accessibleName() == shortcuts.windowTitle() == "Keyboard shortcuts"
        text = shortcuts.browser.toPlainText()
        for what, keys in (("Capture", "Space"), ("Auto-capture at peak", "A"), ("Reconnect camera", "F5"),
                           ("Export PDF", "Ctrl+E"), ("History", "Ctrl+H")):
            assert f"{what}\n{keys}" in text
        assert "Ctrl+Return or Ctrl+Enter" in text  # keypad Enter listed too
        assert "Undo retake\nCtrl+Z" in text and "+ and - zoom it" in text  # the photo's keys, said in words
        missing = window.show_model_card().browser.toPlainText()  # the test weights have no card
        assert "No model card" in missing and str(tiny_weights.with_suffix(".md")) in missing
        tiny_weights.with_suffix(".md").write_text("# Tiny test weights\n\nNot for diagnosis.", encoding="utf-8")
        try:
            card = window.show_model_card().browser.toPlainText()  # the plain summary first, the card under its heading
            assert card.startswith("These weights in plain words")
            assert card.index("Technical details") < card.index("Tiny test weights")
        finally:
            tiny_weights.with_suffix(".md").unlink()
    finally:
        close_window(window)
