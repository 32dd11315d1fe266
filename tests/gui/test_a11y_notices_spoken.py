"""The notice above the pages to a screen reader (a6 #1): a line newly set or changed is
announced, politely and once (the records' upgrade and a report lost at the last close were
only written there, never said); the notice is a Tab stop whose text the keyboard can select."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.export import STAGING_DIR
from app.gui_main import build_window
from app.main_window import UNSAVED_REPORT
from app.widgets.announce import ANNOUNCED
from tests.gui.gui_helpers import close_window, make_window
from tests.gui.start_helpers import close_window as close_started
from tests.records.test_an_upgrade_is_said_and_not_done_for_a_refused_import import (
    _version_3_folder,
)


def test_a_notice_is_said_when_set_or_changed_and_only_then(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        ANNOUNCED.clear()
        window.set_notice("data_folder", "The data folder /srv/b is used from the next start of Palsy Grader.")
        assert list(ANNOUNCED) == [("The data folder /srv/b is used from the next start of Palsy Grader.", False)]
        ANNOUNCED.clear()
        window.set_notice("data_folder", "The data folder /srv/b is used from the next start of Palsy Grader.")
        window.set_notice("other", "")  # nothing new
        assert list(ANNOUNCED) == []
        window.set_notice("data_folder", "The data folder /srv/c is used from the next start of Palsy Grader.")
        assert [text for text, _ in ANNOUNCED] == ["The data folder /srv/c is used from the next start of Palsy Grader."]
        notice = window.notice
        assert notice.accessibleName() == "Notice" and notice.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert notice.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    finally:
        close_window(window)


def test_a_report_lost_at_the_last_close_is_said_at_start(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    staging = data_folder / STAGING_DIR
    staging.mkdir(parents=True)
    (staging / UNSAVED_REPORT).write_text("7\n", encoding="utf-8")
    ANNOUNCED.clear()
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assert "was not saved" in window.notice.text()
        assert (window.notice.text(), False) in ANNOUNCED
    finally:
        close_window(window)


def test_the_upgrade_notice_is_said(qtbot, tmp_path: Path, settings_path: str) -> None:
    folder = _version_3_folder(tmp_path / "data")
    ANNOUNCED.clear()
    window = build_window(settings_path=settings_path, data=str(folder))
    try:
        assert "upgraded" in window.notice.text()
        assert any("The records were upgraded from database version 3" in text for text, _ in ANNOUNCED)
    finally:
        close_started(window)
