"""Reopening a visit reads and decodes each stored photo once, for the result shown and for its
overlays' worker alike (twice on the GUI thread froze the window 0.75-1.16 s at 1920x1080),
under the wait cursor."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window


def test_each_photo_is_decoded_once(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        visit = analysed_assessment(qtbot, window)
        window.gateway.confirm(visit, "II", "Dr Kim", "")
        read, cursors = [], []
        load_photo = window.gateway.load_photo

        def reading(assessment_id: int, name: str):
            read.append(name)
            cursor = QApplication.overrideCursor()
            cursors.append(cursor.shape() if cursor is not None else None)
            return load_photo(assessment_id, name)

        window.gateway.load_photo = reading
        window.show_history("MRN-1")
        window.open_read_only(visit)
        page = window.results
        assert page.result is window.result and page.read_only
        qtbot.waitUntil(lambda: not page.overlays_pending, timeout=WAIT_MS)
        assert "Overlays recomputed" in window.statusBar().currentMessage()
        assert sorted(read) == sorted(window.gateway.assessment(visit).captures)  # six photos, each once
        # the pause while they are decoded shows the wait cursor, and only then
        assert set(cursors) == {Qt.CursorShape.WaitCursor} and QApplication.overrideCursor() is None
    finally:
        close_window(window)
