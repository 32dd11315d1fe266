"""Tab through the Settings dialog at a small window height (review: its groups were in a plain
QScrollArea, where the window's pages have `PageArea`): every control Tab reaches is whole in
view, coming from Save or Cancel too, and the scroll area itself is no Tab stop (it drew no
focus mark: one Tab press showed nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

from app.pages.settings_dialog import SettingsDialog
from app.settings import Settings


@pytest.mark.parametrize("key", [Qt.Key.Key_Tab, Qt.Key.Key_Backtab])
def test_tab_keeps_each_settings_control_in_view(qtbot, key: Qt.Key) -> None:
    dialog = SettingsDialog(Settings(), folder_in_use=Path("/srv/records"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(760, 260)
    QApplication.processEvents()
    area, view = dialog.scroll, dialog.scroll.viewport()
    assert area.verticalScrollBar().maximum() > 0  # small enough to scroll
    dialog.source.setFocus()
    QApplication.processEvents()
    reached, scrolled = set(), set()
    for _ in range(40):  # around the dialog twice
        focused = QApplication.focusWidget()
        assert focused is not area, "the scroll area took a Tab press, showing no focus"
        if area.widget().isAncestorOf(focused):
            shown = QRect(focused.mapTo(view, QPoint(0, 0)), focused.size())
            assert view.rect().contains(shown), f"{focused.accessibleName() or focused} out of view: {shown}"
            reached.add(focused)
        else:
            assert dialog.buttons.isAncestorOf(focused)
        scrolled.add(area.verticalScrollBar().value())
        qtbot.keyClick(focused, key)
        QApplication.processEvents()
    assert dialog.source in reached and dialog.data_folder in reached and len(scrolled) > 2
    dialog.close()
