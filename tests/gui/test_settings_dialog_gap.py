"""The Settings dialog after the layout review: no empty band above Save and Cancel (an
empty error label and 120 pixels of slack left one), and an error still shows when there is one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QGroupBox

from app.pages.settings_dialog import SettingsDialog
from app.settings import Settings


def _dialog(qtbot) -> SettingsDialog:
    dialog = SettingsDialog(Settings(), folder_in_use=Path("/srv/records"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    return dialog


def test_no_gap_above_save_and_cancel(qtbot) -> None:
    dialog = _dialog(qtbot)
    assert not dialog.error.isVisible()  # nothing to say: no empty line
    assert dialog.scroll.verticalScrollBar().maximum() == 0  # opened tall enough for the groups
    last = dialog.scroll.widget().findChildren(QGroupBox)[-1]
    bottom = last.mapTo(dialog, QPoint(0, last.height())).y()
    top = dialog.buttons.mapTo(dialog, QPoint(0, 0)).y()
    assert 0 <= top - bottom <= dialog.layout().spacing() + 2  # 66 pixels of nothing before
    dialog.close()


def test_an_error_shows_above_the_buttons(qtbot) -> None:
    dialog = _dialog(qtbot)
    dialog.logo.setText("/no/such/logo.png")
    dialog.accept()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "logo file not found" in dialog.error.text()
    error_bottom = dialog.error.mapTo(dialog, QPoint(0, dialog.error.height())).y()
    assert error_bottom <= dialog.buttons.mapTo(dialog, QPoint(0, 0)).y()
    dialog.close()
