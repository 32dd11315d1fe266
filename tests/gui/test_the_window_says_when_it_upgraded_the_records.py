"""The window says once, above the pages, that it upgraded an older release's data folder, the
copy it kept and that earlier releases can no longer open the folder (only palsy.log said it);
Help > About names the records database version this release writes."""

from __future__ import annotations

from pathlib import Path

from app.gui_main import build_window
from app.help_dialogs import about_window
from app.records import Store
from app.records.migrations import LATEST_VERSION
from tests.gui.start_helpers import close_window
from tests.records.test_an_upgrade_is_said_and_not_done_for_a_refused_import import (
    _version_3_folder,
)


def test_an_upgraded_folder_is_said_once(qtbot, tmp_path: Path, settings_path: str) -> None:
    folder = _version_3_folder(tmp_path / "data")
    window = build_window(settings_path=settings_path, data=str(folder))
    try:
        shown = window.notice.text()
        assert window.notice.isVisibleTo(window)
    finally:
        close_window(window)
    assert f"The records were upgraded from database version 3 to {LATEST_VERSION}" in shown
    assert str(folder.resolve() / "palsy.db.v3.bak") in shown
    assert "Earlier releases of Palsy Grader can no longer open this data folder." in shown
    window = build_window(settings_path=settings_path, data=str(folder))
    try:
        assert "upgraded" not in window.notice.text()
    finally:
        close_window(window)


def test_a_current_folder_has_no_upgrade_notice(qtbot, tmp_path: Path, settings_path: str) -> None:
    Store.open(tmp_path / "data").close()
    window = build_window(settings_path=settings_path, data=str(tmp_path / "data"))
    try:
        assert "upgraded" not in window.notice.text()
    finally:
        close_window(window)


def test_about_names_the_records_database_version(qtbot, tmp_path: Path) -> None:
    dialog = about_window(None, tmp_path)
    try:
        assert f"Records database version: {LATEST_VERSION}" in dialog.browser.toPlainText()
    finally:
        dialog.deleteLater()
