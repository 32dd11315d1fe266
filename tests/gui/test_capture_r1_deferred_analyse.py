"""Analyse asked while the last photo is still being saved waits for the save. Leaving the
capture page meanwhile dropped it in silence while the status bar kept promising it, and
Escape could not withdraw it: both withdraw it now, saying "Analysis not started"."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.gui.gui_helpers import WAIT_MS, close_window, make_window
from tests.gui.test_capture_analyse_while_last_photo_saves import _take_all_with_the_last_save_held
from tests.gui.test_capture_guards import _start


def test_leaving_the_page_withdraws_the_analysis_and_says_so(qtbot, data_folder: Path, tiny_weights: Path,
                                                             monkeypatch) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    gate = threading.Event()
    try:
        _start(window)
        page = window.capture
        gate = _take_all_with_the_last_save_held(qtbot, window, monkeypatch, fail=False)
        window.start_analysis()  # Ctrl+Enter: "… the analysis starts once it is saved"
        window.show_patients()
        assert window.statusBar().currentMessage() == (
            "Analysis not started: you left the capture page before the last photo was saved; "
            "resume the assessment and press Analyse")
        gate.set()
        qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)
        qtbot.wait(100)  # the save timer's next turn
        assert not window.analysing and window.stack.currentWidget() is window.patients
        assert window.statusBar().currentMessage().startswith("Analysis not started")
    finally:
        gate.set()
        close_window(window)


def test_escape_withdraws_an_analysis_waiting_for_the_save(qtbot, data_folder: Path, tiny_weights: Path,
                                                           monkeypatch) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    gate = threading.Event()
    try:
        _start(window)
        page = window.capture
        gate = _take_all_with_the_last_save_held(qtbot, window, monkeypatch, fail=False)
        window.start_analysis()
        window.cancel_analysis()  # Escape: the user changes their mind
        assert window.statusBar().currentMessage() == (
            "Analysis not started: cancelled before the last photo was saved; the photos are kept "
            "(press Analyse when you are ready)")
        gate.set()
        qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)
        qtbot.wait(100)
        assert not window.analysing and window.stack.currentWidget() is page
        assert page.analyse_button.isEnabled()  # asked again, it starts
    finally:
        gate.set()
        close_window(window)
