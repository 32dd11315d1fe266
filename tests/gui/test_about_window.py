"""Help > About tells what support asks on the phone: the version, the Python, Qt and torch
versions, the data folder and the log file to send (or that there is none), with the
not-for-diagnosis statement (app/help_dialogs.py)."""

from __future__ import annotations

import logging
import platform
from pathlib import Path

import pytest

import app
from app import frozen_main
from tests.gui.gui_helpers import close_window, make_window


@pytest.fixture()
def no_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frozen_main, "_no_log_reason", None)


def test_about_names_the_versions_the_data_folder_and_that_no_log_is_kept(
        qtbot, data_folder: Path, tiny_weights: Path, no_log: None) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        text = window._about().browser.toPlainText()
    finally:
        close_window(window)
    for part in (f"{app.__version__} (commit ", f"Python {platform.python_version()}", "PySide6 ", "(Qt ",
                 "torch ", str(data_folder), "no log is being kept", "does not replace, the clinician's judgement",
                 "not a diagnosis"):
        assert part in text, (part, text)


def test_about_names_the_log_file(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    (tmp_path / "logs.d").mkdir()
    handler = frozen_main.PrivateRotatingFileHandler(tmp_path / "logs.d" / "palsy.log", delay=True)
    logging.getLogger().addHandler(handler)
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        text = window._about().browser.toPlainText()
    finally:
        close_window(window)
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert str(tmp_path / "logs.d" / "palsy.log") in text and "no log" not in text


def test_about_is_as_tall_as_its_text_at_a_large_font(qtbot, data_folder: Path, tiny_weights: Path, font_15pt) -> None:
    """HiDPI audit 2026-12-06: at a 15 pt font the fixed 300 px hid the log file's line."""
    from PySide6.QtWidgets import QApplication

    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        dialog = window._about()
        dialog.show()
        QApplication.processEvents()
        bar = dialog.browser.verticalScrollBar()
        assert bar.maximum() == 0, "the About text scrolls: its last lines are hidden"
        dialog.close()
    finally:
        close_window(window)
